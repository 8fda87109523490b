//! Hostile specs, bounded: the spec fuzzer's invariant (`robust_support/spec_harness.rs`) over the kept fuzz corpus,
//! hand-written attacks (exponential aliases, deep nesting, huge scalars) and proptest-generated inputs (arbitrary
//! bytes, and valid specs mutated byte-wise and node-wise).
//!
//! `MCPGEN_FUZZ_CASES=N` raises the proptest case count for a longer run (default 64 per property); the real fuzzer
//! is `cargo +nightly fuzz run spec_load` (docs/robustness.md).

#[path = "robust_support/spec_harness.rs"]
mod spec_harness;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::Value;
use spec_harness::{check_bytes, check_source};

/// Far above what any input here needs (milliseconds); only a hang reaches it.
const HANG: Duration = Duration::from_secs(120);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the harness on another thread so a hang fails the test instead of stalling the suite.
fn check_within_bound(name: &str, source: String) {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        check_source(&source);
        let _ = tx.send(());
    });
    match rx.recv_timeout(HANG) {
        Ok(()) => worker.join().expect("harness thread"),
        // The harness panicked: join re-raises it with its message.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{name}: loading did not finish in {HANG:?}")
        }
    }
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["fuzz/corpus/spec_load", "specs", "tests/invalid"] {
        let mut entries: Vec<_> = std::fs::read_dir(repo().join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.is_file())
            .collect();
        entries.sort();
        for path in entries {
            let bytes = std::fs::read(&path).expect("read seed");
            out.push((path.display().to_string(), bytes));
        }
    }
    out
}

fn valid_specs() -> Vec<String> {
    ["minimal", "weather", "everything", "cursed"]
        .iter()
        .map(|n| std::fs::read_to_string(repo().join(format!("specs/{n}.yaml"))).expect("spec"))
        .collect()
}

#[test]
fn fuzz_corpus_and_example_specs_keep_the_invariant() {
    let seeds = seeds();
    assert!(
        seeds.len() > 50,
        "the corpus went missing: {} seeds",
        seeds.len()
    );
    for (name, bytes) in seeds {
        let source = String::from_utf8_lossy(&bytes).into_owned();
        check_within_bound(&name, source);
    }
}

