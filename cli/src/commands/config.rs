//! `mcpgen config CLIENT [DIR]`: print a client's config entry for a generated server, or merge it into
//! (or remove it from) the client's real config file.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};

use serde::Serialize;

use super::common::{Format, load_checked, locate, print_diagnostics, print_json};
use crate::clientconfig::install::{self, InstallError, InstallOptions, Report};
use crate::clientconfig::merge::Outcome;
use crate::clientconfig::paths::{self, HostEnv, Scope};
use crate::clientconfig::{self, Client, ClientEntry, EntryContext};
use crate::diag::Diagnostic;
use crate::output::{detail, note};
use crate::spec::{Spec, TransportKind};

/// Print, install or remove the config entry an MCP client needs for a generated server.
///
/// Without --install or --uninstall the snippet goes to stdout and notes to stderr.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("action").args(["install", "uninstall"]))]
pub struct Args {
    /// The client: claude-desktop, claude-code, cursor, vscode, windsurf, gemini-cli, codex, zed or generic.
    #[arg(value_name = "CLIENT", value_parser = |s: &str| s.parse::<Client>())]
    pub client: Client,
    /// The generated crate's directory (it holds `.mcpgen/manifest.json` and `Cargo.toml`).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Transport the client uses: stdio, streamable-http or sse. Default: stdio when the spec declares it,
    /// else the spec's default transport.
    #[arg(long, value_name = "T", value_parser = clientconfig::parse_transport)]
    pub transport: Option<TransportKind>,
    /// Merge the entry into the client's config file (backup first, atomic write, idempotent).
    #[arg(long)]
    pub install: bool,
    /// Remove our entry (only it) from the client's config file.
    #[arg(long)]
    pub uninstall: bool,
    /// Which config file: the user's own, or the project's (in the current directory).
    #[arg(long, value_enum, default_value_t = ScopeArg::User, requires = "action")]
    pub scope: ScopeArg,
    /// Edit this file instead of the client's standard location.
    #[arg(long, value_name = "PATH", requires = "action")]
    pub config_path: Option<PathBuf>,
    /// Show the diff of what would change, write nothing.
    #[arg(long, requires = "action")]
    pub dry_run: bool,
    /// Replace an existing entry of the same name that has other content.
    #[arg(long, requires = "install")]
    pub force: bool,
    /// Name of the entry in the client's config. Default: the server's name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The spec, when DIR has no `.mcpgen/manifest.json`.
    #[arg(long, value_name = "PATH")]
    pub spec: Option<PathBuf>,
    /// Build the release binary (`cargo build --release`) when it is missing.
    #[arg(long)]
    pub build: bool,
    /// Output format: `text` (the snippet on stdout, notes on stderr), or `json`: one object with the snippet
    /// or the file merged into, the outcome and the diff, for editors and agents.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `--scope` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScopeArg {
    /// The user's own config file.
    User,
    /// The project's config file in the current directory (`.mcp.json`, `.vscode/mcp.json`, ...).
    Project,
}

/// Exit 1 when the spec is invalid, the config file is malformed, or an entry of the same name exists
/// with other content (without --force).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.format == Format::Json {
        let report = run_json(&args);
        print_json(&report)?;
        return Ok(if report.ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let spec_path = spec_path(&args)?;
    let (loaded, diags) = load_checked(&spec_path);
    let Some(spec) = loaded.map(|l| l.spec) else {
        print_diagnostics(&diags);
        return Ok(ExitCode::FAILURE);
    };
    let name = entry_name(&args, &spec)?;
    detail!("spec: {}", spec_path.display());

    if args.uninstall {
        let path = config_path(&args)?;
        let options = InstallOptions {
            force: false,
            dry_run: args.dry_run,
        };
        return finish(
            &args,
            &name,
            install::uninstall(&path, args.client, &name, options),
        );
    }

    let (entry, transport) = build_entry(&args, &spec, name.clone())?;
    detail!("transport: {}", transport.as_str());
    for note in &entry.notes {
        note!("note: {note}");
    }
    for warning in &entry.warnings {
        note!("warning: {warning}");
    }
    if !args.install {
        out!("{}", entry.render())?;
        return Ok(ExitCode::SUCCESS);
    }
    let path = config_path(&args)?;
    let options = InstallOptions {
        force: args.force,
        dry_run: args.dry_run,
    };
    finish(&args, &name, install::install(&path, &entry, options))
}

