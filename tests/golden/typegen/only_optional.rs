    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Input {
        #[serde(rename = "maxResults")]
        pub max_results: Option<i64>,
        #[serde(rename = "pageToken")]
        pub page_token: Option<String>,
        #[serde(rename = "type")]
        pub type_: Option<String>,
        pub tags: Option<Vec<i64>>,
        pub status: Option<Status>,
        pub level: Option<Level>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[allow(clippy::enum_variant_names)]
    pub enum Status {
        #[serde(rename = "in-progress")]
        InProgress,
        #[serde(rename = "on-hold")]
        OnHold,
        #[serde(rename = "done")]
        Done,
        Other,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[allow(clippy::enum_variant_names)]
    pub enum Level {
        #[serde(rename = "HIGH_PRIORITY")]
        HighPriority,
        #[serde(rename = "LOW_PRIORITY")]
        LowPriority,
    }
