//! The JSON Schema keywords most tool schemas use, checked without a general validator: `type`,
//! `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`, the numeric bounds, the
//! length and size bounds, and a local `$ref` standing alone (`#/$defs/x`, `#/definitions/x`), in
//! drafts 6 to 2020-12 (they mean the same there). Linking the
//! `jsonschema` crate costs a server about 0.8 MiB of resident memory at idle (its relocated tables
//! and code, BENCHMARKS.md), so it is linked only when a spec has a schema outside this subset
//! (the `full-json-schema` feature, which mcpgen turns on for such specs).
//!
//! Messages are jsonschema's, so a server reports the same violations either way; mcpgen's tests
//! compare the two on random schemas and instances. Dependencies: serde_json only (mcpgen itself
//! compiles this file too, to decide whether a spec needs the feature).

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

/// A compiled schema of the subset.
#[derive(Debug)]
pub enum Schema {
    /// `true` or `{}`: anything.
    Any,
    /// `false`: nothing.
    Nothing,
    /// The object form: every keyword holds.
    Checks(Vec<Check>),
}

/// One keyword of the object form.
#[derive(Debug)]
pub enum Check {
    /// `type`: one of these JSON types.
    Type(Vec<&'static str>),
    /// `properties`: each present property matches its schema.
    Properties(Vec<(String, Schema)>),
    /// `required`: these properties are present.
    Required(Vec<String>),
    /// `additionalProperties`, knowing the names `properties` declares, and whether it is the literal
    /// `false`: only then do failures name the unexpected properties (a reference that resolves to `false`
    /// fails each extra value as a false schema, as jsonschema words it).
    Additional(Vec<String>, Box<Schema>, bool),
    /// `items`: every array element matches.
    Items(Box<Schema>),
    /// `enum`: equal to one of these values.
    Enum(Vec<Value>),
    /// `const`: equal to this value.
    Const(Value),
    /// `minimum`: a number at least this.
    Minimum(Number),
    /// `maximum`: a number at most this.
    Maximum(Number),
    /// `exclusiveMinimum`: a number above this.
    ExclusiveMinimum(Number),
    /// `exclusiveMaximum`: a number below this.
    ExclusiveMaximum(Number),
    /// `minLength`: a string of at least this many characters.
    MinLength(u64),
    /// `maxLength`: a string of at most this many characters.
    MaxLength(u64),
    /// `minItems`: an array of at least this many elements.
    MinItems(u64),
    /// `maxItems`: an array of at most this many elements.
    MaxItems(u64),
}

/// In the order jsonschema lists them in a message.
const TYPES: [&str; 7] = [
    "null", "boolean", "integer", "number", "string", "array", "object",
];
const DRAFTS: [&str; 8] = [
    "http://json-schema.org/draft-06/schema#",
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema#",
    "http://json-schema.org/draft-07/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2019-09/schema#",
    "https://json-schema.org/draft/2020-12/schema",
    "https://json-schema.org/draft/2020-12/schema#",
];
/// Keywords that never fail validation; so do extension keywords (`x-...`, such as SEP-2243's
/// `x-mcp-header`), which no draft defines and every validator ignores.
fn is_annotation(keyword: &str) -> bool {
    ANNOTATIONS.contains(&keyword) || keyword.starts_with("x-")
}

/// Keywords that never fail validation.
const ANNOTATIONS: [&str; 8] = [
    "title",
    "description",
    "default",
    "examples",
    "$comment",
    "deprecated",
    "readOnly",
    "writeOnly",
];

impl Schema {
    /// Compiles `schema`, or names the first keyword (or keyword value) outside the subset.
    pub fn compile(schema: &Value) -> Result<Schema, String> {
        Schema::compile_in(schema, schema, 0)
    }

