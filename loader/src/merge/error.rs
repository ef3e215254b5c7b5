//! Errors of the merge stage.

use super::counter::CounterContextError;

/// What can stop the merge of a work unit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// The SSTable reader failed (names the file, component and offset).
    #[error(transparent)]
    Reader(#[from] sstable_reader::Error),
    /// SSTables of one unit disagree on the partitioner or clustering types.
    #[error("{file}: {detail} differs from the other SSTables of the unit")]
    Mismatch {
        /// The SSTable.
        file: String,
        /// What differs.
        detail: String,
    },
    /// A source yielded partitions or rows out of order: a corrupt or foreign file.
    #[error("{source_name}: {what} out of order")]
    OutOfOrder {
        /// The source.
        source_name: String,
        /// What was out of order.
        what: String,
    },
    /// A counter cell's context does not parse.
    #[error("counter column {column}: {error}")]
    Counter {
        /// The column.
        column: String,
        /// The parse error.
        error: CounterContextError,
    },
    /// A partition collected whole holds more rows than allowed.
    #[error("partition {key} holds more than {limit} rows; stream it with next_unfiltered instead of collecting it")]
    PartitionTooLarge {
        /// The partition key (hex).
        key: String,
        /// The configured limit.
        limit: usize,
    },
}
