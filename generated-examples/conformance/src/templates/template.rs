//! Handler of the `template` resource template (`test://template/{id}/data`). This file is yours:
//! mcpgen created it once and never touches it again.

use crate::generated::prelude::*;
use crate::generated::templates::template::Params;

pub async fn read(_ctx: Ctx, _uri: &str, params: Params) -> ResourceResult {
    // Compact JSON, as the reference server sends it.
    let data = json!({
        "id": params.id,
        "templateTest": true,
        "data": format!("Data for ID: {}", params.id),
    });
    Ok(Contents::text(data.to_string()))
}
