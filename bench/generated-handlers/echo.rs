//! Handler of the `echo` tool of the bench contender (bench/run.sh copies it over the stub `mcpgen new` creates).

use crate::generated::prelude::*;
use crate::generated::tools::echo::Input;

pub async fn handle(_ctx: Ctx, input: Input) -> ToolResult {
    Ok(CallToolResult::success(vec![ContentBlock::text(
        input.text,
    )]))
}
