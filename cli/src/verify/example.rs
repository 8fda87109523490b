//! Arguments to call a tool with, made from its input schema: a valid example (the schema's own `const`,
//! `examples`, `default` or `enum` first, else a value built from its keywords) and an invalid one a server
//! must refuse. Every value is checked against the whole schema with `jsonschema` before it is used, so a
//! keyword this module does not understand costs a skipped call, never a wrong verdict.

use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{Map, Number, Value, json};

/// Deeper schemas than this are not followed (a `$ref` cycle without a base case, say).
const MAX_DEPTH: usize = 24;
/// Array items generated when the schema asks for none in particular.
const DEFAULT_ITEMS: u64 = 1;

/// A valid value for `schema`, or why none was found.
pub fn valid(schema: &Value) -> Result<Value, String> {
    let validator = jsonschema::validator_for(schema)
        .map_err(|e| format!("the input schema does not compile: {e}"))?;
    let value = Synth { root: schema }.value(schema, 0)?;
    let problem = validator.iter_errors(&value).next().map(|error| {
        format!(
            "no valid example found: {value} fails at {:?}: {error}",
            error.instance_path().as_str()
        )
    });
    problem.map_or(Ok(value), Err)
}

/// Arguments a server must refuse, with what is wrong with them: `valid` without a required property, or with
/// a property of the wrong type, or with an extra property where none is allowed. `None` when the schema
/// accepts every object.
pub fn invalid(schema: &Value, valid: &Value) -> Option<(Value, String)> {
    let validator = jsonschema::validator_for(schema).ok()?;
    let synth = Synth { root: schema };
    let object = synth.resolve(schema, 0)?;
    let base = valid.as_object()?;
    let mut candidates = Vec::new();
    for name in object
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let mut args = base.clone();
        args.remove(name);
        candidates.push((args, format!("without the required property `{name}`")));
    }
    for (name, property) in object
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let declared = synth.resolve(property, 0);
        let wrong = match declared.as_ref().and_then(|p| p.get("type")) {
            Some(Value::String(t)) if t == "string" => json!(12345),
            Some(Value::String(t)) if matches!(t.as_str(), "integer" | "number") => json!("12"),
            Some(Value::String(t)) if t == "boolean" => json!("true"),
            Some(Value::String(t)) if matches!(t.as_str(), "object" | "array") => json!(12),
            _ => continue,
        };
        let mut args = base.clone();
        args.insert(name.clone(), wrong);
        candidates.push((args, format!("with `{name}` of the wrong type")));
    }
    if object.get("additionalProperties") == Some(&Value::Bool(false)) {
        let mut args = base.clone();
        args.insert("mcpgenVerifyUnexpected".into(), json!(1));
        candidates.push((args, "with an undeclared property".to_owned()));
    }
    candidates
        .into_iter()
        .map(|(args, what)| (Value::Object(args), what))
        .find(|(args, _)| !validator.is_valid(args))
}

struct Synth<'a> {
    root: &'a Value,
}

