//! Completions for arguments without a static `completions:` list in the spec. This file is yours:
//! mcpgen created it once and never touches it again.
//!
//! `complete` gets what is being completed (`request.target`, `request.argument`), the text typed so
//! far (`request.value`) and the other arguments already filled in (`request.context`), and returns
//! candidate values (the first 100 are sent). `filter_prefix` keeps the values starting with what was
//! typed. Arguments with a static list in the spec never get here.

use crate::generated::prelude::*;

const US_STATES: [&str; 50] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY",
];

const MONTHS: [&str; 12] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
];

pub async fn complete(ctx: Ctx, request: CompletionRequest) -> CompletionResult {
    let typed = request.value.as_str();
    Ok(match (request.target, request.argument.as_str()) {
        (CompletionTarget::Prompt("packing_list"), "city") => {
            filter_prefix(ctx.state().cities.keys().map(String::as_str), typed)
        }
        (CompletionTarget::Prompt("packing_list"), "month") => filter_prefix(MONTHS, typed),
        (CompletionTarget::Template("alerts"), "state") => filter_prefix(US_STATES, typed),
        _ => Vec::new(),
    })
}
