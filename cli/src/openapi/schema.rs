//! OpenAPI schemas to the self-contained JSON Schemas a tool serves. Schemas are kept as written, with two
//! changes: every internal `$ref` is rewritten to point into the tool schema's own `$defs` (which receives a
//! converted copy of each schema reached, so recursive schemas stay recursive), and OpenAPI 3.0's dialect is
//! turned into JSON Schema (`nullable: true` becomes a `null` type, boolean `exclusiveMinimum`/`exclusiveMaximum`
//! become numbers, `required` loses repeats). OpenAPI 3.1 schemas are JSON Schema 2020-12 already, but real 3.1
//! documents still use 3.0's keywords, which mean nothing else in 2020-12, so they are converted in both.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::Warnings;
use super::refs::{escape, follow, internal_pointer, join};

/// Keywords whose value is one schema.
const ONE: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "contentSchema",
];
/// Keywords whose value is a list of schemas.
const LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to schemas.
const MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
];

/// Builds the schemas of one tool, collecting the `$defs` they reference.
pub struct Schemas<'d> {
    doc: &'d Value,
    /// Document pointer -> (name in `$defs`, converted schema; `Null` while being converted).
    defs: IndexMap<String, (String, Value)>,
    /// Where `$recursiveRef: "#"` (draft 2019-09, in some 3.1 documents) points: the innermost schema with
    /// `$recursiveAnchor: true` being converted, as a local reference.
    recursive: Option<String>,
}

impl<'d> Schemas<'d> {
    pub fn new(doc: &'d Value) -> Self {
        Schemas {
            doc,
            defs: IndexMap::new(),
            recursive: None,
        }
    }

    /// A converted schema; `pointer` is where it is in the document (for warnings).
    pub fn convert(&mut self, schema: &Value, pointer: &str, warnings: &mut Warnings) -> Value {
        self.convert_as(schema, pointer, "#", warnings)
    }

    /// [`Schemas::convert`] of a schema that `local` (`#` or `#/$defs/name`) refers to.
    fn convert_as(
        &mut self,
        schema: &Value,
        pointer: &str,
        local: &str,
        warnings: &mut Warnings,
    ) -> Value {
        let Value::Object(members) = schema else {
            // `true`/`false` schemas (3.1) stay as they are.
            return schema.clone();
        };
        let outer = self.recursive.clone();
        if members.get("$recursiveAnchor") == Some(&Value::Bool(true)) {
            self.recursive = Some(local.to_owned());
        }
        let mut out = Map::new();
        for (key, value) in members {
            let at = join(pointer, &[key]);
            let converted = match key.as_str() {
                "$recursiveAnchor" => continue,
                "$recursiveRef" => match (&self.recursive, value.as_str()) {
                    (Some(target), Some("#")) => {
                        out.insert("$ref".to_owned(), Value::String(target.clone()));
                        continue;
                    }
                    _ => {
                        warnings.push(
                            &at,
                            "`$recursiveRef` without a `$recursiveAnchor`: left out",
                        );
                        continue;
                    }
                },
                "$ref" => match value.as_str() {
                    Some(reference) => match self.reference(reference, &at, warnings) {
                        Some(local) => Value::String(local),
                        None => continue,
                    },
                    None => value.clone(),
                },
                k if ONE.contains(&k) => self.convert(value, &at, warnings),
                k if LIST.contains(&k) => match value {
                    Value::Array(items) => Value::Array(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, s)| self.convert(s, &join(&at, &[&i.to_string()]), warnings))
                            .collect(),
                    ),
                    other => other.clone(),
                },
                k if MAP.contains(&k) => match value {
                    Value::Object(map) => Value::Object(
                        map.iter()
                            .map(|(name, s)| {
                                (name.clone(), self.convert(s, &join(&at, &[name]), warnings))
                            })
                            .collect(),
                    ),
                    other => other.clone(),
                },
                _ => value.clone(),
            };
            out.insert(key.clone(), converted);
        }
        self.recursive = outer;
        from_openapi_30(&mut out);
        if let Some(Value::Array(required)) = out.get_mut("required") {
            // JSON Schema wants the names unique; documents repeat them.
            let mut seen = std::collections::HashSet::new();
            required.retain(|name| seen.insert(name.clone()));
        }
        Value::Object(out)
    }

    /// The schema a `$ref` points to, converted and given its own root: the root of an output schema must be the
    /// object itself, not a reference.
    pub fn convert_root(
        &mut self,
        schema: &'d Value,
        pointer: &str,
        warnings: &mut Warnings,
    ) -> Option<Value> {
        match follow(self.doc, schema, pointer.to_owned()) {
            Ok((target, at)) => Some(self.convert(target, &at, warnings)),
            Err(message) => {
                warnings.push(pointer, message);
                None
            }
        }
    }

    /// `#/$defs/<name>` for an internal reference, converting its target once; `None` (the `$ref` dropped, with a
    /// warning) for one that cannot be resolved.
    fn reference(&mut self, reference: &str, at: &str, warnings: &mut Warnings) -> Option<String> {
        let Some(target) = internal_pointer(reference) else {
            warnings.push(
                at,
                format!("`$ref: {reference}` points into another document: left out (any value accepted)"),
            );
            return None;
        };
        if let Some((name, _)) = self.defs.get(&target) {
            return Some(format!("#/$defs/{}", escape(name)));
        }
        let Some(schema) = self.doc.pointer(&target) else {
            warnings.push(
                at,
                format!("`$ref: {reference}` points to nothing: left out"),
            );
            return None;
        };
        let base = target
            .strip_prefix("/components/schemas/")
            .filter(|rest| !rest.contains('/'))
            .map(|name| name.replace("~1", "/").replace("~0", "~"))
            .unwrap_or_else(|| target.trim_start_matches('/').to_owned());
        let mut name = base.clone();
        let mut n = 2;
        while self.defs.values().any(|(taken, _)| *taken == name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.defs
            .insert(target.clone(), (name.clone(), Value::Null));
        let converted = self.convert(schema, &target, warnings);
        self.defs[&target].1 = converted;
        Some(format!("#/$defs/{}", escape(&name)))
    }

    /// `schema` as a root: an object with the `$defs` collected so far (which are then cleared).
    pub fn finish(&mut self, schema: Value) -> Map<String, Value> {
        let mut root = match schema {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("allOf".to_owned(), json!([other]));
                map
            }
        };
        if !self.defs.is_empty() {
            let mut defs = match root.remove("$defs") {
                Some(Value::Object(existing)) => existing,
                _ => Map::new(),
            };
            for (_, (name, schema)) in self.defs.drain(..) {
                defs.insert(name, schema);
            }
            root.insert("$defs".to_owned(), Value::Object(defs));
        }
        root
    }
}