    /// `root` is where local references (`#/$defs/...`) point into; `depth` counts the references
    /// followed to get here, so a recursive one is refused instead of followed forever.
    fn compile_in(schema: &Value, root: &Value, depth: usize) -> Result<Schema, String> {
        let object = match schema {
            Value::Bool(true) => return Ok(Schema::Any),
            Value::Bool(false) => return Ok(Schema::Nothing),
            Value::Object(object) => object,
            _ => return Err("a schema that is not an object or a boolean".to_owned()),
        };
        if let Some(draft) = object.get("$schema")
            && !draft.as_str().is_some_and(|uri| DRAFTS.contains(&uri))
        {
            return Err(format!("`$schema` {draft}"));
        }
        if let Some(reference) = object.get("$ref") {
            // Alone (besides annotations and definitions) a reference means the same in every draft.
            let alone = object.keys().all(|k| {
                ["$ref", "$schema", "$defs", "definitions"].contains(&k.as_str())
                    || is_annotation(k)
            });
            let target = reference
                .as_str()
                .and_then(|r| r.strip_prefix('#'))
                .filter(|pointer| !pointer.contains('%'))
                .and_then(|pointer| root.pointer(pointer));
            return match target {
                Some(target) if alone && depth < 16 => Schema::compile_in(target, root, depth + 1),
                _ => Err(format!("`$ref` {reference} as written here")),
            };
        }
        let unsupported = |keyword: &str| Err(format!("`{keyword}` as written here"));
        let mut checks = Vec::new();
        for (keyword, value) in object {
            let check = match keyword.as_str() {
                "$schema" => continue,
                "$defs" | "definitions" if value.is_object() => continue,
                k if is_annotation(k) => continue,
                "type" => Check::Type(types(value).ok_or("`type` as written here")?),
                "properties" => {
                    let Value::Object(properties) = value else {
                        return unsupported(keyword);
                    };
                    let compiled = properties
                        .iter()
                        .map(|(name, schema)| {
                            Ok((name.clone(), Schema::compile_in(schema, root, depth)?))
                        })
                        .collect::<Result<_, String>>()?;
                    Check::Properties(compiled)
                }
                "required" => match distinct_strings(value) {
                    Some(names) => Check::Required(names),
                    None => return unsupported(keyword),
                },
                "additionalProperties" => {
                    let known = match object.get("properties") {
                        Some(Value::Object(properties)) => properties.keys().cloned().collect(),
                        _ => Vec::new(),
                    };
                    let schema = Box::new(Schema::compile_in(value, root, depth)?);
                    Check::Additional(known, schema, *value == Value::Bool(false))
                }
                "items" if value.is_object() || value.is_boolean() => {
                    Check::Items(Box::new(Schema::compile_in(value, root, depth)?))
                }
                "enum" => match value {
                    Value::Array(options) if !options.is_empty() => Check::Enum(options.clone()),
                    _ => return unsupported(keyword),
                },
                "const" => Check::Const(value.clone()),
                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                    let Value::Number(limit) = value else {
                        return unsupported(keyword);
                    };
                    let limit = limit.clone();
                    match keyword.as_str() {
                        "minimum" => Check::Minimum(limit),
                        "maximum" => Check::Maximum(limit),
                        "exclusiveMinimum" => Check::ExclusiveMinimum(limit),
                        _ => Check::ExclusiveMaximum(limit),
                    }
                }
                "minLength" | "maxLength" | "minItems" | "maxItems" => {
                    let Some(limit) = value.as_u64() else {
                        return unsupported(keyword);
                    };
                    match keyword.as_str() {
                        "minLength" => Check::MinLength(limit),
                        "maxLength" => Check::MaxLength(limit),
                        "minItems" => Check::MinItems(limit),
                        _ => Check::MaxItems(limit),
                    }
                }
                _ => return unsupported(keyword),
            };
            checks.push(check);
        }
        Ok(if checks.is_empty() {
            Schema::Any
        } else {
            Schema::Checks(checks)
        })
    }

