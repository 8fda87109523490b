//! The checked-in `specs/mcpgen.schema.json` is exactly `mcpgen schema`'s output, and documents every property.
//! `MCPGEN_BLESS=1` rewrites it.

use std::path::Path;

use serde_json::Value;

#[test]
fn checked_in_schema_matches_the_model() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/mcpgen.schema.json");
    let actual = mcpgen::spec::schema::json_schema_text();
    if std::env::var_os("MCPGEN_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "specs/mcpgen.schema.json is stale: run `mcpgen schema > specs/mcpgen.schema.json` (or MCPGEN_BLESS=1)\n{}",
        similar::TextDiff::from_lines(&expected, &actual).unified_diff()
    );
}

#[test]
fn every_property_has_a_description() {
    fn walk(node: &Value, path: &str, missing: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    for (name, sub) in props {
                        let text = sub.get("description").and_then(Value::as_str);
                        if text.is_none_or(|d| d.trim().is_empty()) {
                            missing.push(format!("{path}/properties/{name}"));
                        }
                    }
                }
                for (k, v) in map {
                    walk(v, &format!("{path}/{k}"), missing);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{path}/{i}"), missing);
                }
            }
            _ => {}
        }
    }
    let schema = mcpgen::spec::schema::json_schema();
    let mut missing = Vec::new();
    walk(&schema, "", &mut missing);
    assert!(
        missing.is_empty(),
        "properties without a description: {missing:#?}"
    );
    // Unknown keys must be rejected everywhere (deny_unknown_fields on every struct).
    for (name, def) in schema["$defs"].as_object().unwrap() {
        if def.get("properties").is_some() {
            assert_eq!(
                def["additionalProperties"],
                Value::Bool(false),
                "{name} accepts unknown keys"
            );
        }
    }
}
