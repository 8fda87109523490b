    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        #[serde(default = "default_input_count")]
        pub count: i64,
        #[serde(default = "default_input_ratio")]
        pub ratio: f64,
        #[serde(default = "default_input_whole_ratio")]
        pub whole_ratio: f64,
        #[serde(default = "default_input_flag")]
        pub flag: bool,
        #[serde(default = "default_input_label")]
        pub label: String,
        #[serde(default = "default_input_long_label")]
        pub long_label: String,
        #[serde(default = "default_input_unit")]
        pub unit: Unit,
        pub wrong_type: Option<i64>,
        pub nullable: Option<i64>,
        pub list: Option<Vec<i64>>,
    }

    fn default_input_count() -> i64 {
        3
    }

    fn default_input_ratio() -> f64 {
        0.5
    }

    fn default_input_whole_ratio() -> f64 {
        2.0
    }

    fn default_input_flag() -> bool {
        true
    }

    fn default_input_label() -> String {
        String::from("say \"hi\" \\ {{ x }}")
    }

    fn default_input_long_label() -> String {
        String::from(
            "a default long enough that rustfmt has to break the String::from call over three lines",
        )
    }

    fn default_input_unit() -> Unit {
        Unit::Fahrenheit
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[allow(clippy::enum_variant_names)]
    pub enum Unit {
        #[serde(rename = "celsius")]
        Celsius,
        #[serde(rename = "fahrenheit")]
        Fahrenheit,
    }
