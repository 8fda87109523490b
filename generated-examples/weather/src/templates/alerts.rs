//! Handler of the `alerts` resource template (`weather://alerts/{state}`). This file is yours: mcpgen
//! created it once and never touches it again.
//!
//! `read` gets the requested URI and its variables as `Params` (percent-decoded) and returns the
//! resource's [`Contents`].

use crate::climate::peak;
use crate::generated::prelude::*;
use crate::generated::templates::alerts::Params;

pub async fn read(ctx: Ctx, _uri: &str, params: Params) -> ResourceResult {
    let code = params.state.to_ascii_uppercase();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(HandlerError::invalid_params(format!(
            "'{}' is not a two-letter US state code",
            params.state
        )));
    }
    // No live feed: alerts are derived from the climate normals of the state's cities, so they are
    // the same on every read.
    let alerts: Vec<String> = ctx
        .state()
        .cities
        .values()
        .filter(|city| city.state.as_deref() == Some(code.as_str()))
        .filter_map(|city| {
            let (month, rain) = peak(&city.monthly_rain_mm);
            (rain >= 50.0).then(|| {
                format!(
                    "{}: heavy rain is typical in {} ({rain:.0} mm on average).",
                    city.name,
                    crate::climate::MONTHS[month]
                )
            })
        })
        .collect();
    Ok(Contents::text(if alerts.is_empty() {
        format!("No active alerts for {code}.")
    } else {
        alerts.join("\n")
    }))
}
