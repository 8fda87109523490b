    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        pub one_of: Option<serde_json::Value>,
        pub any_of: Option<serde_json::Value>,
        pub nullable_type: Option<String>,
        pub nullable_any_of: Option<i64>,
        /// Null or a thing.
        pub nullable_one_of: Option<Thing>,
        #[serialize_always]
        pub nullable_required: Option<i64>,
        pub nullable_enum: Option<NullableEnum>,
        pub mixed_enum: Option<serde_json::Value>,
        pub int_enum: Option<i64>,
        pub num_enum: Option<f64>,
        pub bool_enum: Option<bool>,
        pub several_types: Option<serde_json::Value>,
        pub only_null: Option<serde_json::Value>,
        pub const_string: Option<String>,
        pub const_number: Option<i64>,
        pub not_schema: Option<String>,
        pub if_then: Option<i64>,
        pub pattern_props: Option<serde_json::Map<String, serde_json::Value>>,
        /// No type at all.
        pub untyped: Option<serde_json::Value>,
        pub always: Option<serde_json::Value>,
        pub big: Option<u64>,
        pub huge: Option<serde_json::Number>,
        pub narrowed: Option<Narrowed>,
        pub widened: Option<serde_json::Value>,
    }

    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Thing {
        pub name: Option<String>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[allow(clippy::enum_variant_names)]
    pub enum NullableEnum {
        #[serde(rename = "red")]
        Red,
        #[serde(rename = "green")]
        Green,
    }

    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Narrowed {
        pub a: Option<String>,
        pub b: Option<String>,
    }
