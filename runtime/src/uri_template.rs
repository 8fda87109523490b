//! RFC 6570 URI templates as mcpgen supports them: parsing (with located errors, for mcpgen's validator) and
//! matching URIs against them (the reverse of expansion, for the generated servers). One implementation for
//! both, so a template the validator accepts is one a server can serve.
//!
//! Supports levels 1-3: every operator (`{x}`, `{+x}`, `{#x}`, `{.x}`, `{/x}`, `{;x}`, `{?x,y}`, `{&x}`) with one
//! or more variables; the level-4 prefix (`{x:3}`) and explode (`{x*}`) modifiers are rejected when parsing.
//! Matched values are percent-decoded; a variable absent from the URI (allowed by the named operators) matches
//! as "".

use std::collections::HashMap;
use std::fmt;

/// Longest URI tried against a template: matching takes memory linear in it.
const MAX_URI_LEN: usize = 8 * 1024;

/// A parsed URI template.
#[derive(Debug, Clone)]
pub struct UriTemplate {
    parts: Vec<Part>,
    variables: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
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

    /// Every variable the URI gave, as name and value, in template order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
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
    /// Parses `template`, summing up every problem in one message (see [`parse`] for them one by one, located).
    pub fn parse(template: &str) -> Result<Self, String> {
        parse(template).map_err(|errors| {
            let problems: Vec<String> = errors.iter().map(ToString::to_string).collect();
            format!("URI template {template:?}: {}", problems.join("; "))
        })
    }

    /// The template's variable names, in order of appearance (each appears once).
    pub fn variables(&self) -> impl ExactSizeIterator<Item = &str> {
        self.variables.iter().map(String::as_str)
    }

    /// The literal text before the first expression (where the scheme must be).
    pub fn literal_prefix(&self) -> &str {
        match self.parts.first() {
            Some(Part::Literal(s)) => s,
            _ => "",
        }
    }

    /// The variables of `uri` when it is an expansion of this template.
    ///
    /// When several splits of `uri` fit, each expression takes the longest text that lets the rest match, left to
    /// right (so a trailing expression takes the rest of the URI). Time and memory are linear in the length of
    /// `uri` (each part of the template is tried from each position in each of a few states once), and a
    /// match that would take more than a fixed budget of steps anyway is "no match".
    pub fn matches(&self, uri: &str) -> Option<Vars> {
        self.match_counting(uri).0
    }

    /// [`matches`](Self::matches), and the number of steps it took.
    fn match_counting(&self, uri: &str) -> (Option<Vars>, usize) {
        if uri.len() > MAX_URI_LEN {
            return (None, 0);
        }
        let mut matcher = Matcher {
            parts: &self.parts,
            uri,
            ends: vec![None; self.parts.len() * (uri.len() + 1)],
            scans: HashMap::new(),
            steps: 0,
        };
        let found = matcher.rest_matches(0, 0).then(|| matcher.captures());
        let steps = matcher.steps;
        (found.flatten().filter(|_| steps <= MAX_STEPS), steps)
    }
}

/// Most steps one match may take (a backstop: matching is linear, about `parts × URI length × a few` steps).
const MAX_STEPS: usize = 1 << 22;

/// One match of a URI against a template's parts: which part ends where, found by memoised search.
struct Matcher<'a> {
    parts: &'a [Part],
    uri: &'a str,
    /// For part `i` starting at byte `p` (index `i * (uri.len() + 1) + p`), once known: where it ends in the
    /// match of the whole rest of the URI, `None` when the rest cannot match from there.
    ends: Vec<Option<Option<usize>>>,
    /// For an expression part, a position inside its text and the scan's state there: the longest end at or
    /// after the position that lets the rest match (see [`Matcher::scan`]).
    scans: HashMap<(usize, usize, Scan), Option<usize>>,
    steps: usize,
}

