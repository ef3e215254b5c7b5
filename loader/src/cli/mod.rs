//! Every command-line flag of ksbulk. The doc comments are the help text.

pub mod bench;
pub mod conn;
pub mod dump;
pub mod write;
pub mod plan;
pub mod preflight;
pub mod schema;
pub mod run;
pub mod verify;

use clap::{Parser, Subcommand};

mod files;

pub use files::{InspectArgs, VerifyFilesArgs};
pub use plan::{parse_size, PlanArgs};

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
    /// Find SSTables, split the token ring into work units and write the manifest.
    ///
    /// Finds the SSTables of the chosen tables under the sources, splits each table's token
    /// ring into work units balanced by Data.db bytes, estimates rows, bytes and Keyspaces
    /// write units, prints the estimate and writes the manifest that `ksbulk run` executes.
    /// Writes nothing to the target.
    Plan(PlanArgs),
    /// An SSTable's partitions as JSON shaped like Cassandra's sstabledump output.
    Dump(dump::DumpArgs),
    /// Translate schema.cql files into DDL for Amazon Keyspaces or Cassandra/ScyllaDB.
    ///
    /// Prints CREATE KEYSPACE/TYPE/TABLE with the same columns, types, primary key and
    /// clustering order; drops the table options the target ignores or refuses; for
    /// Keyspaces adds custom_properties (capacity mode, client-side timestamps, TTL when the
    /// data has TTLs). Every dropped option and everything that cannot be carried (indexes,
    /// views, triggers, functions) is reported on stderr. --apply runs the DDL.
    Schema(schema::SchemaArgs),
    /// Check the target can take a manifest's load, then estimate its cost and duration.
    ///
    /// Stops at the first problem: missing keyspace or table, a column missing or of
    /// another type, a different primary key, writes USING TIMESTAMP/TTL refused (Keyspaces:
    /// client-side timestamps or TTL not enabled), token-aware routing the target cannot
    /// serve. Then prints write units, on-demand and provisioned cost, and the time at --rate.
    Preflight(preflight::PreflightArgs),
    /// Load a manifest into the target: merge each unit's SSTables across replicas, write
    /// every row with its writetime and TTL, checkpoint; resumes a partly done manifest.
    Run(run::RunArgs),
    Verify(verify::VerifyArgs),
}
