    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Input {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub a: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub b: Option<Vec<i64>>,
    }