impl Matcher<'_> {
    /// Whether `parts[part..]` match `uri[pos..]`.
    fn rest_matches(&mut self, part: usize, pos: usize) -> bool {
        if part == self.parts.len() {
            pos == self.uri.len()
        } else {
            self.end(part, pos).is_some()
        }
    }

    /// Where `parts[part]`, starting at `pos`, ends in the match of the rest; `None` when there is none.
    fn end(&mut self, part: usize, pos: usize) -> Option<usize> {
        let slot = part * (self.uri.len() + 1) + pos;
        if let Some(known) = self.ends[slot] {
            return known;
        }
        let parts = self.parts;
        let found = if self.steps > MAX_STEPS {
            None
        } else {
            match &parts[part] {
                Part::Literal(literal) => {
                    self.steps += 1;
                    let end = pos + literal.len();
                    (self.uri[pos..].starts_with(literal.as_str())
                        && self.rest_matches(part + 1, end))
                    .then_some(end)
                }
                Part::Expression { op, vars } => self.scan(part, *op, vars, pos),
            }
        };
        self.ends[slot] = Some(found);
        found
    }

    /// The longest text from `pos` that is an expansion of the expression `parts[part]` and after which the
    /// rest matches. Reads the URI forward one character at a time in a [`Scan`] state, which decides whether
    /// the text so far is an expansion; where another start already scanned the same position in the same
    /// state, it reuses that scan's answer, so each (part, position, state) is scanned once.
    fn scan(&mut self, part: usize, op: Op, vars: &[String], pos: usize) -> Option<usize> {
        let mut trail = Vec::new();
        let (mut at, mut state) = (pos, Scan::new(op, vars));
        let mut longest = loop {
            if let Some(&known) = self.scans.get(&(part, at, state.clone())) {
                break known;
            }
            self.steps += 1;
            if self.steps > MAX_STEPS {
                return None;
            }
            let next = self.uri[at..]
                .chars()
                .next()
                .and_then(|c| Some((at + c.len_utf8(), state.step(op, vars, self.uri, at, c)?)));
            trail.push((at, state));
            match next {
                Some(next) => (at, state) = next,
                None => break None,
            }
        };
        while let Some((at, state)) = trail.pop() {
            if longest.is_none()
                && state.accepts(vars, self.uri, at)
                && self.rest_matches(part + 1, at)
            {
                longest = Some(at);
            }
            self.scans.insert((part, at, state), longest);
        }
        longest
    }

    /// The variables of the match found by [`rest_matches`](Self::rest_matches)`(0, 0)`.
    fn captures(&self) -> Option<Vars> {
        let (mut captured, mut pos) = (Vec::new(), 0);
        for (part, current) in self.parts.iter().enumerate() {
            let end = self.ends[part * (self.uri.len() + 1) + pos]??;
            if let Part::Expression { op, vars } = current {
                captured.extend(match_expression(*op, vars, &self.uri[pos..end])?);
            }
            pos = end;
        }
        Some(Vars(captured))
    }
}

/// Where a scan of one expression's expansion is after reading some text: enough to decide whether the text is
/// an expansion, and whether a longer one can be, without looking back at the text (only at the name being
/// read, whose length it keeps).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Scan {
    /// Whether any text has been read.
    started: bool,
    /// Unnamed operators: how many values are complete (separators read).
    values: usize,
    /// Named operators: which variables the text has given, a bit per variable.
    given: Vec<u64>,
    /// Named operators: the length of the name being read, `None` once its `=` is read.
    name: Option<usize>,
    /// A percent escape being read: `Some(None)` after `%`, `Some(Some(d))` after `%` and the hex digit `d`.
    escape: Option<Option<u8>>,
    /// The decoded bytes of a character not yet complete.
    partial: [u8; 4],
    partial_len: u8,
}

impl Scan {
    fn new(op: Op, vars: &[String]) -> Scan {
        Scan {
            started: false,
            values: 0,
            given: if op.named() {
                vec![0; vars.len().div_ceil(64)]
            } else {
                Vec::new()
            },
            name: op.named().then_some(0),
            escape: None,
            partial: [0; 4],
            partial_len: 0,
        }
    }

