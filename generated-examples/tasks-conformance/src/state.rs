//! Shared state for every handler. This file is yours: mcpgen created it once and never touches it again.
//!
//! `init` runs once at start-up, before the server accepts its first request; handlers reach the
//! result through `ctx.state()`. Keep it `Send + Sync` (use atomics, `Mutex` or `RwLock` for data that
//! changes).

use crate::generated::prelude::*;

#[derive(Debug, Default)]
pub struct State {}

pub async fn init() -> Result<State, BoxError> {
    Ok(State::default())
}
