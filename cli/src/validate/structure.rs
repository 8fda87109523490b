//! Structural validation: the raw YAML value against the spec's own JSON Schema (derived from the model), every
//! error turned into a located, human-phrased diagnostic.

use std::collections::HashSet;
use std::sync::LazyLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError, Validator};
use serde_json::Value;

use super::{At, Ctx, did_you_mean, human_path};
use crate::spec::spans::escape_segment;

struct SpecSchema {
    schema: Value,
    validator: Validator,
}

static SPEC_SCHEMA: LazyLock<SpecSchema> = LazyLock::new(|| {
    let schema = crate::spec::schema::json_schema();
    let validator = jsonschema::options()
        .build(&schema)
        .expect("the spec's own schema compiles");
    SpecSchema { schema, validator }
});

/// Reports every structural error; true when there is none.
pub fn check(ctx: &mut Ctx<'_>, raw: &Value) -> bool {
    let spec = &*SPEC_SCHEMA;
    let mut found = Vec::new();
    for err in spec.validator.iter_errors(raw) {
        describe(&spec.schema, &err, &mut found);
    }
    let mut seen = HashSet::new();
    let clean = found.is_empty();
    for f in found {
        if seen.insert((f.pointer.clone(), f.code, f.message.clone())) {
            let at = if f.on_key {
                At::Key(&f.pointer)
            } else {
                At::Value(&f.pointer)
            };
            ctx.error(f.code, at, f.message, f.hint);
        }
    }
    clean
}

struct Found {
    code: &'static str,
    pointer: String,
    on_key: bool,
    message: String,
    hint: Option<String>,
}

/// "in `tools[0]`", or "at the top level".
fn place(pointer: &str) -> String {
    if pointer.is_empty() {
        "at the top level".to_owned()
    } else {
        format!("in `{}`", human_path(pointer))
    }
}

/// The node named in "for `x`" phrases.
fn node(pointer: &str) -> String {
    if pointer.is_empty() {
        "the spec".to_owned()
    } else {
        format!("`{}`", human_path(pointer))
    }
}

fn describe(schema: &Value, err: &ValidationError<'_>, out: &mut Vec<Found>) {
    let pointer = err.instance_path().as_str().to_owned();
    let instance: &Value = err.instance();
    let mut push = |code, pointer: String, on_key, message: String, hint: Option<String>| {
        out.push(Found {
            code,
            pointer,
            on_key,
            message,
            hint,
        })
    };
    match err.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_keys(schema, &pointer);
            for key in unexpected {
                let hint = did_you_mean(key, allowed.iter().map(String::as_str)).or_else(|| {
                    (!allowed.is_empty()).then(|| {
                        let list: Vec<String> = allowed.iter().map(|k| format!("`{k}`")).collect();
                        format!("allowed keys here: {}", list.join(", "))
                    })
                });
                let message = format!("unknown key `{key}` {}", place(&pointer));
                push(
                    "unknown-key",
                    format!("{pointer}/{}", escape_segment(key)),
                    true,
                    message,
                    hint,
                );
            }
        }
        ValidationErrorKind::Required { property } => {
            let key = property.as_str().unwrap_or_default();
            let message = format!("missing required key `{key}` {}", place(&pointer));
            push(
                "missing-key",
                pointer,
                true,
                message,
                Some(format!("add `{key}:` here")),
            );
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => vec![*t],
                TypeKind::Multiple(set) => set.iter().collect(),
            };
            let (message, hint) = type_message(&pointer, &expected, instance);
            push("wrong-type", pointer, false, message, hint);
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<&Value> = options
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let (message, hint) = choice_message(&pointer, &options, instance);
            push("invalid-value", pointer, false, message, hint);
        }
        ValidationErrorKind::Constant { expected_value } => {
            let (message, hint) = choice_message(&pointer, &[&**expected_value], instance);
            push("invalid-value", pointer, false, message, hint);
        }
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => {
            let message = format!(
                "{} is too small for {}: the minimum is {limit}",
                show(instance),
                node(&pointer)
            );
            push("out-of-range", pointer, false, message, None);
        }
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => {
            let message = format!(
                "{} is too large for {}: the maximum is {limit}",
                show(instance),
                node(&pointer)
            );
            push("out-of-range", pointer, false, message, None);
        }
        ValidationErrorKind::AnyOf { context }
        | ValidationErrorKind::OneOfNotValid { context }
        | ValidationErrorKind::OneOfMultipleValid { context } => {
            // A branch "fits" when its failures are below this node: the value had the branch's shape.
            let fails_here = |e: &ValidationError<'_>| {
                e.instance_path().as_str() == pointer
                    && matches!(
                        e.kind(),
                        ValidationErrorKind::Type { .. }
                            | ValidationErrorKind::Constant { .. }
                            | ValidationErrorKind::Enum { .. }
                    )
            };
            let fitting: Vec<_> = context
                .iter()
                .filter(|errs| !errs.iter().any(fails_here))
                .collect();
            if let [branch] = fitting.as_slice() {
                for e in branch.iter() {
                    describe(schema, e, out);
                }
                return;
            }
            let consts: Vec<&Value> = context
                .iter()
                .flatten()
                .filter_map(|e| match e.kind() {
                    ValidationErrorKind::Constant { expected_value } if fails_here(e) => {
                        Some(&**expected_value)
                    }
                    _ => None,
                })
                .collect();
            if fitting.is_empty() && consts.len() == context.len() {
                let (message, hint) = choice_message(&pointer, &consts, instance);
                push("invalid-value", pointer, false, message, hint);
                return;
            }
            let types: Vec<JsonType> = context
                .iter()
                .flatten()
                .filter(|e| fails_here(e))
                .flat_map(|e| match e.kind() {
                    ValidationErrorKind::Type {
                        kind: TypeKind::Single(t),
                    } => vec![*t],
                    ValidationErrorKind::Type {
                        kind: TypeKind::Multiple(set),
                    } => set.iter().collect(),
                    _ => vec![],
                })
                .collect();
            if fitting.is_empty() && !types.is_empty() {
                let (message, hint) = type_message(&pointer, &types, instance);
                push("wrong-type", pointer, false, message, hint);
                return;
            }
            push(
                "invalid-value",
                pointer.clone(),
                false,
                format!("invalid value for {}: {err}", node(&pointer)),
                None,
            );
        }
        _ => push(
            "invalid-value",
            pointer.clone(),
            false,
            format!("invalid value for {}: {err}", node(&pointer)),
            None,
        ),
    }
}

