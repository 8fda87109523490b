//! Checks of a tool's `inputSchema` / `outputSchema`: a valid JSON Schema for the draft its `$schema` declares
//! (2020-12 when absent), an object at the root, local `$ref`s that resolve, arrays with `items`, and `default` /
//! `examples` values that satisfy their own subschema.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::meta::MetaValidator;
use jsonschema::{Draft, JsonType, ValidationError};
use serde_json::Value;

use super::{At, Ctx, human_path};
use crate::spec::JsonObject;
use crate::spec::spans::escape_segment;

/// The drafts mcpgen accepts, by the `$schema` URI that declares them (compared without a trailing `#`).
const DRAFTS: &[(&str, Draft)] = &[
    ("http://json-schema.org/draft-04/schema", Draft::Draft4),
    ("http://json-schema.org/draft-06/schema", Draft::Draft6),
    ("http://json-schema.org/draft-07/schema", Draft::Draft7),
    (
        "https://json-schema.org/draft/2019-09/schema",
        Draft::Draft201909,
    ),
    (
        "https://json-schema.org/draft/2020-12/schema",
        Draft::Draft202012,
    ),
];

/// Checks one tool schema at `pointer`; `field` names it in messages.
pub fn check(ctx: &mut Ctx<'_>, pointer: &str, field: &str, schema: &JsonObject) {
    let root = Value::Object(schema.clone());
    let Some(draft) = draft_of(ctx, pointer, schema) else {
        return;
    };
    let mut subschemas: Vec<(String, &Value)> = Vec::new();
    walk(&root, String::new(), &mut |sub, ptr| {
        subschemas.push((ptr.to_owned(), sub))
    });
    let mut meta_errors = false;
    let mut reported: Vec<String> = Vec::new();
    for err in meta_validator(draft).iter_errors(&root) {
        meta_errors = true;
        let at = format!("{pointer}{}", err.instance_path().as_str());
        let (message, hint) = meta_message(&at, &err);
        ctx.error("schema-invalid", At::Value(&at), message, Some(hint));
        reported.push(at);
    }
    // A bad regular expression is independent of every other mistake in the schema: always reported.
    let mut patterns_ok = true;
    for (ptr, pattern) in patterns(&subschemas) {
        let at = format!("{pointer}{ptr}");
        if reported.contains(&at) || is_regex(draft, pattern) {
            continue;
        }
        patterns_ok = false;
        let (message, hint) = regex_message(&at, pattern);
        ctx.error("schema-invalid", At::Value(&at), message, Some(hint));
        reported.push(at);
    }
    if meta_errors {
        return;
    }
    if schema.get("type").and_then(Value::as_str) != Some("object") {
        let type_ptr = format!("{pointer}/type");
        let (at, found) = match schema.get("type") {
            Some(t) => (
                At::Value(&type_ptr),
                format!("it has `type: {}`", compact(t)),
            ),
            None => (At::Key(pointer), "it has no `type`".to_owned()),
        };
        ctx.error(
            "schema-root-not-object",
            at,
            format!("`{field}` must describe an object: {found}"),
            Some(
                "MCP requires `type: object` at the root; put other values under `properties`"
                    .to_owned(),
            ),
        );
    }

    let mut refs_ok = true;
    let anchors = anchors(&subschemas);
    for (ptr, sub) in &subschemas {
        if let Some(r) = sub.get("$ref").and_then(Value::as_str)
            && !resolves(&root, &anchors, r)
        {
            refs_ok = false;
            let hint = if r.starts_with('#') {
                "point it at a subschema of this schema, such as `#/$defs/name`"
            } else {
                "mcpgen resolves only references inside the same schema: copy the target under `$defs`"
            };
            ctx.error(
                "schema-ref-unresolved",
                At::Value(&format!("{pointer}{ptr}/$ref")),
                format!("`$ref` `{r}` does not resolve"),
                Some(hint.to_owned()),
            );
        }
        let is_array = match sub.get("type") {
            Some(Value::String(t)) => t == "array",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "array"),
            _ => false,
        };
        if is_array && sub.get("items").is_none() && sub.get("prefixItems").is_none() {
            ctx.warn(
                "schema-array-items",
                At::Value(&format!("{pointer}{ptr}/type")),
                format!("array in `{}` has no `items`", human_path(&format!("{pointer}{ptr}"))),
                Some("describe the elements with `items:` so clients and the generated types know them".to_owned()),
            );
        }
    }
    if !refs_ok || !patterns_ok {
        return;
    }

    // Compiling catches what the meta-schema cannot, such as a `pattern` that is not a regular expression. A schema in
    // the runtime's own subset has no such keyword, so it skips that compile (a third of validation at 1,000 tools).
    let options = jsonschema::options().with_draft(draft);
    let compiled = match mcpgen_runtime::schema_subset::Schema::compile(&root) {
        Ok(_) => Ok(()),
        Err(_) => options.build(&root).map(drop),
    };
    if let Err(err) = compiled {
        let at = format!("{pointer}{}", err.instance_path().as_str());
        let (message, hint) = meta_message(&at, &err);
        ctx.error("schema-invalid", At::Value(&at), message, Some(hint));
        return;
    }
    if !subschemas
        .iter()
        .any(|(_, sub)| sub.get("default").is_some() || sub.get("examples").is_some())
    {
        return;
    }
    // Validators keyed by the raw JSON pointer of each subschema (`#/properties/a b`), not percent-encoded.
    let Ok(validators) = options.build_map(&root) else {
        return;
    };
    for (ptr, sub) in &subschemas {
        let Some(validator) = validators.get(&format!("#{ptr}")) else {
            continue;
        };
        let mut check_value = |value: &Value, at: String, what: &str, code: &'static str| {
            if let Some(err) = validator.iter_errors(value).next() {
                ctx.error(
                    code,
                    At::Value(&at),
                    format!(
                        "{what} {} does not fit the schema of `{}`: {}",
                        show(value),
                        human_path(&format!("{pointer}{ptr}")),
                        mismatch(&err)
                    ),
                    Some("fix the value or the schema so they agree".to_owned()),
                );
            }
        };
        if let Some(default) = sub.get("default") {
            check_value(
                default,
                format!("{pointer}{ptr}/default"),
                "default",
                "schema-default-invalid",
            );
        }
        if let Some(examples) = sub.get("examples").and_then(Value::as_array) {
            for (i, example) in examples.iter().enumerate() {
                check_value(
                    example,
                    format!("{pointer}{ptr}/examples/{i}"),
                    "example",
                    "schema-example-invalid",
                );
            }
        }
    }
}

