    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        pub point: Point,
        pub path: Option<Vec<Point>>,
        /// A reference with a description beside it, pydantic style.
        pub with_desc: Option<Point>,
        pub pointer: Option<serde_json::Value>,
        pub by_pointer: Option<f64>,
    }

    /// Point
    ///
    /// A point on the map.
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Point {
        pub x: f64,
        pub y: f64,
    }