/// `levels` aliases each referring `fanout` times to the previous one: 9^9 nodes if expanded (billion laughs).
fn billion_laughs(levels: usize, fanout: usize) -> String {
    let mut s = format!("l0: &l0 [{}]\n", vec!["\"lol\""; fanout].join(","));
    for i in 1..=levels {
        let refs = vec![format!("*l{}", i - 1); fanout].join(",");
        s.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    s
}

#[test]
fn exponential_aliases_are_refused_quickly() {
    check_within_bound("billion laughs", billion_laughs(9, 9));
    // The same bomb inside an otherwise valid spec, where validation would walk the expansion.
    let mut spec = valid_specs().remove(0);
    spec.push_str(&billion_laughs(9, 9).replace("l0:", "x-l0:"));
    check_within_bound("billion laughs in a spec", spec);
    // Aliases used as mapping keys, and a merge key pulling in a large alias.
    check_within_bound(
        "aliases as keys",
        format!("{}? *l9\n: 1\n<<: *l9\n", billion_laughs(9, 9)),
    );
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let depth = 100_000;
    check_within_bound("flow sequences", "[".repeat(depth) + &"]".repeat(depth));
    check_within_bound(
        "flow mappings",
        "{a: ".repeat(depth) + "1" + &"}".repeat(depth),
    );
    check_within_bound("unclosed flow", "[{".repeat(depth));
    let block: String = (0..2_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    check_within_bound("block mappings", block);
    let seq: String = (0..2_000)
        .map(|i| format!("{}- \n", "  ".repeat(i)))
        .collect();
    check_within_bound("block sequences", seq);
    // Deep but within the YAML limit, inside a tool's input schema, where the validator recurses.
    let mut schema = String::from("{type: string}");
    for _ in 0..60 {
        schema = format!("{{type: object, properties: {{x: {schema}}}}}");
    }
    check_within_bound(
        "deep input schema",
        format!(
            "mcpgen: 1\nserver: {{name: deep}}\ntools:\n  - name: t\n    description: d\n    inputSchema: {schema}\ntransports: {{stdio: {{}}}}\n"
        ),
    );
}

#[test]
fn huge_scalars_and_long_lines_load() {
    let big = "x".repeat(16 << 20);
    let mut spec = valid_specs().remove(0);
    spec = spec.replace(
        "description: Add two numbers and return the sum.",
        &format!("description: {big}"),
    );
    check_within_bound("16 MiB description", spec);
    check_within_bound("16 MiB key", format!("{big}: 1\n"));
    check_within_bound("16 MiB quoted scalar", format!("\"{big}"));
    // Each unknown key is one diagnostic: rendering them looked each line up from the start (quadratic).
    let many_keys: String = (0..20_000).map(|i| format!("k{i}: {i}\n")).collect();
    check_within_bound("20k unknown keys", many_keys);
    check_within_bound(
        "one long line of commas",
        "[".to_owned() + &",".repeat(1 << 20),
    );
}

#[test]
fn odd_encodings_and_documents() {
    for (name, source) in [
        ("bom", "\u{feff}mcpgen: 1\n"),
        ("nul", "mcpgen: 1\0\nserver: {name: x}\n"),
        ("tabs", "server:\n\tname: x\n"),
        ("multi-doc", "mcpgen: 1\n---\nmcpgen: 2\n"),
        ("only comment", "# nothing\n"),
        ("empty", ""),
        ("crlf", "mcpgen: 1\r\nserver:\r\n  name: x\r\n"),
        ("lone cr", "mcpgen: 1\rserver:\r  name: x\r"),
        ("tags", "!!binary aGVsbG8=\n"),
        ("custom tag", "mcpgen: !custom 1\n"),
        ("complex key", "? [a, b]\n: 1\n"),
        ("anchor only", "&a\n"),
        ("undefined alias", "a: *nope\n"),
        ("directive", "%YAML 1.2\n---\nmcpgen: 1\n"),
        ("bad directive", "%YAML 9.9\n---\n"),
        ("wide chars", "サーバー: 🌧️\n名前: \u{10ffff}\n"),
        ("surrogate escape", "a: \"\\ud800\"\n"),
    ] {
        check_within_bound(name, source.to_owned());
    }
    check_bytes(&[0xff, 0xfe, b'a', b':', 0xc3, 0x28, b'\n']);
}

/// YAML punctuation the byte mutator splices in, so mutations reach the parser's interesting states.
const TOKENS: &[&str] = &[
    "&a ", "*a", "<<: *a", "[", "]", "{", "}", ": ", "- ", "? ", "\t", "\"", "'", "|", ">-",
    "!!str ", "#", "---\n", "\n", "  ", ",", "%", "@", "`", "~", "null", "1e999", "-0", "0x1F",
    ".nan", "\u{feff}", "\\u0000",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, token: usize },
    Duplicate { at: usize, len: usize },
    Flip { at: usize, byte: u8 },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..64usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        (any::<usize>(), 1..256usize).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len().max(1);
    match *m {
        Mutation::Delete { at, len } => {
            let at = at % n;
            let end = (at + len).min(bytes.len());
            bytes.drain(at.min(end)..end);
        }
        Mutation::Insert { at, token } => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, TOKENS[token].bytes());
        }
        Mutation::Duplicate { at, len } => {
            let at = at % n;
            let end = (at + len).min(bytes.len());
            let chunk = bytes[at.min(end)..end].to_vec();
            bytes.splice(at.min(end)..at.min(end), chunk);
        }
        Mutation::Flip { at, byte } => {
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
        }
        Mutation::Truncate { at } => bytes.truncate(at % n),
    }
}

/// Replaces one node (chosen by `pick` among all nodes) of a loaded spec by `with`, to drive the validator with
/// structurally valid YAML of the wrong shape.
fn replace_node(value: &mut Value, pick: usize, with: Value) {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(count).sum(),
            Value::Object(o) => o.values().map(count).sum(),
            _ => 0,
        }
    }
    fn walk(v: &mut Value, mut pick: usize, with: Value) {
        if pick == 0 {
            *v = with;
            return;
        }
        pick -= 1;
        let children: Vec<&mut Value> = match v {
            Value::Array(a) => a.iter_mut().collect(),
            Value::Object(o) => o.values_mut().collect(),
            _ => return,
        };
        for child in children {
            let n = count(child);
            if pick < n {
                return walk(child, pick, with);
            }
            pick -= n;
        }
    }
    let total = count(value);
    walk(value, pick % total, with);
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
        Just(Value::String("*".repeat(300))),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(("[a-zA-Z_$/~-]{0,12}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn cases() -> u32 {
    std::env::var("MCPGEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        check_bytes(&data);
    }

    #[test]
    fn arbitrary_text(text in ".{0,2000}") {
        check_source(&text);
    }

    #[test]
    fn byte_mutated_valid_specs(which in 0..4usize, mutations in proptest::collection::vec(mutation(), 1..12)) {
        let mut bytes = valid_specs()[which].clone().into_bytes();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        check_bytes(&bytes);
    }

    #[test]
    fn node_mutated_valid_specs(which in 0..4usize, picks in proptest::collection::vec((any::<usize>(), json_value()), 1..4)) {
        let mut value: Value = serde_yaml::from_str(&valid_specs()[which]).expect("example spec is YAML");
        for (pick, with) in picks {
            replace_node(&mut value, pick, with);
        }
        // JSON is YAML: the text goes through the same loader, spans and all.
        let text = serde_json::to_string_pretty(&value).expect("serialise");
        check_source(&text);
        let yaml = serde_yaml::to_string(&value).expect("serialise");
        check_source(&yaml);
    }
}
