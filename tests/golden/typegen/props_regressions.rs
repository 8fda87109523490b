    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        pub beyond_u64: Option<serde_json::Number>,
        pub at_two_63: Option<u64>,
        pub wide_enum: Option<serde_json::Number>,
        pub big_enum: Option<u64>,
        pub branch_requires_undeclared: Option<serde_json::Map<String, serde_json::Value>>,
        pub branch_requires_nullable: Option<serde_json::Value>,
        pub branch_requires_defaulted: Option<serde_json::Value>,
        pub undeclared: serde_json::Value,
    }
