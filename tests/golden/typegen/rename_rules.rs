    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct Input {
        pub max_results: Option<i64>,
        pub page_token: Option<String>,
        #[serde(rename = "type")]
        pub type_: Option<String>,
        pub tags: Option<Vec<i64>>,
        pub status: Option<Status>,
        pub level: Option<Level>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[allow(clippy::enum_variant_names)]
    #[serde(rename_all = "kebab-case")]
    pub enum Status {
        InProgress,
        OnHold,
        Done,
        #[serde(rename = "Other")]
        Other,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[allow(clippy::enum_variant_names)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum Level {
        HighPriority,
        LowPriority,
    }