/// What is wrong at `at` (a pointer into the spec) and what the JSON Schema keyword there takes, in the words
/// of the spec rather than the validator's.
fn meta_message(at: &str, err: &ValidationError<'_>) -> (String, String) {
    let path = human_path(at);
    let segments: Vec<&str> = at.rsplit('/').collect();
    let keyword = segments.first().copied().unwrap_or_default();
    let instance: &Value = err.instance();
    if keyword == "type" || segments.get(1) == Some(&"type") {
        return (
            format!("{} is not a JSON Schema type", show(instance)),
            "use one of `array`, `boolean`, `integer`, `null`, `number`, `object`, `string`"
                .to_owned(),
        );
    }
    match err.kind() {
        ValidationErrorKind::Format { format } if format == "regex" => {
            regex_message(at, instance.as_str().unwrap_or_default())
        }
        ValidationErrorKind::Type { kind } => {
            let names: Vec<&str> = match kind {
                TypeKind::Single(t) => vec![type_name(*t)],
                TypeKind::Multiple(set) => set.iter().map(type_name).collect(),
            };
            let expected = names.join(" or ");
            let hint = if keyword == "required" {
                "in a JSON Schema, `required` is a list of property names on the object that has them, \
                 such as `required: [city]`"
                    .to_owned()
            } else {
                format!("in a JSON Schema, `{keyword}` takes {expected}")
            };
            (
                format!(
                    "expected {expected} for `{path}`, found {}",
                    super::structure::value_kind(instance)
                ),
                hint,
            )
        }
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => (
            format!("{} is too small for `{path}`", show(instance)),
            format!("in a JSON Schema, `{keyword}` is at least {limit}"),
        ),
        ValidationErrorKind::UniqueItems => (
            format!("`{path}` lists a value twice"),
            format!(
                "in a JSON Schema, the values of `{keyword}` are unique: remove the repeated one"
            ),
        ),
        _ => (
            format!("{} is not a valid value for `{path}`", show(instance)),
            format!(
                "check `{keyword}` against the JSON Schema reference: \
                 https://json-schema.org/understanding-json-schema/reference"
            ),
        ),
    }
}