fn type_message(
    pointer: &str,
    expected: &[JsonType],
    instance: &Value,
) -> (String, Option<String>) {
    let mut names: Vec<&str> = Vec::new();
    for t in expected {
        // `null` is how optional values are typed; "nothing" is never what the user meant to write.
        if *t != JsonType::Null && !names.contains(&type_name(*t)) {
            names.push(type_name(*t));
        }
    }
    if names.is_empty() {
        names.push("nothing");
    }
    let message = format!(
        "expected {} for {}, found {}",
        names.join(" or "),
        node(pointer),
        value_kind(instance)
    );
    let wants_string = expected.contains(&JsonType::String);
    let hint = match instance {
        Value::Number(_) | Value::Bool(_) if wants_string => {
            Some(format!("quote it to make it a string: \"{instance}\""))
        }
        Value::Null if !wants_string => Some("give it a value, or remove the key".to_owned()),
        Value::String(s) if expected.contains(&JsonType::Boolean) && is_yaml11_bool(s) => Some(
            format!("YAML 1.2 reads `{s}` as a string: write `true` or `false`"),
        ),
        _ => None,
    };
    (message, hint)
}

/// YAML 1.1 spellings of booleans, which YAML 1.2 (serde_yaml) reads as strings.
fn is_yaml11_bool(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "yes" | "no" | "on" | "off" | "y" | "n"
    )
}

fn choice_message(pointer: &str, options: &[&Value], instance: &Value) -> (String, Option<String>) {
    let list: Vec<String> = options
        .iter()
        .map(|o| format!("`{}`", show_bare(o)))
        .collect();
    let message = format!(
        "{} is not a valid value for {}: expected {}",
        show(instance),
        node(pointer),
        list.join(", ")
    );
    let hint = instance
        .as_str()
        .and_then(|s| did_you_mean(s, options.iter().filter_map(|o| o.as_str())));
    (message, hint)
}

fn type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::Array => "a list",
        JsonType::Boolean => "true or false",
        JsonType::Integer => "an integer",
        JsonType::Null => "nothing",
        JsonType::Number => "a number",
        JsonType::Object => "a mapping",
        JsonType::String => "a string",
    }
}

fn value_kind(v: &Value) -> String {
    match v {
        Value::Null => "nothing (an empty value)".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) if n.is_f64() => format!("the number {n}"),
        Value::Number(n) => format!("the integer {n}"),
        Value::String(s) => format!("the string {}", show(&Value::String(s.clone()))),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

/// A value in backticks, shortened.
fn show(v: &Value) -> String {
    format!("`{}`", show_bare(v))
}

fn show_bare(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 40 {
        format!("{}...", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// The keys the schema allows in the mapping at `pointer`, found by walking the spec schema along the pointer.
fn allowed_keys(root: &Value, pointer: &str) -> Vec<String> {
    let mut node = Some(resolve(root, root));
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        node = node.and_then(|n| {
            let n = object_branch(root, n);
            n.get("properties")
                .and_then(|p| p.get(&seg))
                .or_else(|| n.get("items"))
                .or_else(|| n.get("additionalProperties").filter(|a| a.is_object()))
                .map(|s| resolve(root, s))
        });
    }
    node.map(|n| object_branch(root, n))
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn resolve<'v>(root: &'v Value, schema: &'v Value) -> &'v Value {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(ptr) => root.pointer(ptr).map_or(schema, |s| resolve(root, s)),
        None => schema,
    }
}

/// For `anyOf: [{$ref: X}, {type: null}]` (an optional field), the non-null branch.
fn object_branch<'v>(root: &'v Value, schema: &'v Value) -> &'v Value {
    let branches = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array);
    branches
        .and_then(|b| {
            b.iter()
                .map(|s| resolve(root, s))
                .find(|s| s.get("properties").is_some() || s.get("items").is_some())
        })
        .unwrap_or(schema)
}