    /// Whether the text read, ending at `at`, is an expansion (as [`match_expression`] decides).
    fn accepts(&self, vars: &[String], uri: &str, at: usize) -> bool {
        if !self.started {
            return true; // every variable undefined
        }
        match self.name {
            Some(len) => self.unseen(vars, &uri[at - len..at]).is_some(),
            None => self.escape.is_none() && self.partial_len == 0,
        }
    }

    /// The state after reading `c` at `at`; `None` when no text starting with what was read, then `c`, is an
    /// expansion.
    fn step(&self, op: Op, vars: &[String], uri: &str, at: usize, c: char) -> Option<Scan> {
        let mut next = self.clone();
        if !self.started {
            next.started = true;
            if let Some(first) = op.first() {
                return (c == first).then_some(next);
            }
        }
        if !op.allows(c) {
            return None;
        }
        if let Some(len) = self.name {
            if c == '=' || c == op.separator() {
                let index = self.unseen(vars, &uri[at - len..at])?;
                next.given[index / 64] |= 1 << (index % 64);
                next.name = (c != '=').then_some(0);
            } else {
                let name = &uri[at - len..at + c.len_utf8()];
                if !vars.iter().any(|v| v.starts_with(name)) {
                    return None;
                }
                next.name = Some(len + c.len_utf8());
            }
            return Some(next);
        }
        match self.escape {
            Some(high) => {
                let digit = c.to_digit(16)? as u8;
                match high {
                    None => next.escape = Some(Some(digit)),
                    Some(high) => {
                        next.escape = None;
                        next.push(high << 4 | digit)?;
                    }
                }
            }
            None if c == '%' => next.escape = Some(None),
            None if c == op.separator() => {
                if self.partial_len != 0 {
                    return None; // the value before is not UTF-8
                }
                if op.named() {
                    next.name = Some(0);
                } else {
                    next.values += 1;
                    if next.values >= vars.len() {
                        return None; // more values than variables
                    }
                }
            }
            None => {
                for &byte in c.encode_utf8(&mut [0; 4]).as_bytes() {
                    next.push(byte)?;
                }
            }
        }
        Some(next)
    }

    /// Adds a decoded byte to the value; `None` when the value cannot be UTF-8 any more.
    fn push(&mut self, byte: u8) -> Option<()> {
        self.partial[usize::from(self.partial_len)] = byte;
        self.partial_len += 1;
        match std::str::from_utf8(&self.partial[..usize::from(self.partial_len)]) {
            Ok(_) => self.partial_len = 0,
            Err(e) if e.error_len().is_none() => {} // a character begun
            Err(_) => return None,
        }
        Some(())
    }

    /// The index of the variable `name`, when the text has not given it yet.
    fn unseen(&self, vars: &[String], name: &str) -> Option<usize> {
        let index = vars.iter().position(|v| v == name)?;
        (self.given[index / 64] & 1 << (index % 64) == 0).then_some(index)
    }
}

/// A problem in a template, with the byte range of the offending text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte offset where the offending text starts.
    pub start: usize,
    /// Byte offset just past the offending text.
    pub end: usize,
    /// What is wrong.
    pub kind: TemplateErrorKind,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for TemplateError {}

/// What is wrong in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateErrorKind {
    /// `{` without a matching `}`.
    Unclosed,
    /// `}` outside an expression.
    StrayClose,
    /// `{}`.
    Empty,
    /// An operator with no variable after it, such as `{+}` (RFC 6570 requires at least one).
    NoVariable(char),
    /// One of the operators RFC 6570 reserves for future use (`= , ! @ |`).
    ReservedOperator(char),
    /// A variable name outside RFC 6570's `varname` grammar.
    InvalidVariable(String),
    /// The level-4 explode modifier (`{x*}`), which matching does not support.
    Explode(String),
    /// The level-4 prefix modifier (`{x:3}`), which matching does not support.
    Prefix(String),
    /// A character RFC 6570 does not allow in literal text.
    InvalidLiteral(char),
    /// A variable named twice: each becomes one handler parameter.
    DuplicateVariable(String),
}

