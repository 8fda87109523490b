//! The typegen test cases, shared by `typegen_golden.rs` and `typegen_compile.rs`: every tool of
//! `specs/weather.yaml` plus the hostile schemas of `tests/typegen/cases.yaml`.

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

pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    let weather = yaml(&repo_root().join("specs/weather.yaml"));
    for tool in weather["tools"].as_array().expect("weather has tools") {
        let name = tool["name"].as_str().expect("tools have names");
        cases.push(Case {
            name: format!("weather_{name}"),
            input: object(tool.get("inputSchema")).unwrap_or_else(|| {
                serde_json::json!({"type": "object"})
                    .as_object()
                    .unwrap()
                    .clone()
            }),
            output: object(tool.get("outputSchema")),
            samples: Vec::new(),
            output_samples: Vec::new(),
        });
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
    // Realistic samples for the weather tools, so the compile test covers them too.
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
