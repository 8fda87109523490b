    /// Quotes " backslash \ block */ /* raw "# braces {{ x }} {% y %}
    /// second line    with tab \u{202e} rtl
    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        /// dash
        #[serde(rename = "a-b")]
        pub a_b: String,
        /// underscore, same Rust name as a-b
        #[serde(rename = "a_b")]
        pub a_b_2: Option<String>,
        #[serde(rename = "aB")]
        pub a_b_3: Option<String>,
        #[serde(rename = "type")]
        pub type_: String,
        #[serde(rename = "self")]
        pub self_: Option<bool>,
        #[serde(rename = "Self")]
        pub self_2: Option<bool>,
        #[serde(rename = "crate")]
        pub crate_: Option<i64>,
        pub main: Option<i64>,
        #[serde(rename = "1st")]
        pub _1st: Option<f64>,
        /// empty name
        #[serde(rename = "")]
        pub unnamed: Option<String>,
        #[serde(rename = "🌧")]
        pub unnamed_2: Option<String>,
        #[serde(rename = "🌧 rain")]
        pub rain: Option<String>,
        #[serde(rename = "météo")]
        pub m_ue9_t_ue9_o: Option<String>,
        #[serde(rename = "温度")]
        pub u6e29_u5ea6: Option<f64>,
        #[serde(rename = "quote\"name")]
        pub quote_name: Option<String>,
        #[serde(rename = "back\\slash")]
        pub back_slash: Option<String>,
        #[serde(rename = "tera {{ x }}")]
        pub tera_x: Option<String>,
        /// Enum with hostile values: "quoted" and \ backslash.
        pub kind: Kind,
    }

    /// Enum with hostile values: "quoted" and \ backslash.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[allow(clippy::enum_variant_names)]
    pub enum Kind {
        #[serde(rename = "a-b")]
        AB,
        #[serde(rename = "a_b")]
        AB2,
        #[serde(rename = "1")]
        X1,
        #[serde(rename = "type")]
        Type,
        #[serde(rename = "")]
        Unnamed,
        #[serde(rename = "Self")]
        Self_,
        #[serde(rename = "self")]
        Self2,
        #[serde(rename = "None")]
        None_,
        #[serde(rename = "quote\"s")]
        QuoteS,
        #[serde(rename = "back\\slash")]
        BackSlash,
        #[serde(rename = "\u{202e}")]
        Unnamed2,
        #[serde(rename = "celsius")]
        Celsius,
        #[serde(rename = "Celsius")]
        Celsius2,
        #[serde(rename = "🌧")]
        Unnamed3,
    }
