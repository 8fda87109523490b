//! The runtime's JSON Schema subset (runtime/src/schema_subset.rs) against the jsonschema crate it
//! replaces: on random schemas of the subset and random instances, both report the same violations, word
//! for word (after the runtime's own formatting, which sorts them). Servers whose schemas all fit the
//! subset are built without jsonschema, so this equivalence is what keeps their answers unchanged.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use mcpgen_runtime::schema_full;
use mcpgen_runtime::schema_subset::Schema;

/// What a server built with `full-json-schema` reports (as the runtime's validation.rs sorts it).
fn full_violations(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("jsonschema compiles the schema");
    let mut out = Vec::new();
    schema_full::describe_violations(&validator, instance, usize::MAX, &mut out);
    out.sort();
    out
}

fn subset_violations(schema: &Value, instance: &Value) -> Vec<String> {
    let compiled = Schema::compile(schema).expect("the schema is in the subset");
    let mut out = Vec::new();
    compiled.violations(instance, &mut |pointer, violation| {
        violation.describe(pointer, &mut out)
    });
    out.sort();
    out
}

/// Property names shared by schemas and instances, so they meet; two need JSON Pointer escaping.
const NAMES: [&str; 4] = ["a", "b", "c/d", "~e"];

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-3i64..4).prop_map(Value::from),
        Just(json!(1.0)),
        Just(json!(2.5)),
        Just(json!(-0.5)),
        Just(json!(9007199254740993u64)),
        Just(json!(9007199254740992.0)),
        Just(json!(u64::MAX)),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number(),
        prop::sample::select(vec!["", "x", "héé", "abcd", "a/b"]).prop_map(Value::from),
    ]
}

fn instance() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(NAMES.to_vec()), inner), 0..4).prop_map(
                |pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            ),
        ]
    })
}

fn type_keyword() -> impl Strategy<Value = Value> {
    let names = vec![
        "null", "boolean", "integer", "number", "string", "array", "object",
    ];
    prop_oneof![
        prop::sample::select(names.clone()).prop_map(Value::from),
        prop::sample::subsequence(names, 2)
            .prop_shuffle()
            .prop_map(|t| json!(t)),
    ]
}

/// Keywords that look at one value, each present or not.
fn scalar_keywords() -> impl Strategy<Value = Map<String, Value>> {
    (
        prop::option::of(type_keyword()),
        prop::option::of(number()),
        prop::option::of(number()),
        prop::option::of(number()),
        prop::option::of(number()),
        prop::option::of((0u64..4, 0u64..4)),
        prop::option::of((0u64..4, 0u64..4)),
        prop::option::of(prop::collection::vec(scalar(), 1..6)),
        prop::option::of(scalar()),
        prop::sample::select(vec![
            None,
            Some("http://json-schema.org/draft-07/schema#"),
            Some("https://json-schema.org/draft/2020-12/schema"),
        ]),
    )
        .prop_map(
            |(ty, min, max, xmin, xmax, lengths, items, options, constant, draft)| {
                let mut map = Map::new();
                let mut put = |key: &str, value: Option<Value>| {
                    if let Some(value) = value {
                        map.insert(key.to_owned(), value);
                    }
                };
                put("type", ty);
                put("minimum", min);
                put("maximum", max);
                put("exclusiveMinimum", xmin);
                put("exclusiveMaximum", xmax);
                put("minLength", lengths.map(|l| l.0.into()));
                put("maxLength", lengths.map(|l| l.1.into()));
                put("minItems", items.map(|l| l.0.into()));
                put("maxItems", items.map(|l| l.1.into()));
                put("enum", options.map(Value::Array));
                put("const", constant);
                put("$schema", draft.map(Value::from));
                put("description", Some("annotations never fail".into()));
                map
            },
        )
}

fn schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        1 => any::<bool>().prop_map(Value::Bool),
        6 => scalar_keywords().prop_map(Value::Object),
        1 => prop::sample::select(vec!["#/$defs/p", "#/definitions/q"])
            .prop_map(|pointer| json!({"$ref": pointer, "description": "a reference"})),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            (
                prop::collection::vec((prop::sample::select(NAMES.to_vec()), inner.clone()), 0..4),
                prop::sample::subsequence(NAMES.to_vec(), 0..3),
                prop::option::of(inner.clone()),
                any::<bool>(),
            )
                .prop_map(|(properties, mut required, additional, typed)| {
                    let properties: Map<String, Value> = properties
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect();
                    // A required property that `additionalProperties: false` forbids fails every object
                    // either way, but jsonschema 0.60 then also calls it missing when it is present.
                    if additional == Some(Value::Bool(false)) {
                        required.retain(|name| properties.contains_key(*name));
                    }
                    let mut map = Map::new();
                    if typed {
                        map.insert("type".into(), "object".into());
                    }
                    map.insert("properties".into(), Value::Object(properties));
                    map.insert("required".into(), json!(required));
                    if let Some(additional) = additional {
                        map.insert("additionalProperties".into(), additional);
                    }
                    Value::Object(map)
                }),
            (inner, prop::option::of((0u64..3, 1u64..4))).prop_map(|(items, bounds)| {
                let mut map = Map::new();
                map.insert("items".into(), items);
                if let Some((min, max)) = bounds {
                    map.insert("minItems".into(), min.into());
                    map.insert("maxItems".into(), max.into());
                }
                Value::Object(map)
            }),
        ]
    })
}

