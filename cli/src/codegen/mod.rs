//! Code generation: lower the validated spec to a view model, render it with the embedded templates, and plan
//! the files of the generated crate in memory. Only `write` touches disk.

pub mod cargo_toml;
pub mod ident;
pub mod lower;
pub mod plan;
pub mod render;
pub mod rust;
pub mod typegen;
pub mod write;

use std::path::{Path, PathBuf};

use plan::{Manifest, Owner, Plan, content_hash, relative_path};
use render::{Format, RenderError};
use write::{Changes, WriteError};

use crate::spec::LoadedSpec;

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Everything one generation run would do, computed without writing.
pub struct Prepared {
    pub plan: Plan,
    pub changes: Changes,
    /// User-owned handler files on disk that no spec item uses any more.
    pub orphans: Vec<String>,
}

/// Renders the crate for `loaded` and compares it with what is at `crate_dir` (which may not exist yet).
pub fn prepare(
    loaded: &LoadedSpec,
    crate_dir: &Path,
    format: Format,
    ignored: &dyn Fn(&str) -> bool,
) -> Result<Prepared, GenerateError> {
    let plan = render::render_crate(loaded, crate_dir, format)?;
    let previous = Manifest::read(crate_dir).map_err(|source| GenerateError::Io {
        path: crate_dir.join(plan::MANIFEST_PATH),
        source,
    })?;
    let spec_abs = std::path::absolute(&loaded.path).unwrap_or_else(|_| loaded.path.clone());
    let crate_abs = std::path::absolute(crate_dir).unwrap_or_else(|_| crate_dir.to_owned());
    let manifest = Manifest {
        mcpgen_version: env!("CARGO_PKG_VERSION").to_owned(),
        spec: relative_path(&spec_abs, &crate_abs),
        spec_hash: content_hash(loaded.source.as_bytes()),
        files: Default::default(),
    };
    let changes = write::compare(crate_dir, &plan, previous.as_ref(), manifest, ignored)?;
    let orphans = orphaned_handlers(crate_dir, &plan)?;
    Ok(Prepared {
        plan,
        changes,
        orphans,
    })
}

/// Handler files under the user-owned folders that the plan no longer includes.
fn orphaned_handlers(crate_dir: &Path, plan: &Plan) -> Result<Vec<String>, GenerateError> {
    let mut orphans = Vec::new();
    for folder in ["src/tools", "src/resources", "src/templates", "src/prompts"] {
        let dir = crate_dir.join(folder);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(GenerateError::Io { path: dir, source }),
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".rs") {
                continue;
            }
            let path = format!("{folder}/{name}");
            if plan.get(&path).is_none_or(|f| f.owner != Owner::User) {
                orphans.push(path);
            }
        }
    }
    orphans.sort();
    Ok(orphans)
}
