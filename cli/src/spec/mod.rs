//! The spec: its typed model (the contract), loading it from YAML with source locations, and its JSON Schema.

pub mod model;

pub use model::*;
