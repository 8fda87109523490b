    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        pub from: Unit,
        pub to: Unit,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub point: Option<Point>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub path: Option<Vec<Point>>,
        /// A reference with a description beside it, pydantic style.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub with_desc: Option<Point>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub pointer: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub by_pointer: Option<f64>,
    }

    /// A temperature unit.
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

    /// Point
    ///
    /// A point on the map.
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Point {
        pub x: f64,
        pub y: f64,
    }
