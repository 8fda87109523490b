    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        pub narrowed: Option<Narrowed>,
        pub widened: Option<serde_json::Value>,
    }

    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Narrowed {
        pub a: Option<String>,
        pub b: Option<String>,
    }
