    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub beyond_u64: Option<serde_json::Number>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub at_two_63: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub wide_enum: Option<serde_json::Number>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub big_enum: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub branch_requires_undeclared: Option<serde_json::Map<String, serde_json::Value>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub branch_requires_nullable: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub branch_requires_defaulted: Option<serde_json::Value>,
        pub undeclared: serde_json::Value,
    }