impl fmt::Display for TemplateErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unclosed => write!(f, "unclosed expression: `{{` without a matching `}}`"),
            Self::StrayClose => write!(f, "`}}` outside an expression"),
            Self::Empty => write!(f, "empty expression `{{}}`"),
            Self::NoVariable(op) => {
                write!(f, "expression `{{{op}}}` has an operator but no variable")
            }
            Self::ReservedOperator(op) => {
                write!(
                    f,
                    "operator `{op}` is reserved by RFC 6570 and has no meaning"
                )
            }
            Self::InvalidVariable(name) => write!(
                f,
                "invalid variable name `{name}`: use letters, digits, `_` and `.` (not at the ends)"
            ),
            Self::Explode(name) => write!(f, "explode modifier `*` on `{name}` is not supported"),
            Self::Prefix(name) => write!(f, "prefix modifier `:N` on `{name}` is not supported"),
            Self::InvalidLiteral(c) => {
                write!(
                    f,
                    "character `{c}` is not allowed in a URI template literal"
                )
            }
            Self::DuplicateVariable(name) => write!(f, "variable `{name}` appears more than once"),
        }
    }
}

const RESERVED_OPERATORS: &str = "=,!@|";

/// Parses `template`, reporting every problem found, each with its byte range (mcpgen's validator points at
/// them).
pub fn parse(template: &str) -> Result<UriTemplate, Vec<TemplateError>> {
    let mut parts = Vec::new();
    let mut errors = Vec::new();
    let mut variables: Vec<String> = Vec::new();
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
                match parse_expression(body, i + 1, &mut variables) {
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
        Ok(UriTemplate { parts, variables })
    } else {
        Err(errors)
    }
}

/// One expression's `body` (between the braces, starting at byte `offset`); `seen` collects the template's
/// variables so far.
fn parse_expression(
    body: &str,
    offset: usize,
    seen: &mut Vec<String>,
) -> Result<Part, Vec<TemplateError>> {
    let mut errors = Vec::new();
    let mut chars = body.chars();
    let first = chars.next();
    let (op, list, list_offset) = match first.map(|c| (c, Op::from_char(c))) {
        Some((_, Some(op))) => (op, chars.as_str(), offset + 1),
        Some((c, None)) if RESERVED_OPERATORS.contains(c) => {
            errors.push(TemplateError {
                start: offset,
                end: offset + 1,
                kind: TemplateErrorKind::ReservedOperator(c),
            });
            (Op::Simple, chars.as_str(), offset + 1)
        }
        _ => (Op::Simple, body, offset),
    };
    let mut vars = Vec::new();
    let mut at = list_offset;
    for spec in list.split(',') {
        let (start, end) = (at, at + spec.len());
        at = end + 1;
        if spec.is_empty() && list.is_empty() {
            // `{}` is reported as an empty expression by the caller, `{=}` as a reserved operator above.
            if let (Some(c), true) = (first, errors.is_empty() && !body.is_empty()) {
                errors.push(TemplateError {
                    start: offset - 1,
                    end: offset + body.len() + 1,
                    kind: TemplateErrorKind::NoVariable(c),
                });
            }
            continue;
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
        vars.push(name.to_owned());
    }
    if errors.is_empty() {
        Ok(Part::Expression { op, vars })
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
            values.push((name.to_owned(), percent_decode(value)?));
        }
    } else {
        let items: Vec<&str> = items.collect();
        if items.len() > vars.len() {
            return None;
        }
        for (name, value) in vars.iter().zip(items) {
            values.push((name.clone(), percent_decode(value)?));
        }
    }
    Some(values)
}

