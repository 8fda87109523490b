//! Typed arguments accept everything their schema accepts, on random schemas: for each of `SCHEMAS` schemas of the
//! keyword subset typegen types (objects with required, optional and undeclared-but-required properties, nested
//! objects, arrays, maps, string/integer/number enums, `const`, bounded integers and numbers, strings with length
//! bounds, `type: [x, "null"]`, `anyOf`/`oneOf`, `additionalProperties`, `$ref`, `default`s) it makes instances:
//! valid ones, the same with integral numbers written as floats, `verify`'s example, and near misses (one mutation
//! each); the `jsonschema` crate says which the schema accepts. All the generated types compile into one scratch
//! crate whose `main` parses every instance into its `Input` through the runtime's argument parsing (what a handler
//! gets) and serialises what parsed back to JSON. Then:
//! - an accepted instance must parse (Input side);
//! - what an accepted instance parsed to must serialise to an instance the schema accepts (Output side: the types
//!   are the same for an `outputSchema`; an absent optional field must stay absent, a default must be valid).
//!
//! Rejected instances that parse are fine (the runtime checks the schema first) and only counted; so are accepted
//! integers beyond `i64` on an unbounded `integer`, a documented limit of the type (see `tool::parse`).
//!
//! Deterministic (fixed seed). The scratch crate compiles once, in about 2 minutes cold on a shared two-core
//! machine (under 20 s after a typegen change, a second when nothing changed); its `main` reads the instances at
//! run time, and the run itself takes under a second. On failure every case is listed in
//! `target/tmp/typegen-props/failures.txt`.

#[path = "typegen/scratch.rs"]
mod scratch;

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Number, Value, json};

const SCHEMAS: usize = 150;
const SEED: [u8; 32] = *b"typed arguments accept it all v1";
/// Valid instances generated per schema (each also with integral floats, and mutated into a near miss).
const VALID_PER_SCHEMA: usize = 4;

/// Property names; `c-d` and `type` need a rename, `z` is never declared (only required).
const NAMES: [&str; 5] = ["a", "b", "c-d", "type", "z"];

fn bound() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        json!(-3),
        json!(0),
        json!(2),
        json!(10),
        json!(2.5),
        json!(-1.5),
        json!(i64::MAX),
        json!(9_223_372_036_854_775_808u64),
        json!(u64::MAX),
        json!(18_446_744_073_709_551_616.0),
        json!(i64::MIN),
        json!(-9_223_372_036_854_775_809.0),
        json!(1e30),
    ])
}

/// `{type: t}` with a lower and an upper bound, each maybe exclusive.
fn numeric(ty: &'static str) -> impl Strategy<Value = Value> {
    (
        prop::option::of((bound(), any::<bool>())),
        prop::option::of((bound(), any::<bool>())),
    )
        .prop_map(move |(low, high)| {
            let mut map = Map::new();
            map.insert("type".into(), ty.into());
            let keys = [
                ("minimum", "exclusiveMinimum"),
                ("maximum", "exclusiveMaximum"),
            ];
            for (bound, (inclusive, exclusive)) in [low, high].into_iter().zip(keys) {
                if let Some((b, is_exclusive)) = bound {
                    let key = if is_exclusive { exclusive } else { inclusive };
                    map.insert(key.into(), b);
                }
            }
            Value::Object(map)
        })
}

fn string() -> impl Strategy<Value = Value> {
    (prop::option::of(0u64..3), prop::option::of(1u64..5)).prop_map(|(min, max)| {
        let mut map = Map::new();
        map.insert("type".into(), "string".into());
        if let Some(min) = min {
            map.insert("minLength".into(), min.into());
        }
        if let Some(max) = max {
            map.insert("maxLength".into(), max.into());
        }
        Value::Object(map)
    })
}