/// A root object whose property `a` holds a random schema, with the definitions references point to.
fn root_schema() -> impl Strategy<Value = Value> {
    // `p` refers to nothing itself (a reference cycle is outside the subset).
    let p = schema().prop_filter("no reference", |p| !p.to_string().contains("$ref"));
    (schema(), p, scalar_keywords()).prop_map(
        |(a, p, q)| json!({"properties": {"a": a}, "$defs": {"p": p}, "definitions": {"q": q}}),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_subset_reports_what_jsonschema_reports(
        schema in root_schema(),
        instances in prop::collection::vec(instance(), 1..6),
    ) {
        for instance in &instances {
            prop_assert_eq!(
                subset_violations(&schema, instance),
                full_violations(&schema, instance),
                "schema {} on {}", schema, instance
            );
        }
    }
}

#[test]
fn hand_picked_cases_agree() {
    let schema = json!({
        "type": "object",
        "properties": {
            "city": {"type": "string", "minLength": 1, "x-mcp-header": "City"},
            "days": {"type": "integer", "minimum": 1, "maximum": 14},
            "units": {"enum": ["celsius", "fahrenheit", "kelvin", "rankine"]},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2}
        },
        "required": ["city", "days"],
        "additionalProperties": false
    });
    let instances = [
        json!({"city": "", "days": 20.5, "units": "x", "tags": [1, "a", "b"], "extra": 1, "more": 2}),
        json!({"days": 3.0}),
        json!([]),
        json!({"city": "paris", "days": 9007199254740993u64}),
    ];
    for instance in &instances {
        let subset = subset_violations(&schema, instance);
        assert_eq!(subset, full_violations(&schema, instance), "{instance}");
        assert!(!subset.is_empty(), "{instance}");
    }
}

/// Anything outside the subset is refused with the keyword named, so mcpgen turns on
/// `full-json-schema` for it; the subset never guesses.
#[test]
fn keywords_outside_the_subset_are_refused() {
    let outside = [
        json!({"type": "string", "pattern": "^a"}),
        json!({"type": "string", "format": "date-time"}),
        json!({"oneOf": [true]}),
        json!({"items": [true, false]}),
        json!({"exclusiveMaximum": true}),
        json!({"minLength": 1.5}),
        json!({"type": "int"}),
        json!({"type": ["string", "string"]}),
        json!({"required": ["a", "a"]}),
        json!({"$schema": "http://json-schema.org/draft-04/schema#"}),
        json!({"properties": {"a": {"multipleOf": 2}}}),
        json!({"$ref": "#/$defs/a", "type": "object", "$defs": {"a": true}}),
        json!({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}}),
        json!({"$ref": "#/$defs/missing"}),
        json!({"$ref": "other.json#/a"}),
        json!(12),
    ];
    for schema in &outside {
        assert!(Schema::compile(schema).is_err(), "{schema}");
    }
    // Extension keywords (SEP-2243's `x-mcp-header`) are annotations, inside the subset.
    let inside = json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 3, "x-mcp-header": "A"}}});
    assert!(Schema::compile(&inside).is_ok());
}

/// Found by the property test: `additionalProperties` that is a reference to `false` fails each extra value as a
/// false schema, in jsonschema's words; only the literal `false` names the unexpected property.
#[test]
fn a_reference_to_false_is_not_the_literal_false() {
    let referenced = json!({
        "properties": {"a": {"properties": {}, "additionalProperties": {"$ref": "#/$defs/p"}}},
        "$defs": {"p": false}
    });
    let literal = json!({"properties": {"a": {"properties": {}, "additionalProperties": false}}});
    let instance = json!({"a": {"a": null}});
    for (schema, expected) in [
        (&referenced, "a/a: False schema does not allow null"),
        (&literal, "a/a: unexpected property (not in the schema)"),
    ] {
        let subset = subset_violations(schema, &instance);
        assert_eq!(subset, full_violations(schema, &instance), "{schema}");
        assert_eq!(subset, [expected], "{schema}");
    }
}
