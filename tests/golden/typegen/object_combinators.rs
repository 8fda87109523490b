    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub narrowed: Option<Narrowed>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub widened: Option<serde_json::Value>,
    }

    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Narrowed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub a: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub b: Option<String>,
    }
