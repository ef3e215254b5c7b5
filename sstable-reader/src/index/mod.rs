//! Partition indexes: list an SSTable's partitions in order and seek to a token or key
//! without reading Data.db from the start.
//!
//! ```text
//!  big (ma..nb, oa)                          BTI (da)
//!  Summary.db  every 128th key ─┐            Partitions.db  trie of unique key prefixes
//!  Index.db    every key ───────┴─> Data.db  Rows.db        key + row-index trie of wide partitions
//!              + row index blocks              └─> Data.db position (or Rows.db position)
//! ```
//!
//! Both formats are read through [`PartitionIndex`]: iterate every partition in stored
//! (decorated key) order, seek to the first partition at or after a [`KeyBound`], and list
//! the row index blocks of a wide partition. [`open`] picks the format.
//!
//! What the caller must confirm: BTI stores only as many bytes of each key as make it
//! unique, so after a seek the *first* entry may lie before the bound when its key is not in
//! the index ([`IndexEntry::may_precede_bound`]); read its key from Data.db at
//! [`IndexEntry::data_position`] and skip it if [`KeyBound::admits`] says no. Every later
//! entry is at or after the bound. Big entries always carry their key and are exact.
//!
//! Format facts: `org.apache.cassandra.io.sstable.format.big` (`RowIndexEntry`,
//! `IndexInfo`, `indexsummary.IndexSummary`) and `…format.bti` (`BtiFormat.md`,
//! `PartitionIndex`, `RowIndexReader`, `TrieIndexEntry`, `io.tries.TrieNode`),
//! <https://github.com/apache/cassandra/tree/trunk/src/java/org/apache/cassandra/io/sstable/format>.

pub mod big;
pub mod bti;
mod clustering;
mod deletion_time;
#[cfg(test)]
mod fixture_tests;
pub(crate) mod input;

use std::cmp::Ordering;

use bytes::Bytes;

pub use clustering::{ClusteringKind, ClusteringLayout, ClusteringPrefix};
pub use deletion_time::DeletionTime;

use crate::io::ByteSource;
use crate::{DecoratedKey, Partitioner, Result, Token};

/// A position between partitions to seek to (Cassandra's `PartitionPosition`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyBound {
    /// Before every key with this token: seeking lands on the first key with token ≥ t.
    TokenStart(Token),
    /// After every key with this token: seeking lands on the first key with token > t,
    /// i.e. the start of the range `(t, …]`.
    TokenEnd(Token),
    /// Exactly at this key: seeking lands on the key itself, or the next one.
    Key(DecoratedKey),
}

impl KeyBound {
    /// Whether `key` is at or after this bound.
    pub fn admits(&self, key: &DecoratedKey) -> bool {
        match self {
            KeyBound::TokenStart(t) => key.token >= *t,
            KeyBound::TokenEnd(t) => key.token > *t,
            KeyBound::Key(k) => key >= k,
        }
    }

    /// Orders a key against the bound (`Less`: the key is before the bound).
    pub fn cmp_key(&self, key: &DecoratedKey) -> Ordering {
        match self {
            KeyBound::TokenStart(t) => if key.token >= *t { Ordering::Greater } else { Ordering::Less },
            KeyBound::TokenEnd(t) => if key.token > *t { Ordering::Greater } else { Ordering::Less },
            KeyBound::Key(k) => key.cmp(k),
        }
    }
}

/// Where a partition's row index is, if it has one (only partitions spanning more than one
/// index block do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowIndexLocation {
    /// No row index: the partition is read from its start.
    None,
    /// big: `count` serialized `IndexInfo`s (followed by their offsets) at `offset` in
    /// Index.db, `length` bytes in all.
    Big {
        /// Index.db offset of the first `IndexInfo`.
        offset: u64,
        /// Bytes of the `IndexInfo`s and the offsets table.
        length: u64,
        /// Number of blocks.
        count: u32,
        /// Length of the partition header in Data.db (key, deletion, static row).
        header_length: u64,
    },
    /// BTI: a trie in Rows.db.
    Bti {
        /// Rows.db position of the trie's root node.
        root: u64,
        /// Number of blocks.
        count: u32,
    },
}

/// One partition as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// The partition key. Always present for big; for BTI only when the partition has a
    /// row index (Rows.db repeats the key) — otherwise read it at `data_position`.
    pub key: Option<Bytes>,
    /// BTI: the unique prefix of the key's byte-comparable form that the trie stores.
    pub trie_prefix: Option<Bytes>,
    /// Position of the partition (its key) in the uncompressed Data.db.
    pub data_position: u64,
    /// The partition deletion, when the index stores it (partitions with a row index).
    pub deletion: Option<DeletionTime>,
    /// The row index, if any.
    pub row_index: RowIndexLocation,
    /// BTI only: the low byte of the key's filter hash (`MurmurHash3` second half), which
    /// lets an exact lookup reject a wrong key without reading it.
    pub hash_byte: Option<u8>,
    /// After a seek: this entry was found by key prefix and its key was not available to
    /// check, so it may lie before the bound (see the module docs).
    pub may_precede_bound: bool,
}

/// One block of a wide partition's row index: where to start reading to find a clustering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIndexBlock {
    /// Offset of the block's first row from the partition's start in Data.db.
    pub offset: u64,
    /// big: length of the block in Data.db.
    pub width: Option<u64>,
    /// Where the block starts in clustering order.
    pub first: BlockStart,
    /// big: the last clustering in the block.
    pub last: Option<ClusteringPrefix>,
    /// The range tombstone open at the start of the block (its deletion), if any.
    pub open_at_start: Option<DeletionTime>,
}

