//! The manifest: what `ksbulk plan` decided, written as JSON, and the run's checkpoint
//! afterwards (each unit's status and low-watermark are filled in by `run`).
//!
//! Tokens are written as text (`-9223372036854775808`, 128-bit Random tokens, hex for
//! ByteOrdered) so no JSON reader loses precision; [`Partitioner::parse_token`] reads them back.

use serde::{Deserialize, Serialize};
use sstable_reader::partitioner::{Partitioner, Token, TokenRange};

use crate::source::Origin;

/// Version of the manifest layout; `run` refuses other versions.
pub const MANIFEST_FORMAT: u32 = 1;

/// The whole plan and its progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: u32,
    /// The tool that wrote it.
    pub tool: ToolInfo,
    /// When the plan was made, ms since the epoch.
    pub created_at_ms: i64,
    /// The effective options of the plan (never credentials).
    pub options: PlanOptions,
    /// One entry per table.
    pub tables: Vec<TablePlan>,
    /// Sums over all tables.
    pub estimate: Estimate,
}

/// Name and version of the writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// `ksbulk`.
    pub name: String,
    /// Its version.
    pub version: String,
}

impl ToolInfo {
    /// This build of ksbulk.
    pub fn current() -> ToolInfo {
        ToolInfo { name: env!("CARGO_PKG_NAME").to_string(), version: env!("CARGO_PKG_VERSION").to_string() }
    }
}

/// The options the plan was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PlanOptions {
    /// `--source` roots as given.
    pub sources: Vec<String>,
    /// `--keyspace`.
    pub keyspaces: Vec<String>,
    /// `--table`.
    pub tables: Vec<String>,
    /// `--snapshot`.
    pub snapshot: Option<String>,
    /// `--include-backups`.
    pub include_backups: bool,
    /// Target Data.db bytes per unit (`--unit-size`).
    pub unit_bytes: u64,
    /// `--units`, when given (overrides `unit_bytes`).
    pub units: Option<u32>,
    /// `--target` host (no credentials).
    pub target: Option<String>,
}

/// How a source file is checked for change on resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DigestRecord {
    /// The CRC32 of Data.db stored in `Digest.crc32` (decimal text), as read at plan time.
    Crc32 {
        /// The CRC value.
        value: u32,
    },
    /// No digest file: size and modification time of Data.db.
    SizeMtime {
        /// Bytes.
        size: u64,
        /// ms since the epoch.
        mtime_ms: i64,
    },
}

/// One component file of an SSTable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRecord {
    /// Component suffix, e.g. `Data.db`.
    pub name: String,
    /// Full path.
    pub path: String,
    /// Size in bytes at plan time.
    pub size: u64,
}

/// One SSTable of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SSTableRecord {
    /// Index in the table's `sstables`, referenced by units.
    pub id: u32,
    /// Store kind (`local`).
    pub store: String,
    /// The data directory (node) it came from.
    pub node: String,
    /// Live, snapshot, backup.
    pub origin: Origin,
    /// Path of Data.db.
    pub data_path: String,
    /// Format version (`nb`, `oa`, …).
    pub version: String,
    /// Generation.
    pub generation: String,
    /// Every component with its size.
    pub components: Vec<ComponentRecord>,
    /// Change detection for Data.db.
    pub digest: DigestRecord,
    /// Data.db size in bytes.
    pub data_size: u64,
    /// First partition's token, when known.
    pub first_token: Option<String>,
    /// Last partition's token, when known.
    pub last_token: Option<String>,
    /// Partitions, from Statistics.db.
    pub estimated_partitions: u64,
    /// Rows, from Statistics.db.
    pub estimated_rows: u64,
    /// Uncompressed bytes of Data.db (CompressionInfo data length, or the file size).
    pub uncompressed_size: u64,
    /// Smallest write timestamp (µs).
    pub min_timestamp: i64,
    /// Largest write timestamp (µs).
    pub max_timestamp: i64,
    /// Whether any cell has a TTL.
    pub has_ttls: bool,
}

