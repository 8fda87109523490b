//! The typegen test cases, shared by `typegen_golden.rs` and `typegen_compile.rs`: every tool of
//! `specs/weather.yaml` and `specs/cursed.yaml` plus the schemas of `tests/typegen/cases.yaml`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

pub struct Case {
    /// File-name-safe case name (also the module name in the compile test).
    pub name: String,
    pub input: Map<String, Value>,
    pub output: Option<Map<String, Value>>,
    pub samples: Vec<Value>,
    pub output_samples: Vec<Value>,
}

impl Case {
    /// Renders the case's module the way the generator does: `Input` always (an empty object schema when the tool
    /// has none), `Output` when there is an output schema.
    pub fn render(&self) -> String {
        let mut roots = vec![("Input", &self.input)];
        if let Some(output) = &self.output {
            roots.push(("Output", output));
        }
        let module = mcpgen::codegen::typegen::types_for(&roots)
            .unwrap_or_else(|e| panic!("case {}: {e}", self.name));
        mcpgen::codegen::typegen::render(&module)
    }
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn object(value: Option<&Value>) -> Option<Map<String, Value>> {
    value.map(|v| v.as_object().expect("schemas are objects").clone())
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The example specs whose tools are cases, named `{spec}_{tool}`. Their rendered modules are snapshotted where
/// users see them, in `generated-examples/{spec}/src/generated/tools.rs`, not again as goldens.
pub const EXAMPLE_SPECS: [&str; 2] = ["weather", "cursed"];

/// A tool of an example spec as a case, without samples (`all` adds them where it has some).
fn example_case(spec: &str, tool: &Value) -> Case {
    let name = tool["name"].as_str().expect("tools have names");
    let ident = mcpgen::codegen::ident::to_snake_ident(name);
    Case {
        name: format!("{spec}_{}", ident.trim_matches('_')),
        input: object(tool.get("inputSchema")).unwrap_or_else(|| {
            serde_json::json!({"type": "object"})
                .as_object()
                .unwrap()
                .clone()
        }),
        output: object(tool.get("outputSchema")),
        samples: Vec::new(),
        output_samples: Vec::new(),
    }
}

pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    for spec in EXAMPLE_SPECS {
        let example = yaml(&repo_root().join(format!("specs/{spec}.yaml")));
        for tool in example["tools"].as_array().expect("the spec has tools") {
            cases.push(example_case(spec, tool));
        }
    }
    let hostile = yaml(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/typegen/cases.yaml"));
    for case in hostile.as_array().expect("cases.yaml is a list") {
        let samples = |key: &str| {
            case.get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        cases.push(Case {
            name: case["name"].as_str().expect("cases have names").to_owned(),
            input: object(case.get("input")).expect("cases have an input schema"),
            output: object(case.get("output")),
            samples: samples("samples"),
            output_samples: samples("output_samples"),
        });
    }
    // Samples for the example specs' tools, so the compile test round-trips them too.
    for case in &mut cases {
        match case.name.as_str() {
            "weather_get_forecast" => {
                case.samples = vec![
                    serde_json::json!({"city": "paris", "days": 3}),
                    serde_json::json!({"city": "paris", "days": 5, "units": "fahrenheit", "month": 7}),
                ];
                case.output_samples = vec![
                    serde_json::json!({"city": "paris", "units": "celsius", "days": [
                    {"day": 1, "high": 21.5, "low": 12.5, "rainChance": 0.25, "summary": "Mild"}]}),
                ];
            }
            "weather_convert_temperature" => {
                case.samples =
                    vec![serde_json::json!({"value": 21.5, "from": "celsius", "to": "kelvin"})];
            }
            "cursed_input" => {
                let required = serde_json::json!({"a-b": "x", "type": "t"});
                let kinds = ["a-b", "\u{202e}", "", "Celsius", "back\\slash"];
                case.samples = kinds
                    .iter()
                    .map(|kind| {
                        let mut sample = required.clone();
                        sample["kind"] = (*kind).into();
                        sample
                    })
                    .collect();
                case.samples.push(serde_json::json!({
                    "a-b": "x", "a_b": "y", "aB": "z", "type": "t", "self": true, "Self": false,
                    "crate": -7, "main": 9007199254740993_i64, "1st": 1.5, "": "empty", "🌧": "rain",
                    "🌧 rain": "more rain", "météo": "beau", "温度": 21.5, "quote\"name": "q",
                    "back\\slash": "b", "tera {{ x }}": "{% raw %}", "kind": "quote\"s"
                }));
            }
            "weather_list_cities" => {
                case.samples = vec![serde_json::json!({})];
                case.output_samples = vec![serde_json::json!({"cities": [
                    {"id": "paris", "name": "Paris", "country": "FR"}]})];
            }
            _ => {}
        }
    }
    cases
}
