//! The `big` format's partition index: Index.db (every partition) sampled by Summary.db.
//!
//! A seek finds the last Summary sample before the bound, then scans Index.db forward from
//! that sample's position; at full sampling that reads at most `min_index_interval` (128)
//! entries. Without Summary.db the scan starts at the beginning of Index.db.

mod primary;
mod summary;

use bytes::Bytes;

pub use summary::{Summary, SummaryEntry};

use crate::index::{ClusteringLayout, IndexEntry, KeyBound, PartitionIndex, RowIndexBlock};
use crate::io::ByteSource;
use crate::{Partitioner, Result};

/// Index.db + Summary.db of one SSTable.
pub struct BigIndex<S> {
    index: S,
    summary: Option<Summary>,
    partitioner: Partitioner,
    uint_deletion_time: bool,
    first_key: Bytes,
    last_key: Bytes,
}

impl<S: ByteSource> BigIndex<S> {
    /// Opens Index.db with its Summary.db (read whole; it is small). Without a summary the
    /// first and last keys are found by scanning Index.db once.
    ///
    /// `uint_deletion_time` is `Version::hasUIntDeletionTime` (`oa` and later).
    ///
    /// # Errors
    /// When the summary does not decode, or (without one) Index.db cannot be scanned.
    pub fn open(index: S, summary: Option<S>, partitioner: Partitioner, uint_deletion_time: bool) -> Result<BigIndex<S>> {
        let summary = summary.map(|s| Summary::read(&s)).transpose()?;
        let (first_key, last_key) = match &summary {
            Some(s) => (s.first_key.clone(), s.last_key.clone()),
            None => {
                let mut first = None;
                let mut last = None;
                for entry in primary::Entries::new(&index, 0, uint_deletion_time) {
                    let key = entry?.key.unwrap_or_default();
                    first.get_or_insert_with(|| key.clone());
                    last = Some(key);
                }
                (first.unwrap_or_default(), last.unwrap_or_default())
            }
        };
        Ok(BigIndex { index, summary, partitioner, uint_deletion_time, first_key, last_key })
    }

    /// The decoded Summary.db, if there was one.
    pub fn summary(&self) -> Option<&Summary> {
        self.summary.as_ref()
    }

    /// Entries from Index.db position `pos` (which must be the start of an entry).
    pub fn entries_at(&self, pos: u64) -> impl Iterator<Item = Result<IndexEntry>> + Send + '_ {
        primary::Entries::new(&self.index, pos, self.uint_deletion_time)
    }
}

impl<S: ByteSource> PartitionIndex for BigIndex<S> {
    fn partitioner(&self) -> Partitioner {
        self.partitioner
    }

    fn entries(&self) -> Box<dyn Iterator<Item = Result<IndexEntry>> + Send + '_> {
        Box::new(self.entries_at(0))
    }

    fn seek(&self, bound: &KeyBound) -> Result<Box<dyn Iterator<Item = Result<IndexEntry>> + Send + '_>> {
        let start = self.summary.as_ref().map_or(0, |s| s.scan_start(bound, self.partitioner));
        let partitioner = self.partitioner;
        let bound = bound.clone();
        let mut skipping = true;
        let iter = self.entries_at(start).filter(move |entry| {
            if skipping {
                // Entries past the bound stop the skipping; errors pass through.
                if let Ok(e) = entry {
                    let key = partitioner.decorate(e.key.clone().unwrap_or_default());
                    skipping = !bound.admits(&key);
                } else {
                    skipping = false;
                }
            }
            !skipping
        });
        Ok(Box::new(iter))
    }

    fn row_index_blocks(&self, entry: &IndexEntry, clustering: &ClusteringLayout) -> Result<Vec<RowIndexBlock>> {
        primary::read_blocks(&self.index, entry.row_index, clustering, self.uint_deletion_time)
    }

    fn first_key(&self) -> &Bytes {
        &self.first_key
    }

    fn last_key(&self) -> &Bytes {
        &self.last_key
    }

    fn key_count(&self) -> Option<u64> {
        None
    }
}