impl<'a> Synth<'a> {
    /// `schema` with `$ref` followed (local references only) and `allOf` merged: the object whose keywords
    /// describe the value.
    fn resolve(&self, schema: &'a Value, depth: usize) -> Option<Map<String, Value>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let object = match schema {
            Value::Object(object) => object,
            Value::Bool(true) => return Some(Map::new()),
            _ => return None,
        };
        let mut merged = Map::new();
        if let Some(target) = object.get("$ref").and_then(Value::as_str) {
            let target = self.pointer(target)?;
            merged.extend(self.resolve(target, depth + 1)?);
        }
        for part in object
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            merge(&mut merged, self.resolve(part, depth + 1)?);
        }
        let own: Map<String, Value> = object
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "$ref" | "allOf"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        merge(&mut merged, own);
        Some(merged)
    }

    /// The schema a local `$ref` (`#/definitions/x`, `#/$defs/x`, `#`) names.
    fn pointer(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        let decoded = crate::validate::schemas::percent_decode(pointer);
        self.root.pointer(&decoded)
    }

    fn value(&self, schema: &'a Value, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("the schema nests too deeply".into());
        }
        if schema == &Value::Bool(false) {
            return Err("a schema is `false`: no value fits".into());
        }
        let object = self
            .resolve(schema, depth)
            .ok_or("a `$ref` does not resolve to a local schema")?;
        let first = |key: &str| object.get(key).and_then(Value::as_array)?.first();
        let own = object
            .get("const")
            .or_else(|| first("examples"))
            .or_else(|| object.get("default"))
            .or_else(|| first("enum"));
        if let Some(value) = own {
            return Ok(value.clone());
        }
        for keyword in ["anyOf", "oneOf"] {
            if let Some(branches) = object.get(keyword).and_then(Value::as_array) {
                // The first branch that yields a value; the caller's final check judges the whole.
                let mut last = Err(format!("`{keyword}` has no branch"));
                for branch in branches {
                    last = self.value(&with_branch(&object, keyword, branch), depth + 1);
                    if last.is_ok() {
                        break;
                    }
                }
                return last;
            }
        }
        match type_of(&object).as_str() {
            "object" => self.object(&object, depth),
            "array" => self.array(&object, depth),
            "string" => string(&object),
            "integer" => Ok(number(&object, true)),
            "number" => Ok(number(&object, false)),
            "boolean" => Ok(Value::Bool(true)),
            _ => Ok(Value::Null),
        }
    }

    /// The required properties, plus the optional ones that carry their own example or default.
    fn object(&self, object: &Map<String, Value>, depth: usize) -> Result<Value, String> {
        let empty = Map::new();
        let properties = object
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let required: Vec<&str> = object
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut out = Map::new();
        for (name, property) in properties {
            let described = property
                .as_object()
                .is_some_and(|p| p.contains_key("examples") || p.contains_key("default"));
            if required.contains(&name.as_str()) || described {
                let value = self
                    .value(property, depth + 1)
                    .map_err(|e| format!("{name}: {e}"))?;
                out.insert(name.clone(), value);
            }
        }
        for name in required {
            if !out.contains_key(name) {
                let value = match object.get("additionalProperties") {
                    Some(extra @ Value::Object(_)) => self.value(extra, depth + 1)?,
                    _ => json!("example"),
                };
                out.insert(name.to_owned(), value);
            }
        }
        let min = object
            .get("minProperties")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        for (name, property) in properties {
            if out.len() as u64 >= min {
                break;
            }
            if !out.contains_key(name) {
                out.insert(name.clone(), self.value(property, depth + 1)?);
            }
        }
        Ok(Value::Object(out))
    }

    fn array(&self, object: &Map<String, Value>, depth: usize) -> Result<Value, String> {
        let min = object.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = object
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let count = min.max(DEFAULT_ITEMS).min(max);
        // Tuples: `prefixItems` (2020-12) or an array of `items` (draft 7 and before).
        let tuple = object
            .get("prefixItems")
            .or_else(|| object.get("items").filter(|i| i.is_array()))
            .and_then(Value::as_array);
        let rest = match object.get("items") {
            Some(items @ (Value::Object(_) | Value::Bool(_))) => Some(items),
            _ => object.get("additionalItems").filter(|i| i.is_object()),
        };
        let mut out = Vec::new();
        for i in 0..count as usize {
            let schema = match tuple.and_then(|t| t.get(i)).or(rest) {
                Some(schema) => schema,
                None if tuple.is_some() => break,
                None => &Value::Bool(true),
            };
            // An unconstrained item is a string: `null` items read as "nothing" to people.
            let value = if schema.as_object().is_some_and(Map::is_empty) || schema == &json!(true) {
                json!("example")
            } else {
                self.value(schema, depth + 1)?
            };
            out.push(value);
        }
        Ok(Value::Array(out))
    }
}

/// The value's type: the first non-null one declared, else the one its keywords imply.
fn type_of(object: &Map<String, Value>) -> String {
    match object.get("type") {
        Some(Value::String(t)) => return t.clone(),
        Some(Value::Array(types)) => {
            let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
            if let Some(t) = names.iter().find(|t| **t != "null").or(names.first()) {
                return (*t).to_owned();
            }
        }
        _ => {}
    }
    let has = |keys: &[&str]| keys.iter().any(|k| object.contains_key(*k));
    if has(&[
        "properties",
        "required",
        "additionalProperties",
        "minProperties",
    ]) {
        "object"
    } else if has(&["items", "prefixItems", "minItems", "maxItems"]) {
        "array"
    } else if has(&["minLength", "maxLength", "pattern", "format"]) {
        "string"
    } else if has(&[
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ]) {
        "number"
    } else {
        "null"
    }
    .to_owned()
}

