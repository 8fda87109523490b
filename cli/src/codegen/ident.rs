//! The one identifier sanitiser: every wire name (tool, property, prompt, variable...) that becomes a Rust name goes
//! through here. The wire name itself is never changed; callers keep it beside the Rust name and emit
//! `#[serde(rename = "...")]` when the two differ.
//!
//! Output is plain ASCII, never a raw identifier (`r#type`): a trailing `_` (`type_`) works everywhere a name is
//! used, including file names and `#[path]` modules, and reads the same in user code.

use std::collections::BTreeSet;

/// Rust keywords in every edition up to 2024, strict and reserved.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield", "union",
];

/// Snake-case names that would shadow something generated code relies on when declared as a module next to it:
/// crate roots of dependencies, `main`, and the generated module tree's own items.
const RESERVED_SNAKE: &[&str] = &[
    "main",
    "std",
    "core",
    "alloc",
    "rmcp",
    "serde",
    "serde_json",
    "tokio",
    "axum",
    "futures",
    "tracing",
    "jsonschema",
    "clap",
    "generated",
    "runtime",
    "prelude",
    "state",
    "handle",
    "read",
    "get",
    "complete",
];

/// Type names that would shadow the prelude or the generated items (`Input`, `Output`, `Params`, `Args`) in the
/// module where generated types live.
const RESERVED_PASCAL: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "ToString",
    "ToOwned",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Fn",
    "FnMut",
    "FnOnce",
    "Drop",
    "Iterator",
    "IntoIterator",
    "Extend",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
    "AsRef",
    "AsMut",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Debug",
    "Hash",
    "Deserialize",
    "Serialize",
    "Value",
    "Map",
    "Input",
    "Output",
    "Params",
    "Args",
];

/// Splits a wire name into lowercase ASCII words: separators are anything not alphanumeric, plus camelCase and
/// letter/digit boundaries stay inside a word (`getUserV2` -> `get`, `user`, `v2`). Non-ASCII alphanumerics become
/// `u<hex>` words so distinct Unicode names stay distinct.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        if !cur.is_empty() {
            out.push(std::mem::take(cur));
        }
    };
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            let boundary = match prev {
                // fooBar -> foo | bar
                Some(p) if p.is_ascii_lowercase() && c.is_ascii_uppercase() => true,
                Some(p) if p.is_ascii_digit() && c.is_ascii_uppercase() => true,
                // HTTPServer -> http | server: an upper followed by upper+lower starts a word
                Some(p) if p.is_ascii_uppercase() && c.is_ascii_uppercase() => {
                    chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())
                }
                _ => false,
            };
            if boundary {
                flush(&mut cur, &mut out);
            }
            cur.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            flush(&mut cur, &mut out);
            out.push(format!("u{:x}", c as u32));
        } else {
            flush(&mut cur, &mut out);
        }
        prev = Some(c);
    }
    flush(&mut cur, &mut out);
    out
}

/// `snake_case` Rust identifier for a field, parameter or variable.
pub fn to_snake_ident(name: &str) -> String {
    let mut ident = words(name).join("_");
    if ident.is_empty() {
        ident.push_str("unnamed");
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, '_');
    }
    if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// `snake_case` Rust identifier for a module (and its file name): like [`to_snake_ident`], and also kept clear of
