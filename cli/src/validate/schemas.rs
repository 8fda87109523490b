//! Checks of a tool's `inputSchema` / `outputSchema`: a valid JSON Schema for the draft its `$schema` declares
//! (2020-12 when absent), an object at the root, local `$ref`s that resolve, arrays with `items`, and `default` /
//! `examples` values that satisfy their own subschema.

use jsonschema::Draft;
use jsonschema::meta::MetaValidator;
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
    let mut meta_errors = false;
    for err in meta_validator(draft).iter_errors(&root) {
        meta_errors = true;
        let at = format!("{pointer}{}", err.instance_path().as_str());
        let last = at.rsplit('/').next().unwrap_or_default();
        let (message, hint) = if last == "type" || at.contains("/type/") {
            (
                format!("{} is not a JSON Schema type", show(err.instance())),
                Some("use one of `array`, `boolean`, `integer`, `null`, `number`, `object`, `string`".to_owned()),
            )
        } else {
            (
                format!("invalid JSON Schema in `{}`: {err}", human_path(&at)),
                None,
            )
        };
        ctx.error("schema-invalid", At::Value(&at), message, hint);
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
    let mut subschemas: Vec<(String, &Value)> = Vec::new();
    walk(&root, String::new(), &mut |sub, ptr| {
        subschemas.push((ptr.to_owned(), sub))
    });
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
    if !refs_ok {
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
        ctx.error(
            "schema-invalid",
            At::Value(&at),
            format!("invalid JSON Schema in `{}`: {err}", human_path(&at)),
            None,
        );
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
                    format!("{what} {} does not match its schema: {err}", show(value)),
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

fn percent_decode(s: &str) -> String {
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

fn show(v: &Value) -> String {
    format!("`{}`", compact(v))
}

/// A value for a message: strings without quotes, long values shortened.
fn compact(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}
