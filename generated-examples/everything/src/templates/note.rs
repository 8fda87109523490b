//! Handler of the `note` resource template (`note://notes/{id}`). This file is yours:
//! mcpgen created it once and never touches it again.
//!
//! `read` gets the requested URI and its variables as `Params` (percent-decoded) and returns the
//! resource's [`Contents`]: `Contents::text(..)`, `Contents::json(&value)?` or `Contents::bytes(..)`.

use crate::generated::prelude::*;
use crate::generated::templates::note::Params;

pub async fn read(ctx: Ctx, uri: &str, params: Params) -> ResourceResult {
    let _ = (ctx, params);
    Err(HandlerError::not_implemented(uri))
}
