//! rustfmt for generated Rust, as uniffi-bindgen and bindgen do: files formatted many to a process, one
//! size-balanced batch per core, big files in pieces (rustfmt formats top-level items independently), in a scratch
//! folder whose empty `rustfmt.toml` pins the default style. See docs/architecture.md, "Formatting".

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;

use super::plan::Owner;

/// rustfmt refused a generated file: a bug in mcpgen's templates.
#[derive(Debug, thiserror::Error)]
#[error("rustfmt rejected the generated {path} (a bug in mcpgen's templates): {message}")]
pub struct RustfmtError {
    pub path: String,
    pub message: String,
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
pub(super) fn rustfmt_binary() -> Option<&'static Path> {
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
pub(super) fn rustfmt_all(
    files: Vec<(String, String, Owner)>,
    laid_out: &LaidOut<'_>,
) -> Result<Vec<(String, String, Owner)>, RustfmtError> {
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
pub(super) const PART_MARK: &str = "\n// @mcpgen:part\n";

/// Above this size a file is formatted in pieces, several per core.
pub(super) const PIECE_BYTES: usize = 64 * 1024;

/// Whether part `index` of the file at `path` (cut at [`PART_MARK`]s) is already what rustfmt would make of it.
pub(super) type LaidOut<'a> = dyn Fn(&str, usize) -> bool + Sync + 'a;

/// `source` without its part marks (each mark's line and the line break before it).
pub(super) fn without_part_marks(source: &str) -> String {
    let mut joined = source.split(PART_MARK).collect::<Vec<_>>().join("\n");
    if !joined.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

/// Formats each `(path, source)`; see [`rustfmt_all`].
pub(super) fn rustfmt_pieces(files: Vec<(&String, &String)>) -> Result<Vec<String>, RustfmtError> {
    // On regeneration every user file exists, and of a big spec's tools every module may be laid out.
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let scratch = scratch_dir()
        .and_then(|dir| std::fs::write(dir.path().join("rustfmt.toml"), "").map(|()| dir))
        .map_err(|e| RustfmtError {
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
    let slots: Vec<std::sync::Mutex<Option<Result<String, RustfmtError>>>> =
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
pub(super) fn scratch_dir() -> std::io::Result<tempfile::TempDir> {
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
pub(super) fn declares_module_file(source: &str) -> bool {
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

/// Formats one Rust file with rustfmt through stdin (edition 2024), run in `scratch` for its configuration.
pub(super) fn rustfmt(scratch: &Path, path: &str, source: String) -> Result<String, RustfmtError> {
    let fail = |message: String| RustfmtError {
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
