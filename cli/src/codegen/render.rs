//! Rendering: the view model through the embedded Tera templates, then rustfmt, into a [`Plan`]. Reads the spec's
//! `file:` resources, writes nothing.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;

use tera::{Context, Tera};

use super::cargo_toml::{self, RuntimeSource};
use super::lower::{LowerError, lower};
use super::plan::{DuplicatePath, Owner, Plan, relative_path};
use super::vendor;
use crate::spec::LoadedSpec;

/// Templates, embedded in the binary. Names are paths under `templates/`.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates![
    "generated/mod.rs.tera",
    "generated/server.rs.tera",
    "generated/tools.rs.tera",
    "generated/resources.rs.tera",
    "generated/templates.rs.tera",
    "generated/prompts.rs.tera",
    "crate/README.md.tera",
    "crate/gitignore.tera",
    "crate/Dockerfile.tera",
    "crate/main.rs.tera",
    "crate/state.rs.tera",
    "crate/completions.rs.tera",
    "crate/tool.rs.tera",
    "crate/resource.rs.tera",
    "crate/template.rs.tera",
    "crate/prompt.rs.tera",
];

static TERA: LazyLock<Tera> = LazyLock::new(|| {
    let mut tera = Tera::default();
    tera.autoescape_on(Vec::new());
    tera.add_raw_templates(TEMPLATES.iter().copied())
        .expect("embedded templates parse (covered by tests)");
    tera
});

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Lower(#[from] LowerError),
    #[error("rendering {template}: {source}")]
    Template {
        template: &'static str,
        source: tera::Error,
    },
    #[error("cannot read `file:` resource {path}: {source}")]
    Asset {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Duplicate(#[from] DuplicatePath),
    #[error("rustfmt rejected the generated {path} (a bug in mcpgen's templates): {message}")]
    Rustfmt { path: String, message: String },
}

/// Whether generated Rust is run through rustfmt. Off only where rustfmt is missing (a warning says so).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rustfmt,
    AsRendered,
}

impl Format {
    /// rustfmt when it is installed (it ships with the default rustup profile).
    pub fn detect() -> Format {
        if rustfmt_binary().is_some() {
            Format::Rustfmt
        } else {
            Format::AsRendered
        }
    }
}

/// The rustfmt binary, resolved once. Through rustup's proxy each run costs ~40 ms more than the toolchain's own
/// binary, which adds up over the 40-odd files of a crate, so ask rustup where the real one is.
fn rustfmt_binary() -> Option<&'static Path> {
    static BINARY: LazyLock<Option<PathBuf>> = LazyLock::new(|| {
        let works = |bin: &Path| {
            Command::new(bin)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let from_rustup = Command::new("rustup")
            .args(["which", "rustfmt"])
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .filter(|p| works(p));
        from_rustup.or_else(|| Some(PathBuf::from("rustfmt")).filter(|p| works(p)))
    });
    BINARY.as_deref()
}

/// Formats every file. Almost all of rustfmt's time on a generated file is its own start-up (~19 ms against
/// well under 1 ms of formatting), so files that declare no out-of-line module (the handler stubs: one per
/// tool, resource, template and prompt) are formatted many to a process, one process per core; the few
/// others (`main.rs`, `generated/mod.rs`: rustfmt would follow their `mod x;` into files it cannot see)
/// go one per process through stdin.
///
/// Every rustfmt runs in one private folder whose empty `rustfmt.toml` is the configuration it finds
/// (stdin mode looks in the current directory, file mode next to the file and up), so the output is
/// rustfmt's default style wherever mcpgen runs: the generated crate has no `rustfmt.toml`.
///
/// A file bigger than [`PIECE_BYTES`] is cut at its part marks into several pieces per core, formatted in
/// parallel and joined again: rustfmt formats top-level items one by one, so the pieces joined by a blank line are what
/// it makes of the whole file (a test checks it). `generated/tools.rs` of 1,000 tools is 800 KB. Parts already in
/// rustfmt's layout (`laid_out(path, index)`: see [`LaidOut`]) are not formatted at all.
fn rustfmt_all(
    files: Vec<(String, String, Owner)>,
    laid_out: &LaidOut<'_>,
) -> Result<Vec<(String, String, Owner)>, RenderError> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut owners = Vec::new();
    // Each file's pieces in order: text, and whether it still needs formatting.
    let mut pieces: Vec<(usize, String, bool)> = Vec::new();
    for (i, (path, source, owner)) in files.into_iter().enumerate() {
        let parts: Vec<&str> = source.split(PART_MARK).collect();
        let to_format: usize = parts
            .iter()
            .enumerate()
            .filter(|(k, _)| !laid_out(&path, *k))
            .map(|(_, part)| part.len())
            .sum();
        // Several pieces per core, so they even out with the other files in the batches.
        let target = if to_format > PIECE_BYTES {
            to_format.div_ceil(workers * 4)
        } else {
            usize::MAX
        };
        let mut open: Option<String> = None;
        for (k, part) in parts.into_iter().enumerate() {
            if laid_out(&path, k) {
                if let Some(piece) = open.take() {
                    pieces.push((i, piece, true));
                }
                pieces.push((i, part.to_owned(), false));
                continue;
            }
            let piece = open.get_or_insert_with(String::new);
            if !piece.is_empty() {
                piece.push('\n');
            }
            piece.push_str(part);
            if piece.len() >= target {
                pieces.push((i, open.take().expect("just filled"), true));
            }
        }
        if let Some(piece) = open {
            pieces.push((i, piece, true));
        }
        owners.push((path, owner));
    }
    let formatted = rustfmt_pieces(
        pieces
            .iter()
            .filter(|(_, _, format)| *format)
            .map(|(i, piece, _)| (&owners[*i].0, piece))
            .collect(),
    )?;
    let mut formatted = formatted.into_iter();
    let mut out: Vec<(String, String, Owner)> = owners
        .into_iter()
        .map(|(path, owner)| (path, String::new(), owner))
        .collect();
    for (i, piece, format) in pieces {
        let text = if format {
            formatted.next().expect("one result per piece formatted")
        } else {
            piece
        };
        let joined = &mut out[i].1;
        if !joined.is_empty() {
            joined.push('\n');
        }
        joined.push_str(&text);
        if !joined.ends_with('\n') {
            joined.push('\n');
        }
    }
    Ok(out)
}

