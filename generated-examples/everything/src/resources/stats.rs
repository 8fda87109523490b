//! Handler of the `note://stats` resource. This file is yours: mcpgen created it once and never touches it again.
//!
//! `read` returns the resource's [`Contents`]: `Contents::text(..)`, `Contents::json(&value)?` or
//! `Contents::bytes(..)`; the MIME type defaults to the spec's `mimeType`.

use crate::generated::prelude::*;

pub async fn read(ctx: Ctx, uri: &str) -> ResourceResult {
    let _ = ctx;
    Err(HandlerError::not_implemented(uri))
}