    /// Every violation in `instance`, formatted as `location: message` by `report`, which gets the
    /// JSON Pointer of the failing value (empty at the root) and what is wrong with it.
    pub fn violations(&self, instance: &Value, report: &mut dyn FnMut(&str, Violation<'_>)) {
        self.walk(instance, &mut String::new(), report);
    }

    fn walk(
        &self,
        instance: &Value,
        path: &mut String,
        report: &mut dyn FnMut(&str, Violation<'_>),
    ) {
        let checks = match self {
            Schema::Any => return,
            Schema::Nothing => {
                let message = format!("False schema does not allow {instance}");
                return report(path, Violation::Message(message));
            }
            Schema::Checks(checks) => checks,
        };
        for check in checks {
            if let Some(message) = check.scalar_message(instance) {
                report(path, Violation::Message(message));
                continue;
            }
            match (check, instance) {
                (Check::Properties(properties), Value::Object(object)) => {
                    for (name, schema) in properties {
                        if let Some(value) = object.get(name) {
                            descend(path, name, |path| schema.walk(value, path, report));
                        }
                    }
                }
                (Check::Required(names), Value::Object(object)) => {
                    for name in names.iter().filter(|name| !object.contains_key(*name)) {
                        report(path, Violation::Missing(name));
                    }
                }
                (Check::Additional(known, schema, forbidden), Value::Object(object)) => {
                    let extra = object.iter().filter(|(name, _)| !known.contains(name));
                    if *forbidden {
                        let names: Vec<&str> = extra.map(|(name, _)| name.as_str()).collect();
                        if !names.is_empty() {
                            report(path, Violation::Unexpected(&names));
                        }
                    } else {
                        for (name, value) in extra {
                            descend(path, name, |path| schema.walk(value, path, report));
                        }
                    }
                }
                (Check::Items(schema), Value::Array(items)) => {
                    for (index, item) in items.iter().enumerate() {
                        descend(path, &index.to_string(), |path| {
                            schema.walk(item, path, report)
                        });
                    }
                }
                _ => {}
            }
        }
    }
}

/// What is wrong with a value: a message as jsonschema words it, or one of the two cases the
/// server words itself, naming the property.
#[derive(Debug)]
pub enum Violation<'a> {
    /// A message in jsonschema's words.
    Message(String),
    /// A required property is missing.
    Missing(&'a str),
    /// Properties that `additionalProperties: false` forbids.
    Unexpected(&'a [&'a str]),
}

impl Violation<'_> {
    /// Appends the lines a client sees: `location: message`, naming a missing or unexpected
    /// property itself rather than its parent. `pointer` is the JSON Pointer of the value.
    pub fn describe(self, pointer: &str, out: &mut Vec<String>) {
        let path = pointer.trim_start_matches('/');
        let at = |name: &str| match path {
            "" => name.to_owned(),
            _ => format!("{path}/{name}"),
        };
        match self {
            Violation::Missing(name) => {
                out.push(format!("{}: required property is missing", at(name)))
            }
            Violation::Unexpected(names) => out.extend(
                names
                    .iter()
                    .map(|name| format!("{}: unexpected property (not in the schema)", at(name))),
            ),
            Violation::Message(message) => {
                let location = if path.is_empty() { "(root)" } else { path };
                out.push(format!("{location}: {message}"));
            }
        }
    }
}

