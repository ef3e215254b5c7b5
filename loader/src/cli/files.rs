//! Flags of the commands that look at SSTable files without loading them: `inspect` and
//! `verify-files`.

use std::path::PathBuf;

use clap::Args;

/// `ksbulk inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// SSTables to describe: a Data.db (or any component) file, an SSTable directory, or a
    /// directory tree (every SSTable under it).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// `ksbulk verify-files`.
#[derive(Debug, Args)]
pub struct VerifyFilesArgs {
    /// Files or directory trees to check: every SSTable found under each path.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// Print only problems and the summary, not a line per good SSTable.
    #[arg(long, short)]
    pub quiet: bool,
}
