    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        /// Nested object.
        pub owner: Owner,
        pub tags: Option<Vec<String>>,
        pub anything: Option<Vec<serde_json::Value>>,
        pub matrix: Option<Vec<Vec<i64>>>,
        pub rows: Option<Vec<RowsItem>>,
        pub counts: Option<std::collections::BTreeMap<String, i64>>,
        pub free: Option<serde_json::Map<String, serde_json::Value>>,
        pub tuple: Option<Vec<serde_json::Value>>,
        pub settings: Option<Settings>,
    }

    /// Nested object.
    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Owner {
        pub name: String,
        pub address: Option<Address>,
    }

    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Address {
        pub street: String,
        pub zip: Option<String>,
    }

    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct RowsItem {
        pub id: i64,
        pub labels: Option<std::collections::BTreeMap<String, String>>,
    }

    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Settings {
        pub verbose: Option<bool>,
        /// Properties not declared in the schema.
        #[serde(flatten)]
        pub additional_properties: std::collections::BTreeMap<String, f64>,
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Output {
        pub owner: Owner2,
        pub status: Status,
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Owner2 {
        pub name: String,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[allow(clippy::enum_variant_names)]
    pub enum Status {
        #[serde(rename = "ok")]
        Ok_,
        #[serde(rename = "failed")]
        Failed,
    }
