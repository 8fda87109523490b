//! Validation by the jsonschema crate, for schemas beyond `schema_subset.rs` (the `full-json-schema` feature),
//! reported in the subset's terms. mcpgen's tests compile this file too, to compare the two.

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use super::schema_subset::Violation;

/// Appends the violations of `instance` as `Violation::describe` words them, unsorted, until `out` holds `limit`;
/// returns how many more there are (counted, not described: the iterator is lazy, so this is the cheap part).
pub fn describe_violations(
    validator: &jsonschema::Validator,
    instance: &Value,
    limit: usize,
    out: &mut Vec<String>,
) -> usize {
    let mut errors = validator.iter_errors(instance);
    for error in errors.by_ref() {
        let names: Vec<&str>;
        let violation = match error.kind() {
            ValidationErrorKind::Required { property } => {
                Violation::Missing(property.as_str().unwrap_or_default())
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                names = unexpected.iter().map(String::as_str).collect();
                Violation::Unexpected(&names)
            }
            _ => Violation::Message(error.to_string()),
        };
        violation.describe(error.instance_path().as_str(), out);
        if out.len() >= limit {
            break;
        }
    }
    errors.count()
}
