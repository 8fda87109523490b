//! The spec: its typed model (the contract), loading it from YAML with source locations, and its JSON Schema.

pub mod load;
pub mod model;
pub mod placeholders;
pub mod schema;
pub mod spans;
/// RFC 6570 URI templates: the runtime's implementation, the one the generated servers match with (re-exported
/// for the code generator).
pub use model::*;