/// Why a value does not fit its schema, in a phrase: "it is above the maximum, 14".
fn mismatch(err: &ValidationError<'_>) -> String {
    let at = err.instance_path().as_str();
    let within = if at.is_empty() {
        String::new()
    } else {
        format!(" (at `{}`)", &at[1..])
    };
    let why = match err.kind() {
        ValidationErrorKind::Type { kind } => {
            let names: Vec<&str> = match kind {
                TypeKind::Single(t) => vec![type_name(*t)],
                TypeKind::Multiple(set) => set.iter().map(type_name).collect(),
            };
            format!(
                "it is {}, not {}",
                super::structure::value_kind(err.instance()),
                names.join(" or ")
            )
        }
        ValidationErrorKind::Minimum { limit } => format!("it is below the minimum, {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("it is not above the exclusive minimum, {limit}")
        }
        ValidationErrorKind::Maximum { limit } => format!("it is above the maximum, {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("it is not below the exclusive maximum, {limit}")
        }
        ValidationErrorKind::MinLength { limit } => {
            format!("it is shorter than the minimum length, {limit}")
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("it is longer than the maximum length, {limit}")
        }
        ValidationErrorKind::Pattern { pattern } => format!("it does not match `{pattern}`"),
        ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = options.as_array().into_iter().flatten().map(show).collect();
            format!("it is not one of {}", options.join(", "))
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("it is not {}", show(expected_value))
        }
        ValidationErrorKind::Required { property } => {
            format!("it lacks the required property {}", show(property))
        }
        _ => err.to_string(),
    };
    format!("{why}{within}")
}

fn type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::Array => "a list",
        JsonType::Boolean => "true or false",
        JsonType::Integer => "an integer",
        JsonType::Null => "null",
        JsonType::Number => "a number",
        JsonType::Object => "a mapping",
        JsonType::String => "a string",
    }
}

fn regex_message(at: &str, pattern: &str) -> (String, String) {
    (
        format!(
            "`{pattern}` in `{}` is not a valid regular expression",
            human_path(at)
        ),
        "JSON Schema patterns are ECMA-262 regular expressions: close every `(`, `[` and `{`, and write a \
         literal one as `\\(`, `\\[` or `\\{` (in YAML, single quotes keep the backslash as it is)"
            .to_owned(),
    )
}

/// Every regular expression of the schema, by pointer: `pattern` values and `patternProperties` keys.
fn patterns<'v>(subschemas: &[(String, &'v Value)]) -> Vec<(String, &'v str)> {
    let mut out = Vec::new();
    for (ptr, sub) in subschemas {
        if let Some(p) = sub.get("pattern").and_then(Value::as_str) {
            out.push((format!("{ptr}/pattern"), p));
        }
        let keys = sub.get("patternProperties").and_then(Value::as_object);
        for key in keys.into_iter().flat_map(|m| m.keys()) {
            let at = format!("{ptr}/patternProperties/{}", escape_segment(key));
            out.push((at, key.as_str()));
        }
    }
    out
}

/// Whether the validator accepts `pattern` as a regular expression (its own regex engine decides).
fn is_regex(draft: Draft, pattern: &str) -> bool {
    jsonschema::options()
        .with_draft(draft)
        .build(&serde_json::json!({ "pattern": pattern }))
        .is_ok()
}

