//! Reading a document: JSON or YAML into a `serde_json::Value`. Integers beyond 64 bits, which real documents
//! write as bounds (`minimum: -9223372036854776000`), become floats as serde_json itself makes them from JSON;
//! going through `serde_json::Value`'s own visitor, serde_yaml refuses them.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses a document from JSON or YAML text.
pub fn parse(text: &str) -> Result<Value, String> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"));
    }
    serde_yaml::from_str::<Lenient>(text)
        .map(|l| l.0)
        .map_err(|e| format!("invalid YAML: {e}"))
}

/// A JSON value that also takes 128-bit integers (as floats).
struct Lenient(Value);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

fn float<E: serde::de::Error>(f: f64) -> Result<Value, E> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| E::custom("a number that is not finite"))
}

impl<'de> Visitor<'de> for LenientVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        float(v as f64)
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        float(v as f64)
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        // YAML's `.inf` and `.nan` have no JSON form.
        float(v)
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Lenient::deserialize(d).map(|l| l.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Lenient(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some((key, Lenient(value))) = map.next_entry::<Lenient, Lenient>()? {
            // YAML allows keys that are not strings (`200:` for a status code): JSON writes them as text.
            let key = match key.0 {
                Value::String(s) => s,
                other => other.to_string(),
            };
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn yaml_with_wide_integers_and_numeric_keys() {
        let value = parse(
            "a: -9223372036854776000\nresponses:\n  200: {description: ok}\nb: [1, x, null]\n",
        )
        .unwrap();
        assert_eq!(
            value,
            json!({"a": -9.223372036854776e18, "responses": {"200": {"description": "ok"}}, "b": [1, "x", null]})
        );
        assert_eq!(parse("{\"a\": 1}").unwrap(), json!({"a": 1}));
        assert!(parse("a: [").unwrap_err().starts_with("invalid YAML"));
    }
}
