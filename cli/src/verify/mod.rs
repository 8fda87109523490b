//! `mcpgen verify`: prove a generated crate compiles and serves its spec.
//!
//! Two stages. [`build`] runs cargo with JSON messages and sorts compile errors into "your code" and
//! "mcpgen's generated code". Then [`session`] starts the built server on every transport the spec
//! declares and, as an rmcp client, compares what it serves with what the spec says ([`expect`] holds
//! that comparison as pure functions over JSON values), then calls every tool with arguments made from its
//! input schema ([`example`], judged by [`call`]). [`report`] renders the results.
//!
//! Library entry points: [`cargo_check`] (fast compile check, used after `mcpgen new`) and [`verify`]
//! (full build + protocol checks, used by `mcpgen verify` and `mcpgen generate --verify`).

pub mod build;
pub mod call;
pub mod example;
pub mod expect;
pub mod lambda;
pub mod oauth;
pub mod report;
pub mod session;
pub mod sse;
mod tasks;
mod tasks_sep2663;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::pipeline::LoadedSpec;

pub use build::{BuildReport, CompilerError, Origin, cargo_build, cargo_check};

/// Where issues with generated code should be reported (no public URL is fixed yet, so name the place).
pub const ISSUE_TRACKER: &str = "mcpgen's issue tracker";

/// How progress is shown while cargo builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Progress {
    /// A single updating line on stderr when it is a terminal, plain lines otherwise.
    #[default]
    Auto,
    /// The single updating line, drawn only when stderr is a terminal.
    Bar,
    /// One plain line per compiled crate.
    Lines,
    /// Nothing.
    Quiet,
}

/// Options for [`cargo_check`] and the build stage of [`verify`].
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Cargo's target directory; `None` means [`default_target_dir`].
    pub target_dir: Option<PathBuf>,
    pub progress: Progress,
}

/// Options for [`verify`].
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub build: BuildOptions,
    /// Also run each streamable HTTP check in the other session mode (`--stateless --json-response` when
    /// the spec declares stateful, `--stateful` otherwise).
    pub both_http_modes: bool,
    /// Bound on every single wait: server start-up, each request, shutdown.
    pub timeout: Duration,
    /// Also call the tools annotated `destructiveHint: true` (skipped otherwise).
    pub call_destructive: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            build: BuildOptions::default(),
            both_http_modes: true,
            timeout: Duration::from_secs(15),
            call_destructive: false,
        }
    }
}

/// Why verification could not run at all. A crate that fails to compile or serves the wrong thing is not an
/// error: it is a [`VerifyReport`] that did not pass.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot run cargo: {0}")]
    Cargo(#[source] std::io::Error),
    #[error("cargo built the crate but reported no executable for {0}")]
    NoBinary(PathBuf),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("interrupted")]
    Interrupted,
}

/// The outcome of one check on one transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Not applicable or not checkable here (the note says why); does not fail the run.
    Skip,
    /// A tool whose handler is still the generated "not implemented" stub; does not fail the run.
    Stub,
}

/// The first place where what the server served differs from what the spec says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// JSON-pointer-like path, items named by their key: `/tools/get_forecast/inputSchema/properties/days`.
    pub path: String,
    /// What the server served; `None`: absent.
    pub got: Option<Value>,
    /// What the spec implies; `None`: absent.
    pub want: Option<Value>,
}

/// One row of the results table.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// `initialize`, `tools/list`, `resources/read`, `stdout`, ...
    pub check: String,
    /// `stdio`, `streamable-http (stateful)`, ...
    pub transport: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<Difference>,
    /// Why it failed when it is not a difference (timeout, server exited), or why it was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CheckResult {
    fn new(check: &str, transport: &str, status: Status) -> Self {
        CheckResult {
            check: check.to_owned(),
            transport: transport.to_owned(),
            status,
            difference: None,
            note: None,
        }
    }

    pub(crate) fn pass(check: &str, transport: &str) -> Self {
        Self::new(check, transport, Status::Pass)
    }

    pub(crate) fn differs(check: &str, transport: &str, difference: Difference) -> Self {
        CheckResult {
            difference: Some(difference),
            ..Self::new(check, transport, Status::Fail)
        }
    }

    pub(crate) fn fail(check: &str, transport: &str, note: impl Into<String>) -> Self {
        CheckResult {
            note: Some(note.into()),
            ..Self::new(check, transport, Status::Fail)
        }
    }

    pub(crate) fn skip(check: &str, transport: &str, note: impl Into<String>) -> Self {
        CheckResult {
            note: Some(note.into()),
            ..Self::new(check, transport, Status::Skip)
        }
    }

    pub(crate) fn stub(check: &str, transport: &str, note: impl Into<String>) -> Self {
        CheckResult {
            note: Some(note.into()),
            ..Self::new(check, transport, Status::Stub)
        }
    }

    /// Pass, or fail with the difference.
    /// The row for a judged tool call.
    pub(crate) fn judged(check: &str, transport: &str, verdict: call::Verdict) -> Self {
        match verdict {
            call::Verdict::Pass => CheckResult::pass(check, transport),
            call::Verdict::Stub(note) => CheckResult::stub(check, transport, note),
            call::Verdict::Skip(note) => CheckResult::skip(check, transport, note),
            call::Verdict::Fail(note) => CheckResult::fail(check, transport, note),
        }
    }

    pub(crate) fn compared(check: &str, transport: &str, difference: Option<Difference>) -> Self {
        match difference {
            None => Self::pass(check, transport),
            Some(difference) => Self::differs(check, transport, difference),
        }
    }
}

/// Everything [`verify`] found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub build: BuildReport,
    /// Empty when the build failed.
    pub checks: Vec<CheckResult>,
}

impl VerifyReport {
    /// The crate built and no check failed.
    pub fn passed(&self) -> bool {
        self.build.success && self.checks.iter().all(|c| c.status != Status::Fail)
    }
}

/// Builds the crate in `crate_dir`, then runs every protocol check against the built server. The servers it
/// starts are stopped before it returns, also on failure and on Ctrl-C (then it returns
/// [`VerifyError::Interrupted`]).
pub fn verify(
    crate_dir: &Path,
    spec: &LoadedSpec,
    opts: &VerifyOptions,
) -> Result<VerifyReport, VerifyError> {
    let build = cargo_build(crate_dir, &opts.build, Some(&spec.spec.server.name))?;
    let Some(binary) = build.binary.clone() else {
        if build.success {
            return Err(VerifyError::NoBinary(crate_dir.to_owned()));
        }
        return Ok(VerifyReport {
            build,
            checks: Vec::new(),
        });
    };
    let checks = session::run_all(&binary, spec, opts)?;
    Ok(VerifyReport { build, checks })
}

/// The target directory builds share, so a second crate reuses compiled rmcp, tokio and axum:
/// `CARGO_TARGET_DIR` when set, else `$XDG_CACHE_HOME/mcpgen/target`, `~/.cache/mcpgen/target`, or
/// `%LOCALAPPDATA%\mcpgen\target` on Windows. `None` when no home directory is known (cargo's default).
pub fn default_target_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(dir));
    }
    let cache = if cfg!(windows) {
        var("LOCALAPPDATA").map(PathBuf::from)
    } else {
        var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache")))
    };
    cache.map(|dir| dir.join("mcpgen").join("target"))
}
