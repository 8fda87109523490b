//! Handler of the `climate_report` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! The tool has no `outputSchema`, so `handle` builds the whole result: `CallToolResult::success(vec![
//! ContentBlock::text(..)])`. Long work should report `ctx.progress(..)` and stop when
//! `ctx.is_cancelled()`; `ctx.log(..)` sends log messages to the client.

use std::time::Duration;

use crate::climate::{MONTHS, peak};
use crate::generated::prelude::*;
use crate::generated::tools::climate_report::Input;

/// Pause between months, so clients see the progress bar move.
const STEP: Duration = Duration::from_millis(25);

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult {
    let state = ctx.state();
    state.record_tool_call();
    let city = state.city(&input.city).map_err(ToolError::new)?;
    ctx.log(
        LogLevel::Info,
        json!({ "message": "building climate report", "city": input.city }),
    )
    .await;

    let mut report = format!(
        "# Climate of {} ({})\n\n| Month | Typical high | Rain |\n|---|---|---|\n",
        city.name, city.country
    );
    for (index, month) in MONTHS.iter().enumerate() {
        tokio::select! {
            () = ctx.cancelled() => return Err(ToolError::new("Cancelled by the client.")),
            () = tokio::time::sleep(STEP) => {}
        }
        let (high, rain) = (city.monthly_high_c[index], city.monthly_rain_mm[index]);
        report.push_str(&format!("| {month} | {high:.1} °C | {rain:.0} mm |\n"));
        ctx.progress((index + 1) as f64, Some(12.0), Some(month))
            .await;
    }

    let (warmest, _) = peak(&city.monthly_high_c);
    let (wettest, _) = peak(&city.monthly_rain_mm);
    report.push_str(&format!(
        "\nWarmest month: {}. Wettest month: {}.\n",
        MONTHS[warmest], MONTHS[wettest]
    ));
    Ok(CallToolResult::success(vec![ContentBlock::text(report)]))
}
