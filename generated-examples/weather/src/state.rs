//! Shared state for every handler. This file is yours: mcpgen created it once and never touches it again.
//!
//! `init` runs once at start-up, before the server accepts its first request; handlers reach the
//! result through `ctx.state()`. Keep it `Send + Sync` (use atomics, `Mutex` or `RwLock` for data that
//! changes).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::climate::{Cities, City, parse_cities};
use crate::generated::prelude::*;
use crate::generated::resources;

pub struct State {
    /// The embedded city climate data, parsed once.
    pub cities: Cities,
    /// `fahrenheit` when `WEATHER_DEFAULT_UNITS` says so, else Celsius.
    pub default_fahrenheit: bool,
    started: Instant,
    tool_calls: AtomicU64,
}

impl State {
    /// Counts a tool call (shown by the `weather://status` resource).
    pub fn record_tool_call(&self) {
        self.tool_calls.fetch_add(1, Ordering::Relaxed);
    }

    pub fn tool_calls(&self) -> u64 {
        self.tool_calls.load(Ordering::Relaxed)
    }

    pub fn uptime_seconds(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// The city with identifier `id`, or an error message that lists the known ones.
    pub fn city(&self, id: &str) -> Result<&City, String> {
        self.cities.get(id).ok_or_else(|| {
            let known: Vec<&str> = self.cities.keys().map(String::as_str).collect();
            format!("Unknown city '{id}'. Known cities: {}.", known.join(", "))
        })
    }
}

pub async fn init() -> Result<State, BoxError> {
    let units = env_var("WEATHER_DEFAULT_UNITS").unwrap_or_default();
    let default_fahrenheit = match units.to_ascii_lowercase().as_str() {
        "fahrenheit" => true,
        "celsius" | "" => false,
        other => {
            return Err(format!(
                "WEATHER_DEFAULT_UNITS must be celsius or fahrenheit, not {other:?}"
            )
            .into());
        }
    };
    Ok(State {
        cities: parse_cities(resources::cities::CONTENT)?,
        default_fahrenheit,
        started: Instant::now(),
        tool_calls: AtomicU64::new(0),
    })
}
