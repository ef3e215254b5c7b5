//! One function per subcommand.

pub mod bench;
pub mod plan;
pub mod dump;
pub mod preflight;
pub mod schema;
pub mod run;
pub mod verify;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

mod inspect;
mod verify_files;

/// Runs the chosen subcommand and returns the process exit code.
pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Bench(args) => bench::run(args),
        Command::Inspect(args) => inspect::run(&args),
        Command::VerifyFiles(args) => verify_files::run(&args),
        Command::Plan(args) => plan::plan(&args),
        Command::Dump(args) => dump::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Preflight(args) => preflight::run(args),
        Command::Run(args) => run::run(args),
        Command::Verify(args) => verify::run(args),
    }
}
