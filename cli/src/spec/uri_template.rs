//! RFC 6570 URI templates, as far as mcpgen supports them: levels 1-3 (operators `+ # . / ; ? &`, several
//! variables per expression), without the level-4 modifiers (explode `*`, prefix `:N`). The validator and the
//! generator both parse templates here, so what validates is exactly what the generated matcher handles.

use thiserror::Error;

/// A parsed template: literals and expressions in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    pub parts: Vec<Part>,
}

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text, copied as is.
    Literal(String),
    /// `{op var1,var2}`: `operator` is `None` for simple string expansion.
    Expression {
        operator: Option<char>,
        variables: Vec<String>,
    },
}

impl UriTemplate {
    /// Every variable name, in order of appearance (names are unique in a valid template).
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts
            .iter()
            .flat_map(|p| match p {
                Part::Literal(_) => &[][..],
                Part::Expression { variables, .. } => variables.as_slice(),
            })
            .map(String::as_str)
    }

    /// The literal text before the first expression (where the scheme must be).
    pub fn literal_prefix(&self) -> &str {
        match self.parts.first() {
            Some(Part::Literal(s)) => s,
            _ => "",
        }
    }
}

/// A problem in a template, with the byte range of the offending text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind}")]
pub struct TemplateError {
    pub start: usize,
    pub end: usize,
    pub kind: TemplateErrorKind,
}

/// What is wrong in a template.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateErrorKind {
    #[error("unclosed expression: `{{` without a matching `}}`")]
    Unclosed,
    #[error("`}}` outside an expression")]
    StrayClose,
    #[error("empty expression `{{}}`")]
    Empty,
    #[error("operator `{0}` is reserved by RFC 6570 and has no meaning")]
    ReservedOperator(char),
    #[error("invalid variable name `{0}`: use letters, digits, `_` and `.` (not at the ends)")]
    InvalidVariable(String),
    #[error("explode modifier `*` on `{0}` is not supported")]
    Explode(String),
    #[error("prefix modifier `:N` on `{0}` is not supported")]
    Prefix(String),
    #[error("character `{0}` is not allowed in a URI template literal")]
    InvalidLiteral(char),
    #[error("variable `{0}` appears more than once")]
    DuplicateVariable(String),
}

const OPERATORS: &str = "+#./;?&";
const RESERVED_OPERATORS: &str = "=,!@|";

