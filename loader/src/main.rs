//! The `ksbulk` binary: parse flags, set up logging, dispatch, map errors to exit codes.

use clap::Parser;

/// mimalloc instead of the system allocator: the load path allocates and frees a few small
/// buffers per row across threads, where glibc's malloc cost a quarter of ksbulk's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Log lines go to stderr; `KSBULK_LOG` filters them (`info`, `ksbulk=debug`, …; default
/// `warn`, so unit failures and insecure TLS choices always show).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KSBULK_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).try_init();
}

fn main() -> std::process::ExitCode {
    init_logging();
    let cli = ksbulk::cli::Cli::parse();
    match ksbulk::commands::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("ksbulk: error: {err:#}");
            std::process::ExitCode::from(2)
        }
    }
}
