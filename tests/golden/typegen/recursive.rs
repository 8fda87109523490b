    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub root: Option<Node>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub again: Option<Box<Input>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub list: Option<Vec<Node>>,
        #[serde(rename = "loop")]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub loop_: Option<Vec<serde_json::Value>>,
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Node {
        pub value: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub children: Option<Vec<Node>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub parent: Option<Box<Node>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub by_name: Option<std::collections::BTreeMap<String, Node>>,
    }