fn enumeration() -> impl Strategy<Value = Value> {
    let strings = prop::collection::vec(
        prop::sample::select(vec!["x", "y", "a b", "X", "", "null", "1"]),
        1..4,
    )
    .prop_map(|v| json!(v));
    let integers = prop::collection::vec(
        prop::sample::select(vec![
            json!(-1),
            json!(0),
            json!(3),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(i64::MIN),
        ]),
        1..4,
    )
    .prop_map(Value::Array);
    let numbers = prop::sample::select(vec![json!([1, 2.5]), json!([0.5]), json!([2.0, -1])]);
    (
        prop_oneof![strings, integers, numbers],
        any::<bool>(),
        prop::sample::select(vec![None, Some("string"), Some("integer"), Some("number")]),
    )
        .prop_map(|(mut values, null, ty)| {
            if null {
                values.as_array_mut().unwrap().push(Value::Null);
            }
            let mut map = Map::new();
            map.insert("enum".into(), values);
            if let Some(ty) = ty {
                map.insert("type".into(), ty.into());
            }
            Value::Object(map)
        })
}

fn constant() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        json!("k"),
        json!(4),
        json!(-2),
        json!(1.5),
        json!(3.0),
        json!(true),
        json!(u64::MAX),
        json!(null),
    ])
    .prop_map(|c| json!({"const": c}))
}

/// `type: [t, "null"]` for a schema with a single type.
fn nullable(schema: Value) -> Value {
    let mut schema = schema;
    if let Some(Value::String(t)) = schema.get("type") {
        let t = t.clone();
        schema["type"] = json!([t, "null"]);
    }
    schema
}

fn leaf(with_ref: bool) -> BoxedStrategy<Value> {
    let refs = if with_ref { 2 } else { 0 };
    prop_oneof![
        3 => string(),
        3 => numeric("integer"),
        2 => numeric("number"),
        1 => Just(json!({"type": "boolean"})),
        3 => enumeration(),
        2 => constant(),
        1 => Just(json!({})),
        refs => Just(json!({"$ref": "#/$defs/d"})),
    ]
    .boxed()
}

fn object(inner: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(
            (prop::sample::select(NAMES[..4].to_vec()), inner.clone()),
            0..4,
        ),
        prop::sample::subsequence(NAMES.to_vec(), 0..3),
        prop::sample::select(vec![0, 0, 1, 2, 3]),
        inner,
        prop::option::of((
            prop::sample::select(vec!["oneOf", "anyOf"]),
            prop::sample::subsequence(NAMES.to_vec(), 1..3),
        )),
    )
        .prop_map(|(properties, required, additional, values, narrowing)| {
            let properties: Map<String, Value> = properties
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            let mut map = Map::new();
            map.insert("type".into(), "object".into());
            map.insert("properties".into(), Value::Object(properties));
            map.insert("required".into(), json!(required));
            match additional {
                1 => map.insert("additionalProperties".into(), false.into()),
                2 => map.insert("additionalProperties".into(), true.into()),
                3 => map.insert("additionalProperties".into(), values),
                _ => None,
            };
            // Branches that only narrow the object: one of these properties is required.
            if let Some((key, names)) = narrowing {
                let branches = names.iter().map(|n| json!({"required": [n]})).collect();
                map.insert(key.into(), Value::Array(branches));
            }
            Value::Object(map)
        })
}

fn schema(with_ref: bool) -> BoxedStrategy<Value> {
    let leaf =
        (leaf(with_ref), any::<bool>()).prop_map(|(s, null)| if null { nullable(s) } else { s });
    leaf.prop_recursive(3, 16, 4, |inner| {
        let inner = inner.boxed();
        prop_oneof![
            4 => object(inner.clone()),
            2 => (inner.clone(), prop::option::of((0u64..2, 1u64..4))).prop_map(|(items, bounds)| {
                let mut map = json!({"type": "array", "items": items});
                if let Some((min, max)) = bounds {
                    map["minItems"] = min.into();
                    map["maxItems"] = max.into();
                }
                map
            }),
            1 => inner.clone().prop_map(|v| json!({"type": "object", "additionalProperties": v})),
            2 => (inner.clone(), any::<bool>(), any::<bool>()).prop_map(|(s, first, any)| {
                let none = json!({"type": "null"});
                let branches = if first { json!([none, s]) } else { json!([s, none]) };
                json!({if any { "anyOf" } else { "oneOf" }: branches})
            }),
            1 => (inner.clone(), inner).prop_map(|(a, b)| json!({"anyOf": [a, b]})),
        ]
    })
    .boxed()
}