/// A line the templates put before each top-level item of a file that can grow big (`generated/tools.rs`):
/// where the formatter may cut it. User text reaches Rust only as literals and `///` doc comments, never as
/// a bare `//` line, so it cannot fake one.
const PART_MARK: &str = "\n// @mcpgen:part\n";

/// Above this size a file is formatted in pieces, several per core.
const PIECE_BYTES: usize = 64 * 1024;

/// Whether part `index` of the file at `path` (cut at [`PART_MARK`]s) is already what rustfmt would make of it.
type LaidOut<'a> = dyn Fn(&str, usize) -> bool + Sync + 'a;

/// The parts of `generated/tools.rs` that need no rustfmt: its header comment, and each tool's module that lowering
/// laid out ([`super::lower::ToolView::laid_out`]). Checked against rustfmt on random tools by
/// `tool_modules_said_to_be_formatted_are_what_rustfmt_makes`.
fn tools_laid_out(tools: &[super::lower::ToolView]) -> impl Fn(&str, usize) -> bool + Sync + '_ {
    |path, index| {
        path == "src/generated/tools.rs"
            && index
                .checked_sub(1)
                .is_none_or(|tool| tools.get(tool).is_some_and(|t| t.laid_out))
    }
}

/// `source` without its part marks (each mark's line and the line break before it).
fn without_part_marks(source: &str) -> String {
    let mut joined = source.split(PART_MARK).collect::<Vec<_>>().join("\n");
    if !joined.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

/// Formats each `(path, source)`; see [`rustfmt_all`].
fn rustfmt_pieces(files: Vec<(&String, &String)>) -> Result<Vec<String>, RenderError> {
    // On regeneration every user file exists, and of a big spec's tools every module may be laid out.
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let scratch = scratch_dir()
        .and_then(|dir| std::fs::write(dir.path().join("rustfmt.toml"), "").map(|()| dir))
        .map_err(|e| RenderError::Rustfmt {
            path: "(all files)".to_owned(),
            message: format!("cannot create a temporary folder: {e}"),
        })?;
    let scratch = scratch.path();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (batched, single): (Vec<usize>, Vec<usize>) =
        (0..files.len()).partition(|&i| !declares_module_file(files[i].1));
    // One batch per worker, balanced by size (largest file first, each into the lightest batch): rustfmt's
    // time follows the bytes, and a 1,000-tool `generated/tools.rs` weighs as much as hundreds of stubs.
    let mut by_size = batched;
    by_size.sort_by_key(|&i| std::cmp::Reverse(files[i].1.len()));
    let mut chunks: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); workers];
    for i in by_size {
        let lightest = chunks
            .iter_mut()
            .min_by_key(|(bytes, _)| *bytes)
            .expect("at least one worker");
        lightest.0 += files[i].1.len();
        lightest.1.push(i);
    }
    // The files that must go alone ride along as one-file jobs on the same threads, largest job first.
    chunks.extend(single.into_iter().map(|i| (files[i].1.len(), vec![i])));
    chunks.retain(|(_, chunk)| !chunk.is_empty());
    chunks.sort_by_key(|(bytes, _)| std::cmp::Reverse(*bytes));
    let chunks: Vec<Vec<usize>> = chunks.into_iter().map(|(_, chunk)| chunk).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<Result<String, RenderError>>>> =
        files.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers.min(chunks.len()) {
            scope.spawn(|| {
                loop {
                    let job = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(chunk) = chunks.get(job) else {
                        break;
                    };
                    let batch = match chunk.as_slice() {
                        [_] => None,
                        _ => rustfmt_batch(
                            &scratch.join(format!("job{job}")),
                            chunk.iter().map(|&i| files[i].1.as_str()),
                        )
                        .ok(),
                    };
                    // Without a batch result (one file, or a batch rustfmt refused) each file goes through
                    // stdin alone, so an error names its file.
                    let mut batch = batch.map(Vec::into_iter);
                    for &i in chunk {
                        let formatted = match batch.as_mut().and_then(Iterator::next) {
                            Some(text) => Ok(text),
                            None => rustfmt(scratch, files[i].0, files[i].1.clone()),
                        };
                        *slots[i].lock().expect("no panics while holding") = Some(formatted);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("no panics while holding")
                .expect("every file was formatted")
        })
        .collect()
}

/// The formatter's scratch folder, in a memory-backed folder where there is a writable one. The files live
/// for a fraction of a second, and on a disk-backed /tmp creating and deleting a thousand of them cost more
/// than formatting them (criterion, 1,000 tools: 0.85 s with /tmp on disk, 0.31 s on tmpfs). A set TMPDIR wins.
fn scratch_dir() -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("mcpgen-rustfmt");
    if cfg!(target_os = "linux") && std::env::var_os("TMPDIR").is_none() {
        let memory_backed = [
            std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
            Some(PathBuf::from("/dev/shm")),
        ];
        for dir in memory_backed
            .into_iter()
            .flatten()
            .filter(|d| d.is_absolute())
        {
            if let Ok(scratch) = builder.tempdir_in(dir) {
                return Ok(scratch);
            }
        }
    }
    builder.tempdir()
}

/// Whether `source` declares a module whose body lives in another file (`mod x;`), which rustfmt
/// follows when it formats files in place. Conservative: a false positive only costs a process.
fn declares_module_file(source: &str) -> bool {
    source.lines().any(|line| {
        let line = line.trim_start();
        let line = line.strip_prefix("pub ").unwrap_or(line);
        let line = match line.strip_prefix("pub(") {
            Some(rest) => rest
                .split_once(')')
                .map_or(rest, |(_, rest)| rest.trim_start()),
            None => line,
        };
        line.starts_with("mod ") && line.trim_end().ends_with(';')
    })
}

/// Formats several files with one rustfmt process, in place in `dir` (created here); `Err` when rustfmt
/// fails.
fn rustfmt_batch<'a>(
    dir: &Path,
    sources: impl Iterator<Item = &'a str>,
) -> std::io::Result<Vec<String>> {
    std::fs::create_dir(dir)?;
    let mut paths = Vec::new();
    for (i, source) in sources.enumerate() {
        let path = dir.join(format!("f{i}.rs"));
        std::fs::write(&path, source)?;
        paths.push(path);
    }
    let binary = rustfmt_binary().unwrap_or(Path::new("rustfmt"));
    let status = Command::new(binary)
        .args(["--edition", "2024", "--quiet"])
        .args(&paths)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    if !status.success() {
        return Err(std::io::Error::other("rustfmt failed"));
    }
    paths.iter().map(std::fs::read_to_string).collect()
}