/// Estimated work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Estimate {
    /// Data.db bytes to read (all replicas).
    pub bytes: u64,
    /// Rows to read (all replicas, all generations).
    pub rows: u64,
    /// Keyspaces write units for the distinct rows (rows ÷ replicas × WU per row).
    pub write_units: u64,
}

impl std::ops::AddAssign for Estimate {
    fn add_assign(&mut self, o: Estimate) {
        self.bytes += o.bytes;
        self.rows += o.rows;
        self.write_units += o.write_units;
    }
}

/// Progress of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UnitStatus {
    /// Not started.
    #[default]
    Pending,
    /// Started, not finished (a run is on it, or was killed).
    Running,
    /// Every row written and acknowledged.
    Done,
    /// Stopped by an error.
    Failed {
        /// The error.
        error: String,
    },
}

/// Everything before this partition is written and acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watermark {
    /// The partition's token, as text.
    pub token: String,
    /// The partition key, hex.
    pub key_hex: String,
}

/// A share of the token ring of one table: `(start, end]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkUnit {
    /// Index in the table's units.
    pub id: u32,
    /// Exclusive start token.
    pub start: String,
    /// Inclusive end token.
    pub end: String,
    /// Ids of the SSTables whose token span overlaps the range.
    pub sstables: Vec<u32>,
    /// Estimate for this range.
    pub estimate: Estimate,
    /// Progress.
    pub status: UnitStatus,
    /// Low-watermark, filled by the run.
    pub low_watermark: Option<Watermark>,
    /// Whether any write of this unit may have reached the target (set before the first write
    /// is sent). A counter unit with this set and not done must not be applied again.
    pub writes_started: bool,
}

impl WorkUnit {
    /// The unit's range, parsed with `partitioner`.
    pub fn range(&self, partitioner: Partitioner) -> Option<TokenRange> {
        Some(TokenRange::new(partitioner.parse_token(&self.start)?, partitioner.parse_token(&self.end)?))
    }
}

/// When the data was taken: rows written after it are the streaming half's job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotTime {
    /// µs since the epoch.
    pub micros: i64,
    /// Where it comes from: `snapshot manifest created_at` or `max timestamp of the SSTables`.
    pub from: String,
}

/// The schema.cql used for a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaRecord {
    /// Where it was read.
    pub path: String,
    /// Its text, parsed again by `run`.
    pub cql: String,
}

/// The plan of one table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TablePlan {
    /// Keyspace.
    pub keyspace: String,
    /// Table.
    pub table: String,
    /// Table id (32 hex).
    pub id: Option<String>,
    /// The schema.cql, when one was found.
    pub schema: Option<SchemaRecord>,
    /// Partitioner class name from Statistics.db.
    pub partitioner: String,
    /// Whether the table has counter columns.
    pub counter: bool,
    /// Distinct data directories (nodes) holding the table.
    pub nodes: Vec<String>,
    /// Snapshot time T.
    pub snapshot_time: Option<SnapshotTime>,
    /// The SSTables.
    pub sstables: Vec<SSTableRecord>,
    /// The units, in ring order, covering the ring without gap or overlap.
    pub units: Vec<WorkUnit>,
    /// Sum of the units.
    pub estimate: Estimate,
}

impl TablePlan {
    /// `keyspace.table`.
    pub fn name(&self) -> String {
        format!("{}.{}", self.keyspace, self.table)
    }

    /// The partitioner.
    ///
    /// # Errors
    /// When the class is not one ksbulk reads.
    pub fn partitioner(&self) -> Result<Partitioner, sstable_reader::ErrorKind> {
        Partitioner::from_class_name(&self.partitioner)
    }
}

/// Token text as the manifest stores it.
pub fn token_text(t: &Token) -> String {
    t.to_string()
}
