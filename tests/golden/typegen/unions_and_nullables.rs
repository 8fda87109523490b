    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub one_of: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub any_of: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub nullable_type: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub nullable_any_of: Option<i64>,
        /// Null or a thing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub nullable_one_of: Option<Thing>,
        pub nullable_required: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub nullable_enum: Option<NullableEnum>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub mixed_enum: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub int_enum: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub num_enum: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub bool_enum: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub several_types: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub only_null: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub const_string: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub const_number: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub not_schema: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub if_then: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub pattern_props: Option<serde_json::Map<String, serde_json::Value>>,
        /// No type at all.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub untyped: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub always: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub big: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub huge: Option<serde_json::Number>,
    }

    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Thing {
        #[serde(default, skip_serializing_if = "Option::is_none")]
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
