//! The `boom` handler of the robust_panic test server (copied over the generated stub by the test).

use crate::generated::prelude::*;
use crate::generated::tools::boom::Input;

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult {
    let _ = ctx;
    if input.explode {
        panic!("boom handler panicked on purpose");
    }
    Ok(CallToolResult::success(vec![ContentBlock::text("fine")]))
}
