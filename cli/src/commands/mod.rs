//! One module per `mcpgen` subcommand; each exposes `Args` (clap) and `run`.
//! Commands return an [`ExitCode`]: 0 ok, 1 invalid input or failed check; clap itself exits 2 on usage errors.
//!
//! Commands write to standard output only through [`out!`] and [`outln!`], never `print!`: `print!` panics
//! when the reader has gone away (`mcpgen generate --diff | head -1`), while these return a [`StdoutError`]
//! that the binary turns into a quiet exit (see [`is_stdout_closed`]). `clippy::print_stdout` keeps it so.

use std::io::Write as _;

/// `print!` that returns a [`StdoutError`] instead of panicking when standard output cannot be written.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::commands::write_stdout(format_args!($($arg)*))
    };
}

/// `println!` that returns a [`StdoutError`] instead of panicking when standard output cannot be written.
macro_rules! outln {
    () => {
        $crate::commands::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::commands::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub mod breaking;
pub mod common;
pub mod completions;
pub mod config;
pub mod dev;
pub mod files;
pub mod generate;
pub mod import;
pub mod init;
pub mod man;
pub mod new;
pub mod schema;
pub mod validate;
pub mod verify;
pub mod watch;

/// Writing to standard output failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output")]
pub struct StdoutError(#[source] std::io::Error);

impl StdoutError {
    /// The reader closed its end of the pipe: nobody wants the rest of the output.
    pub fn is_closed(&self) -> bool {
        self.0.kind() == std::io::ErrorKind::BrokenPipe
    }
}

/// What [`out!`] and [`outln!`] expand to.
pub fn write_stdout(args: std::fmt::Arguments<'_>) -> Result<(), StdoutError> {
    std::io::stdout()
        .lock()
        .write_fmt(args)
        .map_err(StdoutError)
}

/// The exit code of a command whose standard output was closed under it: 128 + SIGPIPE, what a shell reports
/// for a program the signal ended, as `yes | head -1` does for `yes`. Scripts with `set -o pipefail` see
/// that the command did not finish; nobody sees a message, since the reader left on purpose.
pub const EXIT_STDOUT_CLOSED: u8 = 141;

/// Whether `err` comes from writing to a standard output that its reader closed. Only [`StdoutError`]
/// counts: a broken pipe to a child process (a server under `verify`) is a real error and is reported.
pub fn is_stdout_closed(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<StdoutError>()
            .is_some_and(StdoutError::is_closed)
    })
}