/// The spec: `--spec`, else the one the crate's `.mcpgen/manifest.json` records.
fn spec_path(args: &Args) -> anyhow::Result<PathBuf> {
    match locate(Some(&args.dir), args.spec.as_deref()) {
        Ok(target) => Ok(target.spec),
        Err(message) => bail!("{message}"),
    }
}

/// The entry's name: `--name`, else the server's.
fn entry_name(args: &Args, spec: &Spec) -> anyhow::Result<String> {
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| spec.server.name.clone());
    if name.is_empty() {
        bail!("--name must not be empty");
    }
    Ok(name)
}

/// What `config --format json` prints: one object for every action.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigReport {
    pub ok: bool,
    /// `print`, `install` or `uninstall`.
    pub action: &'static str,
    pub client: &'static str,
    pub name: Option<String>,
    pub transport: Option<&'static str>,
    /// `print`: the entry, as it goes into the client's config file.
    pub snippet: Option<String>,
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
    /// `install`/`uninstall`: the config file merged into (or that would be, with `--dry-run`).
    pub path: Option<PathBuf>,
    /// `added`, `updated`, `unchanged`, `removed` or `not-present`.
    pub outcome: Option<&'static str>,
    /// The config file did not exist before.
    pub created: bool,
    pub backup: Option<PathBuf>,
    /// The change to the config file, as a unified diff (also the conflicting entry's, on a conflict).
    pub diff: Option<String>,
    pub dry_run: bool,
    /// The spec's diagnostics, in `validate --format json`'s shape.
    pub diagnostics: Vec<Diagnostic>,
    pub error: Option<String>,
}

fn run_json(args: &Args) -> ConfigReport {
    let mut report = ConfigReport {
        action: if args.install {
            "install"
        } else if args.uninstall {
            "uninstall"
        } else {
            "print"
        },
        client: args.client.id(),
        dry_run: args.dry_run,
        ..ConfigReport::default()
    };
    if let Err(e) = fill_json(args, &mut report) {
        report.ok = false;
        report.error = Some(format!("{e:#}"));
    }
    report
}

fn fill_json(args: &Args, report: &mut ConfigReport) -> anyhow::Result<()> {
    let (loaded, diags) = load_checked(&spec_path(args)?);
    report.diagnostics = diags;
    let Some(spec) = loaded.map(|l| l.spec) else {
        return Ok(());
    };
    let name = entry_name(args, &spec)?;
    report.name = Some(name.clone());
    let result = if args.uninstall {
        let options = InstallOptions {
            force: false,
            dry_run: args.dry_run,
        };
        install::uninstall(&config_path(args)?, args.client, &name, options)
    } else {
        let (entry, transport) = build_entry(args, &spec, name)?;
        report.transport = Some(transport.as_str());
        report.notes = entry.notes.clone();
        report.warnings = entry.warnings.clone();
        if !args.install {
            report.snippet = Some(entry.render());
            report.ok = true;
            return Ok(());
        }
        let options = InstallOptions {
            force: args.force,
            dry_run: args.dry_run,
        };
        install::install(&config_path(args)?, &entry, options)
    };
    match result {
        Ok(done) => {
            report.ok = true;
            report.path = Some(done.path);
            report.outcome = Some(outcome_id(done.outcome));
            report.created = done.created;
            report.backup = done.backup;
            report.diff = (!done.diff.is_empty()).then_some(done.diff);
        }
        Err(InstallError::Conflict { path, name, diff }) => {
            report.path = Some(path);
            report.diff = Some(diff);
            report.error = Some(format!(
                "an entry named `{name}` already exists with different content; --force replaces it"
            ));
        }
        Err(e) => report.error = Some(e.to_string()),
    }
    Ok(())
}

fn outcome_id(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Added => "added",
        Outcome::Updated => "updated",
        Outcome::Unchanged => "unchanged",
        Outcome::Removed => "removed",
        Outcome::NotPresent => "not-present",
    }
}

