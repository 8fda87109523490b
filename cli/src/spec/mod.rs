//! The spec: its typed model (the contract), loading it from YAML with source locations, and its JSON Schema.

pub mod load;
pub mod model;
pub mod placeholders;
pub mod schema;
pub mod spans;
pub mod uri_template;

pub use model::*;
