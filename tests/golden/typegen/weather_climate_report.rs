    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        /// City identifier from list_cities.
        pub city: String,
    }
