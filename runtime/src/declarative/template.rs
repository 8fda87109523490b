//! `{name}` placeholders in the strings of a declarative tool (argv elements, URL paths, query values, headers,
//! body strings). One parser for both sides: mcpgen's validator reports each placeholder at its place in the
//! spec, and a server fills them in from the call's arguments. `{{` and `}}` stand for literal braces.

use serde_json::{Map, Value};

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part<'a> {
    /// Text taken as it is (with `{{`/`}}` already unescaped).
    Literal(String),
    /// A placeholder: the name of an argument, and its byte offset in the template (the `{`).
    Placeholder {
        /// The argument's name.
        name: &'a str,
        /// Byte offset of the opening `{`.
        offset: usize,
    },
}

/// A template that does not parse: what is wrong, and the byte offset where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte offset in the template.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Splits a template into literal text and placeholders.
pub fn parse(template: &str) -> Result<Vec<Part<'_>>, TemplateError> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let bytes = template.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                literal.push('{');
                i += 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                literal.push('}');
                i += 2;
            }
            b'{' => {
                let Some(len) = template[i + 1..].find(['{', '}']) else {
                    return Err(error(
                        i,
                        "`{` without a closing `}` (write `{{` for a literal brace)",
                    ));
                };
                if bytes[i + 1 + len] == b'{' {
                    return Err(error(
                        i,
                        "`{` without a closing `}` (write `{{` for a literal brace)",
                    ));
                }
                let name = &template[i + 1..i + 1 + len];
                if name.trim().is_empty() {
                    return Err(error(i, "empty placeholder `{}`"));
                }
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                parts.push(Part::Placeholder { name, offset: i });
                i += len + 2;
            }
            b'}' => {
                return Err(error(
                    i,
                    "`}` without an opening `{` (write `}}` for a literal brace)",
                ));
            }
            _ => {
                let next = template[i..]
                    .find(['{', '}'])
                    .map_or(bytes.len(), |n| i + n);
                literal.push_str(&template[i..next]);
                i = next;
            }
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Literal(literal));
    }
    Ok(parts)
}

fn error(offset: usize, message: &str) -> TemplateError {
    TemplateError {
        offset,
        message: message.to_owned(),
    }
}

/// The name when the whole template is one placeholder (`"{tags}"`): such an argv element or body string takes the
/// argument's value as it is, typed, rather than as text.
pub fn sole_placeholder(template: &str) -> Option<&str> {
    match parse(template).ok()?.as_slice() {
        [Part::Placeholder { name, .. }] => Some(name),
        _ => None,
    }
}

/// The template filled in with the arguments, or `None` when a placeholder names an argument that is absent or
/// `null` (the caller then leaves the whole element out). The spec was validated, so a template that does not
/// parse cannot reach here; it renders as `None` rather than panic.
pub fn render(template: &str, arguments: &Map<String, Value>) -> Option<String> {
    render_parts(&parse(template).ok()?, arguments)
}

/// [`render`] of a template parsed once, for a definition used on every call.
pub fn render_parts(parts: &[Part<'_>], arguments: &Map<String, Value>) -> Option<String> {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Literal(text) => out.push_str(text),
            Part::Placeholder { name, .. } => match arguments.get(*name)? {
                Value::String(s) => out.push_str(s),
                other => out.push_str(&text(other)?),
            },
        }
    }
    Some(out)
}

/// An argument as text: strings as they are, numbers and booleans as JSON writes them, arrays and objects as
/// compact JSON; `null` as absent.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn parses_literals_placeholders_and_escapes() {
        let parts = parse("a{{b}}{c}d").unwrap();
        assert_eq!(
            parts,
            [
                Part::Literal("a{b}".into()),
                Part::Placeholder {
                    name: "c",
                    offset: 6
                },
                Part::Literal("d".into()),
            ]
        );
        assert_eq!(parse("x{").unwrap_err().offset, 1);
        assert_eq!(parse("x{a{b}").unwrap_err().offset, 1);
        assert_eq!(parse("ab}").unwrap_err().offset, 2);
        assert!(parse("{}").is_err());
        assert_eq!(sole_placeholder("{tags}"), Some("tags"));
        assert_eq!(sole_placeholder("-{tags}"), None);
    }

    #[test]
    fn renders_values_and_leaves_out_absent_ones() {
        let a = args(json!({"s": "; rm -rf /", "n": 3, "b": true, "z": null, "l": [1, "x"]}));
        assert_eq!(render("{s}", &a).as_deref(), Some("; rm -rf /"));
        assert_eq!(render("--n={n} {b}", &a).as_deref(), Some("--n=3 true"));
        assert_eq!(render("{l}", &a).as_deref(), Some(r#"[1,"x"]"#));
        assert_eq!(render("--z={z}", &a), None);
        assert_eq!(render("--m={missing}", &a), None);
        assert_eq!(render("{{{s}}}", &a).as_deref(), Some("{; rm -rf /}"));
    }
}