/// A root: an object with random properties, and the definition `$ref`s point to.
fn root() -> impl Strategy<Value = Value> {
    (object(schema(true)), schema(false)).prop_map(|(mut root, d)| {
        root["$defs"] = json!({ "d": d });
        root
    })
}

/// Instances for one schema, generated from its keywords with a random number generator.
struct Instances<'a> {
    root: &'a Value,
    rng: &'a mut TestRng,
}

impl Instances<'_> {
    fn pick<'v, T>(&mut self, items: &'v [T]) -> &'v T {
        &items[self.rng.random_range(0..items.len())]
    }

    /// A value the schema most likely accepts (unsatisfiable schemas, overlapping `oneOf`s and the like aside).
    fn valid(&mut self, schema: &Value, depth: usize) -> Value {
        let Some(map) = schema.as_object() else {
            return self.any(depth);
        };
        if map.get("$ref").is_some() {
            let target = self.root["$defs"]["d"].clone();
            return self.valid(&target, depth + 1);
        }
        if let Some(c) = map.get("const") {
            return c.clone();
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            return self.pick(values).clone();
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = map.get(key).filter(|_| !map.contains_key("type"))
            {
                let branch = self.pick(branches).clone();
                return self.valid(&branch, depth + 1);
            }
        }
        let ty = match map.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => self.pick(ts).as_str().unwrap().to_owned(),
            _ => return self.any(depth),
        };
        match ty.as_str() {
            "null" => Value::Null,
            "boolean" => self.rng.random_bool(0.5).into(),
            "string" => {
                let len = self.length(map, "minLength", "maxLength");
                (0..len)
                    .map(|_| *self.pick(&['a', 'é', '😀', ' ', '-']))
                    .collect::<String>()
                    .into()
            }
            "integer" => self.integer(map),
            "number" => self.number(map),
            "array" => {
                let len = self.length(map, "minItems", "maxItems");
                let items = map.get("items").cloned().unwrap_or(json!({}));
                (0..len).map(|_| self.valid(&items, depth + 1)).collect()
            }
            "object" => self.object(map, depth),
            other => panic!("no type {other} is generated"),
        }
    }

    /// A length within the schema's bounds, up to 4 past the lower one when there is no upper one.
    fn length(&mut self, map: &Map<String, Value>, min: &str, max: &str) -> u64 {
        let min = map.get(min).and_then(Value::as_u64).unwrap_or(0);
        let max = map.get(max).and_then(Value::as_u64).unwrap_or(min + 4);
        self.rng.random_range(min..=max.max(min))
    }

    fn object(&mut self, map: &Map<String, Value>, depth: usize) -> Value {
        let mut out = Map::new();
        let properties = map.get("properties").cloned().unwrap_or(json!({}));
        let properties = properties.as_object().unwrap();
        let required = map.get("required").cloned().unwrap_or(json!([]));
        let mut required: Vec<&str> = required
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        let branches = map.get("oneOf").or(map.get("anyOf")).cloned();
        let branch = branches.and_then(|b| b.as_array().map(|b| self.pick(b).clone()));
        if let Some(name) = branch.as_ref().and_then(|b| b["required"][0].as_str()) {
            required.push(name);
        }
        for (name, schema) in properties {
            if required.contains(&name.as_str()) || self.rng.random_bool(0.6) {
                out.insert(name.clone(), self.valid(schema, depth + 1));
            }
        }
        for name in required {
            if !out.contains_key(name) {
                out.insert(name.to_owned(), self.any(depth + 1));
            }
        }
        let extras = self.rng.random_range(0..3);
        match map.get("additionalProperties") {
            Some(Value::Bool(false)) => {}
            Some(values @ Value::Object(_)) => {
                for i in 0..extras {
                    out.insert(format!("x{i}"), self.valid(values, depth + 1));
                }
            }
            _ => {
                for i in 0..extras {
                    out.insert(format!("x{i}"), self.any(depth + 1));
                }
            }
        }
        Value::Object(out)
    }

    /// An integer within the schema's bounds (at a bound, next to it, or small), or anywhere when they leave none.
    fn integer(&mut self, map: &Map<String, Value>) -> Value {
        let exact = |key: &str, round: fn(f64) -> f64| {
            map.get(key).map(
                |v| match v.as_i64().map(i128::from).or(v.as_u64().map(i128::from)) {
                    Some(i) => (i, true),
                    None => {
                        let x = v.as_f64().unwrap();
                        (round(x) as i128, round(x) == x)
                    }
                },
            )
        };
        let mut low = exact("minimum", f64::ceil).map(|(i, _)| i);
        if let Some((x, _)) = exact("exclusiveMinimum", f64::floor) {
            low = Some(low.map_or(x + 1, |l| l.max(x + 1)));
        }
        let mut high = exact("maximum", f64::floor).map(|(i, _)| i);
        if let Some((x, _)) = exact("exclusiveMaximum", f64::ceil) {
            high = Some(high.map_or(x - 1, |h| h.min(x - 1)));
        }
        let (lo, hi) = (low.unwrap_or(-50), high.unwrap_or(50));
        let mut candidates = vec![lo, hi, lo + 1, hi - 1, (lo / 2 + hi / 2), 0, 7];
        candidates.retain(|c| (lo..=hi).contains(c));
        let n = candidates
            .get(self.rng.random_range(0..candidates.len().max(1)))
            .copied()
            .unwrap_or(lo);
        integer_value(n)
    }

    fn number(&mut self, map: &Map<String, Value>) -> Value {
        let get = |key: &str| map.get(key).and_then(Value::as_f64);
        let lo = get("minimum")
            .or(get("exclusiveMinimum").map(|x| x + x.abs().max(1.0) * 1e-9))
            .unwrap_or(-50.0);
        let hi = get("maximum")
            .or(get("exclusiveMaximum").map(|x| x - x.abs().max(1.0) * 1e-9))
            .unwrap_or(50.0);
        let x = *self.pick(&[lo, hi, (lo + hi) / 2.0, lo + 0.5, (lo + hi / 2.0).floor()]);
        match map.get(if x == lo { "minimum" } else { "maximum" }) {
            // A bound itself, exactly as written (a big integer stays one).
            Some(b) if x == b.as_f64().unwrap() => b.clone(),
            _ => Number::from_f64(x).map_or(json!(0), Value::Number),
        }
    }

    /// Any small JSON value.
    fn any(&mut self, depth: usize) -> Value {
        let choice = self.rng.random_range(0..if depth > 3 { 5 } else { 7 });
        match choice {
            0 => Value::Null,
            1 => true.into(),
            2 => json!(3),
            3 => json!(-2.5),
            4 => json!("s"),
            5 => json!([self.any(depth + 1)]),
            _ => json!({"k": self.any(depth + 1)}),
        }
    }

    /// `instance` with one random change somewhere: a near miss, or another valid instance.
    fn mutate(&mut self, instance: &Value) -> Value {
        let mut paths = Vec::new();
        collect_paths(instance, String::new(), &mut paths);
        let path = self.pick(&paths).clone();
        let mut out = instance.clone();
        let node = out.pointer_mut(&path).unwrap();
        let replacement = match self.rng.random_range(0..9) {
            0 => Value::Null,
            1 => json!("1"),
            2 => json!(1.5),
            3 => json!(9_223_372_036_854_775_808u64),
            4 => json!(-1),
            5 => json!(0),
            6 => match node {
                Value::Object(m) if !m.is_empty() => {
                    let key = m
                        .keys()
                        .nth(self.rng.random_range(0..m.len()))
                        .unwrap()
                        .clone();
                    m.remove(&key);
                    return out;
                }
                _ => json!({}),
            },
            7 => match node {
                Value::Object(m) => {
                    m.insert((*self.pick(&NAMES)).to_owned(), Value::Null);
                    return out;
                }
                _ => json!([]),
            },
            _ => match node {
                Value::Number(n) => n.as_f64().map_or(json!(0), |x| json!(x + 1.0)),
                Value::String(s) => json!(format!("{s}x")),
                _ => json!(true),
            },
        };
        *node = replacement;
        out
    }
}

