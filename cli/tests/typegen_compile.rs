//! The rendered typegen modules compile warning-free (`#![deny(warnings)]`, clippy `-D warnings`) in a scratch crate
//! that depends on serde, serde_json and the runtime only, and every sample instance of `tests/typegen/cases.yaml`
//! deserialises into the generated type and serialises back to the same JSON. Every input sample also reaches its
//! `Input` through the runtime's argument parsing with each integral number written as a float (`3` as `3.0`): JSON
//! Schema accepts both, so a typed `Input` must too.

#[path = "typegen/cases.rs"]
mod cases;
#[path = "typegen/scratch.rs"]
mod scratch;

use std::fmt::Write as _;

use mcpgen::codegen::rust::string_literal;

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

#[test]
fn rendered_modules_compile_and_round_trip_samples() {
    let scratch = scratch::Scratch::new("typegen-check");
    let mut lib = String::from("#![deny(warnings)]\n\n");
    let mut main = String::from("#![deny(warnings)]\n");
    main.push_str(ROUND_TRIP);
    main.push_str("\nfn main() {\n");
    let mut expected = 0;
    for case in cases::all() {
        scratch.write(&format!("src/{}.rs", case.name), &case.render());
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
    scratch.write("src/lib.rs", &lib);
    scratch.write("src/main.rs", &main);

    scratch.cargo(
        "clippy",
        &["--quiet", "--all-targets", "--", "-D", "warnings"],
    );
    let stdout = scratch.cargo("run", &["--quiet"]);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        expected,
        "every sample was checked:\n{stdout}"
    );
}