fn draft_of(ctx: &mut Ctx<'_>, pointer: &str, schema: &JsonObject) -> Option<Draft> {
    let Some(uri) = schema.get("$schema").and_then(Value::as_str) else {
        return Some(Draft::Draft202012);
    };
    let bare = uri.trim_end_matches('#');
    let found = DRAFTS.iter().find(|(known, _)| {
        // Accept http/https interchangeably: both spellings are common in real servers.
        known.split_once("://").map(|(_, rest)| rest)
            == bare.split_once("://").map(|(_, rest)| rest)
    });
    match found {
        Some((_, draft)) => Some(*draft),
        None => {
            ctx.error(
                "schema-draft-unsupported",
                At::Value(&format!("{pointer}/$schema")),
                format!("unsupported `$schema` `{uri}`"),
                Some(
                    "use draft-07 (`http://json-schema.org/draft-07/schema#`) or 2020-12 \
                     (`https://json-schema.org/draft/2020-12/schema`), or leave `$schema` out for 2020-12"
                        .to_owned(),
                ),
            );
            None
        }
    }
}

fn meta_validator(draft: Draft) -> MetaValidator<'static> {
    match draft {
        Draft::Draft4 => jsonschema::draft4::meta::validator(),
        Draft::Draft6 => jsonschema::draft6::meta::validator(),
        Draft::Draft7 => jsonschema::draft7::meta::validator(),
        Draft::Draft201909 => jsonschema::draft201909::meta::validator(),
        _ => jsonschema::draft202012::meta::validator(),
    }
}

/// Visits every subschema (keywords that hold schemas, not `enum`/`const`/`default` data) with its pointer.
fn walk<'v>(schema: &'v Value, ptr: String, f: &mut impl FnMut(&'v Value, &str)) {
    f(schema, &ptr);
    let Some(obj) = schema.as_object() else {
        return;
    };
    for (key, value) in obj {
        let here = format!("{ptr}/{}", escape_segment(key));
        match key.as_str() {
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas"
            | "dependencies" => {
                for (name, sub) in value.as_object().into_iter().flatten() {
                    if sub.is_object() || sub.is_boolean() {
                        walk(sub, format!("{here}/{}", escape_segment(name)), f);
                    }
                }
            }
            "items" | "additionalItems" | "prefixItems" | "allOf" | "anyOf" | "oneOf" => {
                match value {
                    Value::Array(items) => {
                        for (i, sub) in items.iter().enumerate() {
                            walk(sub, format!("{here}/{i}"), f);
                        }
                    }
                    sub => walk(sub, here, f),
                }
            }
            "not"
            | "if"
            | "then"
            | "else"
            | "additionalProperties"
            | "contains"
            | "propertyNames"
            | "unevaluatedItems"
            | "unevaluatedProperties"
            | "contentSchema" => walk(value, here, f),
            _ => {}
        }
    }
}

/// Plain-name fragments defined in the schema: `$anchor` (2019-09+) and `$id: "#name"` (draft-07 and older),
/// plus every `$id` URI (a `$ref` may name an embedded resource).
fn anchors(subschemas: &[(String, &Value)]) -> Vec<String> {
    let mut out = Vec::new();
    for (_, sub) in subschemas {
        if let Some(a) = sub.get("$anchor").and_then(Value::as_str) {
            out.push(format!("#{a}"));
        }
        if let Some(id) = sub.get("$id").and_then(Value::as_str) {
            out.push(id.trim_end_matches('#').to_owned());
        }
    }
    out
}

fn resolves(root: &Value, anchors: &[String], reference: &str) -> bool {
    if let Some(fragment) = reference.strip_prefix('#') {
        let fragment = percent_decode(fragment);
        return fragment.is_empty()
            || if fragment.starts_with('/') {
                root.pointer(&fragment).is_some()
            } else {
                anchors
                    .iter()
                    .any(|a| a.strip_prefix('#') == Some(&fragment))
            };
    }
    let base = reference.split('#').next().unwrap_or_default();
    anchors.iter().any(|a| a == base)
}

/// `%XX` escapes in a `$ref`'s fragment decoded (JSON-pointer escapes `~0`/`~1` are left alone).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A value in backticks, shortened.
fn show(v: &Value) -> String {
    format!("`{}`", compact(v))
}

fn compact(v: &Value) -> String {
    super::shortened(v, 60)
}