/// The clustering at which a row index block starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockStart {
    /// big: the block's first clustering (or bound).
    Clustering(ClusteringPrefix),
    /// BTI: a separator in byte-comparable form, greater than every clustering of the
    /// previous block and not greater than this block's first.
    Separator(Bytes),
}

/// Which index an SSTable has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexFormat {
    /// `big`: Index.db and Summary.db.
    Big,
    /// `bti`: Partitions.db and Rows.db.
    Bti,
}

/// Partitions of one SSTable in stored order, with seeking. Implemented by
/// [`big::BigIndex`] and [`bti::BtiIndex`].
pub trait PartitionIndex: Send + Sync {
    /// The partitioner that orders the keys.
    fn partitioner(&self) -> Partitioner;

    /// Every partition, in stored order.
    fn entries(&self) -> Box<dyn Iterator<Item = Result<IndexEntry>> + Send + '_>;

    /// Partitions from the first one at or after `bound`, in stored order (see the module
    /// docs for the one entry BTI may not be able to confirm).
    ///
    /// # Errors
    /// When the index bytes needed to find the start cannot be read or decoded.
    fn seek(&self, bound: &KeyBound) -> Result<Box<dyn Iterator<Item = Result<IndexEntry>> + Send + '_>>;

    /// The row index blocks of a partition from [`PartitionIndex::entries`]; empty when
    /// it has no row index. `clustering` gives the value lengths of the clustering
    /// columns (needed to decode big-format blocks).
    ///
    /// # Errors
    /// When the row index cannot be read or decoded.
    fn row_index_blocks(&self, entry: &IndexEntry, clustering: &ClusteringLayout) -> Result<Vec<RowIndexBlock>>;

    /// The first (smallest) partition key.
    fn first_key(&self) -> &Bytes;

    /// The last (greatest) partition key.
    fn last_key(&self) -> &Bytes;

    /// The number of partitions, when the index records it (BTI does; big does not).
    fn key_count(&self) -> Option<u64>;

    /// Partitions from the first one at or after `bound`, each confirmed: an entry the
    /// index could not check gets its key from `key_at(data_position)` (the key that starts
    /// the partition in Data.db) and is dropped if it lies before the bound.
    ///
    /// # Errors
    /// As [`PartitionIndex::seek`]; errors of `key_at` are passed through the iterator.
    fn seek_confirmed<'a>(
        &'a self,
        bound: &KeyBound,
        key_at: &'a mut (dyn FnMut(u64) -> Result<Bytes> + Send),
    ) -> Result<Box<dyn Iterator<Item = Result<IndexEntry>> + Send + 'a>> {
        let partitioner = self.partitioner();
        let bound = bound.clone();
        let iter = self.seek(&bound)?.filter_map(move |entry| match entry {
            Ok(e) if e.may_precede_bound => match key_at(e.data_position) {
                Ok(key) if bound.admits(&partitioner.decorate(key.clone())) => {
                    Some(Ok(IndexEntry { key: Some(key), may_precede_bound: false, ..e }))
                }
                Ok(_) => None,
                Err(err) => Some(Err(err)),
            },
            other => Some(other),
        });
        Ok(Box::new(iter))
    }

    /// Where in Data.db the partitions at or after `bound` start, `None` past the last one.
    /// For sizing token ranges in bytes: with BTI it may be one partition early (an entry
    /// that could not be confirmed); read with [`PartitionIndex::seek_confirmed`].
    ///
    /// # Errors
    /// As [`PartitionIndex::seek`].
    fn data_position_at(&self, bound: &KeyBound) -> Result<Option<u64>> {
        self.seek(bound)?.next().transpose().map(|e| e.map(|e| e.data_position))
    }

    /// The token of the first key.
    fn first_token(&self) -> Token {
        self.partitioner().token(self.first_key())
    }

    /// The token of the last key.
    fn last_token(&self) -> Token {
        self.partitioner().token(self.last_key())
    }
}

/// Index components and settings for [`open`].
pub struct IndexSources<S> {
    /// Index.db (big) or Partitions.db (BTI).
    pub primary: S,
    /// Summary.db (big, optional: seeks scan Index.db from the start without it) or
    /// Rows.db (BTI, required).
    pub secondary: Option<S>,
    /// The table's partitioner, from Statistics.db.
    pub partitioner: Partitioner,
    /// `Version::hasUIntDeletionTime` (`oa` and later): how deletion times are encoded.
    pub uint_deletion_time: bool,
}

/// Opens the partition index of an SSTable of the given format.
///
/// # Errors
/// When a required component is missing or its header/footer does not decode.
pub fn open<S: ByteSource + 'static>(format: IndexFormat, sources: IndexSources<S>) -> Result<Box<dyn PartitionIndex>> {
    Ok(match format {
        IndexFormat::Big => Box::new(big::BigIndex::open(sources.primary, sources.secondary, sources.partitioner, sources.uint_deletion_time)?),
        IndexFormat::Bti => {
            let rows = match sources.secondary {
                Some(rows) => rows,
                None => {
                    let p = sources.primary.path().with_file_name("Rows.db");
                    return Err(crate::Error::new(p, crate::Component::Rows, 0, crate::ErrorKind::MissingComponent(crate::Component::Rows)));
                }
            };
            Box::new(bti::BtiIndex::open(sources.primary, rows, sources.partitioner)?)
        }
    })
}
