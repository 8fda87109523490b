//! Handler of the `get_forecast` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] (shared state, cancellation, progress, client logging, the client peer, HTTP
//! headers) and the arguments as a typed `Input` (already checked against the spec's `inputSchema`),
//! and returns the typed `Output`, sent as `structuredContent`. Return `Err(ToolError::new("..."))`, or
//! use `?` on any error, to give the model an `isError` result it can read.

use crate::climate::{celsius_to_fahrenheit, round1};
use crate::generated::prelude::*;
use crate::generated::tools::get_forecast::{DaysItem, Input, Output, Units};

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult<Output> {
    let state = ctx.state();
    state.record_tool_call();
    let city = state.city(&input.city).map_err(ToolError::new)?;
    let fahrenheit = match input.units {
        Some(Units::Fahrenheit) => true,
        Some(Units::Celsius) => false,
        None => state.default_fahrenheit,
    };
    let convert = |celsius: f64| {
        if fahrenheit {
            round1(celsius_to_fahrenheit(celsius))
        } else {
            celsius
        }
    };
    // The schema bounds both (1-14 days, months 1-12).
    let days = input.days.clamp(1, 14) as u32;
    let month = input.month.unwrap_or(1).clamp(1, 12) as usize;

    let days = (1..=days)
        .map(|day| {
            let forecast = city.forecast(&input.city, month, day);
            DaysItem {
                day: i64::from(day),
                high: convert(forecast.high_c),
                low: convert(forecast.low_c),
                rain_chance: forecast.rain_chance,
                summary: forecast.summary.to_owned(),
            }
        })
        .collect();
    Ok(Output {
        city: city.name.clone(),
        units: if fahrenheit {
            Units::Fahrenheit
        } else {
            Units::Celsius
        },
        days,
    })
}
