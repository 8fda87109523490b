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

/// A structural error, as far as checking the rest of the spec around it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// A key the format does not have, at this pointer: the spec reads as if it were not there.
    UnknownKey(String),
    /// The value at this pointer is not what the format allows there (or lacks a required key).
    Value(String),
}

impl Broken {
    pub fn pointer(&self) -> &str {
        match self {
            Broken::UnknownKey(p) | Broken::Value(p) => p,
        }
    }
}

/// Reports every structural error, and returns where they are (empty when there is none).
pub fn check(ctx: &mut Ctx<'_>, raw: &Value) -> Vec<Broken> {
    let spec = &*SPEC_SCHEMA;
    let mut found = Vec::new();
    for err in spec.validator.iter_errors(raw) {
        describe(&spec.schema, raw, &err, &mut found);
    }
    let mut seen = HashSet::new();
    let mut broken = Vec::new();
    for f in found {
        if seen.insert((f.pointer.clone(), f.code, f.message.clone())) {
            let at = if f.on_key {
                At::Key(&f.pointer)
            } else {
                At::Value(&f.pointer)
            };
            // Every message says what is allowed; where it gives no way out, the field's documentation does.
            let hint = f.hint.or_else(|| {
                field_description(&spec.schema, &f.pointer)
                    .map(|d| format!("{}: {d}", node(&f.pointer)))
            });
            ctx.error(f.code, at, f.message, hint);
            broken.push(if f.code == "unknown-key" {
                Broken::UnknownKey(f.pointer)
            } else {
                Broken::Value(f.pointer)
            });
        }
    }
    broken
}

/// The keys the format requires in the mapping at `pointer`.
pub fn required_keys(pointer: &str) -> Vec<String> {
    let root = &SPEC_SCHEMA.schema;
    schema_at(root, pointer)
        .map(|n| object_branch(root, n))
        .and_then(|n| n.get("required"))
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
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

/// Unknown keys in the mapping at `pointer`, each with the closest allowed key or the list of them.
fn unknown_keys<'k>(
    schema: &Value,
    pointer: &str,
    keys: impl IntoIterator<Item = &'k String>,
    out: &mut Vec<Found>,
) {
    let allowed = allowed_keys(schema, pointer);
    for key in keys {
        let hint = did_you_mean(key, allowed.iter().map(String::as_str)).or_else(|| {
            Some(if allowed.is_empty() {
                let name = pointer.rsplit('/').next().unwrap_or_default();
                format!("{} takes no keys: write `{name}: {{}}`", node(pointer))
            } else {
                let list: Vec<String> = allowed.iter().map(|k| format!("`{k}`")).collect();
                format!("allowed keys here: {}", list.join(", "))
            })
        });
        out.push(Found {
            code: "unknown-key",
            pointer: format!("{pointer}/{}", escape_segment(key)),
            on_key: true,
            message: format!("unknown key `{key}` {}", place(pointer)),
            hint,
        });
    }
}

/// A value the schema rejects for a reason with no phrasing of its own (the hint says what the field is for).
fn invalid_value(pointer: &str, instance: &Value) -> Found {
    Found {
        code: "invalid-value",
        pointer: pointer.to_owned(),
        on_key: false,
        message: format!(
            "{} is not a valid value for {}",
            show(instance),
            node(pointer)
        ),
        hint: None,
    }
}

fn describe(schema: &Value, raw: &Value, err: &ValidationError<'_>, out: &mut Vec<Found>) {
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
            unknown_keys(schema, &pointer, unexpected, out);
        }
        // `additionalProperties: false` on a mapping with no properties (`stdio: {}`) fails as a false schema,
        // located at the mapping rather than at the key: every key there is unknown.
        ValidationErrorKind::FalseSchema
            if err
                .schema_path()
                .as_str()
                .ends_with("/additionalProperties") =>
        {
            match raw.pointer(&pointer) {
                Some(Value::Object(map)) => {
                    let allowed = allowed_keys(schema, &pointer);
                    let keys = map.keys().filter(|k| !allowed.contains(k));
                    unknown_keys(schema, &pointer, keys, out);
                }
                _ => {
                    let (parent, key) = pointer.rsplit_once('/').unwrap_or_default();
                    let key = key.replace("~1", "/").replace("~0", "~");
                    unknown_keys(schema, parent, [&key], out);
                }
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
        | ValidationErrorKind::ExclusiveMinimum { limit }
        | ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => {
            let (size, bound) = match err.kind() {
                ValidationErrorKind::Minimum { .. }
                | ValidationErrorKind::ExclusiveMinimum { .. } => ("small", "minimum"),
                _ => ("large", "maximum"),
            };
            let message = format!(
                "{} is too {size} for {}: the {bound} is {limit}",
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
                    describe(schema, raw, e, out);
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
            out.push(invalid_value(&pointer, instance));
        }
        _ => out.push(invalid_value(&pointer, instance)),
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
    let list: Vec<String> = options.iter().map(|o| show(o)).collect();
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

pub(super) fn value_kind(v: &Value) -> String {
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
    format!("`{}`", super::shortened(v, 40))
}

/// The keys the schema allows in the mapping at `pointer`.
fn allowed_keys(root: &Value, pointer: &str) -> Vec<String> {
    schema_at(root, pointer)
        .map(|n| object_branch(root, n))
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// The schema of the value at `pointer`, found by walking the spec schema along the pointer.
fn schema_at<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    field_schemas(root, pointer).map(|(_, resolved)| resolved)
}

/// The schema of the value at `pointer` as its parent declares it (where the field's description is) and
/// resolved (through `$ref`).
fn field_schemas<'v>(root: &'v Value, pointer: &str) -> Option<(&'v Value, &'v Value)> {
    let mut node = Some((root, resolve(root, root)));
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        node = node.and_then(|(_, n)| {
            let n = object_branch(root, n);
            n.get("properties")
                .and_then(|p| p.get(&seg))
                .or_else(|| n.get("items"))
                .or_else(|| n.get("additionalProperties").filter(|a| a.is_object()))
                .map(|s| (s, resolve(root, s)))
        });
    }
    node
}

/// The first sentence of the description of the field at `pointer`: what belongs there.
fn field_description(root: &Value, pointer: &str) -> Option<String> {
    let (declared, resolved) = field_schemas(root, pointer)?;
    let text = [declared, resolved, object_branch(root, resolved)]
        .into_iter()
        .find_map(|s| s.get("description").and_then(Value::as_str))?;
    let text = text.split("\n\n").next().unwrap_or(text).replace('\n', " ");
    let first = match text.find(". ") {
        Some(i) => &text[..=i],
        None => &text,
    };
    Some(first.trim().to_owned())
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
