//! Shared state for every handler. This file is yours: mcpgen created it once and never touches it again.
//!
//! `init` runs once at start-up, before the server accepts its first request; handlers reach the
//! result through `ctx.state()`. Keep it `Send + Sync` (use atomics, `Mutex` or `RwLock` for data that
//! changes).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::generated::prelude::*;

#[derive(Debug, Default)]
pub struct State {
    /// Version of `test://watched-resource`, bumped by `test_update_watched_resource`.
    watched_version: AtomicU64,
}

impl State {
    pub fn watched_version(&self) -> u64 {
        self.watched_version.load(Ordering::SeqCst)
    }

    /// Changes the watched resource; returns its new version.
    pub fn bump_watched_version(&self) -> u64 {
        self.watched_version.fetch_add(1, Ordering::SeqCst) + 1
    }
}

pub async fn init() -> Result<State, BoxError> {
    Ok(State::default())
}
