//! What stops a unit or a whole run.

use crate::checkpoint::CheckpointError;
use crate::merge::MergeError;
use crate::write::from_merge::ConvertError;
use crate::write::target::TargetSchemaError;
use crate::write::WriteError;

/// Why one unit stopped. The run goes on with the other units; the manifest records the
/// error and keeps the unit's low-watermark for a later resume.
#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    /// Reading an SSTable failed (file, component and byte offset in the message).
    #[error(transparent)]
    Read(#[from] sstable_reader::Error),
    /// The merge failed (sources out of order, malformed counters, disagreeing headers).
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// A merged row does not fit the target table.
    #[error(transparent)]
    Convert(#[from] ConvertError),
    /// The writer stopped (a fatal error, or more failed rows than `--max-errors`).
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The checkpoint refused the unit (a partly applied counter unit) or could not be saved.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The manifest's entry for the unit is inconsistent.
    #[error("manifest: {0}")]
    Manifest(String),
    /// Rows were not acknowledged because the writer stopped.
    #[error("the writer stopped before every row of the unit was acknowledged")]
    Aborted,
    /// The reader thread panicked or was cancelled.
    #[error("the unit's reader thread ended abnormally: {0}")]
    Reader(String),
}

/// Why a run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The manifest could not be loaded, validated or saved.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// A table's schema.cql is missing or unusable.
    #[error("table {table}: {detail}")]
    Schema {
        /// `keyspace.table`.
        table: String,
        /// What is wrong.
        detail: String,
    },
    /// The target schema cannot be derived.
    #[error(transparent)]
    Target(#[from] TargetSchemaError),
    /// The writer failed as a whole.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A unit's task panicked or was cancelled (a bug: the manifest keeps its watermark).
    #[error("a unit task ended abnormally: {0}")]
    UnitTask(String),
}