/// A number within the bounds (inclusive, exclusive in both the draft 4 and the later spelling) and a
/// multiple of `multipleOf`; 1 when nothing says otherwise.
fn number(object: &Map<String, Value>, integer: bool) -> Value {
    let get = |key: &str| object.get(key).and_then(Value::as_f64);
    let flag = |key: &str| object.get(key).and_then(Value::as_bool).unwrap_or(false);
    let step = if integer { 1.0 } else { 0.5 };
    let mut low = get("minimum").map(|m| (m, flag("exclusiveMinimum")));
    if let Some(e) = get("exclusiveMinimum") {
        low = Some(low.map_or((e, true), |(m, x)| if e >= m { (e, true) } else { (m, x) }));
    }
    let mut high = get("maximum").map(|m| (m, flag("exclusiveMaximum")));
    if let Some(e) = get("exclusiveMaximum") {
        high = Some(high.map_or((e, true), |(m, x)| if e <= m { (e, true) } else { (m, x) }));
    }
    let lo = low.map(|(m, exclusive)| {
        let m = if integer { m.ceil() } else { m };
        if exclusive && (!integer || m == low.unwrap().0) {
            m + step
        } else {
            m
        }
    });
    let hi = high.map(|(m, exclusive)| {
        let m = if integer { m.floor() } else { m };
        if exclusive && (!integer || m == high.unwrap().0) {
            m - step
        } else {
            m
        }
    });
    let mut x = 1.0_f64;
    if let Some(lo) = lo {
        x = x.max(lo);
    }
    if let Some(hi) = hi {
        x = x.min(hi);
        if lo.is_some_and(|lo| lo > hi) {
            // Exclusive bounds closer than `step`: their midpoint.
            x = (lo.unwrap() - step + hi + step) / 2.0;
        }
    }
    if let Some(m) = get("multipleOf").filter(|m| *m > 0.0) {
        let up = (x / m).ceil() * m;
        x = if hi.is_none_or(|hi| up <= hi) {
            up
        } else {
            (x / m).floor() * m
        };
    }
    if integer || (x.fract() == 0.0 && x.abs() < 1e15) {
        json!(x as i64)
    } else {
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

fn string(object: &Map<String, Value>) -> Result<Value, String> {
    let min = object.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = object
        .get("maxLength")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    if let Some(pattern) = object.get("pattern").and_then(Value::as_str) {
        return matching(pattern, min, max).map(Value::String);
    }
    if let Some(sample) = object
        .get("format")
        .and_then(Value::as_str)
        .and_then(format_sample)
    {
        return Ok(json!(sample));
    }
    let mut text = "example".to_owned();
    while text.chars().count() < min {
        text.push('x');
    }
    Ok(json!(text.chars().take(max).collect::<String>()))
}

/// A typical value of each format JSON Schema names.
fn format_sample(format: &str) -> Option<&'static str> {
    Some(match format {
        "date-time" => "2026-01-01T00:00:00Z",
        "date" => "2026-01-01",
        "time" => "12:00:00Z",
        "duration" => "P1D",
        "email" | "idn-email" => "user@example.com",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "uri" | "url" | "iri" => "https://example.com/",
        "uri-reference" | "iri-reference" => "/example",
        "uri-template" => "https://example.com/{id}",
        "uuid" => "00000000-0000-4000-8000-000000000000",
        "json-pointer" => "/example",
        "relative-json-pointer" => "0",
        "regex" => "^example$",
        _ => return None,
    })
}

/// A string `pattern` matches with a length in `min..=max`: the regex's shortest match, with open repetitions
/// taken more often until the length is reached. Anchors and word boundaries are dropped; the caller's final check
/// catches a pattern whose lookaround this misses.
fn matching(pattern: &str, min: usize, max: usize) -> Result<String, String> {
    let hir = regex_syntax::parse(pattern).map_err(|_| {
        format!(
            "pattern {pattern:?} is beyond the example generator (give the property `examples`)"
        )
    })?;
    for extra in 0..=min.max(1) {
        let mut out = String::new();
        generate(&hir, extra, &mut out);
        let length = out.chars().count();
        if (min..=max).contains(&length) {
            return Ok(out);
        }
        if length > max {
            break;
        }
    }
    Err(format!(
        "no string matching {pattern:?} of length {min}..={max} found (give the property `examples`)"
    ))
}

fn generate(hir: &Hir, extra: usize, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(Class::Unicode(class)) => {
            let ranges: Vec<(char, char)> = class
                .ranges()
                .iter()
                .map(|r| (r.start(), r.end()))
                .collect();
            if let Some(c) = pick(&ranges) {
                out.push(c);
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ranges: Vec<(char, char)> = class
                .ranges()
                .iter()
                .filter(|r| r.start().is_ascii())
                .map(|r| (char::from(r.start()), char::from(r.end().min(0x7f))))
                .collect();
            if let Some(c) = pick(&ranges) {
                out.push(c);
            }
        }
        HirKind::Repetition(repetition) => {
            let wanted = repetition.min as usize + extra;
            let count = match repetition.max {
                Some(max) => wanted.min(max as usize),
                None => wanted,
            };
            for _ in 0..count {
                generate(&repetition.sub, extra, out);
            }
        }
        HirKind::Capture(capture) => generate(&capture.sub, extra, out),
        HirKind::Concat(parts) => parts.iter().for_each(|p| generate(p, extra, out)),
        HirKind::Alternation(branches) => {
            if let Some(first) = branches.first() {
                generate(first, extra, out);
            }
        }
    }
}

/// A readable character of the class: a letter or digit people would type, else its first printable one.
fn pick(ranges: &[(char, char)]) -> Option<char> {
    let contains = |c: char| ranges.iter().any(|(a, b)| (*a..=*b).contains(&c));
    "axA0-_ .@"
        .chars()
        .find(|c| contains(*c))
        .or_else(|| (' '..='~').find(|c| contains(*c)))
        .or_else(|| ranges.first().map(|(a, _)| *a))
}

/// `keyword: [..]` replaced by one of its branches, merged into the rest of the schema.
fn with_branch(object: &Map<String, Value>, keyword: &str, branch: &Value) -> Value {
    let mut rest = object.clone();
    rest.remove(keyword);
    json!({"allOf": [Value::Object(rest), branch]})
}

/// Merges `from` into `into`: `properties` and `required` are united, other keywords of `from` win.
fn merge(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (key, value) in from {
        match (key.as_str(), into.get_mut(&key), value) {
            ("properties", Some(Value::Object(have)), Value::Object(more)) => have.extend(more),
            ("required", Some(Value::Array(have)), Value::Array(more)) => {
                for name in more {
                    if !have.contains(&name) {
                        have.push(name);
                    }
                }
            }
            (_, _, value) => {
                into.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example for `schema`, after checking it against the schema with jsonschema here too.
    fn example(schema: Value) -> Value {
        let value = valid(&schema).unwrap_or_else(|e| panic!("{schema}: {e}"));
        assert!(
            jsonschema::is_valid(&schema, &value),
            "{value} does not fit {schema}"
        );
        value
    }

    #[test]
    fn the_schemas_own_values_come_first() {
        assert_eq!(
            example(json!({"type": "string", "const": "fixed"})),
            "fixed"
        );
        assert_eq!(
            example(json!({"type": "string", "examples": ["paris"], "default": "rome"})),
            "paris"
        );
        assert_eq!(
            example(json!({"type": "integer", "default": 3, "minimum": 1})),
            3
        );
        assert_eq!(example(json!({"enum": ["b", "a"]})), "b");
    }

    #[test]
    fn objects_take_required_and_described_properties() {
        let schema = json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "days": {"type": "integer", "minimum": 1, "maximum": 14, "default": 3},
                "month": {"type": "integer", "minimum": 1, "maximum": 12},
                "nested": {
                    "type": "object",
                    "properties": {"flag": {"type": "boolean"}, "when": {"type": "string", "format": "date-time"}},
                    "required": ["flag", "when"]
                }
            },
            "required": ["city", "nested"],
            "additionalProperties": false
        });
        assert_eq!(
            example(schema),
            json!({"city": "example", "days": 3, "nested": {"flag": true, "when": "2026-01-01T00:00:00Z"}})
        );
        let schema =
            json!({"type": "object", "minProperties": 1, "properties": {"a": {"type": "null"}}});
        assert_eq!(example(schema), json!({"a": null}));
    }

    #[test]
    fn numbers_respect_bounds_and_multiples() {
        for schema in [
            json!({"type": "integer", "minimum": 5}),
            json!({"type": "integer", "maximum": -3}),
            json!({"type": "integer", "exclusiveMinimum": 1, "exclusiveMaximum": 3}),
            json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer", "minimum": 1, "exclusiveMinimum": true}),
            json!({"type": "integer", "minimum": 7, "multipleOf": 5}),
            json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.1}),
            json!({"type": "number", "minimum": 0.25, "maximum": 0.75}),
            json!({"type": "number", "minimum": 1.5, "multipleOf": 0.5, "maximum": 2}),
            json!({"minimum": 100}),
        ] {
            example(schema);
        }
        assert_eq!(
            example(json!({"type": "integer", "minimum": 7, "multipleOf": 5})),
            10
        );
        assert_eq!(example(json!({"type": "integer"})), 1);
    }

    #[test]
    fn strings_respect_lengths_formats_and_simple_patterns() {
        assert_eq!(example(json!({"type": "string", "maxLength": 3})), "exa");
        assert_eq!(
            example(json!({"type": "string", "minLength": 10})),
            "examplexxx"
        );
        for format in [
            "date-time",
            "date",
            "time",
            "email",
            "uri",
            "uuid",
            "ipv4",
            "ipv6",
            "hostname",
        ] {
            example(json!({"type": "string", "format": format}));
        }
        assert_eq!(
            example(json!({"type": "string", "pattern": "^[a-z0-9-]+$"})),
            "a"
        );
        assert_eq!(
            example(json!({"type": "string", "pattern": "^[A-Z]{2}$"})),
            "AA"
        );
        assert_eq!(
            example(json!({"type": "string", "pattern": "^\\d{3}-\\d{4}$"})),
            "000-0000"
        );
        assert_eq!(
            example(json!({"type": "string", "pattern": "^(foo|bar)+x*$", "minLength": 5})),
            "foofoox"
        );
        example(json!({"type": "string", "pattern": "[^\"]+", "maxLength": 4}));
        let unsupported = valid(&json!({"type": "string", "pattern": "^(?!x)\\w+$"}));
        assert!(unsupported.unwrap_err().contains("examples"));
    }

    #[test]
    fn arrays_references_and_combinators() {
        assert_eq!(
            example(json!({"type": "array", "items": {"type": "integer"}, "minItems": 2})),
            json!([1, 1])
        );
        assert_eq!(example(json!({"type": "array", "maxItems": 0})), json!([]));
        example(json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "boolean"}]}));
        example(json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "array", "items": [{"type": "string"}, {"type": "boolean"}]
        }));
        let draft7 = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {
                "value": {"type": "number"},
                "from": {"$ref": "#/definitions/unit"},
                "tags": {"type": "array", "items": {"$ref": "#/definitions/tag"}}
            },
            "required": ["value", "from", "tags"],
            "definitions": {
                "unit": {"type": "string", "enum": ["celsius", "kelvin"]},
                "tag": {"type": "string", "pattern": "^[a-z0-9-]+$"}
            }
        });
        assert_eq!(
            example(draft7),
            json!({"value": 1, "from": "celsius", "tags": ["a"]})
        );
        example(json!({
            "$defs": {"base": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}},
            "allOf": [{"$ref": "#/$defs/base"}, {"properties": {"b": {"type": "integer"}}, "required": ["b"]}]
        }));
        example(json!({"anyOf": [{"type": "string", "pattern": "(?=x)"}, {"type": "integer"}]}));
        example(json!({"oneOf": [{"type": "null"}, {"type": "string"}]}));
        example(json!({"type": ["null", "string"], "minLength": 2}));
        example(json!({"type": "object", "properties": {}}));
        example(json!({}));
        example(json!(true));
        assert!(valid(&json!({"$ref": "#/definitions/missing"})).is_err());
        assert!(
            valid(&json!({"type": "object", "properties": {"a": false}, "required": ["a"]}))
                .is_err()
        );
    }

    #[test]
    fn invalid_arguments_break_the_schema() {
        let schema = json!({
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"]
        });
        let good = example(schema.clone());
        let (bad, what) = invalid(&schema, &good).unwrap();
        assert_eq!(what, "without the required property `city`");
        assert!(!jsonschema::is_valid(&schema, &bad));

        let schema = json!({"type": "object", "properties": {"days": {"$ref": "#/$defs/n"}}, "$defs": {"n": {"type": "integer"}}});
        let (bad, what) = invalid(&schema, &example(schema.clone())).unwrap();
        assert_eq!(
            (bad, what.as_str()),
            (json!({"days": "12"}), "with `days` of the wrong type")
        );

        let schema = json!({"type": "object", "properties": {}, "additionalProperties": false});
        let (bad, _) = invalid(&schema, &example(schema.clone())).unwrap();
        assert!(!jsonschema::is_valid(&schema, &bad));

        let open = json!({"type": "object", "properties": {}});
        assert_eq!(invalid(&open, &example(open.clone())), None);
    }
}
