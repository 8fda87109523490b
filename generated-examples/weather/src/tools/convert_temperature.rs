//! Handler of the `convert_temperature` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] and the arguments as a typed `Input` (already checked against the spec's
//! `inputSchema`), and returns the typed `Output`, sent as `structuredContent`. Return
//! `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.

use crate::climate::round2;
use crate::generated::prelude::*;
use crate::generated::tools::convert_temperature::{Input, Output, Unit};

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult<Output> {
    ctx.state().record_tool_call();
    let kelvin = match input.from {
        Unit::Celsius => input.value + 273.15,
        Unit::Fahrenheit => (input.value - 32.0) * 5.0 / 9.0 + 273.15,
        Unit::Kelvin => input.value,
    };
    if kelvin < 0.0 {
        return Err(ToolError::new(format!(
            "{} {} is below absolute zero.",
            input.value,
            name(input.from)
        )));
    }
    let value = match input.to {
        Unit::Celsius => kelvin - 273.15,
        Unit::Fahrenheit => (kelvin - 273.15) * 9.0 / 5.0 + 32.0,
        Unit::Kelvin => kelvin,
    };
    Ok(Output {
        value: round2(value),
        unit: name(input.to).to_owned(),
    })
}

fn name(unit: Unit) -> &'static str {
    match unit {
        Unit::Celsius => "celsius",
        Unit::Fahrenheit => "fahrenheit",
        Unit::Kelvin => "kelvin",
    }
}