/// the names a module could shadow in generated code (dependency crate roots, `main`, the generated tree's own
/// modules).
pub fn to_module_ident(name: &str) -> String {
    let mut ident = to_snake_ident(name);
    if RESERVED_SNAKE.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// `PascalCase` Rust identifier for a type or enum variant.
pub fn to_pascal_ident(name: &str) -> String {
    let mut ident: String = words(name)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if ident.is_empty() {
        ident.push_str("Unnamed");
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, 'X');
    }
    if KEYWORDS.contains(&ident.as_str()) || RESERVED_PASCAL.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// `SCREAMING_SNAKE_CASE` identifier for a constant.
pub fn to_const_ident(name: &str) -> String {
    let snake = to_snake_ident(name);
    let upper = snake.trim_end_matches('_').to_ascii_uppercase();
    // `SELF`, `MAIN` etc. are not keywords, but a leading digit still needs the guard `to_snake_ident` added.
    if upper.is_empty() {
        "UNNAMED".to_owned()
    } else {
        upper
    }
}

/// Hands out identifiers unique within one Rust scope: a name already taken gets `_2`, `_3`... in first-come order,
/// so output is deterministic for a given input order. Validation rejects user-visible collisions (two tools that
/// sanitise alike); this is for the scopes where a spec may legitimately collide, such as JSON property names.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope in which `reserved` names are already taken.
    pub fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Scope {
            taken: reserved.into_iter().map(str::to_owned).collect(),
        }
    }

    /// Claims `ident` (already sanitised), or the first free `ident_N` (`IdentN` for a PascalCase type or
    /// variant name: rustc's `non_camel_case_types` lint rejects `Ident_2`).
    pub fn claim(&mut self, ident: String) -> String {
        if self.taken.insert(ident.clone()) {
            return ident;
        }
        let base = ident.trim_end_matches('_');
        let sep = if base.starts_with(|c: char| c.is_ascii_uppercase()) {
            ""
        } else {
            "_"
        };
        (2..)
            .map(|n| format!("{base}{sep}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded counter always finds a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `convert` (named `name` in failures) turns each input of `table` into its expected identifier.
    fn check(name: &str, convert: fn(&str) -> String, table: &[(&str, &str)]) {
        for (input, want) in table {
            assert_eq!(convert(input), *want, "{name}({input:?})");
        }
    }

    #[test]
    fn snake_table() {
        check(
            "to_snake_ident",
            to_snake_ident,
            &[
                ("get_forecast", "get_forecast"),
                ("get-forecast", "get_forecast"),
                ("get.forecast", "get_forecast"),
                ("getForecast", "get_forecast"),
                ("GetForecast", "get_forecast"),
                ("HTTPServer", "http_server"),
                ("getUserV2", "get_user_v2"),
                ("type", "type_"),
                ("self", "self_"),
                ("Self", "self_"),
                ("crate", "crate_"),
                ("super", "super_"),
                ("async", "async_"),
                ("gen", "gen_"),
                ("main", "main"),
                ("std", "std"),
                ("state", "state"),
                ("1st", "_1st"),
                ("123", "_123"),
                ("", "unnamed"),
                ("---", "unnamed"),
                ("_", "unnamed"),
                ("a b  c", "a_b_c"),
                ("météo", "m_ue9_t_ue9_o"),
                ("温度", "u6e29_u5ea6"),
                ("🌧 rain", "rain"),
                ("x\u{202e}y", "x_y"),
            ],
        );
    }

    #[test]
    fn module_table() {
        check(
            "to_module_ident",
            to_module_ident,
            &[
                ("main", "main_"),
                ("std", "std_"),
                ("rmcp", "rmcp_"),
                ("serde", "serde_"),
                ("generated", "generated_"),
                ("runtime", "runtime_"),
                ("type", "type_"),
                ("get-forecast", "get_forecast"),
                ("state", "state_"),
            ],
        );
    }

    #[test]
    fn pascal_table() {
        check(
            "to_pascal_ident",
            to_pascal_ident,
            &[
                ("get_forecast", "GetForecast"),
                ("city-forecast", "CityForecast"),
                ("rainChance", "RainChance"),
                ("celsius", "Celsius"),
                ("Self", "Self_"),
                ("self", "Self_"),
                ("Option", "Option_"),
                ("result", "Result_"),
                ("input", "Input_"),
                ("1", "X1"),
                ("2x", "X2x"),
                ("", "Unnamed"),
                ("a.b", "AB"),
            ],
        );
    }

    #[test]
    fn const_table() {
        check(
            "to_const_ident",
            to_const_ident,
            &[
                ("cities.json", "CITIES_JSON"),
                ("self", "SELF"),
                ("1st", "_1ST"),
            ],
        );
    }

    #[test]
    fn collisions_after_sanitising_get_suffixes() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim(to_snake_ident("get-user")), "get_user");
        assert_eq!(scope.claim(to_snake_ident("get_user")), "get_user_2");
        assert_eq!(scope.claim(to_snake_ident("getUser")), "get_user_3");
        assert_eq!(scope.claim("get_user_2".to_owned()), "get_user_2_2");
        let mut types = Scope::with_reserved(["Input", "Output"]);
        assert_eq!(types.claim("Input".to_owned()), "Input2");
        assert_eq!(types.claim("Self_".to_owned()), "Self_");
        assert_eq!(types.claim("Self_".to_owned()), "Self2");
        assert_eq!(types.claim("type_".to_owned()), "type_");
        assert_eq!(types.claim("type_".to_owned()), "type_2");
    }

    #[test]
    fn every_output_is_a_rust_identifier() {
        for input in [
            "type",
            "self",
            "1st",
            "",
            "温度",
            "a-b.c d",
            "HTTP2Server",
            "x\u{0}y",
            "match",
            "Self",
        ] {
            for ident in [
                to_snake_ident(input),
                to_pascal_ident(input),
                to_const_ident(input),
            ] {
                syn::parse_str::<syn::Ident>(&ident)
                    .unwrap_or_else(|e| panic!("{ident:?} from {input:?}: {e}"));
            }
        }
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn assert_plain_ident(ident: &str, input: &str) {
        let parsed: syn::Ident = syn::parse_str(ident)
            .unwrap_or_else(|e| panic!("{ident:?} from {input:?} is not an identifier: {e}"));
        // syn parses `r#type` as an identifier too; the sanitiser must never need that.
        assert_eq!(parsed.to_string(), ident, "from {input:?}");
        assert!(
            !KEYWORDS.contains(&ident),
            "{ident:?} from {input:?} is a keyword"
        );
    }

    proptest! {
        #[test]
        fn sanitised_names_are_identifiers_and_never_keywords(input in any::<String>()) {
            assert_plain_ident(&to_snake_ident(&input), &input);
            assert_plain_ident(&to_pascal_ident(&input), &input);
            assert_plain_ident(&to_const_ident(&input), &input);
        }

        #[test]
        fn claim_never_hands_out_a_name_twice(inputs in proptest::collection::vec(any::<String>(), 1..40)) {
            let mut snake = Scope::default();
            let mut pascal = Scope::with_reserved(["Input", "Output"]);
            let mut seen = BTreeSet::new();
            for input in &inputs {
                for name in [snake.claim(to_snake_ident(input)), pascal.claim(to_pascal_ident(input))] {
                    assert_plain_ident(&name, input);
                    prop_assert!(seen.insert(name.clone()), "{name:?} handed out twice");
                }
                prop_assert!(!seen.contains("Input") && !seen.contains("Output"), "reserved name handed out");
            }
        }
    }
}