fn integer_value(n: i128) -> Value {
    if let Ok(i) = i64::try_from(n) {
        json!(i)
    } else if let Ok(u) = u64::try_from(n) {
        json!(u)
    } else {
        json!(n as f64)
    }
}

fn collect_paths(value: &Value, path: String, out: &mut Vec<String>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                collect_paths(
                    v,
                    format!("{path}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_paths(v, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(path);
}

/// Every integral number as a float where a float holds it exactly, as a Python client writes it.
fn as_floats(value: &Value) -> Value {
    match value {
        Value::Number(n) if !n.is_f64() => {
            let x = n.as_f64().unwrap();
            let exact =
                n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)) == Some(x as i128);
            if exact && x.abs() <= 9_007_199_254_740_992.0 {
                json!(x)
            } else {
                value.clone()
            }
        }
        Value::Array(items) => items.iter().map(as_floats).collect(),
        Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), as_floats(v))).collect(),
        _ => value.clone(),
    }
}

/// Sets `default` on some properties: a value generated for the property, kept when its schema accepts it (as
/// `mcpgen validate` requires of a spec).
fn add_defaults(schema: &mut Value, g: &mut Instances) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for property in properties.values_mut() {
                    if property.is_object() && g.rng.random_bool(0.3) {
                        let mut default = g.valid(property, 3);
                        if g.rng.random_bool(0.3) {
                            default = g.mutate(&default);
                        }
                        let mut own = property.clone();
                        own["$defs"] = g.root["$defs"].clone();
                        if jsonschema::validator_for(&own).is_ok_and(|v| v.is_valid(&default)) {
                            property["default"] = default;
                        }
                    }
                }
            }
            for value in map.values_mut() {
                add_defaults(value, g);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| add_defaults(v, g)),
        _ => {}
    }
}

