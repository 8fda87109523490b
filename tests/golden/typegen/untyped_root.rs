    pub type Input = serde_json::Value;
