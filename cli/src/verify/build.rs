//! Running cargo on a generated crate: JSON messages in, progress out, compile errors grouped by who has
//! to fix them.

use std::collections::HashSet;
use std::io::{BufReader, IsTerminal as _, Read as _, Write as _};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cargo_metadata::diagnostic::{Diagnostic, DiagnosticLevel};
use cargo_metadata::{Message, TargetKind};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use super::{BuildOptions, Progress, VerifyError, default_target_dir};

/// Who has to fix a compile error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The user's files: everything in the crate outside `src/generated/`.
    User,
    /// `src/generated/`: a bug in mcpgen.
    Generated,
    /// Elsewhere: a dependency, the linker, a span-less error.
    Other,
}

/// One compile error, as rustc rendered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompilerError {
    pub origin: Origin,
    /// The primary span's file as rustc named it, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// rustc's own rendering (with ANSI colours when stderr is a terminal).
    pub rendered: String,
}

/// The outcome of a `cargo build` or `cargo check`.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    pub success: bool,
    /// The server executable (builds only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binary: Option<PathBuf>,
    pub errors: Vec<CompilerError>,
    /// Warnings in the crate itself (dependencies' warnings are cargo's business).
    pub warnings: usize,
    /// Cargo's own stderr, kept when the build failed without a compiler error to show (a broken
    /// Cargo.toml, a missing dependency).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cargo_stderr: Option<String>,
    /// Units compiled or found fresh.
    pub units: usize,
}

impl BuildReport {
    pub fn errors_from(&self, origin: Origin) -> impl Iterator<Item = &CompilerError> {
        self.errors.iter().filter(move |e| e.origin == origin)
    }
}

/// `cargo check` on the crate: the fast compile check after `mcpgen new`, with the same grouping.
pub fn cargo_check(crate_dir: &Path, opts: &BuildOptions) -> Result<BuildReport, VerifyError> {
    run_cargo("check", crate_dir, opts, None)
}

/// `cargo build` (debug profile) on the crate; `binary_name` picks the executable when the package has
/// several (else the only one is taken).
pub fn cargo_build(
    crate_dir: &Path,
    opts: &BuildOptions,
    binary_name: Option<&str>,
) -> Result<BuildReport, VerifyError> {
    run_cargo("build", crate_dir, opts, binary_name)
}

