//! The spec format's own JSON Schema, derived from the model types: the single source for `mcpgen schema`,
//! `specs/mcpgen.schema.json` and the loader's structural validation.

use serde_json::Value;

/// The JSON Schema (draft 2020-12) of an mcpgen spec.
pub fn json_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(super::Spec)).expect("schema serialises")
}

/// The schema as `mcpgen schema` prints it and `specs/mcpgen.schema.json` stores it (pretty, newline at the end).
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&json_schema()).expect("schema serialises");
    text.push('\n');
    text
}
