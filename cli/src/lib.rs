//! mcpgen: turn a declarative YAML spec of an MCP server into a complete Rust server crate on rmcp.
//!
//! The pipeline has typed stages, and only the last one touches disk:
//! `spec` (load) -> `validate` -> `codegen` (lower to a view model, render, plan files in memory) -> write;
//! `pipeline` chains the first two.
//! See `docs/architecture.md`.

// Standard output goes through `commands::out!`, which does not panic when the reader has gone away.
#![warn(clippy::print_stdout)]

pub mod breaking;
pub mod clientconfig;
pub mod codegen;
pub mod commands;
pub mod dev;
pub mod diag;
pub mod openapi;
pub mod output;
pub mod pipeline;
pub mod spec;
pub mod timestamp;
pub mod validate;
pub mod verify;