fn run_cargo(
    subcommand: &str,
    crate_dir: &Path,
    opts: &BuildOptions,
    binary_name: Option<&str>,
) -> Result<BuildReport, VerifyError> {
    let crate_dir = crate_dir
        .canonicalize()
        .map_err(|source| VerifyError::Read {
            path: crate_dir.to_owned(),
            source,
        })?;
    let manifest = crate_dir.join("Cargo.toml");
    // Colour follows --color and NO_COLOR; the progress bar only whether stderr is a terminal.
    let colour = crate::output::stderr_style() == crate::diag::Style::Coloured;
    let progress = match opts.progress {
        _ if crate::output::quiet() => Progress::Quiet,
        Progress::Auto if std::io::stderr().is_terminal() => Progress::Bar,
        Progress::Auto => Progress::Lines,
        other => other,
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(&cargo);
    command
        .arg(subcommand)
        .arg("--manifest-path")
        .arg(&manifest)
        .arg(if colour {
            "--message-format=json-diagnostic-rendered-ansi"
        } else {
            "--message-format=json"
        })
        .current_dir(&crate_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = opts.target_dir.clone().or_else(default_target_dir) {
        command.env("CARGO_TARGET_DIR", dir);
    }
    let total = (progress != Progress::Quiet).then(|| count_units(&cargo, &manifest));
    let mut child = command.spawn().map_err(VerifyError::Cargo)?;

    // Drain stderr on a thread so a chatty cargo cannot block on a full pipe.
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let stderr_thread = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let mut report = BuildReport {
        success: false,
        binary: None,
        errors: Vec::new(),
        warnings: 0,
        cargo_stderr: None,
        units: 0,
    };
    let mut shown = ProgressLine::new(progress, total);
    let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut binaries = Vec::new();
    for message in Message::parse_stream(stdout) {
        let Ok(message) = message else { break };
        match message {
            Message::CompilerArtifact(artifact) => {
                report.units += 1;
                shown.unit(report.units, &artifact.target.name, artifact.fresh);
                let ours = artifact.manifest_path.as_std_path() == manifest;
                if ours
                    && artifact.target.kind.contains(&TargetKind::Bin)
                    && let Some(exe) = artifact.executable
                {
                    binaries.push((artifact.target.name, exe.into_std_path_buf()));
                }
            }
            Message::CompilerMessage(message) => {
                let ours = artifact_in(message.target.src_path.as_std_path(), &crate_dir);
                match message.message.level {
                    DiagnosticLevel::Error | DiagnosticLevel::Ice => {
                        if let Some(error) = classify(&message.message, ours, &crate_dir) {
                            report.errors.push(error);
                        }
                    }
                    DiagnosticLevel::Warning if ours => report.warnings += 1,
                    _ => {}
                }
            }
            Message::BuildFinished(finished) => report.success = finished.success,
            _ => {}
        }
    }
    shown.finish();
    let status = child.wait().map_err(VerifyError::Cargo)?;
    let stderr = stderr_thread.join().unwrap_or_default();
    report.success &= status.success();
    if !report.success && report.errors.is_empty() {
        report.cargo_stderr = Some(stderr);
    }
    if report.success && subcommand == "build" {
        report.binary = pick_binary(binaries, binary_name);
    }
    Ok(report)
}

/// The package's executable: the one named `name`, else the only one.
fn pick_binary(mut binaries: Vec<(String, PathBuf)>, name: Option<&str>) -> Option<PathBuf> {
    if let Some(index) = binaries.iter().position(|(n, _)| Some(n.as_str()) == name) {
        return Some(binaries.swap_remove(index).1);
    }
    (binaries.len() == 1).then(|| binaries.remove(0).1)
}

/// Groups one error diagnostic; `None` for the "aborting due to N previous errors" summary, which repeats
/// what the other errors said.
pub fn classify(
    diagnostic: &Diagnostic,
    in_crate: bool,
    crate_dir: &Path,
) -> Option<CompilerError> {
    let rendered = diagnostic
        .rendered
        .clone()
        .unwrap_or_else(|| format!("error: {}\n", diagnostic.message));
    let primary = diagnostic.spans.iter().find(|s| s.is_primary);
    if primary.is_none() && diagnostic.message.starts_with("aborting due to") {
        return None;
    }
    let (origin, file) = match primary {
        Some(span) => match locate(Path::new(&span.file_name), crate_dir) {
            // The vendored runtime is a dependency of its own, but mcpgen's code all the same.
            (origin, file) if in_crate || origin == Origin::Generated => (origin, Some(file)),
            _ => (Origin::Other, Some(span.file_name.clone())),
        },
        None => (Origin::Other, None),
    };
    Some(CompilerError {
        origin,
        file,
        rendered,
    })
}

/// Which group a file rustc named belongs to, and its name for people: relative to the crate when inside it
/// (`src/tools/x.rs`, also for handlers rustc reached through `src/generated/../tools/x.rs`), else as rustc
/// named it. rustc names files relative to the workspace root it ran in (which may be an ancestor of the
/// crate) or absolutely; relative names are resolved against the crate directory and its ancestors, first
/// existing file wins.
pub fn locate(file: &Path, crate_dir: &Path) -> (Origin, String) {
    let as_named = || file.to_string_lossy().into_owned();
    let resolved = if file.is_absolute() {
        Some(file.to_owned())
    } else {
        crate_dir
            .ancestors()
            .map(|dir| dir.join(file))
            .find(|candidate| candidate.is_file())
    };
    let Some(resolved) = resolved.map(|r| normalize(&r)) else {
        return (Origin::Other, as_named());
    };
    let Ok(inside) = resolved.strip_prefix(crate_dir) else {
        return (Origin::Other, as_named());
    };
    let origin = if inside.starts_with(Path::new("src").join("generated"))
        || inside.starts_with(crate::codegen::cargo_toml::VENDOR_DIR)
    {
        Origin::Generated
    } else {
        Origin::User
    };
    let shown: Vec<_> = inside
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    (origin, shown.join("/"))
}

/// Removes `.` and resolves `..` lexically (the files exist, but symlinks are not worth resolving here).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn artifact_in(src_path: &Path, crate_dir: &Path) -> bool {
    src_path.starts_with(crate_dir)
}

/// How many units cargo will report, for the progress total: every package the crate builds on this
/// platform, plus one per build script. Runs `cargo metadata` on a thread; `None` until (or unless) it answers.
fn count_units(cargo: &std::ffi::OsStr, manifest: &Path) -> mpsc::Receiver<usize> {
    let (tx, rx) = mpsc::channel();
    let cargo = cargo.to_owned();
    let manifest = manifest.to_owned();
    std::thread::spawn(move || {
        if let Some(total) = units_from_metadata(&cargo, &manifest) {
            let _ = tx.send(total);
        }
    });
    rx
}

fn units_from_metadata(cargo: &std::ffi::OsStr, manifest: &Path) -> Option<usize> {
    let host = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("-vV")
        .output()
        .ok()?;
    let host = String::from_utf8_lossy(&host.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: ").map(str::to_owned))?;
    let metadata = cargo_metadata::MetadataCommand::new()
        .cargo_path(cargo)
        .manifest_path(manifest)
        .other_options(vec!["--filter-platform".to_owned(), host])
        .exec()
        .ok()?;
    let resolve = metadata.resolve.as_ref()?;
    let root = metadata
        .packages
        .iter()
        .find(|p| p.manifest_path.as_std_path() == manifest)?;
    // Walk normal and build dependencies from the root; dev-dependencies are not built by `cargo build`.
    let mut seen = HashSet::new();
    let mut stack = vec![root.id.clone()];
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let node = resolve.nodes.iter().find(|n| n.id == id)?;
        for dep in &node.deps {
            let needed = dep
                .dep_kinds
                .iter()
                .any(|k| k.kind != cargo_metadata::DependencyKind::Development);
            if needed {
                stack.push(dep.pkg.clone());
            }
        }
    }
    let build_scripts = metadata
        .packages
        .iter()
        .filter(|p| seen.contains(&p.id))
        .filter(|p| p.targets.iter().any(|t| t.is_custom_build()))
        .count();
    Some(seen.len() + build_scripts)
}

/// The progress display: an indicatif bar on a terminal (fitted to its width, with the crate being compiled), or
/// one plain line per unit compiled (every unit with `-v`), never an escape code.
struct ProgressLine {
    mode: Progress,
    total_rx: Option<mpsc::Receiver<usize>>,
    total: Option<usize>,
    bar: Option<ProgressBar>,
}

impl ProgressLine {
    fn new(mode: Progress, total_rx: Option<mpsc::Receiver<usize>>) -> Self {
        // indicatif draws nothing when stderr is not a terminal, whatever `mode` says.
        let bar = (mode == Progress::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(Self::style("{spinner} Building {pos}: {wide_msg}"));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        ProgressLine {
            mode,
            total_rx,
            total: None,
            bar,
        }
    }

    fn style(template: &str) -> ProgressStyle {
        ProgressStyle::with_template(template).expect("the progress template parses")
    }

    /// A unit finished; `fresh`: it was already up to date (not worth a plain line of its own).
    fn unit(&mut self, done: usize, name: &str, fresh: bool) {
        if let Some(total) = self.total_rx.as_ref().and_then(|rx| rx.try_recv().ok()) {
            self.total_rx = None;
            self.total = Some(total);
            if let Some(bar) = &self.bar {
                bar.set_style(Self::style(
                    "{spinner} Building [{bar:24}] {pos}/{len}: {wide_msg}",
                ));
                bar.set_length(total as u64);
            }
        }
        if let Some(bar) = &self.bar {
            // The estimate can be short (target-specific units); never show more done than total.
            if bar.length().is_some_and(|total| (done as u64) > total) {
                bar.set_length(done as u64);
            }
            bar.set_position(done as u64);
            bar.set_message(name.to_owned());
            if crate::output::verbose() && !fresh {
                bar.println(format!("    Built {name}"));
            }
            return;
        }
        let shown = match self.mode {
            Progress::Lines => !fresh || crate::output::verbose(),
            Progress::Auto | Progress::Bar | Progress::Quiet => false,
        };
        if shown {
            let verb = if fresh { "Fresh" } else { "Built" };
            // The estimate can be short (target-specific units); never show more done than total.
            let count = match self.total {
                Some(total) => format!("{done}/{}", total.max(done)),
                None => format!("{done}"),
            };
            let _ = writeln!(std::io::stderr(), "    {verb} {count}: {name}");
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(json: serde_json::Value) -> Diagnostic {
        serde_json::from_value(json).unwrap()
    }

    fn error_at(file: &str, message: &str) -> Diagnostic {
        diagnostic(serde_json::json!({
            "message": message,
            "code": null,
            "level": "error",
            "spans": [{
                "file_name": file, "byte_start": 0, "byte_end": 1, "line_start": 1, "line_end": 1,
                "column_start": 1, "column_end": 2, "is_primary": true, "text": [],
                "label": null, "suggested_replacement": null, "suggestion_applicability": null,
                "expansion": null
            }],
            "children": [],
            "rendered": format!("error: {message}\n --> {file}:1:1\n")
        }))
    }

    /// A crate directory inside a workspace-like folder, with one user and one generated file.
    fn fixture() -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let krate = root.path().join("examples").join("demo");
        std::fs::create_dir_all(krate.join("src/generated")).unwrap();
        std::fs::create_dir_all(krate.join("src/tools")).unwrap();
        std::fs::create_dir_all(krate.join("vendor/mcpgen-runtime/src")).unwrap();
        std::fs::write(krate.join("src/tools/hello.rs"), "").unwrap();
        std::fs::write(krate.join("src/generated/server.rs"), "").unwrap();
        std::fs::write(krate.join("vendor/mcpgen-runtime/src/app.rs"), "").unwrap();
        std::fs::write(krate.join("src/main.rs"), "").unwrap();
        let krate = krate.canonicalize().unwrap();
        (root, krate)
    }

    #[test]
    fn errors_are_grouped_by_file_owner() {
        let (_root, krate) = fixture();
        let cases = [
            ("src/tools/hello.rs", Origin::User),
            ("src/main.rs", Origin::User),
            ("src/generated/server.rs", Origin::Generated),
            ("vendor/mcpgen-runtime/src/app.rs", Origin::Generated),
            // Relative to a workspace root above the crate, as rustc names workspace members' files.
            ("examples/demo/src/generated/server.rs", Origin::Generated),
            ("examples/demo/src/tools/hello.rs", Origin::User),
            ("src/generated/../tools/hello.rs", Origin::User),
            ("/nonexistent/registry/tokio/src/lib.rs", Origin::Other),
        ];
        for (file, want) in cases {
            let error = classify(&error_at(file, "boom"), true, &krate).unwrap();
            assert_eq!(error.origin, want, "{file}");
            assert!(error.rendered.contains("boom"));
        }
        // Files are named relative to the crate, however rustc reached them.
        let named = |file| {
            classify(&error_at(file, "x"), true, &krate)
                .unwrap()
                .file
                .unwrap()
        };
        assert_eq!(
            named("examples/demo/src/tools/hello.rs"),
            "src/tools/hello.rs"
        );
        assert_eq!(
            named("src/generated/../tools/hello.rs"),
            "src/tools/hello.rs"
        );
        assert_eq!(
            named("/nonexistent/registry/tokio/src/lib.rs"),
            "/nonexistent/registry/tokio/src/lib.rs"
        );
        let absolute = krate.join("src/generated/server.rs");
        let error = classify(&error_at(absolute.to_str().unwrap(), "x"), true, &krate).unwrap();
        assert_eq!(error.origin, Origin::Generated);
    }

    #[test]
    fn dependency_and_summary_errors() {
        let (_root, krate) = fixture();
        // An error while compiling another package is never the user's or mcpgen's template's fault.
        let error = classify(&error_at("src/tools/hello.rs", "dep"), false, &krate).unwrap();
        assert_eq!(error.origin, Origin::Other);
        let summary = diagnostic(serde_json::json!({
            "message": "aborting due to 2 previous errors", "code": null, "level": "error",
            "spans": [], "children": [], "rendered": "error: aborting due to 2 previous errors\n"
        }));
        assert_eq!(classify(&summary, true, &krate), None);
        let linker = diagnostic(serde_json::json!({
            "message": "linking with `cc` failed", "code": null, "level": "error",
            "spans": [], "children": [], "rendered": null
        }));
        let error = classify(&linker, true, &krate).unwrap();
        assert_eq!(error.origin, Origin::Other);
        assert_eq!(error.rendered, "error: linking with `cc` failed\n");
    }

    #[test]
    fn picks_the_named_binary_or_the_only_one() {
        let bins = |names: &[&str]| {
            names
                .iter()
                .map(|n| (n.to_string(), PathBuf::from(format!("/t/{n}"))))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            pick_binary(bins(&["a", "weather"]), Some("weather")),
            Some(PathBuf::from("/t/weather"))
        );
        assert_eq!(
            pick_binary(bins(&["x"]), Some("weather")),
            Some(PathBuf::from("/t/x"))
        );
        assert_eq!(pick_binary(bins(&["a", "b"]), Some("weather")), None);
    }
}
