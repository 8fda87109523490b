    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        /// Nested object.
        pub owner: Owner,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tags: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub anything: Option<Vec<serde_json::Value>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub matrix: Option<Vec<Vec<i64>>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub rows: Option<Vec<RowsItem>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub counts: Option<std::collections::BTreeMap<String, i64>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub free: Option<serde_json::Map<String, serde_json::Value>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tuple: Option<Vec<serde_json::Value>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub settings: Option<Settings>,
    }

    /// Nested object.
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Owner {
        pub name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub address: Option<Address>,
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Address {
        pub street: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub zip: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct RowsItem {
        pub id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub labels: Option<std::collections::BTreeMap<String, String>>,
    }

    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Settings {
        #[serde(default, skip_serializing_if = "Option::is_none")]
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
