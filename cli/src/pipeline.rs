//! The front of the pipeline, chained: load (`spec::load`: YAML -> JSON value + spans) -> validate (`validate`:
//! structure, then rules) -> a [`LoadedSpec`] that lowering and rendering take (`codegen`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{self, Diagnostic, Severity};
use crate::spec::Spec;
use crate::validate::{self, Ctx};

/// A spec that loaded without errors.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The path it was loaded from (as given); `file:` resources resolve relative to its folder.
    pub path: PathBuf,
    /// The YAML text, for rendering the warnings.
    pub source: String,
    pub spec: Spec,
    /// Lint warnings (sorted by location); the spec is usable regardless.
    pub warnings: Vec<Diagnostic>,
    /// The contents of its `file:` resources, by path as written in the spec, read with it so that the stages
    /// after loading read nothing.
    pub assets: BTreeMap<String, Vec<u8>>,
}

/// Reads, loads and validates the spec at `path`. Errors: every error and warning found, sorted by location.
pub fn load_spec(path: &Path) -> Result<LoadedSpec, Vec<Diagnostic>> {
    match std::fs::read_to_string(path) {
        Ok(source) => load_spec_str(path, &source),
        Err(err) => Err(vec![unreadable(path, &err)]),
    }
}

/// The diagnostic for a spec that could not be read (missing, unreadable, not UTF-8).
pub fn unreadable(path: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        code: "file-unreadable",
        message: format!("cannot read the spec: {err}"),
        hint: None,
        file: path.to_owned(),
        span: None,
        pointer: String::new(),
        related: Vec::new(),
    }
}

/// Loads and validates a spec from its text. `path` is used for display and to resolve `file:` resources.
pub fn load_spec_str(path: &Path, source: &str) -> Result<LoadedSpec, Vec<Diagnostic>> {
    let (spec, diags) = check_str(path, source);
    match spec {
        Some(spec) if !diag::has_errors(&diags) => Ok(LoadedSpec {
            assets: read_assets(path, &spec)?,
            path: path.to_owned(),
            source: source.to_owned(),
            spec,
            warnings: diags,
        }),
        _ => Err(diags),
    }
}

/// The `file:` resources of a valid spec (validation checked each opens; one that stopped since is an error).
fn read_assets(path: &Path, spec: &Spec) -> Result<BTreeMap<String, Vec<u8>>, Vec<Diagnostic>> {
    let base = path.parent().unwrap_or(Path::new(""));
    let mut assets = BTreeMap::new();
    for (i, file) in spec.resources.iter().enumerate() {
        let Some(file) = &file.file else { continue };
        match std::fs::read(base.join(file)) {
            Ok(bytes) => {
                assets.insert(file.clone(), bytes);
            }
            Err(err) => {
                return Err(vec![Diagnostic {
                    code: "resource-file-missing",
                    message: format!("cannot read resource file `{file}`: {err}"),
                    pointer: format!("/resources/{i}/file"),
                    ..unreadable(path, &err)
                }]);
            }
        }
    }
    Ok(assets)
}

/// Loads and validates a spec, returning the typed spec when it could be built (even with errors, as long as
/// it is structurally sound) and every diagnostic, sorted by location.
pub fn check_str(path: &Path, source: &str) -> (Option<Spec>, Vec<Diagnostic>) {
    let (spans, raw) = crate::spec::load::load_yaml(path, source);
    let base_dir = path.parent().map(Path::to_owned).unwrap_or_default();
    let mut ctx = Ctx::new(path, source, &spans, &base_dir);
    let spec = match raw {
        Ok(raw) => validate::run(&mut ctx, &raw),
        Err(diags) => {
            diags.into_iter().for_each(|d| ctx.push(d));
            None
        }
    };
    (spec, finish(ctx))
}

/// Every diagnostic, sorted by location.
fn finish(ctx: Ctx<'_>) -> Vec<Diagnostic> {
    let mut diags = ctx.into_diagnostics();
    diag::sort(&mut diags);
    diags
}
