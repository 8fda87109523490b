//! Matching URIs against RFC 6570 URI templates, the reverse of expansion.
//!
//! Supports every operator (`{x}`, `{+x}`, `{#x}`, `{.x}`, `{/x}`, `{;x}`, `{?x,y}`, `{&x}`) with one or
//! more variables; prefix (`{x:3}`) and explode (`{x*}`) modifiers are rejected when parsing. Values are
//! percent-decoded; a variable absent from the URI (allowed by the named operators) matches as "".

/// Longest URI tried against a template: matching backtracks, so keep the input bounded.
const MAX_URI_LEN: usize = 8 * 1024;

/// A parsed URI template.
#[derive(Debug, Clone)]
pub struct UriTemplate {
    parts: Vec<Part>,
    variables: Vec<String>,
}

#[derive(Debug, Clone)]
enum Part {
    Literal(String),
    Expression { op: Op, vars: Vec<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Simple,
    Reserved,
    Fragment,
    Label,
    Path,
    PathParam,
    Query,
    QueryContinuation,
}

impl Op {
    fn from_char(c: char) -> Option<Op> {
        Some(match c {
            '+' => Op::Reserved,
            '#' => Op::Fragment,
            '.' => Op::Label,
            '/' => Op::Path,
            ';' => Op::PathParam,
            '?' => Op::Query,
            '&' => Op::QueryContinuation,
            _ => return None,
        })
    }

    /// The expansion's leading character.
    fn first(self) -> Option<char> {
        match self {
            Op::Simple | Op::Reserved => None,
            Op::Fragment => Some('#'),
            Op::Label => Some('.'),
            Op::Path => Some('/'),
            Op::PathParam => Some(';'),
            Op::Query => Some('?'),
            Op::QueryContinuation => Some('&'),
        }
    }

    fn separator(self) -> char {
        match self {
            Op::Simple | Op::Reserved | Op::Fragment => ',',
            Op::Label => '.',
            Op::Path => '/',
            Op::PathParam => ';',
            Op::Query | Op::QueryContinuation => '&',
        }
    }

    /// `name=value` pairs rather than bare values.
    fn named(self) -> bool {
        matches!(self, Op::PathParam | Op::Query | Op::QueryContinuation)
    }

    /// Whether `c` can appear inside an expansion. Unreserved operators percent-encode the URI's
    /// structural characters, so a raw one ends the expansion.
    fn allows(self, c: char) -> bool {
        match self {
            Op::Reserved | Op::Fragment => true,
            // `/` separates the path operator's own values.
            Op::Path => !matches!(c, '?' | '#'),
            _ => !matches!(c, '/' | '?' | '#'),
        }
    }
}

/// Variables captured by a match, in template order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars(Vec<(String, String)>);

impl Vars {
    /// The value of `name`; "" when the URI left it out.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Moves the value of `name` out; "" when the URI left it out.
    pub fn take(&mut self, name: &str) -> String {
        self.0
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, v)| std::mem::take(v))
            .unwrap_or_default()
    }
}

