//! `mcpgen dev` and `mcpgen watch`: the edit loops.

pub mod fingerprint;