fn render_one(name: &'static str, ctx: &Context) -> Result<String, RenderError> {
    TERA.render(name, ctx)
        .map_err(|source| RenderError::Template {
            template: name,
            source,
        })
}

/// Formats one Rust file with rustfmt through stdin (edition 2024), run in `scratch` for its configuration.
fn rustfmt(scratch: &Path, path: &str, source: String) -> Result<String, RenderError> {
    let fail = |message: String| RenderError::Rustfmt {
        path: path.to_owned(),
        message,
    };
    let binary = rustfmt_binary().unwrap_or(Path::new("rustfmt"));
    let mut child = Command::new(binary)
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .current_dir(scratch)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(e.to_string()))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Write from a thread: rustfmt may fill its stdout pipe before it has read all of a large input.
    let writer = std::thread::spawn(move || stdin.write_all(source.as_bytes()));
    let output = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(fail(String::from_utf8_lossy(&output.stderr).into_owned()));
    }
    String::from_utf8(output.stdout).map_err(|e| fail(e.to_string()))
}

/// Renders the whole crate for `loaded` as it should be at `crate_dir`.
pub fn render_crate(
    loaded: &LoadedSpec,
    crate_dir: &Path,
    format: Format,
    runtime: RuntimeSource,
) -> Result<Plan, RenderError> {
    let spec_abs = std::path::absolute(&loaded.path).unwrap_or_else(|_| loaded.path.clone());
    let crate_abs = std::path::absolute(crate_dir).unwrap_or_else(|_| crate_dir.to_owned());
    let spec_rel = relative_path(&spec_abs, &crate_abs);
    let view = lower(&loaded.spec, &spec_rel)?;
    let mut ctx = Context::from_serialize(&view).expect("the view model serialises");
    ctx.insert("rmcp_version", cargo_toml::RMCP_VERSION);

    let snippets = crate::clientconfig::crate_snippets(&loaded.spec);
    let claude = snippets
        .iter()
        .find(|(file, _)| file.starts_with("claude-desktop.stdio."))
        .or_else(|| {
            snippets
                .iter()
                .find(|(file, _)| file.starts_with("claude-desktop."))
        })
        .map(|(_, content)| content.trim_end().to_owned())
        .unwrap_or_default();
    ctx.insert("claude_desktop_snippet", &claude);

    let mut plan = Plan::default();

    let mut generated_files: Vec<(String, String, Owner)> = Vec::new();
    for (file, template) in [
        ("mod.rs", "generated/mod.rs.tera"),
        ("server.rs", "generated/server.rs.tera"),
        ("tools.rs", "generated/tools.rs.tera"),
        ("resources.rs", "generated/resources.rs.tera"),
        ("templates.rs", "generated/templates.rs.tera"),
        ("prompts.rs", "generated/prompts.rs.tera"),
    ] {
        // The templates start with the header line themselves, so they read as complete files.
        generated_files.push((
            format!("src/generated/{file}"),
            render_one(template, &ctx)?,
            Owner::Generated,
        ));
    }
    let laid_out = tools_laid_out(&view.tools);
    let format_files = |files: Vec<(String, String, Owner)>| match format {
        Format::Rustfmt => rustfmt_all(files, &laid_out),
        Format::AsRendered => Ok(files
            .into_iter()
            .map(|(path, source, owner)| (path, without_part_marks(&source), owner))
            .collect()),
    };
    std::thread::scope(|scope| -> Result<(), RenderError> {
        // Big generated modules are formatted on another core while the user's files render (at 1,000 tools
        // `generated/server.rs` alone keeps one rustfmt busy for ~30 ms); small ones share the user's batches, as
        // every rustfmt process costs ~10 ms to start.
        let big = generated_files.iter().map(|f| f.1.len()).sum::<usize>() > PIECE_BYTES;
        let (early, mut files) = if big {
            (
                Some(scope.spawn(|| format_files(generated_files))),
                Vec::new(),
            )
        } else {
            (None, generated_files)
        };
        let user_files = render_user_files(&view, &mut ctx, crate_dir)?;
        files.extend(user_files.to_format);
        let mut formatted = format_files(files)?;
        if let Some(early) = early {
            formatted.extend(early.join().expect("formatting does not panic")?);
        }
        for (path, source, owner) in formatted.into_iter().chain(user_files.as_rendered) {
            plan.add(path, source, owner)?;
        }
        Ok(())
    })?;
    // The vendored runtime is kept rustfmt-clean in runtime/ (`cargo fmt --all --check`), so it skips the formatter.
    if runtime == RuntimeSource::Vendored {
        for (path, source) in vendor::files() {
            plan.add(path, source, Owner::Generated)?;
        }
    }

    plan.add(
        "Cargo.toml",
        cargo_toml::render(&view, runtime),
        Owner::User,
    )?;
    plan.add(
        ".gitignore",
        render_one("crate/gitignore.tera", &ctx)?,
        Owner::User,
    )?;
    // Containers serve over the network: only servers with an HTTP transport get a Dockerfile.
    if let Some((transport, port)) = view
        .transports
        .http
        .as_ref()
        .map(|h| ("streamable-http", h.port))
        .or_else(|| view.transports.sse.as_ref().map(|s| ("sse", s.port)))
    {
        ctx.insert("docker_transport", transport);
        ctx.insert("docker_port", &port);
        plan.add(
            "Dockerfile",
            render_one("crate/Dockerfile.tera", &ctx)?,
            Owner::User,
        )?;
    }
    plan.add(
        "README.md",
        render_one("crate/README.md.tera", &ctx)?,
        Owner::Generated,
    )?;
    for (file, content) in snippets {
        plan.add(format!("mcp-config/{file}"), content, Owner::Generated)?;
    }
    let spec_dir = loaded.path.parent().unwrap_or(Path::new("."));
    for asset in &view.assets {
        let path = spec_dir.join(&asset.source);
        let bytes = std::fs::read(&path).map_err(|source| RenderError::Asset {
            path: path.display().to_string(),
            source,
        })?;
        plan.add(
            format!("src/generated/assets/{}", asset.file_name),
            bytes,
            Owner::Generated,
        )?;
    }
    Ok(plan)
}