impl UriTemplate {
    /// Parses `template`.
    pub fn parse(template: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut variables: Vec<String> = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            match rest.find(['{', '}']) {
                Some(i) if rest[i..].starts_with('}') => {
                    return Err(format!("unmatched '}}' in URI template {template:?}"));
                }
                Some(i) => {
                    if i > 0 {
                        parts.push(Part::Literal(rest[..i].to_owned()));
                    }
                    let close = rest[i..]
                        .find('}')
                        .ok_or_else(|| format!("unclosed '{{' in URI template {template:?}"))?;
                    let body = &rest[i + 1..i + close];
                    let (op, list) = match body.chars().next().and_then(Op::from_char) {
                        Some(op) => (op, &body[1..]),
                        None => (Op::Simple, body),
                    };
                    let mut vars = Vec::new();
                    for name in list.split(',') {
                        if name.ends_with('*') || name.contains(':') {
                            return Err(format!(
                                "URI template {template:?}: explode and prefix modifiers are not supported ({{{body}}})"
                            ));
                        }
                        let valid = !name.is_empty()
                            && name
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '%'));
                        if !valid {
                            return Err(format!(
                                "URI template {template:?}: invalid expression {{{body}}}"
                            ));
                        }
                        if variables.iter().any(|v| v == name) {
                            return Err(format!(
                                "URI template {template:?}: variable {name:?} appears twice"
                            ));
                        }
                        variables.push(name.to_owned());
                        vars.push(name.to_owned());
                    }
                    parts.push(Part::Expression { op, vars });
                    rest = &rest[i + close + 1..];
                }
                None => {
                    parts.push(Part::Literal(rest.to_owned()));
                    rest = "";
                }
            }
        }
        Ok(UriTemplate { parts, variables })
    }

    /// The template's variable names, in order.
    pub fn variables(&self) -> &[String] {
        &self.variables
    }

    /// The variables of `uri` when it is an expansion of this template.
    pub fn matches(&self, uri: &str) -> Option<Vars> {
        if uri.len() > MAX_URI_LEN {
            return None;
        }
        let mut captured = Vec::new();
        self.match_from(0, uri, 0, &mut captured)
            .then_some(Vars(captured))
    }

    fn match_from(
        &self,
        part: usize,
        uri: &str,
        pos: usize,
        captured: &mut Vec<(String, String)>,
    ) -> bool {
        let Some(current) = self.parts.get(part) else {
            return pos == uri.len();
        };
        match current {
            Part::Literal(literal) => {
                uri[pos..].starts_with(literal.as_str())
                    && self.match_from(part + 1, uri, pos + literal.len(), captured)
            }
            Part::Expression { op, vars } => {
                // The expansion cannot extend past a character its operator would have encoded
                // (the leading operator character itself is allowed).
                let rest = &uri[pos..];
                let skip = op
                    .first()
                    .filter(|&f| rest.starts_with(f))
                    .map_or(0, char::len_utf8);
                let limit = rest[skip..]
                    .find(|c| !op.allows(c))
                    .map_or(uri.len(), |i| pos + skip + i);
                // Longest expansion first, so a trailing expression takes the rest of the URI.
                for end in (pos..=limit).rev().filter(|&end| uri.is_char_boundary(end)) {
                    let Some(values) = match_expression(*op, vars, &uri[pos..end]) else {
                        continue;
                    };
                    let mark = captured.len();
                    captured.extend(values);
                    if self.match_from(part + 1, uri, end, captured) {
                        return true;
                    }
                    captured.truncate(mark);
                }
                false
            }
        }
    }
}

/// The variables of one expression's expansion `text`, or `None` when `text` cannot be one.
fn match_expression(op: Op, vars: &[String], text: &str) -> Option<Vec<(String, String)>> {
    if text.is_empty() {
        // Every variable undefined: the expression expands to nothing.
        return Some(Vec::new());
    }
    let body = match op.first() {
        Some(first) => text.strip_prefix(first)?,
        None => text,
    };
    let items = body.split(op.separator());
    let mut values = Vec::new();
    if op.named() {
        for item in items {
            let (name, value) = item.split_once('=').unwrap_or((item, ""));
            if !vars.iter().any(|v| v == name)
                || values.iter().any(|(n, _): &(String, String)| n == name)
            {
                return None;
            }
            values.push((name.to_owned(), decode(value)?));
        }
    } else {
        let items: Vec<&str> = items.collect();
        if items.len() > vars.len() {
            return None;
        }
        for (name, value) in vars.iter().zip(items) {
            values.push((name.clone(), decode(value)?));
        }
    }
    Some(values)
}

