//! Handler of the `weather://status` resource. This file is yours: mcpgen created it once and never touches it again.
//!
//! `read` returns the resource's [`Contents`]: `Contents::text(..)`, `Contents::json(&value)?` or
//! `Contents::bytes(..)`; the MIME type defaults to the spec's `mimeType`.

use crate::generated::prelude::*;

pub async fn read(ctx: Ctx, _uri: &str) -> ResourceResult {
    let state = ctx.state();
    Contents::json(&json!({
        "uptimeSeconds": state.uptime_seconds(),
        "toolCalls": state.tool_calls(),
        "cities": state.cities.len(),
    }))
}
