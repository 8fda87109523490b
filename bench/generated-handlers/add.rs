//! Handler of the `add` tool of the bench contender (bench/run.sh copies it over the stub `mcpgen new` creates).

use crate::generated::prelude::*;
use crate::generated::tools::add::Input;

pub async fn handle(_ctx: Ctx, input: Input) -> ToolResult {
    // Wrapping: the schema says integer, not "small enough not to overflow".
    let sum = input.a.wrapping_add(input.b);
    Ok(CallToolResult::success(vec![ContentBlock::text(
        sum.to_string(),
    )]))
}
