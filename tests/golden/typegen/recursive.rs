    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        pub root: Option<Node>,
        pub again: Option<Box<Input>>,
        pub list: Option<Vec<Node>>,
        #[serde(rename = "loop")]
        pub loop_: Option<Vec<serde_json::Value>>,
    }

    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Node {
        pub value: String,
        pub children: Option<Vec<Node>>,
        pub parent: Option<Box<Node>>,
        pub by_name: Option<std::collections::BTreeMap<String, Node>>,
    }
