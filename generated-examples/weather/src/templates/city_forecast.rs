//! Handler of the `city-forecast` resource template (`weather://forecast/{city}`). This file is yours:
//! mcpgen created it once and never touches it again.
//!
//! `read` gets the requested URI and its variables as `Params` (percent-decoded) and returns the
//! resource's [`Contents`]. Return `Err(HandlerError::not_found(..))` for URIs that match the template
//! but name nothing.

use crate::generated::prelude::*;
use crate::generated::templates::city_forecast::Params;

pub async fn read(ctx: Ctx, _uri: &str, params: Params) -> ResourceResult {
    let state = ctx.state();
    let city = state.city(&params.city).map_err(HandlerError::not_found)?;
    let days: Vec<_> = (1..=3)
        .map(|day| {
            let forecast = city.forecast(&params.city, 1, day);
            json!({
                "day": day,
                "highC": forecast.high_c,
                "lowC": forecast.low_c,
                "rainChance": forecast.rain_chance,
                "summary": forecast.summary,
            })
        })
        .collect();
    Contents::json(&json!({ "city": city.name, "month": "January", "days": days }))
}
