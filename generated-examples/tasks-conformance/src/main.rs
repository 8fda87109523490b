//! The `tasks-conformance` MCP server. This file is yours: mcpgen created it once and never touches it again.
//!
//! Handlers live in `src/tools/`, `src/resources/`, `src/templates/`, `src/prompts/` and
//! `src/completions.rs`; `src/generated/` includes them, so do not declare them here.
//! Add your own modules below `mod state;`.

mod generated;
mod state;

mod asking;

fn main() -> std::process::ExitCode {
    generated::main()
}
