//! Adapters between the typed tool handlers and the wire: arguments into `Input`, `Output` into
//! `structuredContent`. The generated `App::call_tool` picks one per tool; `C` is the handler's context.

use std::future::Future;

use rmcp::model::{CallToolResult, JsonObject};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use super::error::{ToolError, ToolResult};

/// A tool with arguments and an `outputSchema`.
pub async fn structured<C, I, O, F, Fut>(ctx: C, arguments: JsonObject, handler: F) -> ToolResult
where
    I: DeserializeOwned,
    O: Serialize,
    F: FnOnce(C, I) -> Fut,
    Fut: Future<Output = ToolResult<O>>,
{
    let input = parse(arguments)?;
    to_structured(handler(ctx, input).await?)
}

/// A tool without arguments, with an `outputSchema`.
pub async fn structured_no_input<C, O, F, Fut>(ctx: C, handler: F) -> ToolResult
where
    O: Serialize,
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = ToolResult<O>>,
{
    to_structured(handler(ctx).await?)
}

/// A tool with arguments whose handler builds its own result.
pub async fn unstructured<C, I, F, Fut>(ctx: C, arguments: JsonObject, handler: F) -> ToolResult
where
    I: DeserializeOwned,
    F: FnOnce(C, I) -> Fut,
    Fut: Future<Output = ToolResult>,
{
    let input = parse(arguments)?;
    handler(ctx, input).await
}

/// A tool without arguments whose handler builds its own result.
pub async fn unstructured_no_input<C, F, Fut>(ctx: C, handler: F) -> ToolResult
where
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = ToolResult>,
{
    handler(ctx).await
}

/// The typed input of a tool from arguments that already passed its input schema. JSON Schema counts `1.0` as an
/// integer and clients send integral numbers that way (Python's json writes `float`s so), but serde refuses `1.0`
/// for an integer field: integral floats become integers first, which float fields accept as well. What can still
/// fail is a schema looser than the Rust type typegen chose: an integer beyond `i64` with no bounds that say so.
pub fn parse<I: DeserializeOwned>(arguments: JsonObject) -> Result<I, ToolError> {
    let mut arguments = Value::Object(arguments);
    integral_floats_as_integers(&mut arguments);
    serde_json::from_value(arguments)
        .map_err(|error| ToolError::new(format!("Invalid arguments: {error}")))
}

fn integral_floats_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(integer) = number
                .as_f64()
                .filter(|_| number.is_f64())
                .and_then(integer)
            {
                *number = integer;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(members) => members.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// `x` as an integer when it is one and fits `i64` or `u64` exactly.
fn integer(x: f64) -> Option<Number> {
    // 2^63 and 2^64, exact in f64.
    const I64_END: f64 = 9_223_372_036_854_775_808.0;
    const U64_END: f64 = 18_446_744_073_709_551_616.0;
    if x.fract() != 0.0 {
        None
    } else if (-I64_END..I64_END).contains(&x) {
        Some(Number::from(x as i64))
    } else if (0.0..U64_END).contains(&x) {
        Some(Number::from(x as u64))
    } else {
        None
    }
}

fn to_structured<O: Serialize>(output: O) -> ToolResult {
    let value = serde_json::to_value(output).map_err(|error| {
        ToolError::new(format!(
            "Internal error: could not serialise the result: {error}"
        ))
    })?;
    Ok(CallToolResult::structured(value))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Input {
        count: i64,
        size: u64,
        ratio: f64,
        maybe: Option<i64>,
        list: Vec<i64>,
        nested: Nested,
        map: BTreeMap<String, u64>,
        any: Value,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Nested {
        depth: i64,
    }

    fn object(value: Value) -> JsonObject {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn integral_floats_reach_integer_fields() {
        let input: Input = parse(object(json!({
            "count": -3.0, "size": 18446744073709549568.0, "ratio": 2.0, "maybe": 9007199254740992.0,
            "list": [1.0, 2, -0.0], "nested": {"depth": 7.0}, "map": {"a": 1.0}, "any": 1.5
        })))
        .unwrap();
        assert_eq!(input.count, -3);
        assert_eq!(input.size, 18_446_744_073_709_549_568);
        assert_eq!(input.ratio, 2.0);
        assert_eq!(input.maybe, Some(9_007_199_254_740_992));
        assert_eq!(input.list, [1, 2, 0]);
        assert_eq!(input.nested, Nested { depth: 7 });
        assert_eq!(input.map["a"], 1);
        assert_eq!(input.any, json!(1.5));
    }

    #[test]
    fn fractions_and_out_of_range_numbers_stay_floats() {
        for x in [0.5, -1e300, 1e20, f64::MIN] {
            assert_eq!(integer(x), None, "{x}");
        }
        assert_eq!(
            integer(-9_223_372_036_854_775_808.0),
            Some(Number::from(i64::MIN))
        );
        let refused = parse::<Nested>(object(json!({"depth": 1.5}))).unwrap_err();
        assert!(
            format!("{refused:?}").contains("Invalid arguments"),
            "{refused:?}"
        );
    }
}
