//! What the merge reads: a stream of partitions, each a stream of rows and markers.
//!
//! [`PartitionSource`] is the seam between decoding and reconciliation: SSTables implement
//! it ([`super::SSTableSource`]), and tests implement it with rows built by hand
//! ([`VecSource`]), so every reconciliation rule can be tested without encoding bytes.

use std::collections::VecDeque;

use super::error::MergeError;
use super::model::{SourcePartition, SourceUnfiltered};

/// A sorted stream of partitions (by token, then key bytes), each a sorted stream of rows
/// and range tombstone markers (clustering order).
pub trait PartitionSource {
    /// A name for messages and statistics.
    fn name(&self) -> String;

    /// The next partition; skips what is left of the current one. `None` at the end.
    ///
    /// # Errors
    /// Decoding errors.
    fn next_partition(&mut self) -> Result<Option<SourcePartition>, MergeError>;

    /// The next row or marker of the current partition; `None` at its end.
    ///
    /// # Errors
    /// Decoding errors.
    fn next_unfiltered(&mut self) -> Result<Option<SourceUnfiltered>, MergeError>;
}

impl<S: PartitionSource + ?Sized> PartitionSource for Box<S> {
    fn name(&self) -> String {
        (**self).name()
    }

    fn next_partition(&mut self) -> Result<Option<SourcePartition>, MergeError> {
        (**self).next_partition()
    }

    fn next_unfiltered(&mut self) -> Result<Option<SourceUnfiltered>, MergeError> {
        (**self).next_unfiltered()
    }
}

/// A source held in memory: partitions with their unfiltereds, already sorted.
#[derive(Debug, Clone, Default)]
pub struct VecSource {
    name: String,
    partitions: VecDeque<(SourcePartition, VecDeque<SourceUnfiltered>)>,
    current: VecDeque<SourceUnfiltered>,
}

impl VecSource {
    /// A source named `name` yielding `partitions` in the given order.
    pub fn new(name: impl Into<String>, partitions: Vec<(SourcePartition, Vec<SourceUnfiltered>)>) -> VecSource {
        VecSource { name: name.into(), partitions: partitions.into_iter().map(|(p, u)| (p, u.into())).collect(), current: VecDeque::new() }
    }
}

impl PartitionSource for VecSource {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn next_partition(&mut self) -> Result<Option<SourcePartition>, MergeError> {
        Ok(self.partitions.pop_front().map(|(p, rows)| {
            self.current = rows;
            p
        }))
    }

    fn next_unfiltered(&mut self) -> Result<Option<SourceUnfiltered>, MergeError> {
        Ok(self.current.pop_front())
    }
}
