//! Handler of the `test://watched-resource` resource. This file is yours: mcpgen created it once and never touches it again.

use crate::generated::prelude::*;

pub async fn read(ctx: Ctx, _uri: &str) -> ResourceResult {
    Ok(Contents::text(format!(
        "Watched resource, version {}.",
        ctx.state().watched_version()
    )))
}
