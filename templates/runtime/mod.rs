//! Spec-independent plumbing, identical in every mcpgen-generated server.

// Each spec uses a subset of this plumbing (a server without prompts never renders one, a stdio-only
// build has no HTTP options), so unused items are expected here.
#![allow(dead_code)]

pub(crate) mod app;
#[cfg(any(feature = "streamable-http", feature = "sse"))]
pub(crate) mod auth;
pub mod claims;
pub(crate) mod cli;
pub(crate) mod completion;
pub(crate) mod context;
pub(crate) mod defs;
pub(crate) mod env;
pub(crate) mod error;
#[cfg(any(feature = "streamable-http", feature = "sse"))]
pub(crate) mod guard;
pub(crate) mod handler;
#[cfg(any(feature = "streamable-http", feature = "sse"))]
pub(crate) mod http;
#[cfg(all(feature = "oauth", any(feature = "streamable-http", feature = "sse")))]
pub(crate) mod oauth;
pub mod prelude;
pub(crate) mod prompt;
pub(crate) mod registry;
pub(crate) mod resource;
#[cfg(feature = "full-json-schema")]
pub mod schema_full;
pub mod schema_subset;
#[cfg(feature = "streamable-http")]
pub(crate) mod session_store;
pub(crate) mod shutdown;
#[cfg(feature = "sse")]
pub(crate) mod sse;
#[cfg(feature = "stdio")]
pub(crate) mod stdio;
pub mod tool;
pub(crate) mod uri_template;
pub(crate) mod validation;

/// The `mimalloc` feature (off by default) replaces the system allocator with mimalloc: more requests per
/// second under load, more resident memory (mcpgen's BENCHMARKS.md, "the opt-in allocator").
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
