//! The rendered typegen modules compile warning-free (`#![deny(warnings)]`, clippy `-D warnings`) in a scratch crate
//! that depends on serde, serde_json and the runtime only, and every sample instance of `tests/typegen/cases.yaml`
//! deserialises into the generated type and serialises back to the same JSON. Every input sample also reaches its
//! `Input` through the runtime's argument parsing with each integral number written as a float (`3` as `3.0`): JSON
//! Schema accepts both, so a typed `Input` must too.
//!
//! The scratch crate builds offline against this workspace's `Cargo.lock`, in the shared target directory
//! `target/nested`, so repeated runs are incremental.

#[path = "typegen/cases.rs"]
mod cases;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use mcpgen::codegen::rust::string_literal;

const MANIFEST: &str = r#"[package]
name = "typegen-check"
version = "0.0.0"
edition = "2024"
publish = false

# Not a member of the mcpgen workspace it happens to sit under.
[workspace]

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
"#;

/// The runtime, by path, for its argument parsing.
fn manifest() -> String {
    let runtime = cases::repo_root().join("runtime");
    format!(
        "{MANIFEST}mcpgen-runtime = {{ path = {:?}, default-features = false }}\n",
        runtime.to_str().unwrap()
    )
}

const ROUND_TRIP: &str = r#"
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(what: &str, json: &str) {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("{what}: {json} does not deserialise: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(back, value, "{what}: round trip changed the value");
    println!("ok {what}");
}

/// The sample with every integral number written as a float, as a Python client sends them; only those a float
/// holds exactly, so the instance stays the same number.
fn as_floats(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if !n.is_f64() => {
            let exact = n.as_f64().unwrap();
            let same = n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)) == Some(exact as i128);
            if same && exact.abs() <= 9_007_199_254_740_992.0 {
                *n = serde_json::Number::from_f64(exact).unwrap();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(as_floats),
        serde_json::Value::Object(members) => members.values_mut().for_each(as_floats),
        _ => {}
    }
}

fn parses_as_floats<T: serde::de::DeserializeOwned>(what: &str, json: &str) {
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
    as_floats(&mut value);
    let serde_json::Value::Object(arguments) = value else { panic!("{what}: arguments are an object") };
    if let Err(error) = mcpgen_runtime::tool::parse::<T>(arguments) {
        panic!("{what}: {json} with integral floats does not parse: {error:?}");
    }
    println!("ok {what} as floats");
}
"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // Unchanged files keep their mtime, so cargo does not rebuild them.
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap();
    }
}

fn cargo(dir: &Path, args: &[&str]) -> String {
    let target = cases::repo_root().join("target/nested");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "cargo {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn rendered_modules_compile_and_round_trip_samples() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("typegen-check");
    let mut lib = String::from("#![deny(warnings)]\n\n");
    let mut main = String::from("#![deny(warnings)]\n");
    main.push_str(ROUND_TRIP);
    main.push_str("\nfn main() {\n");
    let mut expected = 0;
    for case in cases::all() {
        write(&dir.join(format!("src/{}.rs", case.name)), &case.render());
        writeln!(lib, "pub mod {};", case.name).unwrap();
        let samples = [("Input", &case.samples), ("Output", &case.output_samples)];
        for (root, samples) in samples {
            for (i, sample) in samples.iter().enumerate() {
                let what = format!("{} {root} sample {i}", case.name);
                let json = serde_json::to_string(sample).unwrap();
                writeln!(
                    main,
                    "    round_trip::<typegen_check::{}::{root}>({}, {});",
                    case.name,
                    string_literal(&what),
                    string_literal(&json)
                )
                .unwrap();
                expected += 1;
                if root == "Input" {
                    writeln!(
                        main,
                        "    parses_as_floats::<typegen_check::{}::Input>({}, {});",
                        case.name,
                        string_literal(&what),
                        string_literal(&json)
                    )
                    .unwrap();
                    expected += 1;
                }
            }
        }
    }
    main.push_str("}\n");
    assert!(expected > 20, "the cases carry samples");
    write(&dir.join("Cargo.toml"), &manifest());
    write(&dir.join("src/lib.rs"), &lib);
    write(&dir.join("src/main.rs"), &main);
    let lock = std::fs::read_to_string(cases::repo_root().join("Cargo.lock")).unwrap();
    if !dir.join("Cargo.lock").exists() {
        write(&dir.join("Cargo.lock"), &lock);
    }

    cargo(
        &dir,
        &[
            "clippy",
            "--offline",
            "--quiet",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    );
    let stdout = cargo(&dir, &["run", "--offline", "--quiet"]);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        expected,
        "every sample was checked:\n{stdout}"
    );
}
