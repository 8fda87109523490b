//! JSON Schema validation of tool arguments and results, each schema compiled once, on first use.

use std::sync::{Arc, OnceLock};

use rmcp::model::JsonObject;
use serde_json::Value;

use super::schema_subset::Schema;

/// How many violations of one instance are described; the rest are counted.
pub const MAX_VIOLATIONS: usize = 20;

/// A tool's schema, compiled the first time it is needed. Compiling with jsonschema checks the schema against its
/// draft's meta-schema, which was most of a server's start-up time and idle memory (BENCHMARKS.md); mcpgen compiled
/// the same schema when it validated the spec, so a failure here means a hand-edited generated file.
pub struct LazyValidator {
    schema: Arc<JsonObject>,
    compiled: OnceLock<Result<SchemaValidator, String>>,
}

impl LazyValidator {
    /// Shares `schema` with the tool definition that serves it.
    pub fn new(schema: Arc<JsonObject>) -> Self {
        LazyValidator {
            schema,
            compiled: OnceLock::new(),
        }
    }

    /// The compiled schema, or why it does not compile.
    pub fn get(&self) -> Result<&SchemaValidator, &str> {
        self.compiled
            .get_or_init(|| SchemaValidator::compile(&Value::Object((*self.schema).clone())))
            .as_ref()
            .map_err(String::as_str)
    }
}

/// A compiled schema: the keyword subset most schemas stay within, or jsonschema for the rest (with
/// the `full-json-schema` feature). The draft comes from the schema's `$schema` (2020-12 when absent).
pub enum SchemaValidator {
    /// Checked by the runtime's keyword subset.
    Subset(Schema),
    #[cfg(feature = "full-json-schema")]
    /// Checked by the `jsonschema` crate.
    Full(jsonschema::Validator),
}

impl SchemaValidator {
    /// Compiles `schema`; fails on an invalid schema or an unresolvable `$ref` (remote references are
    /// never fetched).
    pub fn compile(schema: &Value) -> Result<Self, String> {
        match Schema::compile(schema) {
            Ok(subset) => Ok(SchemaValidator::Subset(subset)),
            Err(outside) => Self::full(schema, outside),
        }
    }

    /// `pattern` and `patternProperties` match client strings with jsonschema's fancy-regex: patterns without
    /// lookaround or backreferences run on the `regex` crate's linear-time engine, the others backtrack at most
    /// 1,000,000 steps per match (about 2 ms here) and then fail (tested below), so a request's cost stays
    /// bounded by its size.
    #[cfg(feature = "full-json-schema")]
    fn full(schema: &Value, _outside: String) -> Result<Self, String> {
        jsonschema::validator_for(schema)
            .map(SchemaValidator::Full)
            .map_err(|error| error.to_string())
    }

    #[cfg(not(feature = "full-json-schema"))]
    fn full(_schema: &Value, outside: String) -> Result<Self, String> {
        Err(format!(
            "the schema uses {outside}, which needs the crate's `full-json-schema` feature (mcpgen \
             turns it on for specs that need it)"
        ))
    }

    /// Every violation in `instance`, one line each and sorted, naming the failing property (a missing
    /// required property and an unexpected one are named themselves, not their parent); empty when valid. At
    /// most [`MAX_VIOLATIONS`] are described, then one line counts the rest: an array of a million bad items
    /// must not become a million-line error message.
    pub fn violations(&self, instance: &Value) -> Vec<String> {
        let mut out = Vec::new();
        let mut more = 0usize;
        match self {
            SchemaValidator::Subset(schema) => {
                schema.violations(instance, &mut |pointer, violation| {
                    if out.len() < MAX_VIOLATIONS {
                        violation.describe(pointer, &mut out)
                    } else {
                        more += 1;
                    }
                });
            }
            #[cfg(feature = "full-json-schema")]
            SchemaValidator::Full(validator) => {
                more = super::schema_full::describe_violations(
                    validator,
                    instance,
                    MAX_VIOLATIONS,
                    &mut out,
                )
            }
        }
        out.sort();
        if more > 0 {
            out.push(format!("... and {more} more"));
        }
        out
    }
}