fn build_entry(
    args: &Args,
    spec: &Spec,
    name: String,
) -> anyhow::Result<(ClientEntry, TransportKind)> {
    let Some(transport) = args
        .transport
        .or_else(|| clientconfig::preferred_transport(spec))
    else {
        bail!("the spec declares no transport");
    };
    let command = if transport == TransportKind::Stdio {
        release_binary(&args.dir, &spec.server.name, args.build)?
            .display()
            .to_string()
    } else {
        String::new()
    };
    let entry = clientconfig::server_entry(
        args.client,
        spec,
        transport,
        &EntryContext { name, command },
    )?;
    Ok((entry, transport))
}

/// `<target dir>/release/<name>` of the crate in `dir`, with the target dir from `cargo metadata` (so
/// `CARGO_TARGET_DIR`, `.cargo/config.toml` and workspaces are honoured). Built with `--build` when
/// missing, else a warning says how.
fn release_binary(dir: &Path, name: &str, build: bool) -> anyhow::Result<PathBuf> {
    let manifest = std::path::absolute(dir.join("Cargo.toml"))
        .with_context(|| format!("cannot resolve {}", dir.display()))?;
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(&manifest)
        .no_deps()
        .exec()
        .with_context(|| {
            format!(
                "cannot read the crate's metadata (`cargo metadata` on {})",
                manifest.display()
            )
        })?;
    let binary = metadata
        .target_directory
        .into_std_path_buf()
        .join("release")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        let how = format!(
            "cargo build --release --manifest-path {}",
            manifest.display()
        );
        if build {
            note!("building: {how}");
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let status = Command::new(cargo)
                .args(["build", "--release", "--manifest-path"])
                .arg(&manifest)
                .status()
                .context("cannot run cargo")?;
            if !status.success() || !binary.exists() {
                bail!("`{how}` failed; the config would point at a missing binary");
            }
        } else {
            note!(
                "warning: {} does not exist yet: build it with `{how}` (or rerun with --build)",
                binary.display()
            );
        }
    }
    Ok(binary)
}

fn config_path(args: &Args) -> anyhow::Result<PathBuf> {
    if let Some(path) = &args.config_path {
        return Ok(path.clone());
    }
    let scope = match args.scope {
        ScopeArg::User => Scope::User,
        ScopeArg::Project => Scope::Project,
    };
    let env = HostEnv::current().context("cannot read the current directory")?;
    Ok(paths::config_path(args.client, scope, &env)?)
}

fn finish(
    args: &Args,
    name: &str,
    result: Result<Report, InstallError>,
) -> anyhow::Result<ExitCode> {
    let report = match result {
        Ok(report) => report,
        Err(InstallError::Conflict { path, name, diff }) => {
            out!("{diff}")?;
            eprintln!(
                "error: {}: an entry named `{name}` already exists with different content (diff above); \
                 rerun with --force to replace it",
                path.display()
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(e @ InstallError::Invalid { .. }) => {
            eprintln!("error: {e}\nthe file was not changed");
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    let path = report.path.display();
    if args.dry_run {
        out!("{}", report.diff)?;
        note!(
            "{path}: {} (dry run: nothing written)",
            describe(report.outcome, name)
        );
        return Ok(ExitCode::SUCCESS);
    }
    match report.outcome {
        Outcome::Unchanged => note!("{path}: `{name}` is already up to date; nothing written"),
        Outcome::NotPresent => note!("{path}: no `{name}` entry; nothing to remove"),
        outcome => {
            let created = if report.created { " (new file)" } else { "" };
            note!("{path}: {}{created}", describe(outcome, name));
            if let Some(backup) = &report.backup {
                note!("backup of the previous file: {}", backup.display());
            }
            note!("restart {} to load the change", args.client.display_name());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(outcome: Outcome, name: &str) -> String {
    match outcome {
        Outcome::Added => format!("added `{name}`"),
        Outcome::Updated => format!("replaced `{name}`"),
        Outcome::Unchanged => format!("`{name}` is already up to date"),
        Outcome::Removed => format!("removed `{name}`"),
        Outcome::NotPresent => format!("no `{name}` entry to remove"),
    }
}