/// The Rust files the user owns, rendered: those to format, and those kept as rendered (stubs already in rustfmt's
/// layout, and files that exist already, which are never written again).
struct UserFiles {
    to_format: Vec<(String, String, Owner)>,
    as_rendered: Vec<(String, String, Owner)>,
}

fn render_user_files(
    view: &super::lower::CrateView,
    ctx: &mut Context,
    crate_dir: &Path,
) -> Result<UserFiles, RenderError> {
    let mut rust_files: Vec<(String, String, Owner)> = Vec::new();
    rust_files.push((
        "src/main.rs".into(),
        render_one("crate/main.rs.tera", ctx)?,
        Owner::User,
    ));
    rust_files.push((
        "src/state.rs".into(),
        render_one("crate/state.rs.tera", ctx)?,
        Owner::User,
    ));
    if view.completion_hook {
        rust_files.push((
            "src/completions.rs".into(),
            render_one("crate/completions.rs.tera", ctx)?,
            Owner::User,
        ));
    }
    // Stubs already in rustfmt's layout skip the formatter (`mcpgen new` on a spec of 1,000 tools: most of it).
    let mut preformatted: Vec<(String, String, Owner)> = Vec::new();
    let mut per_item = |file: &str,
                        template: &'static str,
                        item: &dyn erased::Item,
                        is_formatted: bool|
     -> Result<(), RenderError> {
        ctx.insert("item", &item.value());
        let rendered = (
            format!("src/{file}"),
            render_one(template, ctx)?,
            Owner::User,
        );
        if is_formatted {
            preformatted.push(rendered);
        } else {
            rust_files.push(rendered);
        }
        Ok(())
    };
    for t in &view.tools {
        per_item(&t.file, "crate/tool.rs.tera", t, tool_stub_is_formatted(t))?;
    }
    for r in view.resources.iter().filter(|r| r.source == "handler") {
        per_item(&r.file, "crate/resource.rs.tera", r, false)?;
    }
    for t in &view.templates {
        per_item(&t.file, "crate/template.rs.tera", t, false)?;
    }
    for p in view.prompts.iter().filter(|p| p.messages.is_none()) {
        per_item(&p.file, "crate/prompt.rs.tera", p, false)?;
    }
    // A user file that already exists is never written again, so formatting its stub would be wasted: on
    // regeneration that is every handler stub, most of the formatting work.
    let (to_format, kept): (Vec<_>, Vec<_>) = rust_files
        .into_iter()
        .partition(|(path, _, _)| !crate_dir.join(path).exists());
    Ok(UserFiles {
        to_format,
        as_rendered: kept.into_iter().chain(preformatted).collect(),
    })
}

