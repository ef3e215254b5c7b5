//! Every command-line flag of ksbulk. The doc comments are the help text.

pub mod bench;
pub mod conn;
pub mod write;

use clap::{Parser, Subcommand};

mod files;

pub use files::{InspectArgs, VerifyFilesArgs};

/// Bulk-loads Apache Cassandra SSTables into Amazon Keyspaces or any CQL database.
#[derive(Debug, Parser)]
#[command(name = "ksbulk", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Throughput benchmark of a CQL target with synthetic rows, through the full write stage.
    Bench(bench::BenchArgs),
    /// Describe SSTables: format version, partitioner, compression, sizes, estimates,
    /// timestamps, TTLs, deletion times, columns and token range.
    Inspect(InspectArgs),
    /// Check SSTable files: every chunk CRC, CRC.db, Digest.crc32 and the metadata
    /// checksums. Reports every bad spot (file, component, byte offset); exits 1 on any.
    VerifyFiles(VerifyFilesArgs),
}
