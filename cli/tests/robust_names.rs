//! Names never collide silently, checked on the whole pipeline rather than on the sanitiser alone (its own
//! proptests live in `codegen/ident.rs` and `codegen/rust.rs`):
//! - tool names that sanitise alike are a validation error; otherwise every tool keeps its own, unsuffixed module;
//! - arbitrary Unicode property names become distinct Rust fields that serde maps back to exactly the wire name
//!   (checked by parsing the rendered struct with syn).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use mcpgen::codegen::ident::{to_module_ident, to_snake_ident};
use mcpgen::codegen::lower::lower;
use mcpgen::codegen::typegen::{render, types_for};
use mcpgen::pipeline::load_spec_str;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn spec_with_tools(names: &[String]) -> String {
    let mut s = String::from("mcpgen: 1\nserver: {name: names}\ntools:\n");
    for name in names {
        s.push_str(&format!(
            "  - {{name: {}, description: d}}\n",
            serde_json::to_string(name).unwrap()
        ));
    }
    s.push_str("transports: {stdio: {}}\n");
    s
}

/// The `(field ident, serde rename)` pairs of struct `name` in rendered Rust source.
fn fields_of(source: &str, name: &str) -> Vec<(String, Option<String>)> {
    let file: syn::File = syn::parse_str(source).unwrap_or_else(|e| panic!("{e}:\n{source}"));
    let strukt = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == name => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no struct {name} in:\n{source}"));
    strukt
        .fields
        .iter()
        .map(|f| {
            let mut rename = None;
            for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        rename = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                    } else if meta.input.peek(syn::Token![=]) {
                        meta.value()?.parse::<syn::Expr>()?;
                    }
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{e}: {source}"));
            }
            (f.ident.as_ref().unwrap().to_string(), rename)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    /// A small alphabet makes `a_b`, `a-b`, `aB` and `A.b` collide often.
    #[test]
    fn colliding_tool_names_are_errors_and_the_rest_keep_their_modules(
        names in proptest::collection::vec("[abAB_.0-9-]{1,5}", 1..10)
    ) {
        let mut by_ident: HashMap<String, usize> = HashMap::new();
        for name in &names {
            *by_ident.entry(to_snake_ident(name)).or_default() += 1;
        }
        let collides = by_ident.values().any(|&n| n > 1);
        let source = spec_with_tools(&names);
        match load_spec_str(Path::new("names.yaml"), &source) {
            Ok(loaded) => {
                prop_assert!(!collides, "{names:?} collide but the spec loaded");
                let view = lower(&loaded.spec, "names.yaml").expect("lower");
                let modules: Vec<&str> = view.tools.iter().map(|t| t.item.module.as_str()).collect();
                let expected: Vec<String> = names.iter().map(|n| to_module_ident(n)).collect();
                prop_assert_eq!(&modules, &expected.iter().map(String::as_str).collect::<Vec<_>>());
                prop_assert_eq!(modules.iter().collect::<BTreeSet<_>>().len(), names.len());
            }
            Err(diags) => {
                let codes: BTreeSet<&str> = diags.iter().filter(|d| d.is_error()).map(|d| d.code).collect();
                prop_assert!(collides, "{names:?}: unexpected errors {codes:?}");
                prop_assert!(
                    codes.iter().all(|c| *c == "name-collision" || *c == "name-duplicate"),
                    "{names:?}: {codes:?}"
                );
            }
        }
    }

    #[test]
    fn property_names_map_back_to_their_wire_names(
        names in proptest::collection::btree_set(any::<String>(), 1..12)
    ) {
        let properties: Map<String, Value> =
            names.iter().map(|n| (n.clone(), json!({"type": "string"}))).collect();
        let schema = json!({"type": "object", "properties": properties});
        let module = types_for(&[("Input", schema.as_object().unwrap())]).expect("typegen");
        let fields = fields_of(&render(&module), "Input");
        let idents: BTreeSet<&str> = fields.iter().map(|(i, _)| i.as_str()).collect();
        prop_assert_eq!(idents.len(), fields.len(), "duplicate fields: {:?}", fields);
        // serde's name for each field: the rename, else the (raw-prefix-free) identifier.
        let wires: BTreeSet<String> = fields
            .iter()
            .map(|(ident, rename)| rename.clone().unwrap_or_else(|| ident.clone()))
            .collect();
        prop_assert_eq!(&wires, &names);
    }
}
