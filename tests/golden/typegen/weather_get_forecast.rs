    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Input {
        /// City identifier from list_cities, such as "paris".
        pub city: String,
        /// Number of days to forecast.
        #[serde(default = "default_input_days")]
        pub days: i64,
        /// Temperature units.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub units: Option<Units>,
        /// Month (1-12) to forecast for; defaults to January.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub month: Option<i64>,
    }

    fn default_input_days() -> i64 {
        3
    }

    /// Temperature units.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[allow(clippy::enum_variant_names)]
    pub enum Units {
        #[serde(rename = "celsius")]
        Celsius,
        #[serde(rename = "fahrenheit")]
        Fahrenheit,
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Output {
        pub city: String,
        pub units: Units,
        pub days: Vec<DaysItem>,
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct DaysItem {
        /// Day number starting at 1.
        pub day: i64,
        pub high: f64,
        pub low: f64,
        #[serde(rename = "rainChance")]
        pub rain_chance: f64,
        pub summary: String,
    }
