//! Handler of the `test_update_watched_resource` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! Changes `test://watched-resource` and tells every subscribed session
//! (`notifications/resources/updated`).

use crate::generated::prelude::*;
use crate::generated::resources::watched_resource;
use crate::generated::tools::test_update_watched_resource::Output;

pub async fn handle(ctx: Ctx) -> ToolResult<Output> {
    let version = ctx.state().bump_watched_version();
    let notified = ctx
        .subscriptions()
        .notify_updated(watched_resource::URI)
        .await;
    Ok(Output {
        version: i64::try_from(version)?,
        notified: i64::try_from(notified)?,
    })
}