/// The message of an `isError` result for arguments that do not match the tool's input schema.
pub fn invalid_arguments_message(tool: &str, violations: &[String]) -> String {
    let mut message = format!("Invalid arguments for tool '{tool}':");
    for violation in violations {
        message.push_str("\n- ");
        message.push_str(violation);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn forecast_schema() -> SchemaValidator {
        SchemaValidator::compile(&json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "days": {"type": "integer", "minimum": 1, "maximum": 14},
                "units": {"type": "string", "enum": ["celsius", "fahrenheit"]}
            },
            "required": ["city"],
            "additionalProperties": false
        }))
        .unwrap()
    }

    #[test]
    fn valid_arguments_have_no_violations() {
        assert!(
            forecast_schema()
                .violations(&json!({"city": "paris", "days": 3}))
                .is_empty()
        );
    }

    #[test]
    fn each_failing_property_is_named() {
        let violations =
            forecast_schema().violations(&json!({"days": 20, "units": "kelvin", "extra": 1}));
        let message = invalid_arguments_message("get_forecast", &violations);
        assert!(
            message.starts_with("Invalid arguments for tool 'get_forecast':"),
            "{message}"
        );
        for line in [
            "\n- days: 20 is greater than the maximum of 14",
            "\n- units: ",
            "\n- city: required property is missing",
            "\n- extra: unexpected property",
        ] {
            assert!(message.contains(line), "{message}");
        }
        assert_eq!(violations.len(), 4, "{message}");
    }

    #[test]
    fn nested_locations_use_the_instance_path() {
        let validator = SchemaValidator::compile(&json!({
            "type": "object",
            "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "number"}}}}}
        }))
        .unwrap();
        let violations = validator.violations(&json!({"items": [{"n": 1}, {"n": "x"}]}));
        assert_eq!(violations.len(), 1);
        assert!(violations[0].starts_with("items/1/n: "), "{violations:?}");
    }

    #[cfg(feature = "full-json-schema")]
    #[test]
    fn draft_07_definitions_resolve() {
        let validator = SchemaValidator::compile(&json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {"from": {"$ref": "#/definitions/unit"}},
            "definitions": {"unit": {"type": "string", "enum": ["celsius", "kelvin"]}}
        }))
        .unwrap();
        assert!(validator.violations(&json!({"from": "kelvin"})).is_empty());
        assert_eq!(validator.violations(&json!({"from": "rankine"})).len(), 1);
    }

    #[test]
    fn lazy_validator_compiles_once_and_reports_a_broken_schema() {
        let schema = |value: Value| Arc::new(value.as_object().unwrap().clone());
        let lazy = LazyValidator::new(schema(json!({"type": "object", "required": ["a"]})));
        let first: *const SchemaValidator = lazy.get().unwrap();
        assert!(std::ptr::eq(first, lazy.get().unwrap()), "compiled once");
        assert_eq!(lazy.get().unwrap().violations(&json!({})).len(), 1);
        let broken = LazyValidator::new(schema(json!({"type": 12})));
        assert!(broken.get().is_err());
    }

    #[test]
    fn unresolvable_reference_fails_to_compile() {
        assert!(
            SchemaValidator::compile(&json!({"$ref": "https://example.com/schema.json"})).is_err()
        );
    }

    #[test]
    fn an_array_of_bad_items_is_described_twenty_times_then_counted() {
        let validator =
            SchemaValidator::compile(&json!({"type": "array", "items": {"type": "integer"}}))
                .unwrap();
        let bad: Vec<Value> = (0..1000).map(|i| json!(format!("x{i}"))).collect();
        let violations = validator.violations(&Value::Array(bad));
        assert_eq!(violations.len(), MAX_VIOLATIONS + 1);
        assert_eq!(violations.last().unwrap(), "... and 980 more");
    }

    /// Runs `f` on a thread and waits at most `limit` for it: a match that backtracks would run for minutes.
    #[cfg(feature = "full-json-schema")]
    fn within<T: Send + 'static>(
        limit: std::time::Duration,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(limit)
            .expect("validation finished in bounded time")
    }

    #[test]
    #[cfg(feature = "full-json-schema")]
    fn hostile_strings_against_hostile_patterns_cost_bounded_time() {
        // Nested quantifiers run on the linear engine; with a backreference the backtracking engine gives up
        // after its step budget instead of trying every split of the a's.
        for pattern in ["^(a+)+$", "^(a|aa)+\\1b$"] {
            let validator = SchemaValidator::compile(&json!({
                "type": "array",
                "items": {"type": "string", "pattern": pattern}
            }))
            .unwrap();
            let hostile = Value::Array(vec![json!(format!("{}!", "a".repeat(40))); 2_000]);
            let violations = within(std::time::Duration::from_secs(60), move || {
                validator.violations(&hostile)
            });
            assert!(!violations.is_empty(), "{pattern}");
        }
    }

    #[test]
    #[cfg(feature = "full-json-schema")]
    fn a_lookahead_pattern_still_works_on_the_backtracking_engine() {
        let validator =
            SchemaValidator::compile(&json!({"type": "string", "pattern": "^(?=a)a+$"})).unwrap();
        assert!(validator.violations(&json!("aaa")).is_empty());
        assert_eq!(validator.violations(&json!("baa")).len(), 1);
    }
}