/// Percent-decodes `text`; `None` for a malformed escape or bytes that are not UTF-8.
fn decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(template: &str, uri: &str) -> Option<Vec<(String, String)>> {
        UriTemplate::parse(template)
            .unwrap()
            .matches(uri)
            .map(|v| v.0)
    }

    fn pairs(list: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
        Some(
            list.iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn simple_variable() {
        assert_eq!(
            vars("docs://pages/{slug}", "docs://pages/intro"),
            pairs(&[("slug", "intro")])
        );
        assert_eq!(
            vars("docs://pages/{slug}", "docs://pages/getting-started"),
            pairs(&[("slug", "getting-started")])
        );
        assert_eq!(vars("docs://pages/{slug}", "docs://posts/intro"), None);
        assert_eq!(vars("docs://pages/{slug}", "docs://pages/a/b"), None);
    }

    #[test]
    fn literal_after_expression() {
        assert_eq!(
            vars("db://{table}/rows/{id}.json", "db://users/rows/42.json"),
            pairs(&[("table", "users"), ("id", "42")])
        );
        assert_eq!(
            vars("db://{table}/rows/{id}.json", "db://users/rows/42.xml"),
            None
        );
    }

    #[test]
    fn values_are_percent_decoded() {
        assert_eq!(
            vars("x://{q}", "x://caf%C3%A9%20au%2Flait"),
            pairs(&[("q", "café au/lait")])
        );
        assert_eq!(vars("x://{q}", "x://bad%zz"), None);
        assert_eq!(vars("x://{q}", "x://%ff"), None);
    }

    #[test]
    fn several_simple_variables() {
        assert_eq!(
            vars("map://{x,y}", "map://1,2"),
            pairs(&[("x", "1"), ("y", "2")])
        );
        assert_eq!(vars("map://{x,y}", "map://1"), pairs(&[("x", "1")]));
        assert_eq!(vars("map://{x,y}", "map://1,2,3"), None);
    }

    #[test]
    fn reserved_and_fragment_keep_slashes() {
        assert_eq!(
            vars("file:///{+path}", "file:///etc/motd"),
            pairs(&[("path", "etc/motd")])
        );
        assert_eq!(
            vars("doc://page{#section}", "doc://page#intro/part"),
            pairs(&[("section", "intro/part")])
        );
        assert_eq!(vars("doc://page{#section}", "doc://page"), pairs(&[]));
    }

    #[test]
    fn label_and_path_segments() {
        assert_eq!(
            vars("host://www{.domain}", "host://www.example"),
            pairs(&[("domain", "example")])
        );
        assert_eq!(
            vars("repo://r{/owner,name}", "repo://r/rust-lang/rust"),
            pairs(&[("owner", "rust-lang"), ("name", "rust")])
        );
        assert_eq!(
            vars("repo://r{/owner}/issues", "repo://r/rust-lang/issues"),
            pairs(&[("owner", "rust-lang")])
        );
    }

    #[test]
    fn path_parameters() {
        assert_eq!(
            vars("m://x{;lat,lon}", "m://x;lat=1.5;lon=2"),
            pairs(&[("lat", "1.5"), ("lon", "2")])
        );
        assert_eq!(vars("m://x{;flag}", "m://x;flag"), pairs(&[("flag", "")]));
    }

    #[test]
    fn query_and_continuation() {
        let template = UriTemplate::parse("search://items{?q,limit}").unwrap();
        let mut found = template
            .matches("search://items?q=rust%20mcp&limit=5")
            .unwrap();
        assert_eq!(
            (found.take("q"), found.take("limit")),
            ("rust mcp".to_owned(), "5".to_owned())
        );
        let found = template.matches("search://items?limit=5").unwrap();
        assert_eq!((found.get("q"), found.get("limit")), ("", "5"));
        assert!(template.matches("search://items").is_some());
        assert!(template.matches("search://items?other=1").is_none());
        assert_eq!(
            vars("s://i?fixed=1{&page}", "s://i?fixed=1&page=2"),
            pairs(&[("page", "2")])
        );
    }

    #[test]
    fn variables_in_order() {
        let template = UriTemplate::parse("a://{x}/{+y}{?z}").unwrap();
        assert_eq!(template.variables(), ["x", "y", "z"]);
    }

    #[test]
    fn unsupported_or_malformed_templates_are_rejected() {
        for bad in [
            "a://{x*}",
            "a://{x:3}",
            "a://{x",
            "a://x}",
            "a://{}",
            "a://{x,x}",
            "a://{a b}",
        ] {
            assert!(UriTemplate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn literal_only_template() {
        assert_eq!(vars("a://fixed", "a://fixed"), pairs(&[]));
        assert_eq!(vars("a://fixed", "a://fixed/"), None);
    }
}
