//! SEP-2243 `x-mcp-header` annotations in a tool's `inputSchema`: on protocol 2026-07-28 a client mirrors each
//! annotated argument into an `Mcp-Param-<name>` header and the server (rmcp) checks it against the body. A client
//! drops a tool whose annotations break the rules, so every broken one is an error here, where the user can fix it,
//! rather than a tool that silently disappears. The rules are the ones rmcp's client applies
//! (`validate_param_header_annotations`): on a property reached from the root through `properties` alone, a
//! non-empty RFC 9110 token, unique without regard to case, on a `string`, `integer` or `boolean` property.

use std::collections::HashMap;

use serde_json::Value;

use super::implementation::is_token_byte;
use super::{At, Ctx};
use crate::spec::JsonObject;
use crate::spec::spans::escape_segment;

const KEYWORD: &str = "x-mcp-header";

/// Checks the annotations of the input schema at `pointer` (the `inputSchema` itself).
pub fn check(ctx: &mut Ctx<'_>, pointer: &str, schema: &JsonObject) {
    let mut walk = Walk {
        ctx,
        seen: HashMap::new(),
    };
    walk.schema(pointer, schema, Place::Root);
}

/// Where a subschema sits, relative to the chain of `properties` from the root.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Root,
    /// A property reached from the root through `properties` keys alone.
    Property,
    /// Anywhere else: under `items`, `anyOf`, `$defs`, ...
    Elsewhere,
}

/// One schema's walk: where to report, and the header names used so far (lowercase, with where).
struct Walk<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    seen: HashMap<String, String>,
}

impl Walk<'_, '_> {
    fn schema(&mut self, pointer: &str, schema: &JsonObject, place: Place) {
        if let Some(header) = schema.get(KEYWORD) {
            let at = format!("{pointer}/{KEYWORD}");
            match place {
                Place::Property => self.annotation(pointer, schema, header),
                Place::Root => self.ctx.error(
                    "param-header-placement",
                    At::Key(&at),
                    "`x-mcp-header` on the schema's root: it names the header of one property",
                    Some("move it into the property whose value the header carries".to_owned()),
                ),
                Place::Elsewhere => self.ctx.error(
                    "param-header-placement",
                    At::Key(&at),
                    "`x-mcp-header` outside the chain of `properties` from the root: clients mirror only \
                     properties reached through `properties` alone (not `items`, `anyOf`, `$defs`, ...)",
                    Some(
                        "put the property directly under the root's `properties` (or a nested object's)"
                            .to_owned(),
                    ),
                ),
            }
        }
        for (key, value) in schema {
            let child = format!("{pointer}/{}", escape_segment(key));
            match key.as_str() {
                // Instance data and property names, not subschemas.
                "default" | "const" | "enum" | "examples" | "required" | "dependentRequired" => {}
                "properties" => {
                    let inner = match place {
                        Place::Root | Place::Property => Place::Property,
                        Place::Elsewhere => Place::Elsewhere,
                    };
                    self.map(&child, value, inner)
                }
                "$defs" | "definitions" | "dependentSchemas" | "patternProperties"
                | "dependencies" => self.map(&child, value, Place::Elsewhere),
                _ => self.off_chain(&child, value),
            }
        }
    }

    /// Walks each schema of a name-to-schema map.
    fn map(&mut self, pointer: &str, map: &Value, place: Place) {
        if let Value::Object(map) = map {
            for (name, value) in map {
                if let Value::Object(schema) = value {
                    self.schema(
                        &format!("{pointer}/{}", escape_segment(name)),
                        schema,
                        place,
                    );
                }
            }
        }
    }

