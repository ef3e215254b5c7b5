//! The BTI (`da`) format's partition index: Partitions.db, a trie of the shortest unique
//! prefixes of the partitions' byte-comparable keys, and Rows.db, the row index tries of
//! wide partitions.
//!
//! Partitions.db ends with a footer (`PartitionIndex.load`):
//! ```text
//! … trie nodes …
//! short-length first key, short-length last key     <- at firstKeyPosition
//! long firstKeyPosition, long keyCount, long rootPosition
//! ```
//! A node's payload (`PartitionIndex`, payload flags `pb`): when `pb >= 8`, a hash byte then a
//! `pb - 7`-byte signed big-endian position, otherwise a `pb`-byte position. A position
//! `p >= 0` is a Rows.db entry, `p < 0` means the partition starts at `~p` in Data.db.
//!
//! A Rows.db entry (`TrieIndexEntry`): short-length key, uvint Data.db position, vint root
//! of the row trie relative to the position just after the key, uvint block count, the
//! partition deletion. Row trie payloads (`RowIndexReader`): a `pb & 7`-byte offset of
//! the block from the partition start, then (when `pb & 8`) the deletion open at the
//! block's start. The first block's separator is empty; after the last block the trie has
//! one more separator whose offset is the end of the partition (`RowIndexWriter.complete`).

mod key_encoding;
mod trie;

use bytes::Bytes;

pub use key_encoding::{bound as encode_bound, escape as escape_component, token as encode_token};

use crate::index::deletion_time::DeletionTime;
use crate::index::input::Cursor;
use crate::index::{BlockStart, ClusteringLayout, IndexEntry, KeyBound, PartitionIndex, RowIndexBlock, RowIndexLocation};
use crate::io::ByteSource;
use crate::{ErrorKind, Partitioner, Result};

const FOOTER_LEN: u64 = 3 * 8;
/// Payload flag: a hash byte precedes the position.
const FLAG_HAS_HASH_BYTE: u8 = 8;
/// Row payload flag: an open deletion follows the offset.
const FLAG_OPEN_MARKER: u8 = 8;

/// Partitions.db + Rows.db of one SSTable.
pub struct BtiIndex<S> {
    partitions: S,
    rows: S,
    partitioner: Partitioner,
    root: u64,
    key_count: u64,
    first_key: Bytes,
    last_key: Bytes,
}

impl<S: ByteSource> BtiIndex<S> {
    /// Opens Partitions.db (reading its footer) and Rows.db. BTI exists only from `da`, whose
    /// deletion times are always in the unsigned-int encoding.
    ///
    /// # Errors
    /// When the footer is missing, points outside the file, or its keys do not decode.
    pub fn open(partitions: S, rows: S, partitioner: Partitioner) -> Result<BtiIndex<S>> {
        let len = partitions.len();
        if len < FOOTER_LEN {
            return Err(partitions.error(0, ErrorKind::Truncated { expected: FOOTER_LEN, available: len }));
        }
        let footer_at = len - FOOTER_LEN;
        let mut c = Cursor::load(&partitions, footer_at, FOOTER_LEN as usize)?;
        let first_pos = c.u64()?;
        let key_count = c.u64()?;
        let root = c.u64()?;
        if first_pos >= footer_at {
            return Err(c.malformed_at(footer_at, format!("first key position {first_pos} not before the footer at {footer_at}")));
        }
        if root >= footer_at {
            return Err(c.malformed_at(footer_at + 16, format!("root position {root} not before the footer at {footer_at}")));
        }
        let mut keys = Cursor::load(&partitions, first_pos, (footer_at - first_pos) as usize)?;
        let first_key = keys.short_bytes()?;
        let last_key = keys.short_bytes()?;
        Ok(BtiIndex { partitions, rows, partitioner, root, key_count, first_key, last_key })
    }

    /// Rows.db position of the root of the Partitions.db trie.
    pub fn root(&self) -> u64 {
        self.root
    }

    /// Reads the Rows.db entry at `pos`: key, Data.db position, row trie root, block count,
    /// partition deletion.
    fn rows_entry(&self, pos: u64) -> Result<(Bytes, u64, u64, u32, DeletionTime)> {
        // Most keys are short: read a little first, and the most an entry can take if needed.
        let mut want = 256;
        loop {
            let mut r = Cursor::load(&self.rows, pos, want)?;
            let parsed = (|| -> Result<(Bytes, u64, u64, u32, DeletionTime)> {
                let key = r.short_bytes()?;
                let base = r.offset();
                let data_position = r.uvint()?;
                let root_at = r.offset();
                let delta = r.vint()?;
                let root = base
                    .checked_add_signed(delta)
                    .filter(|root| *root < self.rows.len())
                    .ok_or_else(|| r.malformed_at(root_at, format!("row index root {base} + {delta} outside Rows.db")))?;
                let count = r.uvint32()?;
                let deletion = DeletionTime::read(&mut r, true)?;
                Ok((key, data_position, root, count, deletion))
            })();
            match parsed {
                Err(e) if matches!(e.kind, ErrorKind::Truncated { .. }) && !r.at_eof() && want < 2 + 65_535 + 64 => want = 2 + 65_535 + 64,
                other => return other,
            }
        }
    }

