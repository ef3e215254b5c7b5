//! The `ksbulk` binary: parse flags, set up logging, dispatch, map errors to exit codes.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = ksbulk::cli::Cli::parse();
    match ksbulk::commands::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("ksbulk: error: {err:#}");
            std::process::ExitCode::from(2)
        }
    }
}
