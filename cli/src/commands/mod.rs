//! One module per `mcpgen` subcommand; each exposes `Args` (clap) and `run`.
//! Commands return an [`ExitCode`]: 0 ok, 1 invalid input or failed check; clap itself exits 2 on usage errors.

pub mod breaking;
pub mod config;
pub mod generate;
pub mod init;
pub mod new;
pub mod schema;
pub mod validate;
pub mod verify;
pub mod watch;