    /// Decodes a Partitions.db payload into an entry, reading Rows.db when it points there.
    fn entry(&self, prefix: Bytes, node: &trie::Node) -> Result<IndexEntry> {
        let mut c = node.payload_cursor(&self.partitions);
        let flags = node.payload_flags;
        let (hash_byte, width) = if flags >= FLAG_HAS_HASH_BYTE { (Some(c.u8()?), (flags - 7) as usize) } else { (None, flags as usize) };
        let position = c.sized_int(width)?;
        let mut entry = IndexEntry {
            key: None,
            trie_prefix: Some(prefix),
            data_position: 0,
            deletion: None,
            row_index: RowIndexLocation::None,
            hash_byte,
            may_precede_bound: false,
        };
        if position < 0 {
            entry.data_position = !position as u64;
            return Ok(entry);
        }
        let (key, data_position, root, count, deletion) = self.rows_entry(position as u64)?;
        entry.data_position = data_position;
        entry.deletion = Some(deletion);
        entry.key = Some(key);
        entry.row_index = RowIndexLocation::Bti { root, count };
        Ok(entry)
    }
}

impl<S: ByteSource> PartitionIndex for BtiIndex<S> {
    fn partitioner(&self) -> Partitioner {
        self.partitioner
    }

    fn entries(&self) -> Box<dyn Iterator<Item = Result<IndexEntry>> + Send + '_> {
        match trie::PayloadWalk::new(&self.partitions, self.root) {
            Ok(walk) => Box::new(walk.map(move |item| item.and_then(|(prefix, node)| self.entry(prefix, &node)))),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    fn seek(&self, bound: &KeyBound) -> Result<Box<dyn Iterator<Item = Result<IndexEntry>> + Send + '_>> {
        let target = key_encoding::bound(bound);
        let found = trie::PayloadWalk::seek(&self.partitions, self.root, &target)?;
        let mut first = found.first_is_prefix_match;
        let partitioner = self.partitioner;
        let bound = bound.clone();
        let iter = found.walk.filter_map(move |item| {
            let checking = std::mem::take(&mut first);
            let entry = match item.and_then(|(prefix, node)| self.entry(prefix, &node)) {
                Ok(e) => e,
                Err(e) => return Some(Err(e)),
            };
            if !checking {
                return Some(Ok(entry));
            }
            // A prefix match: confirm it with the key when Rows.db gave us one.
            match &entry.key {
                Some(key) if !bound.admits(&partitioner.decorate(key.clone())) => None,
                Some(_) => Some(Ok(entry)),
                None => Some(Ok(IndexEntry { may_precede_bound: true, ..entry })),
            }
        });
        Ok(Box::new(iter))
    }

    fn row_index_blocks(&self, entry: &IndexEntry, _clustering: &ClusteringLayout) -> Result<Vec<RowIndexBlock>> {
        let RowIndexLocation::Bti { root, count } = entry.row_index else {
            return Ok(Vec::new());
        };
        let mut blocks: Vec<RowIndexBlock> = Vec::with_capacity(count.min(1 << 16) as usize + 1);
        for item in trie::PayloadWalk::new(&self.rows, root)? {
            let (separator, node) = item?;
            let mut c = node.payload_cursor(&self.rows);
            let width = (node.payload_flags & !FLAG_OPEN_MARKER) as usize;
            let at = c.offset();
            let offset = c.sized_int(width)?;
            let offset = u64::try_from(offset).map_err(|_| c.malformed_at(at, format!("negative row block offset {offset}")))?;
            let open = if node.payload_flags & FLAG_OPEN_MARKER != 0 { Some(DeletionTime::read(&mut c, true)?) } else { None };
            if let Some(prev) = blocks.last_mut() {
                let width = offset.checked_sub(prev.offset).ok_or_else(|| c.malformed_at(at, format!("row block offset {offset} before the previous one")))?;
                prev.width = Some(width);
            }
            blocks.push(RowIndexBlock { offset, width: None, first: BlockStart::Separator(separator), last: None, open_at_start: open });
        }
        // `RowIndexWriter.complete` adds one more separator, after the last block, whose
        // offset is the end of the partition: it only gave the last block its width.
        if blocks.pop().is_none() || blocks.len() != count as usize {
            return Err(self.rows.error(root, ErrorKind::Malformed(format!("row index trie has {} blocks and an end marker, its entry says {count}", blocks.len()))));
        }
        Ok(blocks)
    }

    fn first_key(&self) -> &Bytes {
        &self.first_key
    }

    fn last_key(&self) -> &Bytes {
        &self.last_key
    }

    fn key_count(&self) -> Option<u64> {
        Some(self.key_count)
    }
}

