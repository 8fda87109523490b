//! The spec: its typed model (the contract), loading it from YAML with source locations, and its JSON Schema.

pub mod load;
pub mod model;
pub mod placeholders;
pub mod schema;
pub mod spans;
pub mod uri_template;

pub use load::{LoadedSpec, load_spec, load_spec_str};
pub use model::*;
