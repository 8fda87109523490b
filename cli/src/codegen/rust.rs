//! The one way user text reaches Rust source: string literals and doc comments. The view model calls these; templates
//! never escape anything themselves.

use std::fmt::Write as _;

/// Characters rustc rejects in literals and comments (`text_direction_codepoint_in_literal` and `..._in_comment`
/// are deny-by-default) or that would make the generated source read differently from what it does: bidi controls,
/// zero-width and line/paragraph separators, and the byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{061c}')
}

/// A Rust string literal (`"..."`) whose value is exactly `text`. Printable Unicode (emoji, accents) stays as is for
/// readable output; quotes, backslashes, control and invisible characters are escaped.
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() || is_invisible(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Rust string literal for `text`, as a raw string (`r#"..."#`) when that is possible, which keeps JSON readable
/// in generated code; with enough `#`s that no `"#...` inside can end it. Text a raw string cannot hold (control
/// and invisible characters) falls back to [`string_literal`].
pub fn raw_string_literal(text: &str) -> String {
    if text
        .chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || is_invisible(c) || c == '\r')
    {
        return string_literal(text);
    }
    // The longest run of `#` right after a quote decides how many the delimiters need.
    let mut longest = 0;
    let mut rest = text;
    while let Some(i) = rest.find('"') {
        rest = &rest[i + 1..];
        let run = rest.len() - rest.trim_start_matches('#').len();
        longest = longest.max(run + 1);
    }
    let hashes = "#".repeat(longest);
    format!("r{hashes}\"{text}\"{hashes}")
}

/// `///` doc-comment lines (each ending in `\n`) for `text`, indented by `indent`. Empty text gives no lines.
/// Comments cannot hold every character, so invisible characters are shown as `\u{..}` escapes, tabs become
/// spaces (clippy's `tabs_in_doc_comments`) and trailing blanks are trimmed.
pub fn doc_comment(text: &str, indent: &str) -> String {
    let text = text.trim_end();
    if text.trim().is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for line in text.lines() {
        let mut clean = String::with_capacity(line.len());
        for c in line.chars() {
            match c {
                '\t' => clean.push_str("    "),
                c if c.is_control() || is_invisible(c) => {
                    let _ = write!(clean, "\\u{{{:x}}}", c as u32);
                }
                c => clean.push(c),
            }
        }
        let clean = clean.trim_end();
        if clean.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {clean}");
        }
    }
    out
}

/// `text` as one line safe inside a comment or Markdown code span: line breaks, control and invisible characters
/// become spaces and backticks become `'`, so a name can be quoted in prose without ending the span.
pub fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() || is_invisible(c) => ' ',
            c => c,
        })
        .collect()
}

