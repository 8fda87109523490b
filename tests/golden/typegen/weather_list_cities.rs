    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    pub struct Input {}

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Output {
        pub cities: Vec<CitiesItem>,
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct CitiesItem {
        /// Identifier to pass to other tools.
        pub id: String,
        pub name: String,
        /// ISO 3166-1 alpha-2 country code.
        pub country: String,
    }
