//! How much the commands print, and whether in colour: the global `-q`, `-v` and `--color` flags, which the binary
//! sets once before running a command. A process-wide setting, as anstream's colour choice is, so that every
//! command and the helpers they share (`commands::common`, the build progress) agree without threading it through.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::diag::Style;

/// How much a command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Verbosity {
    /// `-q`: errors, and the output that is the command's product (a config snippet, a diff), nothing else.
    Quiet,
    #[default]
    Normal,
    /// `-v`: also each file left unchanged, timings, the build's every step.
    Verbose,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it).
    #[default]
    Auto,
    Always,
    Never,
}

static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

/// Sets both for the rest of the process.
pub fn init(verbosity: Verbosity, color: ColorChoice) {
    VERBOSITY.store(verbosity as u8, Ordering::Relaxed);
    anstream::ColorChoice::write_global(match color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    });
}

pub fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        2 => Verbosity::Verbose,
        _ => Verbosity::Normal,
    }
}

pub fn quiet() -> bool {
    verbosity() == Verbosity::Quiet
}

pub fn verbose() -> bool {
    verbosity() == Verbosity::Verbose
}

/// Whether to colour what goes to standard error: `--color`, then NO_COLOR / CLICOLOR_FORCE, then whether it is
/// a terminal (anstream's rules, the ones clap and cargo follow).
pub fn stderr_style() -> Style {
    style_for(anstream::AutoStream::choice(&std::io::stderr()))
}

/// [`stderr_style`] for standard output.
pub fn stdout_style() -> Style {
    style_for(anstream::AutoStream::choice(&std::io::stdout()))
}

fn style_for(choice: anstream::ColorChoice) -> Style {
    match choice {
        anstream::ColorChoice::Never => Style::Plain,
        _ => Style::Coloured,
    }
}

/// `eprintln!` unless `-q`: progress and notes a script does not need.
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::output::quiet() {
            eprintln!($($arg)*);
        }
    };
}

/// `eprintln!` with `-v` only.
macro_rules! detail {
    ($($arg:tt)*) => {
        if $crate::output::verbose() {
            eprintln!($($arg)*);
        }
    };
}

pub(crate) use {detail, note};
