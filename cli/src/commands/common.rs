//! What several commands share: loading a spec with its diagnostics on stderr, finding a generated crate and its
//! spec, and choosing how generated code is formatted.

use std::path::{Path, PathBuf};

use crate::codegen::manifest::{MANIFEST_PATH, Manifest};
use crate::codegen::render::Format as CodeFormat;
use crate::diag::Diagnostic;
use crate::pipeline::LoadedSpec;

/// Output formats of the commands editors and agents drive: `text` for people, `json` (one object or array on
/// stdout, described in docs/json-output.md) for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// Loads and validates a spec: the spec (`None` when it has errors) and every diagnostic, warnings included.
pub fn load_checked(path: &Path) -> (Option<LoadedSpec>, Vec<Diagnostic>) {
    match crate::pipeline::load_spec(path) {
        Ok(loaded) => {
            let warnings = loaded.warnings.clone();
            (Some(loaded), warnings)
        }
        Err(diags) => (None, diags),
    }
}

/// Which generated crate a command regenerates, and from which spec (`generate`, `watch`, `dev`).
#[derive(Debug, clap::Args)]
pub struct CrateArgs {
    /// The crate directory [default: the crate containing the current directory, found by its
    /// .mcpgen/manifest.json, which records the spec].
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The spec to use instead of the one the crate records (the crate then records this one).
    #[arg(long, value_name = "PATH")]
    pub spec: Option<PathBuf>,
}

impl CrateArgs {
    /// The crate and its spec, or why they cannot be found.
    pub fn locate(&self) -> Result<Target, String> {
        locate(self.dir.as_deref(), self.spec.as_deref())
    }
}

/// Prints diagnostics to stderr as text, coloured as `--color` says; `-q` leaves warnings out.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    let shown: Vec<Diagnostic> = diags
        .iter()
        .filter(|d| d.is_error() || !crate::output::quiet())
        .cloned()
        .collect();
    if shown.is_empty() {
        return;
    }
    let source_of = |p: &Path| std::fs::read_to_string(p).ok();
    eprint!(
        "{}",
        crate::diag::render_text_styled(&shown, source_of, crate::output::stderr_style())
    );
}

/// Loads and validates a spec, printing its diagnostics (warnings included) to stderr. `None` when it has errors.
pub fn load_reporting(path: &Path) -> Option<LoadedSpec> {
    let (loaded, diags) = load_checked(path);
    print_diagnostics(&diags);
    if loaded.is_none() {
        eprintln!("{}: invalid spec, nothing was written", path.display());
    }
    loaded
}

/// Prints one JSON value on stdout.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?)?;
    Ok(())
}

/// Warns once when generated code cannot be formatted.
pub fn detect_format() -> CodeFormat {
    let format = CodeFormat::detect();
    if format == CodeFormat::AsRendered {
        eprintln!(
            "warning: rustfmt was not found, so the generated code is left unformatted \
             (install it with `rustup component add rustfmt`)"
        );
    }
    format
}

/// A crate and the spec it is generated from.
#[derive(Debug, Clone)]
pub struct Target {
    pub dir: PathBuf,
    pub spec: PathBuf,
}

/// Finds the crate (`dir`, or the nearest folder at or above the current one holding `.mcpgen/manifest.json`) and
/// its spec (`spec`, or the one the manifest records). The error is a message for the user.
pub fn locate(dir: Option<&Path>, spec: Option<&Path>) -> Result<Target, String> {
    let dir = match dir {
        Some(dir) => dir.to_owned(),
        None => {
            let cwd = std::env::current_dir().map_err(|e| format!("current directory: {e}"))?;
            cwd.ancestors()
                .find(|d| d.join(MANIFEST_PATH).is_file())
                .map(Path::to_owned)
                .ok_or_else(|| {
                    format!(
                        "no generated crate here: neither {} nor a folder above it has {MANIFEST_PATH}; \
                         pass the crate directory, or create a crate with `mcpgen new SPEC`",
                        cwd.display()
                    )
                })?
        }
    };
    let manifest = Manifest::read(&dir).map_err(|e| e.to_string())?;
    let spec = match (spec, manifest) {
        (Some(spec), _) => spec.to_owned(),
        (None, Some(m)) => m.spec_path(&dir),
        (None, None) => {
            return Err(format!(
                "{} has no {MANIFEST_PATH}; pass --spec, or create a crate with `mcpgen new SPEC`",
                dir.display()
            ));
        }
    };
    Ok(Target { dir, spec })
}