/// Whether the stub `templates/crate/tool.rs.tera` renders for this tool is exactly what rustfmt would make of
/// it. The template is written in rustfmt's layout; only a long name changes that, through the two code lines
/// holding it: `use crate::generated::tools::<module>::{Input, Output};` (one line up to 100 columns) and
/// `Err(ToolError::not_implemented("<name>"))`, whose argument rustfmt keeps on the line up to 60 columns
/// (`fn_call_width`). Comments are never re-wrapped. Checked against rustfmt for names of every length by
/// `tool_stubs_said_to_be_formatted_are_what_rustfmt_makes`.
fn tool_stub_is_formatted(tool: &super::lower::ToolView) -> bool {
    "ToolError::not_implemented()".len() + tool.name_lit.len() <= 60
        && "use crate::generated::tools::::{Input, Output};".len() + tool.module.len() <= 100
}

/// Per-item views are different types; templates only need them as JSON.
mod erased {
    pub trait Item {
        fn value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Item for T {
        fn value(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("view models serialise")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_files_are_found_in_every_spelling() {
        for (source, declares) in [
            ("mod tools;\n", true),
            ("pub mod generated;\n", true),
            ("pub(crate) mod runtime;\n", true),
            ("  #[path = \"x.rs\"]\n  pub(in crate::a) mod x ;\n", true),
            ("mod tests {\n}\n", false),
            ("mod tests {}\n", false),
            ("// a comment about a mod\nfn f() {}\n", false),
            ("use crate::generated::tools;\n", false),
        ] {
            assert_eq!(declares_module_file(source), declares, "{source:?}");
        }
    }

    fn files(sources: &[(&str, &str)]) -> Vec<(String, String, Owner)> {
        sources
            .iter()
            .map(|(path, source)| ((*path).to_owned(), (*source).to_owned(), Owner::User))
            .collect()
    }

    #[test]
    fn batched_and_single_files_format_like_rustfmt_alone() {
        if Format::detect() != Format::Rustfmt {
            return; // Nothing to compare with; `Format::AsRendered` is covered by the examples test.
        }
        // Enough stub-like files for every worker to get a batch, plus two that declare modules.
        let mut sources: Vec<(String, String)> = (0..9)
            .map(|i| {
                (
                    format!("src/tools/t{i}.rs"),
                    format!("use  std::fmt;\npub fn t{i}( a:u8 )->u8{{a+{i}}}\n"),
                )
            })
            .collect();
        sources.push(("src/main.rs".into(), "mod tools;\nfn main(){ }\n".into()));
        sources.push(("src/lib.rs".into(), "pub  mod a;\n".into()));
        let input: Vec<(&str, &str)> = sources
            .iter()
            .map(|(p, s)| (p.as_str(), s.as_str()))
            .collect();
        let out = rustfmt_all(files(&input), &|_, _| false).unwrap();
        assert_eq!(out.len(), sources.len());
        for ((path, formatted, _), (expected_path, source)) in out.iter().zip(&sources) {
            assert_eq!(path, expected_path, "order kept");
            let scratch = tempfile::tempdir().unwrap();
            let alone = rustfmt(scratch.path(), path, source.clone()).unwrap();
            assert_eq!(formatted, &alone, "{path}");
            assert_ne!(formatted, source, "{path} was formatted");
        }
    }

    #[test]
    fn tool_stubs_said_to_be_formatted_are_what_rustfmt_makes() {
        if Format::detect() != Format::Rustfmt {
            return;
        }
        // Names of every length around both limits, some cursed, in the four shapes of a stub.
        let mut names: Vec<String> = (1..=64)
            .map(|n| format!("t{}", "x".repeat(n - 1)))
            .collect();
        names.extend(["self", "type", "1st-tool", "a.b-c", "Crate"].map(String::from));
        names.push("n".repeat(128));
        let mut yaml =
            String::from("mcpgen: 1\nserver: {name: t}\ntransports: {stdio: {}}\ntools:\n");
        for (i, name) in names.iter().enumerate() {
            yaml += &format!("  - name: {name}\n    description: d\n");
            if i % 2 == 0 {
                yaml += "    inputSchema: {type: object, properties: {a: {type: integer}}}\n";
            }
            if i % 4 < 2 {
                yaml += "    outputSchema: {type: object, properties: {b: {type: string}}}\n";
            }
        }
        let loaded = crate::spec::load_spec_str(Path::new("t.yaml"), &yaml).unwrap();
        let view = lower(&loaded.spec, "t.yaml").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let plan = render_crate(
            &loaded,
            &dir.path().join("t"),
            Format::AsRendered,
            RuntimeSource::Registry,
        )
        .unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let (mut skipped, mut formatted) = (0, 0);
        for tool in &view.tools {
            let path = format!("src/{}", tool.file);
            let rendered = String::from_utf8(plan.get(&path).unwrap().contents.clone()).unwrap();
            let by_rustfmt = rustfmt(scratch.path(), &path, rendered.clone()).unwrap();
            if tool_stub_is_formatted(tool) {
                skipped += 1;
                assert_eq!(rendered, by_rustfmt, "{}: said to be formatted", tool.label);
            } else {
                formatted += 1;
                // A tool that goes through rustfmt must need it, else the rule is looser than it could be.
                assert_ne!(
                    rendered, by_rustfmt,
                    "{}: formatted for nothing",
                    tool.label
                );
            }
        }
        assert!(
            skipped > 20 && formatted > 20,
            "{skipped} skipped, {formatted} formatted"
        );
    }

    #[test]
    fn part_marks_vanish_leaving_a_blank_line() {
        let source = "head\n// @mcpgen:part\naaaaaaaaaa\n// @mcpgen:part\nbbbbbbbbbb\n";
        assert_eq!(without_part_marks(source), "head\naaaaaaaaaa\nbbbbbbbbbb\n");
        assert_eq!(without_part_marks("no marks"), "no marks\n");
    }

    /// A big `generated/tools.rs` whose modules all need rustfmt is formatted in pieces; joined, they are what rustfmt
    /// makes of the whole.
    #[test]
    fn a_big_file_formatted_in_pieces_is_what_rustfmt_makes_of_it_whole() {
        if Format::detect() != Format::Rustfmt {
            return;
        }
        let mut yaml =
            String::from("mcpgen: 1\nserver: {name: t}\ntransports: {stdio: {}}\ntools:\n");
        for i in 0..240 {
            let name = ["add", "self", "1st-tool", "a.b-c", "n"][i % 5];
            // Wide characters: one char, two columns for rustfmt, so every module goes through it and is changed.
            let description = format!(
                "{}{}",
                "A description long enough. ".repeat(i % 4),
                "日本語".repeat(14)
            );
            yaml += &format!("  - name: {name}_{i}\n    description: '{description}{i}'\n");
            yaml += "    inputSchema: {type: object, properties: {a: {type: integer, description: 'First.'}, \
                     text: {type: string, enum: [x, y]}}, required: [a]}\n";
            if i % 3 == 0 {
                yaml += "    outputSchema: {type: object, properties: {b: {type: array, items: {type: string}}}}\n";
            }
        }
        let loaded = crate::spec::load_spec_str(Path::new("t.yaml"), &yaml).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let tools = |format| {
            let plan = render_crate(
                &loaded,
                &dir.path().join("t"),
                format,
                RuntimeSource::Registry,
            )
            .unwrap();
            String::from_utf8(plan.get("src/generated/tools.rs").unwrap().contents.clone()).unwrap()
        };
        let rendered = tools(Format::AsRendered);
        assert!(rendered.len() > PIECE_BYTES, "big enough to be cut");
        assert!(!rendered.contains("@mcpgen:part"));
        let scratch = tempfile::tempdir().unwrap();
        let whole = rustfmt(scratch.path(), "tools.rs", rendered.clone()).unwrap();
        assert_ne!(
            whole, rendered,
            "the check needs rustfmt to change something"
        );
        assert_eq!(tools(Format::Rustfmt), whole);
    }

    /// A small deterministic generator (xorshift64*) for the random tools below.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
        /// Text of about `max` chars at most, from words that exercise escaping; ASCII unless `wide`.
        fn text(&mut self, max: usize, wide: bool) -> String {
            let mut words = vec![
                "lorem",
                "ipsum",
                "x",
                "\"quoted\"",
                "back\\slash",
                "r#\"raw\"#",
                "{braces}",
                "tab\there",
                "new\nline",
                "`code`",
                "#",
                "a-very-long-word-without-any-break-in-it",
            ];
            if wide {
                words.extend(["café", "日本語", "🚀", "naïve"]);
            }
            let len = self.below(max + 1);
            let mut out = String::new();
            while out.chars().count() < len {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(self.pick(&words));
            }
            out
        }
        fn name(&mut self, what: &str, i: usize) -> String {
            let long = "n".repeat(1 + self.below(110));
            let stem = self.pick(&[
                "add",
                "self",
                "type",
                "1st",
                "a.b-c",
                "Crate",
                "get_forecast",
                &long,
            ]);
            format!("{stem}_{what}{i}")
        }
        fn property(&mut self, depth: usize, wide: bool) -> serde_json::Value {
            use serde_json::json;
            let mut schema = match self.below(if depth < 2 { 9 } else { 7 }) {
                0 => json!({"type": "integer"}),
                1 => json!({"type": "number"}),
                2 => json!({"type": "boolean"}),
                3 => json!({"type": "string"}),
                4 => {
                    let mut values: Vec<String> = (0..1 + self.below(4))
                        .map(|v| format!("{}{v}", self.text(70, wide)))
                        .collect();
                    values.dedup();
                    json!({"type": "string", "enum": values})
                }
                5 => json!({"type": ["string", "null"]}),
                6 => json!({"type": "array", "items": {"type": self.pick(&["string", "integer"])}}),
                7 => json!({"type": "array", "items": self.object(depth + 1, wide)}),
                _ => self.object(depth + 1, wide),
            };
            if self.chance(30) {
                let default = match schema["type"].as_str() {
                    Some("integer") => json!(self.next() as i64 / 3),
                    Some("number") => json!(self.below(10_000) as f64 / 7.0),
                    Some("boolean") => json!(self.chance(50)),
                    Some("string") => match schema.get("enum") {
                        Some(values) => values[0].clone(),
                        None => json!(self.text(120, wide)),
                    },
                    _ => serde_json::Value::Null,
                };
                if !default.is_null() {
                    schema["default"] = default;
                }
            }
            if self.chance(40) {
                schema["description"] = json!(self.text(150, wide));
            }
            if self.chance(15) {
                schema["title"] = json!(self.text(60, wide));
            }
            schema
        }
        fn object(&mut self, depth: usize, wide: bool) -> serde_json::Value {
            let mut properties = serde_json::Map::new();
            let mut required = Vec::new();
            for p in 0..self.below(6) {
                let long = "p".repeat(1 + self.below(90));
                let stem =
                    self.pick(&["a", "type", "self", "a-b", "with space", "1st", "Ab", &long]);
                let name = format!("{stem}{p}");
                if self.chance(40) {
                    required.push(name.clone());
                }
                properties.insert(name, self.property(depth, wide));
            }
            let mut schema = serde_json::json!({"type": "object", "properties": properties});
            if !required.is_empty() {
                schema["required"] = required.into();
            }
            match self.below(6) {
                0 => schema["additionalProperties"] = false.into(),
                1 => schema["additionalProperties"] = serde_json::json!({"type": "integer"}),
                _ => {}
            }
            schema
        }
        fn tool(&mut self, i: usize) -> serde_json::Value {
            use serde_json::json;
            // Most tools in ASCII, which skip rustfmt; some with wider characters, which go through it.
            let wide = self.chance(15);
            let mut tool = json!({"name": self.name("t", i), "description": self.text(300, wide)});
            if self.chance(70) {
                tool["inputSchema"] = self.object(0, wide);
            }
            if self.chance(40) {
                tool["outputSchema"] = self.object(0, wide);
            }
            if self.chance(20) {
                tool["title"] = json!(self.text(80, wide));
            }
            if self.chance(20) {
                tool["annotations"] = json!({"title": self.text(60, wide), "readOnlyHint": true});
            }
            if self.chance(10) {
                tool["icons"] =
                    json!([{"src": "https://example.com/icon.png", "mimeType": "image/png"}]);
            }
            if self.chance(10) {
                tool["_meta"] = json!({"note": self.text(100, wide)});
            }
            tool
        }
    }

    /// Random tools, names and text around every width limit: the modules said to be formatted, kept as rendered, and
    /// the others, formatted, make exactly what rustfmt makes of the whole file.
    #[test]
    fn tool_modules_said_to_be_formatted_are_what_rustfmt_makes() {
        if Format::detect() != Format::Rustfmt {
            return;
        }
        let scratch = tempfile::tempdir().unwrap();
        let (mut skipped, mut formatted) = (0, 0);
        for seed in 1..=6u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let tools: Vec<serde_json::Value> = (0..150).map(|i| rng.tool(i)).collect();
            let spec = serde_json::json!({"mcpgen": 1, "server": {"name": "t"},
                "transports": {"stdio": {}}, "tools": tools});
            // JSON is YAML.
            let yaml = serde_json::to_string_pretty(&spec).unwrap();
            let loaded = match crate::spec::load_spec_str(Path::new("t.yaml"), &yaml) {
                Ok(loaded) => loaded,
                Err(e) => panic!("seed {seed}: the random spec is invalid: {e:?}"),
            };
            let dir = tempfile::tempdir().unwrap();
            let tools_rs = |format| {
                let plan = render_crate(
                    &loaded,
                    &dir.path().join("t"),
                    format,
                    RuntimeSource::Registry,
                )
                .unwrap();
                String::from_utf8(plan.get("src/generated/tools.rs").unwrap().contents.clone())
                    .unwrap()
            };
            for tool in lower(&loaded.spec, "t.yaml").unwrap().tools {
                if tool.laid_out {
                    skipped += 1;
                } else {
                    formatted += 1;
                }
            }
            let rendered = tools_rs(Format::AsRendered);
            let whole = rustfmt(scratch.path(), "tools.rs", rendered).unwrap();
            let ours = tools_rs(Format::Rustfmt);
            if ours != whole {
                let (ours, whole): (Vec<&str>, Vec<&str>) =
                    (ours.lines().collect(), whole.lines().collect());
                let at = ours.iter().zip(&whole).take_while(|(a, b)| a == b).count();
                let show = |lines: &[&str]| {
                    format!(
                        "{:?}",
                        &lines[at.saturating_sub(8).min(lines.len())..(at + 4).min(lines.len())]
                    )
                };
                panic!(
                    "seed {seed}, line {}:\n--- mcpgen:\n{}\n--- rustfmt:\n{}",
                    at + 1,
                    show(&ours),
                    show(&whole)
                );
            }
        }
        assert!(
            skipped > 400 && formatted > 100,
            "{skipped} modules skipped rustfmt, {formatted} went through it"
        );
    }

    #[test]
    fn a_file_rustfmt_rejects_is_named_even_inside_a_batch() {
        if Format::detect() != Format::Rustfmt {
            return;
        }
        let out = rustfmt_all(
            files(&[
                ("src/tools/good.rs", "fn  good(){}\n"),
                ("src/tools/bad.rs", "fn bad( {\n"),
                ("src/tools/also_good.rs", "fn also_good(){}\n"),
                ("src/tools/fine.rs", "fn fine(){}\n"),
            ]),
            &|_, _| false,
        );
        match out {
            Err(RenderError::Rustfmt { path, .. }) => assert_eq!(path, "src/tools/bad.rs"),
            other => panic!("expected a rustfmt error naming bad.rs, got {other:?}"),
        }
    }
}
