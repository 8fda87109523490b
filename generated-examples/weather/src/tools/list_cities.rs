//! Handler of the `list_cities` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] (shared state, cancellation, progress, client logging, the client peer, HTTP
//! headers) and returns the tool's typed `Output`, sent as `structuredContent` (checked against the
//! spec's `outputSchema`). Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the
//! model an `isError` result it can read.

use crate::generated::prelude::*;
use crate::generated::tools::list_cities::{CitiesItem, Output};

pub async fn handle(ctx: Ctx) -> ToolResult<Output> {
    let state = ctx.state();
    state.record_tool_call();
    let cities = state
        .cities
        .iter()
        .map(|(id, city)| CitiesItem {
            id: id.clone(),
            name: city.name.clone(),
            country: city.country.clone(),
        })
        .collect();
    Ok(Output { cities })
}