/// A one-line summary of `text` for places where only a line fits (comments in lists, README tables): the first
/// line, cut at `max` characters with an ellipsis, with the same cleaning as [`doc_comment`].
pub fn summary_line(text: &str, max: usize) -> String {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let clean: String = first
        .chars()
        .map(|c| {
            if c.is_control() || is_invisible(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    if clean.chars().count() <= max {
        clean
    } else {
        let cut: String = clean.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &[&str] = &[
        "",
        "plain",
        "quote \" and backslash \\ and \\\" mixed",
        "raw-string breaker \"# and \"## and r#\"",
        "block comment */ /* and line comment //",
        "tera {{ x }} {% if %} {# c #}",
        "new\nline\r\nand\ttab",
        "nul \0 and bell \u{7} and del \u{7f}",
        "emoji 🌧️🔥 and 日本語 and é",
        "rtl \u{202e}evil\u{202c} and \u{2066}isolate\u{2069} and \u{200f}mark \u{feff}bom",
        "line sep \u{2028} para sep \u{2029}",
        "{} {:?} {0} format braces",
        "\\u{41} looks like an escape",
    ];

    /// Each hostile text, quoted by `quote`, parses back as a Rust string literal to the same text.
    fn round_trips(quote: fn(&str) -> String) -> Vec<String> {
        HOSTILE
            .iter()
            .map(|&text| {
                let lit = quote(text);
                let parsed: syn::LitStr =
                    syn::parse_str(&lit).unwrap_or_else(|e| panic!("{lit}: {e}"));
                assert_eq!(parsed.value(), text, "literal {lit}");
                lit
            })
            .collect()
    }

    #[test]
    fn string_literal_round_trips_through_rustc_syntax() {
        for lit in round_trips(string_literal) {
            assert!(
                !lit.chars().any(is_invisible),
                "invisible char left in {lit}"
            );
        }
    }

    #[test]
    fn raw_string_literal_round_trips() {
        round_trips(raw_string_literal);
        assert_eq!(raw_string_literal(r#"{"a":"b"}"#), r##"r#"{"a":"b"}"#"##);
        assert_eq!(raw_string_literal("no quotes"), "r\"no quotes\"");
        assert_eq!(raw_string_literal(r##"x"#y"##), r###"r##"x"#y"##"###);
    }

    #[test]
    fn doc_comment_stays_a_comment() {
        for &text in HOSTILE {
            let doc = doc_comment(text, "    ");
            let src = format!("{doc}    pub struct S;");
            let item: syn::Item = syn::parse_str(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
            let syn::Item::Struct(s) = item else {
                panic!("not a struct: {src}")
            };
            assert_eq!(s.ident, "S");
            assert!(
                !doc.chars()
                    .any(|c| is_invisible(c) || c == '\t' || c == '\r'),
                "{doc:?}"
            );
        }
        assert_eq!(doc_comment("  \n ", ""), "");
        assert_eq!(doc_comment("a\n\nb", ""), "/// a\n///\n/// b\n");
    }

    #[test]
    fn comment_text_is_one_safe_line() {
        for &text in HOSTILE {
            let line = comment_text(text);
            let src = format!("// `{line}`\nstruct S;");
            syn::parse_str::<syn::Item>(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
            assert!(
                !line.contains(['\n', '\r', '`']) && !line.chars().any(is_invisible),
                "{line:?}"
            );
        }
    }

    #[test]
    fn summary_line_cuts() {
        assert_eq!(summary_line("\n  First line.\nSecond", 80), "First line.");
        assert_eq!(summary_line("abcdef", 4), "abc…");
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn string_literal_parses_back_to_the_same_text(text in any::<String>()) {
            let lit = string_literal(&text);
            let parsed: syn::LitStr = syn::parse_str(&lit).map_err(|e| TestCaseError::fail(format!("{lit}: {e}")))?;
            prop_assert_eq!(parsed.value(), text);
        }

        #[test]
        fn raw_string_literal_parses_back_to_the_same_text(text in any::<String>()) {
            let lit = raw_string_literal(&text);
            let parsed: syn::LitStr = syn::parse_str(&lit).map_err(|e| TestCaseError::fail(format!("{lit}: {e}")))?;
            prop_assert_eq!(parsed.value(), text);
        }

        /// Printable text survives a doc comment: each line comes back (trailing blanks trimmed, tabs as spaces).
        #[test]
        fn doc_comment_keeps_printable_text(text in "[^\\p{Cc}\\p{Cf}\u{2028}\u{2029}]{0,40}(\n[^\\p{Cc}\\p{Cf}\u{2028}\u{2029}]{0,40}){0,3}") {
            let text: String = text.chars().filter(|&c| !is_invisible(c)).collect();
            let src = format!("{}struct S;", doc_comment(&text, ""));
            let file: syn::File = syn::parse_str(&src).map_err(|e| TestCaseError::fail(format!("{src:?}: {e}")))?;
            let syn::Item::Struct(item) = &file.items[0] else { panic!("{src}") };
            let lines: Vec<String> = item
                .attrs
                .iter()
                .map(|a| match &a.meta {
                    syn::Meta::NameValue(nv) => match &nv.value {
                        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => s.value(),
                        other => panic!("{other:?}"),
                    },
                    other => panic!("{other:?}"),
                })
                .map(|l| l.strip_prefix(' ').unwrap_or(&l).to_owned())
                .collect();
            let trimmed = text.trim_end();
            let expected: Vec<String> = if trimmed.trim().is_empty() {
                Vec::new()
            } else {
                trimmed.lines().map(|l| l.replace('\t', "    ").trim_end().to_owned()).collect()
            };
            prop_assert_eq!(lines, expected);
        }

        #[test]
        fn comment_text_is_one_line_without_backticks(text in any::<String>()) {
            let clean = comment_text(&text);
            prop_assert!(!clean.contains(['`', '\n', '\r']) && !clean.chars().any(|c| c.is_control() || is_invisible(c)));
            let summary = summary_line(&text, 20);
            prop_assert!(summary.chars().count() <= 20 && !summary.contains(['\n', '\r']));
        }

        #[test]
        fn doc_comment_and_item_parse_as_one_item(text in any::<String>()) {
            let src = format!("{}struct S;", doc_comment(&text, ""));
            let file: syn::File = syn::parse_str(&src).map_err(|e| TestCaseError::fail(format!("{src:?}: {e}")))?;
            prop_assert_eq!(file.items.len(), 1, "{:?}", src);
            prop_assert!(matches!(&file.items[0], syn::Item::Struct(s) if s.ident == "S"), "{:?}", src);
        }
    }
}