impl Check {
    /// The message of a keyword that looks at `instance` alone, when it fails.
    fn scalar_message(&self, instance: &Value) -> Option<String> {
        let plural =
            |limit: u64, one: &str, many: &str| if limit == 1 { one } else { many }.to_owned();
        match (self, instance) {
            (Check::Type(types), _) if !types.iter().any(|t| has_type(instance, t)) => {
                Some(match types.as_slice() {
                    [single] => format!(r#"{instance} is not of type "{single}""#),
                    _ => format!(
                        "{instance} is not of types {}",
                        types
                            .iter()
                            .map(|t| format!(r#""{t}""#))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
            }
            (Check::Enum(options), _) if !options.iter().any(|o| equal(o, instance)) => {
                Some(enum_message(instance, options))
            }
            (Check::Const(expected), _) if !equal(expected, instance) => {
                Some(format!("{expected} was expected"))
            }
            (Check::Minimum(limit), Value::Number(n)) if compare(n, limit) == Ordering::Less => {
                Some(format!("{instance} is less than the minimum of {limit}"))
            }
            (Check::Maximum(limit), Value::Number(n)) if compare(n, limit) == Ordering::Greater => {
                Some(format!("{instance} is greater than the maximum of {limit}"))
            }
            (Check::ExclusiveMinimum(limit), Value::Number(n))
                if compare(n, limit) != Ordering::Greater =>
            {
                Some(format!(
                    "{instance} is less than or equal to the minimum of {limit}"
                ))
            }
            (Check::ExclusiveMaximum(limit), Value::Number(n))
                if compare(n, limit) != Ordering::Less =>
            {
                Some(format!(
                    "{instance} is greater than or equal to the maximum of {limit}"
                ))
            }
            (Check::MinLength(limit), Value::String(s)) if (s.chars().count() as u64) < *limit => {
                let unit = plural(*limit, "character", "characters");
                Some(format!("{instance} is shorter than {limit} {unit}"))
            }
            (Check::MaxLength(limit), Value::String(s)) if (s.chars().count() as u64) > *limit => {
                let unit = plural(*limit, "character", "characters");
                Some(format!("{instance} is longer than {limit} {unit}"))
            }
            (Check::MinItems(limit), Value::Array(a)) if (a.len() as u64) < *limit => {
                let unit = plural(*limit, "item", "items");
                Some(format!("{instance} has less than {limit} {unit}"))
            }
            (Check::MaxItems(limit), Value::Array(a)) if (a.len() as u64) > *limit => {
                let unit = plural(*limit, "item", "items");
                Some(format!("{instance} has more than {limit} {unit}"))
            }
            _ => None,
        }
    }
}

/// Runs `f` with `name` appended to the JSON Pointer `path`, escaped as RFC 6901 says.
fn descend(path: &mut String, name: &str, f: impl FnOnce(&mut String)) {
    let len = path.len();
    path.push('/');
    // Escaped in place: a call walks every property it was given, and most names need no escape.
    for c in name.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
    f(path);
    path.truncate(len);
}

/// `type`: a known name, or a non-empty array of distinct ones, in the order jsonschema lists them.
fn types(value: &Value) -> Option<Vec<&'static str>> {
    let names = match value {
        Value::String(name) => vec![name.clone()],
        _ => distinct_strings(value).filter(|names| !names.is_empty())?,
    };
    let mut known: Vec<&'static str> = names
        .iter()
        .map(|name| TYPES.iter().copied().find(|t| t == name))
        .collect::<Option<_>>()?;
    known.sort_by_key(|name| TYPES.iter().position(|t| t == name));
    Some(known)
}

/// An array of strings, none repeated.
fn distinct_strings(value: &Value) -> Option<Vec<String>> {
    let names: Vec<String> = value
        .as_array()?
        .iter()
        .map(|name| name.as_str().map(str::to_owned))
        .collect::<Option<_>>()?;
    let distinct = names
        .iter()
        .enumerate()
        .all(|(i, n)| !names[..i].contains(n));
    distinct.then_some(names)
}

fn has_type(value: &Value, name: &str) -> bool {
    match (name, value) {
        ("null", Value::Null)
        | ("boolean", Value::Bool(_))
        | ("number", Value::Number(_))
        | ("string", Value::String(_))
        | ("array", Value::Array(_))
        | ("object", Value::Object(_)) => true,
        ("integer", Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

/// JSON equality as JSON Schema means it: numbers by value (`1` equals `1.0`).
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare(x, y) == Ordering::Equal,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => objects_equal(x, y),
        _ => a == b,
    }
}

fn objects_equal(x: &Map<String, Value>, y: &Map<String, Value>) -> bool {
    x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
}

/// Compares two JSON numbers exactly, integers beyond 2^53 included.
fn compare(n: &Number, limit: &Number) -> Ordering {
    match (integer(n), integer(limit)) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(a), None) => float_vs_integer(limit.as_f64().unwrap_or(0.0), a).reverse(),
        (None, Some(b)) => float_vs_integer(n.as_f64().unwrap_or(0.0), b),
        (None, None) => {
            let (a, b) = (n.as_f64().unwrap_or(0.0), limit.as_f64().unwrap_or(0.0));
            a.partial_cmp(&b).unwrap_or(Ordering::Equal)
        }
    }
}

fn integer(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

fn float_vs_integer(f: f64, i: i128) -> Ordering {
    // `i` fits an f64 with rounding; when the two still look equal, `f` is integral and in range.
    match f.partial_cmp(&(i as f64)) {
        Some(Ordering::Equal) => (f as i128).cmp(&i),
        Some(order) => order,
        None => Ordering::Equal,
    }
}

/// jsonschema's wording: every option up to three (`a, b or c`), else the first two and a count.
fn enum_message(instance: &Value, options: &[Value]) -> String {
    let mut message = format!("{instance} is not one of ");
    let shown = if options.len() <= 3 { options.len() } else { 2 };
    for (i, option) in options[..shown].iter().enumerate() {
        let separator = match i {
            0 => "",
            _ if i + 1 == options.len() => " or ",
            _ => ", ",
        };
        message.push_str(separator);
        message.push_str(&option.to_string());
    }
    if shown < options.len() {
        message.push_str(&format!(" or {} other candidates", options.len() - shown));
    }
    message
}
