//! Index.db: one entry per partition, in stored order, with the promoted row index of wide
//! partitions.
//!
//! Entry layout (`RowIndexEntry.Serializer`, formats `ma` and later):
//! ```text
//! short-length partition key
//! uvint  position in Data.db
//! uvint  size of what follows (0: no row index)
//! -- when size > 0:
//! uvint  header length (partition header in Data.db)
//! DeletionTime  partition deletion (12 bytes, or 1/12 from `oa`)
//! uvint  number of IndexInfo blocks
//! IndexInfo * count
//! int    offsets[count], each IndexInfo's offset from the first one
//! ```
//! `IndexInfo` (`IndexInfo.Serializer`): first and last clustering prefix, uvint offset of
//! the block from the partition start, vint (width − 65536), boolean end-open marker
//! present, then that marker's DeletionTime.

use crate::index::clustering::{ClusteringLayout, ClusteringPrefix};
use crate::index::deletion_time::DeletionTime;
use crate::index::input::{Cursor, Window};
use crate::index::{BlockStart, IndexEntry, RowIndexBlock, RowIndexLocation};
use crate::io::ByteSource;
use crate::Result;

/// `IndexInfo.Serializer.WIDTH_BASE`: widths are stored as a difference from 64 KiB.
const WIDTH_BASE: i64 = 64 * 1024;

/// How much of Index.db to buffer at a time when scanning.
const SCAN_CHUNK: usize = 64 * 1024;

/// Decodes the entry at the cursor, leaving it after the entry's fixed part (the promoted
/// index body is not read; the returned entry locates it).
fn read_entry(c: &mut Cursor<'_>, uint_deletion_time: bool) -> Result<(IndexEntry, u64)> {
    let key = c.short_bytes()?;
    let data_position = c.uvint()?;
    let size = c.uvint32()? as u64;
    let body_start = c.offset();
    let next = body_start + size;
    if size == 0 {
        let entry = IndexEntry {
            key: Some(key),
            trie_prefix: None,
            data_position,
            deletion: None,
            row_index: RowIndexLocation::None,
            hash_byte: None,
            may_precede_bound: false,
        };
        return Ok((entry, next));
    }
    let header_length = c.uvint()?;
    let deletion = DeletionTime::read(c, uint_deletion_time)?;
    let count_at = c.offset();
    let count = c.uvint32()?;
    let blocks_offset = c.offset();
    let length = next.checked_sub(blocks_offset).ok_or_else(|| {
        c.malformed_at(count_at, format!("row index entry of {size} bytes ends inside its own header"))
    })?;
    let entry = IndexEntry {
        key: Some(key),
        trie_prefix: None,
        data_position,
        deletion: Some(deletion),
        row_index: RowIndexLocation::Big { offset: blocks_offset, length, count, header_length },
        hash_byte: None,
        may_precede_bound: false,
    };
    Ok((entry, next))
}

/// Streams Index.db entries from a position.
pub(crate) struct Entries<'a> {
    src: &'a dyn ByteSource,
    window: Window<'a>,
    pos: u64,
    uint_deletion_time: bool,
    failed: bool,
}

impl<'a> Entries<'a> {
    pub(crate) fn new(src: &'a dyn ByteSource, pos: u64, uint_deletion_time: bool) -> Entries<'a> {
        Entries { src, window: Window::new(src, SCAN_CHUNK), pos, uint_deletion_time, failed: false }
    }

    fn read_next(&mut self) -> Result<IndexEntry> {
        // The fixed part of an entry is at most a 64 KiB key plus a few dozen bytes; retry
        // with a buffer that surely holds it when the first one was too short.
        let mut want = 256;
        loop {
            let mut c = self.window.at(self.pos, want)?;
            match read_entry(&mut c, self.uint_deletion_time) {
                Ok((entry, next)) => {
                    if next > self.src.len() {
                        return Err(self.src.error(
                            self.pos,
                            crate::ErrorKind::Truncated { expected: next - self.pos, available: self.src.len() - self.pos },
                        ));
                    }
                    self.pos = next;
                    return Ok(entry);
                }
                Err(e) if matches!(e.kind, crate::ErrorKind::Truncated { .. }) && !c.at_eof() && want < 2 * 65_600 => {
                    want = 2 * 65_600;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Iterator for Entries<'_> {
    type Item = Result<IndexEntry>;

    fn next(&mut self) -> Option<Result<IndexEntry>> {
        if self.failed || self.pos >= self.src.len() {
            return None;
        }
        let out = self.read_next();
        // After an error the position is unknown: stop rather than yield garbage.
        self.failed = out.is_err();
        Some(out)
    }
}

/// Decodes the `IndexInfo` blocks of an entry's promoted index.
pub(crate) fn read_blocks(
    src: &dyn ByteSource,
    location: RowIndexLocation,
    layout: &ClusteringLayout,
    uint_deletion_time: bool,
) -> Result<Vec<RowIndexBlock>> {
    let RowIndexLocation::Big { offset, length, count, .. } = location else {
        return Ok(Vec::new());
    };
    let len = usize::try_from(length).unwrap_or(usize::MAX);
    if offset.checked_add(length).is_none_or(|end| end > src.len()) {
        return Err(src.error(offset, crate::ErrorKind::Truncated { expected: length, available: src.len().saturating_sub(offset) }));
    }
    let mut c = Cursor::load(src, offset, len)?;
    // Each block takes at least 6 bytes: refuse counts the bytes cannot hold before allocating.
    if count as u64 * 6 > length {
        return Err(c.malformed_at(offset, format!("{count} row index blocks in {length} bytes")));
    }
    let mut blocks = Vec::with_capacity(count as usize);
    let mut starts = Vec::with_capacity(count as usize);
    let mut open: Option<DeletionTime> = None;
    for _ in 0..count {
        starts.push(c.offset() - offset);
        let first = ClusteringPrefix::read(&mut c, layout)?;
        let last = ClusteringPrefix::read(&mut c, layout)?;
        let block_offset = c.uvint()?;
        let width_at = c.offset();
        let width = c.vint()?.checked_add(WIDTH_BASE).filter(|w| *w >= 0);
        let width = width.ok_or_else(|| c.malformed_at(width_at, "negative row index block width"))? as u64;
        let flag_at = c.offset();
        let end_open = match c.u8()? {
            0 => None,
            1 => Some(DeletionTime::read(&mut c, uint_deletion_time)?),
            b => return Err(c.malformed_at(flag_at, format!("end-open-marker flag {b}"))),
        };
        blocks.push(RowIndexBlock {
            offset: block_offset,
            width: Some(width),
            first: BlockStart::Clustering(first),
            last: Some(last),
            open_at_start: open,
        });
        open = end_open;
    }
    // The offsets table (every format from `ma`) must agree with where the blocks were.
    let table_at = c.offset();
    if c.remaining() as u64 != count as u64 * 4 {
        return Err(c.malformed_at(table_at, format!("{} bytes after {count} row index blocks, expected an offsets table of {}", c.remaining(), count as u64 * 4)));
    }
    for (i, start) in starts.iter().enumerate() {
        let at = c.offset();
        let stored = c.u32()? as u64;
        if stored != *start {
            return Err(c.malformed_at(at, format!("row index block {i} offset {stored}, block found at {start}")));
        }
    }
    Ok(blocks)
}