/// Percent-decodes `text`; `None` for a malformed escape or bytes that are not UTF-8. (mcpgen decodes `$ref`
/// fragments with it too.)
pub fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |at: usize| char::from(*bytes.get(at)?).to_digit(16);
            out.push((hex(i + 1)? << 4 | hex(i + 2)?) as u8);
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
                op: Op::Query,
                vars: vec!["limit".into(), "offset".into()]
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

    /// mcpgen's validator used to accept an operator without a variable (`{+}`), which the server's matcher
    /// refused at start-up; RFC 6570 requires at least one variable (`variable-list = varspec *( "," varspec )`).
    #[test]
    fn an_operator_needs_a_variable() {
        for op in ['+', '#', '.', '/', ';', '?', '&'] {
            let template = format!("x://a{{{op}}}");
            let errors = parse(&template).unwrap_err();
            assert_eq!(
                errors,
                [TemplateError {
                    start: 5,
                    end: 8,
                    kind: TemplateErrorKind::NoVariable(op)
                }],
                "{template}"
            );
            assert!(UriTemplate::parse(&template).is_err(), "{template}");
        }
        // A reserved operator alone is reported once, as reserved.
        assert_eq!(kinds("x://{=}"), [TemplateErrorKind::ReservedOperator('=')]);
    }

    #[test]
    fn varnames() {
        assert!(is_varname("a.b_c9") && is_varname("%41b"));
        assert!(
            !is_varname("a..b") && !is_varname(".a") && !is_varname("a%4") && !is_varname("a b")
        );
    }

    /// The matcher before it was made linear: every split, longest first, backtracking. The reference the
    /// linear one must agree with.
    fn backtracking(
        parts: &[Part],
        uri: &str,
        pos: usize,
        captured: &mut Vec<(String, String)>,
    ) -> bool {
        let Some((current, rest)) = parts.split_first() else {
            return pos == uri.len();
        };
        match current {
            Part::Literal(literal) => {
                uri[pos..].starts_with(literal.as_str())
                    && backtracking(rest, uri, pos + literal.len(), captured)
            }
            Part::Expression { op, vars } => {
                let tail = &uri[pos..];
                let skip = op
                    .first()
                    .filter(|&f| tail.starts_with(f))
                    .map_or(0, char::len_utf8);
                let limit = tail[skip..]
                    .find(|c| !op.allows(c))
                    .map_or(uri.len(), |i| pos + skip + i);
                for end in (pos..=limit).rev().filter(|&end| uri.is_char_boundary(end)) {
                    let Some(values) = match_expression(*op, vars, &uri[pos..end]) else {
                        continue;
                    };
                    let mark = captured.len();
                    captured.extend(values);
                    if backtracking(rest, uri, end, captured) {
                        return true;
                    }
                    captured.truncate(mark);
                }
                false
            }
        }
    }

    #[test]
    fn agrees_with_backtracking_on_random_uris() {
        let templates = [
            "x://{a}",
            "x://{a}{b}",
            "x://{a,b}/{c}.json",
            "x://f{/dir,name}{.ext}",
            "x://{+p}{#f}",
            "x://{/a,b,c}{.d,e}{?f,g}",
            "x://s{?q,limit}{&page}",
            "x://m{;lat,lon}",
            "x://{a}%41{b}",
        ];
        let tokens = [
            "a", "b", "/", ".", ",", "=", "&", "?", ";", "#", "%", "%4", "%41", "%C3", "%A9", "é",
            "q", "limit", "f", "lat", "%2C",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut random = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut matched = 0;
        for template in templates {
            let parsed = UriTemplate::parse(template).unwrap();
            let prefix = &template[..template.find(['{', '%']).unwrap()];
            for _ in 0..4000 {
                let mut uri = prefix.to_owned();
                for _ in 0..random(9) {
                    uri.push_str(tokens[random(tokens.len())]);
                }
                let mut expected = Vec::new();
                let expected =
                    backtracking(&parsed.parts, &uri, 0, &mut expected).then_some(Vars(expected));
                matched += usize::from(expected.is_some());
                assert_eq!(parsed.matches(&uri), expected, "{template} against {uri}");
            }
        }
        assert!(matched > 1000, "only {matched} random URIs matched");
    }

    /// Matching takes a number of steps linear in the URI's length, on URIs built to make a backtracking
    /// matcher try every split (issue #25: `note://files/` and dots took cubic time).
    #[test]
    fn hostile_uris_take_linear_steps() {
        let cases = [
            ("note://files{/dir,name}{.ext}", "note://files/", ".", "?"),
            ("note://files{/dir,name}{.ext}", "note://files/", "/.", "?"),
            ("x://{a}{b}{c}{d}", "x://", "a", "?"),
            ("x://{a}{b}{c}{d}", "x://", "a,", "/"),
            ("x://{a,b}{c,d}{e,f}", "x://", "a,", "?"),
            ("x://{/a,b,c}{.d,e}{?f,g}", "x://", "/.", "#"),
            ("x://{/a,b,c}{.d,e}{?f,g}", "x://", "/a.b", "?f=1&g=2&f"),
            ("x://{+a}{#b}{+c}", "x://", "a#,", "%"),
            ("x://{;a,b}{;c}", "x://", ";a=;b", "/"),
            ("x://{/a,b,c}{.d,e}{?f,g}", "x:///a/b.c", "a", "#"),
            ("x://{a}{b}{c}{d}", "x://", "%41", "?"),
            ("x://{+a}{+b}{+c}", "x://", "a", "%"),
            ("x://{+a,b}{#c,d}", "x://", "a,#", "%"),
            ("x://{?a,b}{&c}", "x://?a=", "b", "#"),
            ("x://{?a,b}{&c}", "x://", "?a=&b=&", "#"),
        ];
        for (template, prefix, unit, tail) in cases {
            let parsed = UriTemplate::parse(template).unwrap();
            let mut uri = prefix.to_owned() + &unit.repeat(MAX_URI_LEN / unit.len());
            uri.truncate(MAX_URI_LEN - tail.len());
            uri.push_str(tail);
            assert_eq!(uri.len(), MAX_URI_LEN);
            let (found, steps) = parsed.match_counting(&uri);
            println!("{template} against {prefix}{unit}...{tail}: {steps} steps");
            assert_eq!(found, None, "{template} against {prefix}{unit}...{tail}");
            // Each part is tried from each position in a few states at most.
            let bound = 4 * parsed.parts.len() * (uri.len() + 1);
            assert!(
                steps <= bound,
                "{template} against {prefix}{unit}...{tail}: {steps} steps, more than {bound}"
            );
        }
        // The same URIs without the character that spoils them match, in as few steps.
        let parsed = UriTemplate::parse("note://files{/dir,name}{.ext}").unwrap();
        let uri = format!("note://files/{}", ".".repeat(MAX_URI_LEN - 13));
        let (found, steps) = parsed.match_counting(&uri);
        let found = found.unwrap();
        assert_eq!(found.get("dir").len(), MAX_URI_LEN - 13);
        assert!(steps <= 4 * 3 * (uri.len() + 1), "{steps} steps");
    }

    #[test]
    fn over_the_step_budget_is_no_match() {
        let parsed = UriTemplate::parse("x://{a}").unwrap();
        let mut matcher = Matcher {
            parts: &parsed.parts,
            uri: "x://abc",
            ends: vec![None; parsed.parts.len() * 8],
            scans: HashMap::new(),
            steps: MAX_STEPS,
        };
        assert!(!matcher.rest_matches(0, 0));
        assert_eq!(parsed.match_counting("x://abc").0.unwrap().get("a"), "abc");
    }

    /// Asserts that `template` matches `uri` with these variables, in order.
    fn assert_vars(template: &str, uri: &str, want: &[(&str, &str)]) {
        let found = UriTemplate::parse(template).unwrap().matches(uri);
        let got = found.map(|v| v.0);
        let want = want.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned()));
        assert_eq!(got, Some(want.collect()), "{template} against {uri}");
    }

    fn assert_no_match(template: &str, uri: &str) {
        let found = UriTemplate::parse(template).unwrap().matches(uri);
        assert!(found.is_none(), "{template} against {uri}: {found:?}");
    }

    #[test]
    fn simple_variable() {
        let t = "docs://pages/{slug}";
        assert_vars(t, "docs://pages/intro", &[("slug", "intro")]);
        assert_vars(
            t,
            "docs://pages/getting-started",
            &[("slug", "getting-started")],
        );
        assert_no_match(t, "docs://posts/intro");
        assert_no_match(t, "docs://pages/a/b");
    }

    #[test]
    fn literal_after_expression() {
        let t = "db://{table}/rows/{id}.json";
        assert_vars(
            t,
            "db://users/rows/42.json",
            &[("table", "users"), ("id", "42")],
        );
        assert_no_match(t, "db://users/rows/42.xml");
    }

    #[test]
    fn values_are_percent_decoded() {
        assert_vars(
            "x://{q}",
            "x://caf%C3%A9%20au%2Flait",
            &[("q", "café au/lait")],
        );
        assert_no_match("x://{q}", "x://bad%zz");
        assert_no_match("x://{q}", "x://%ff");
    }

    /// An escape is `%` and two hex digits (`%+1` once decoded as byte 1, through `u8::from_str_radix`).
    #[test]
    fn escapes_are_two_hex_digits() {
        assert_no_match("x://{q}", "x://a%+1");
        assert_no_match("x://{q}", "x://a%2");
        assert_vars("x://{q}", "x://a%2b", &[("q", "a+")]);
    }

    #[test]
    fn several_simple_variables() {
        assert_vars("map://{x,y}", "map://1,2", &[("x", "1"), ("y", "2")]);
        assert_vars("map://{x,y}", "map://1", &[("x", "1")]);
        assert_no_match("map://{x,y}", "map://1,2,3");
    }

    #[test]
    fn reserved_and_fragment_keep_slashes() {
        assert_vars(
            "file:///{+path}",
            "file:///etc/motd",
            &[("path", "etc/motd")],
        );
        let t = "doc://page{#section}";
        assert_vars(t, "doc://page#intro/part", &[("section", "intro/part")]);
        assert_vars(t, "doc://page", &[]);
    }

    #[test]
    fn label_and_path_segments() {
        assert_vars(
            "host://www{.domain}",
            "host://www.example",
            &[("domain", "example")],
        );
        let (owner, name) = (("owner", "rust-lang"), ("name", "rust"));
        assert_vars(
            "repo://r{/owner,name}",
            "repo://r/rust-lang/rust",
            &[owner, name],
        );
        assert_vars(
            "repo://r{/owner}/issues",
            "repo://r/rust-lang/issues",
            &[owner],
        );
    }

    #[test]
    fn path_parameters() {
        assert_vars(
            "m://x{;lat,lon}",
            "m://x;lat=1.5;lon=2",
            &[("lat", "1.5"), ("lon", "2")],
        );
        assert_vars("m://x{;flag}", "m://x;flag", &[("flag", "")]);
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
        assert_vars(
            "s://i?fixed=1{&page}",
            "s://i?fixed=1&page=2",
            &[("page", "2")],
        );
    }

    #[test]
    fn variables_in_order() {
        let template = UriTemplate::parse("a://{x}/{+y}{?z}").unwrap();
        assert_eq!(template.variables().collect::<Vec<_>>(), ["x", "y", "z"]);
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
        assert_vars("a://fixed", "a://fixed", &[]);
        assert_no_match("a://fixed", "a://fixed/");
    }
}
