//! `mcpgen validate SPEC...`: report every problem in each spec, located at its YAML node.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::diag::{self, Diagnostic, Severity};
use crate::output;
use crate::pipeline;

/// Check specs and report every problem found, with its location and a hint.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files to validate; `-` reads one from standard input (diagnostics name it `<stdin>`, and its
    /// `file:` resources are resolved from the current folder).
    #[arg(required = true, value_name = "SPEC")]
    pub specs: Vec<PathBuf>,
    /// Output format: `text` for people, `json` (an array of diagnostics) for editors and agents.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How diagnostics name a spec read from standard input.
pub const STDIN_NAME: &str = "<stdin>";

pub use super::common::Format;

/// Exit code 1 when any spec has an error; warnings alone exit 0.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut text = String::new();
    let mut stdin_read = false;
    for arg in &args.specs {
        let (path, read) = if arg.as_os_str() == "-" {
            anyhow::ensure!(!stdin_read, "`-` (standard input) can be given only once");
            stdin_read = true;
            (
                Path::new(STDIN_NAME),
                std::io::read_to_string(std::io::stdin()),
            )
        } else {
            (arg.as_path(), std::fs::read_to_string(arg))
        };
        let started = Instant::now();
        let (diags, source) = match read {
            Ok(source) => (pipeline::check_str(path, &source).1, Some(source)),
            Err(err) => (vec![pipeline::unreadable(path, &err)], None),
        };
        if args.format == Format::Text {
            // -q: errors only, without the summary lines.
            let shown: Vec<Diagnostic> = diags
                .iter()
                .filter(|d| d.is_error() || !output::quiet())
                .cloned()
                .collect();
            text.push_str(&diag::render_text_styled(
                &shown,
                |_| source.clone(),
                output::stdout_style(),
            ));
            if !output::quiet() {
                text.push_str(&summary(path, &diags));
            }
            if output::verbose() {
                text.push_str(&format!(
                    "{}: checked in {} ms\n",
                    path.display(),
                    started.elapsed().as_millis()
                ));
            }
        }
        all.extend(diags);
    }
    match args.format {
        Format::Text => out!("{text}")?,
        Format::Json => outln!("{}", diag::render_json(&all))?,
    }
    Ok(if diag::has_errors(&all) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `path: ok`, or `path: 2 errors, 1 warning`.
fn summary(path: &Path, diags: &[Diagnostic]) -> String {
    let count = |s| diags.iter().filter(|d| d.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let status = match (errors, warnings) {
        (0, 0) => "ok".to_owned(),
        (0, w) => format!("ok, {}", plural(w, "warning")),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    };
    format!("{}: {status}\n", path.display())
}