const MAIN: &str = r#"
/// Parses each instance (a JSON line `{"case": n, "instance": ...}` of the file named by the first argument)
/// into its case's `Input` as the runtime does for a handler, and prints what it serialises back to, or the error.
fn check<T: serde::de::DeserializeOwned + serde::Serialize>(instance: serde_json::Value) -> serde_json::Value {
    let serde_json::Value::Object(arguments) = instance else {
        return serde_json::json!({"error": "arguments are not an object"});
    };
    match mcpgen_runtime::tool::parse::<T>(arguments) {
        Ok(typed) => match serde_json::to_value(&typed) {
            Ok(back) => serde_json::json!({"back": back}),
            Err(e) => serde_json::json!({"error": format!("serialise: {e}")}),
        },
        Err(e) => serde_json::json!({"error": e.to_string()}),
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("an instance file");
    let text = std::fs::read_to_string(path).unwrap();
    for line in text.lines() {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        let instance = line["instance"].clone();
        let result = match line["case"].as_u64().unwrap() {
"#;

struct Sample {
    case: usize,
    instance: Value,
    accepted: bool,
}

#[test]
fn typed_inputs_parse_every_accepted_instance_and_serialise_accepted_ones() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &SEED),
    );
    let strategy = root();
    let mut schemas = Vec::new();
    for _ in 0..SCHEMAS {
        let mut schema = strategy.new_tree(&mut runner).unwrap().current();
        let copy = schema.clone();
        add_defaults(
            &mut schema,
            &mut Instances {
                root: &copy,
                rng: runner.rng(),
            },
        );
        schemas.push(schema);
    }

    let scratch = scratch::Scratch::new("typegen-props");
    let mut lib = String::from("#![deny(warnings)]\n\n");
    let mut main = String::from("#![deny(warnings)]\n");
    main.push_str(MAIN);
    let mut samples = Vec::new();
    for (case, schema) in schemas.iter().enumerate() {
        let validator = jsonschema::validator_for(schema)
            .unwrap_or_else(|e| panic!("schema {case} compiles: {e}\n{schema}"));
        let module =
            mcpgen::codegen::typegen::types_for(&[("Input", schema.as_object().unwrap())]).unwrap();
        scratch.write(
            &format!("src/s{case}.rs"),
            &mcpgen::codegen::typegen::render(&module),
        );
        writeln!(lib, "pub mod s{case};").unwrap();
        writeln!(
            main,
            "            {case} => check::<typegen_props::s{case}::Input>(instance),"
        )
        .unwrap();

        let mut g = Instances {
            root: schema,
            rng: runner.rng(),
        };
        let mut instances = Vec::new();
        if let Ok(example) = mcpgen::verify::example::valid(schema) {
            instances.push(example);
        }
        for _ in 0..VALID_PER_SCHEMA {
            let valid = g.valid(schema, 0);
            instances.push(g.mutate(&valid));
            instances.push(as_floats(&valid));
            instances.push(valid);
        }
        instances.dedup();
        for instance in instances {
            let accepted = validator.is_valid(&instance);
            samples.push(Sample {
                case,
                instance,
                accepted,
            });
        }
    }
    main.push_str(
        "            _ => unreachable!(),\n        };\n        println!(\"{result}\");\n    }\n}\n",
    );
    scratch.write("src/lib.rs", &lib);
    scratch.write("src/main.rs", &main);
    let mut lines = String::new();
    for s in &samples {
        writeln!(lines, "{}", json!({"case": s.case, "instance": s.instance})).unwrap();
    }
    let instances = scratch.dir.join("instances.jsonl");
    std::fs::write(&instances, lines).unwrap();

    let stdout = scratch.cargo("run", &["--quiet", "--", instances.to_str().unwrap()]);
    let results: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), samples.len(), "one result per instance");

    let mut failures = Vec::new();
    let (mut accepted, mut rejected_parsed, mut beyond_i64) = (0, 0, 0);
    for (sample, result) in samples.iter().zip(&results) {
        let schema = &schemas[sample.case];
        let what = format!(
            "schema {}: {schema}\n  instance {}",
            sample.case, sample.instance
        );
        match (sample.accepted, result.get("back")) {
            (true, None) => {
                let error = result["error"].as_str().unwrap_or_default();
                if error.contains("expected i64") && has_integer_beyond_i64(&sample.instance) {
                    beyond_i64 += 1;
                } else {
                    failures.push(format!("{what}\n  is accepted but does not parse: {error}"));
                }
            }
            (true, Some(back)) => {
                accepted += 1;
                let validator = jsonschema::validator_for(schema).unwrap();
                if let Some(error) = validator.iter_errors(back).next() {
                    failures.push(format!(
                        "{what}\n  parses, but serialises to {back}, which the schema rejects at {:?}: {error}",
                        error.instance_path().as_str()
                    ));
                }
            }
            (false, Some(_)) => rejected_parsed += 1,
            (false, None) => {}
        }
    }
    let rejected = samples.iter().filter(|s| !s.accepted).count();
    println!(
        "{} instances of {SCHEMAS} schemas: {accepted} accepted and parsed, {beyond_i64} accepted integers beyond \
         i64 refused, {rejected} rejected of which {rejected_parsed} parse",
        samples.len()
    );
    let report = scratch.dir.join("failures.txt");
    std::fs::write(&report, failures.join("\n\n")).unwrap();
    assert!(
        failures.is_empty(),
        "{} failures (all in {}), the first ones:\n{}",
        failures.len(),
        report.display(),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    assert!(
        accepted > 500 && rejected > 200,
        "the generators make both kinds"
    );
}

fn has_integer_beyond_i64(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_i64().is_none() && n.as_f64().is_some_and(|x| x.fract() == 0.0),
        Value::Array(items) => items.iter().any(has_integer_beyond_i64),
        Value::Object(m) => m.values().any(has_integer_beyond_i64),
        _ => false,
    }
}
