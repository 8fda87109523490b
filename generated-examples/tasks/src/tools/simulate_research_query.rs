//! Handler of the `simulate-research-query` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] and the arguments as a typed `Input` (already checked against the spec's
//! `inputSchema`), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//!
//! Clients may run this tool as an MCP task (`taskSupport: required`): they get a task id at
//! once and fetch the result later, and this same `handle` runs in the background. In a task,
//! `ctx.task_id()` is `Some`, `ctx.task_status("...")` sets the status message clients see while they poll,
//! `ctx.cancelled()` completes when the client cancels the task, its TTL ends or its session closes, and
//! `ctx.elicit(..)` marks the task `input_required` until the user answers.

use crate::generated::prelude::*;
use crate::generated::tools::simulate_research_query::Input;

/// The research stages, as the reference server names them.
const STAGES: [&str; 4] = [
    "Gathering sources",
    "Analyzing content",
    "Synthesizing findings",
    "Generating report",
];

/// Time per stage (the reference server takes 1 s; shorter keeps the interop tests quick).
const STAGE: std::time::Duration = std::time::Duration::from_millis(300);

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult {
    let mut clarification = None;
    for (i, stage) in STAGES.iter().enumerate() {
        ctx.task_status(format!("{stage}..."));
        // At the synthesis stage an ambiguous topic asks the user which interpretation they mean.
        if i == 2 && input.ambiguous {
            let schema = serde_json::json!({
                "type": "object",
                "properties": {"interpretation": {
                    "type": "string",
                    "title": "Clarification",
                    "description": "Which interpretation of the topic do you mean?",
                    "enum": ["technical", "historical", "current"],
                }},
                "required": ["interpretation"],
            });
            let message = format!(
                "The research query \"{}\" could have multiple interpretations. Please clarify what you're looking for:",
                input.topic
            );
            clarification = Some(match ctx.elicit(message, schema).await {
                Ok(answer) => answer
                    .content
                    .as_ref()
                    .and_then(|c| c.get("interpretation"))
                    .and_then(|v| v.as_str())
                    .map_or_else(
                        || "User declined - using default interpretation".to_owned(),
                        str::to_owned,
                    ),
                Err(_) => "technical (default - elicitation unavailable)".to_owned(),
            });
            ctx.task_status(format!(
                "Continuing with interpretation: \"{}\"...",
                clarification.as_deref().unwrap_or_default()
            ));
        }
        tokio::select! {
            () = tokio::time::sleep(STAGE) => {}
            () = ctx.cancelled() => return Err(ToolError::new("research cancelled")),
        }
    }
    let topic = match &clarification {
        Some(c) => format!("{} ({c})", input.topic),
        None => input.topic.clone(),
    };
    let stages: Vec<String> = STAGES
        .iter()
        .enumerate()
        .map(|(i, s)| format!("- Stage {}: {s} ✓", i + 1))
        .collect();
    let report = format!(
        "# Research Report: {topic}\n\n## Research Parameters\n- **Topic**: {}\n\n## Synthesis\nThis research query was processed through {} stages:\n{}\n",
        input.topic,
        STAGES.len(),
        stages.join("\n")
    );
    Ok(CallToolResult::success(vec![ContentBlock::text(report)]))
}