/// Parses a template, reporting every problem found.
pub fn parse(template: &str) -> Result<UriTemplate, Vec<TemplateError>> {
    let mut parts = Vec::new();
    let mut errors = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut literal = String::new();
    let mut rest = template.char_indices().peekable();
    while let Some((i, c)) = rest.next() {
        match c {
            '{' => {
                let Some(close) = template[i + 1..].find('}').map(|j| i + 1 + j) else {
                    errors.push(TemplateError {
                        start: i,
                        end: template.len(),
                        kind: TemplateErrorKind::Unclosed,
                    });
                    break;
                };
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                let body = &template[i + 1..close];
                match parse_expression(body, i + 1, &mut seen) {
                    Ok(part) => parts.push(part),
                    Err(mut e) => errors.append(&mut e),
                }
                if body.is_empty() {
                    errors.push(TemplateError {
                        start: i,
                        end: close + 1,
                        kind: TemplateErrorKind::Empty,
                    });
                }
                while rest.next_if(|&(j, _)| j <= close).is_some() {}
            }
            '}' => errors.push(TemplateError {
                start: i,
                end: i + 1,
                kind: TemplateErrorKind::StrayClose,
            }),
            c if c.is_control() || c == ' ' || "\"'<>\\^`|".contains(c) => {
                errors.push(TemplateError {
                    start: i,
                    end: i + c.len_utf8(),
                    kind: TemplateErrorKind::InvalidLiteral(c),
                })
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Literal(literal));
    }
    if errors.is_empty() {
        Ok(UriTemplate { parts })
    } else {
        Err(errors)
    }
}

fn parse_expression(
    body: &str,
    offset: usize,
    seen: &mut Vec<String>,
) -> Result<Part, Vec<TemplateError>> {
    let mut errors = Vec::new();
    let mut chars = body.chars();
    let first = chars.next();
    let (operator, list, list_offset) = match first {
        Some(c) if OPERATORS.contains(c) => (Some(c), chars.as_str(), offset + 1),
        Some(c) if RESERVED_OPERATORS.contains(c) => {
            errors.push(TemplateError {
                start: offset,
                end: offset + 1,
                kind: TemplateErrorKind::ReservedOperator(c),
            });
            (Some(c), chars.as_str(), offset + 1)
        }
        _ => (None, body, offset),
    };
    let mut variables = Vec::new();
    let mut at = list_offset;
    for spec in list.split(',') {
        let (start, end) = (at, at + spec.len());
        at = end + 1;
        if spec.is_empty() && list.is_empty() {
            continue; // reported as an empty expression by the caller
        }
        let err = |kind| TemplateError { start, end, kind };
        let name = if let Some(name) = spec.strip_suffix('*') {
            errors.push(err(TemplateErrorKind::Explode(name.to_owned())));
            name
        } else if let Some((name, _)) = spec.split_once(':') {
            errors.push(err(TemplateErrorKind::Prefix(name.to_owned())));
            name
        } else {
            spec
        };
        if !is_varname(name) {
            errors.push(err(TemplateErrorKind::InvalidVariable(name.to_owned())));
        } else if seen.iter().any(|s| s == name) {
            errors.push(err(TemplateErrorKind::DuplicateVariable(name.to_owned())));
        } else {
            seen.push(name.to_owned());
        }
        variables.push(name.to_owned());
    }
    if errors.is_empty() {
        Ok(Part::Expression {
            operator,
            variables,
        })
    } else {
        Err(errors)
    }
}

/// RFC 6570 `varname`: `varchar *( ["."] varchar )`, varchar = ALPHA / DIGIT / "_" / pct-encoded.
fn is_varname(name: &str) -> bool {
    let bytes = name.as_bytes();
    if name.is_empty() || name.starts_with('.') || name.ends_with('.') || name.contains("..") {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit() =>
            {
                i += 3;
                continue;
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' => {}
            _ => return false,
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(t: &str) -> Vec<TemplateErrorKind> {
        parse(t).unwrap_err().into_iter().map(|e| e.kind).collect()
    }

    #[test]
    fn parses_levels_one_to_three() {
        let t =
            parse("db://{+base}/rows/{id}{?limit,offset}{#frag}{;p}{.ext}{/seg}{&more}").unwrap();
        assert_eq!(
            t.variables().collect::<Vec<_>>(),
            [
                "base", "id", "limit", "offset", "frag", "p", "ext", "seg", "more"
            ]
        );
        assert_eq!(t.literal_prefix(), "db://");
        assert_eq!(
            t.parts[4],
            Part::Expression {
                operator: Some('?'),
                variables: vec!["limit".into(), "offset".into()]
            }
        );
    }

    #[test]
    fn rejects_what_the_generator_cannot_match() {
        assert_eq!(kinds("x://{a*}"), [TemplateErrorKind::Explode("a".into())]);
        assert_eq!(kinds("x://{a:3}"), [TemplateErrorKind::Prefix("a".into())]);
        assert_eq!(
            kinds("x://{a}/{a}"),
            [TemplateErrorKind::DuplicateVariable("a".into())]
        );
        assert_eq!(
            kinds("x://{=a}"),
            [TemplateErrorKind::ReservedOperator('=')]
        );
        assert_eq!(
            kinds("x://{a-b}"),
            [TemplateErrorKind::InvalidVariable("a-b".into())]
        );
        assert_eq!(kinds("x://{}"), [TemplateErrorKind::Empty]);
        assert_eq!(kinds("x://{a"), [TemplateErrorKind::Unclosed]);
        assert_eq!(kinds("x://a}"), [TemplateErrorKind::StrayClose]);
        assert_eq!(kinds("x://a b"), [TemplateErrorKind::InvalidLiteral(' ')]);
        let e = &parse("x://{a}/{b*}").unwrap_err()[0];
        assert_eq!((e.start, e.end), (9, 11));
    }

    #[test]
    fn varnames() {
        assert!(is_varname("a.b_c9") && is_varname("%41b"));
        assert!(
            !is_varname("a..b") && !is_varname(".a") && !is_varname("a%4") && !is_varname("a b")
        );
    }
}
