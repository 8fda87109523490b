//! The rendered typegen modules compile warning-free (`#![deny(warnings)]`, clippy `-D warnings`) in a scratch crate
//! that depends on serde and serde_json only, and every sample instance of `tests/typegen/cases.yaml` deserialises
//! into the generated type and serialises back to the same JSON.
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

const ROUND_TRIP: &str = r#"
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(what: &str, json: &str) {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("{what}: {json} does not deserialise: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(back, value, "{what}: round trip changed the value");
    println!("ok {what}");
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
            }
        }
    }
    main.push_str("}\n");
    assert!(expected > 20, "the cases carry samples");
    write(&dir.join("Cargo.toml"), MANIFEST);
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
