    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        /// The temperature to convert.
        pub value: f64,
        pub from: Unit,
        pub to: Unit,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[allow(clippy::enum_variant_names)]
    pub enum Unit {
        #[serde(rename = "celsius")]
        Celsius,
        #[serde(rename = "fahrenheit")]
        Fahrenheit,
        #[serde(rename = "kelvin")]
        Kelvin,
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Output {
        pub value: f64,
        pub unit: String,
    }