    /// Walks a value that may hold subschemas off the chain (`items`, `not`, the members of `anyOf`, ...).
    fn off_chain(&mut self, pointer: &str, value: &Value) {
        match value {
            Value::Object(schema) => self.schema(pointer, schema, Place::Elsewhere),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.off_chain(&format!("{pointer}/{i}"), item);
                }
            }
            _ => {}
        }
    }

    /// Checks the annotation of the property at `pointer`: its value, its uniqueness and the property's type.
    fn annotation(&mut self, pointer: &str, property: &JsonObject, header: &Value) {
        let at = &format!("{pointer}/{KEYWORD}");
        let ctx = &mut *self.ctx;
        let Value::String(name) = header else {
            ctx.error(
                "param-header-invalid",
                At::Value(at),
                "`x-mcp-header` must be a string: the header's name after `Mcp-Param-`",
                Some("write a name such as `Region`".to_owned()),
            );
            return;
        };
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            let what = if name.is_empty() {
                "is empty".to_owned()
            } else {
                format!("`{name}` is not an HTTP header name (RFC 9110 token)")
            };
            ctx.error(
                "param-header-invalid",
                At::Value(at),
                format!("`x-mcp-header` {what}: clients drop a tool with such a header"),
                Some("use ASCII letters, digits and `-`, such as `Region` (no spaces, colons or control characters)".to_owned()),
            );
            return;
        }
        let key = name.to_ascii_lowercase();
        if let Some(first) = self.seen.get(&key) {
            ctx.error(
                "param-header-duplicate",
                At::Value(at),
                format!("`x-mcp-header` `{name}` is already used in this tool (header names ignore case)"),
                Some("give each mirrored property its own header name".to_owned()),
            );
            ctx.also(At::Value(first), "first used here");
            return;
        }
        self.seen.insert(key, at.to_owned());
        let found = match property.get("type") {
            Some(Value::String(t)) if matches!(t.as_str(), "string" | "integer" | "boolean") => {
                return;
            }
            None => "no `type`".to_owned(),
            Some(Value::String(t)) => format!("`type: {t}`"),
            Some(t) => format!("`type: {t}`"),
        };
        let type_at = format!("{pointer}/type");
        ctx.error(
            "param-header-type",
            At::Value(if property.contains_key("type") { &type_at } else { at }),
            format!(
                "`x-mcp-header` on a property with {found}: only a `string`, `integer` or `boolean` \
                 value travels in a header"
            ),
            Some("give the property one of those types, or remove `x-mcp-header` from it".to_owned()),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The codes and pointers of the `x-mcp-header` diagnostics for a tool with `properties` (YAML flow).
    fn problems(properties: &str, extra: &str) -> Vec<(&'static str, String)> {
        let yaml = format!(
            "mcpgen: 1\nserver: {{name: t}}\ntools:\n  - name: x\n    description: X.\n    inputSchema:\n      \
             type: object\n      properties: {properties}\n{extra}transports: {{stdio: {{}}}}\n"
        );
        let (_, diags) = crate::pipeline::check_str(Path::new("t.yaml"), &yaml);
        diags
            .into_iter()
            .filter(|d| d.code.starts_with("param-header"))
            .map(|d| (d.code, d.pointer))
            .collect()
    }

    #[test]
    fn well_formed_annotations_pass_nested_ones_included() {
        let ok = "{a: {type: string, x-mcp-header: Region}, b: {type: integer, x-mcp-header: X-Prio.1}, \
                  c: {type: boolean, x-mcp-header: \"~!#$%&'*+^_`|\"}, \
                  d: {type: object, properties: {e: {type: string, x-mcp-header: Nested}}}}";
        assert_eq!(problems(ok, ""), []);
    }

    #[test]
    fn every_broken_annotation_is_reported_at_once() {
        let broken = "{a: {type: string, x-mcp-header: ''}, b: {type: string, x-mcp-header: 'a:b'}, \
                      c: {type: string, x-mcp-header: Région}, d: {type: string, x-mcp-header: 3}, \
                      e: {type: [string, 'null'], x-mcp-header: E}, f: {x-mcp-header: F}, \
                      g: {type: string, x-mcp-header: G}, h: {type: string, x-mcp-header: g}, \
                      i: {anyOf: [{type: string, x-mcp-header: I}]}, \
                      j/k: {type: array, items: {type: string, x-mcp-header: J}}}";
        let p = "/tools/0/inputSchema";
        let at = |prop: &str| format!("{p}/properties/{prop}/x-mcp-header");
        assert_eq!(
            problems(
                broken,
                "      $defs: {n: {type: string, x-mcp-header: N}}\n"
            ),
            [
                ("param-header-invalid", at("a")),
                ("param-header-invalid", at("b")),
                ("param-header-invalid", at("c")),
                ("param-header-invalid", at("d")),
                ("param-header-type", format!("{p}/properties/e/type")),
                ("param-header-type", at("f")),
                ("param-header-duplicate", at("h")),
                (
                    "param-header-placement",
                    format!("{p}/properties/i/anyOf/0/x-mcp-header")
                ),
                (
                    "param-header-placement",
                    format!("{p}/properties/j~1k/items/x-mcp-header")
                ),
                (
                    "param-header-placement",
                    format!("{p}/$defs/n/x-mcp-header")
                ),
            ]
        );
    }

    #[test]
    fn the_root_is_not_a_property() {
        let root = problems("{a: {type: string}}", "      x-mcp-header: Root\n");
        assert_eq!(
            root,
            [(
                "param-header-placement",
                "/tools/0/inputSchema/x-mcp-header".to_owned()
            )]
        );
    }
}
