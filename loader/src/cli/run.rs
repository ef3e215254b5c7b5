//! Flags of `ksbulk run`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::conn::{parse_duration, ConnArgs};
use super::write::WriteArgs;

/// Executes (or resumes) a manifest written by `ksbulk plan`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The manifest; it is also the checkpoint, updated as units progress.
    pub manifest: PathBuf,
    /// Write every table into this keyspace instead of its source keyspace.
    #[arg(long)]
    pub target_keyspace: Option<String>,
    /// Work units read and written at once (their writes interleave over the ring).
    #[arg(long, default_value_t = 4)]
    pub parallel_units: usize,
    /// How often the manifest is saved with each unit's acknowledged low-watermark.
    #[arg(long, value_parser = parse_duration, default_value = "2s")]
    pub checkpoint_every: Duration,
    /// Skip the target checks made before anything is written (table, columns, types,
    /// timestamped/TTL writes accepted; see `ksbulk preflight`).
    #[arg(long)]
    pub skip_preflight: bool,
    /// Rows buffered between each unit's reader and the writer.
    #[arg(long, default_value_t = 512)]
    pub buffered_rows: usize,
    /// Threads sending requests and handling answers (units' readers have threads of their
    /// own). One keeps every answer on the thread that sent the request, which costs least;
    /// more only help a client whose one sending thread is busy (a fast target, small rows).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub io_threads: u16,
    /// Connection to the target.
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Throughput, retries, outputs.
    #[command(flatten)]
    pub write: WriteArgs,
}