/// OpenAPI 3.0's schema dialect in JSON Schema terms, on one (already converted) schema object.
fn from_openapi_30(schema: &mut Map<String, Value>) {
    for (bound, limit) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(exclusive)) = schema.get(bound).cloned() {
            schema.remove(bound);
            if exclusive && let Some(value) = schema.remove(limit) {
                schema.insert(bound.to_owned(), value);
            }
        }
    }
    if schema.remove("nullable") != Some(Value::Bool(true)) {
        return;
    }
    match schema.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            schema.insert("type".to_owned(), json!([t, "null"]));
        }
        Some(Value::Array(types)) => {
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
        }
        _ => {
            let inner = std::mem::take(schema);
            schema.insert(
                "anyOf".to_owned(),
                json!([Value::Object(inner), {"type": "null"}]),
            );
            return;
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_go_to_defs_and_openapi_30_becomes_json_schema() {
        let doc = json!({"components": {"schemas": {
            "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}},
            "N": {"type": "integer", "nullable": true, "minimum": 1, "exclusiveMinimum": true, "enum": [2, 3]},
        }}});
        let mut warnings = Warnings::default();
        let mut schemas = Schemas::new(&doc);
        let input = json!({"type": "object", "properties": {
            "n": {"$ref": "#/components/schemas/N"},
            "node": {"$ref": "#/components/schemas/Node"},
            "ext": {"$ref": "other.yaml#/X", "description": "kept"},
        }});
        let converted = schemas.convert(&input, "/x", &mut warnings);
        let root = schemas.finish(converted);
        assert_eq!(
            Value::Object(root),
            json!({"type": "object", "properties": {
                "n": {"$ref": "#/$defs/N"},
                "node": {"$ref": "#/$defs/Node"},
                "ext": {"description": "kept"},
            }, "$defs": {
                "N": {"type": ["integer", "null"], "exclusiveMinimum": 1, "enum": [2, 3, null]},
                "Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}},
            }})
        );
        assert_eq!(warnings.0.len(), 1);
        assert_eq!(warnings.0[0].pointer, "/x/properties/ext/$ref");
    }
}
