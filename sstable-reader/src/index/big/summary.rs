//! Summary.db: a sample of Index.db (every `min_index_interval`-th key, fewer when
//! downsampled) held in memory to find where in Index.db to start scanning.
//!
//! Layout (`IndexSummary.IndexSummarySerializer`, then `IndexSummaryComponent.save`):
//! ```text
//! int  minIndexInterval          (big-endian, like every header field)
//! int  offsetCount (entries)
//! long offHeapSize               = offsetCount * 4 + length of the entries region
//! int  samplingLevel             (out of 128)
//! int  sizeAtFullSampling
//! int  offsets[offsetCount]      native byte order (little-endian in practice), each from
//!                                the start of the offsets array to its entry
//! entries: key bytes, then long Index.db position (native byte order); an entry runs to
//!          the next entry's offset
//! int-length first key, int-length last key
//! ```
//! Files written on a big-endian machine store offsets and positions big-endian; the byte
//! order is recognised from the first offset, which must equal `offsetCount * 4`.

use bytes::Bytes;

use crate::index::input::Cursor;
use crate::index::KeyBound;
use crate::io::ByteSource;
use crate::{Partitioner, Result};

const HEADER_LEN: u64 = 4 + 4 + 8 + 4 + 4;

/// One sampled Index.db entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryEntry {
    /// The partition key.
    pub key: Bytes,
    /// Position of the key's entry in Index.db.
    pub index_position: u64,
}

/// The decoded Summary.db.
#[derive(Debug, Clone)]
pub struct Summary {
    /// `min_index_interval` of the table when written (Index.db entries per sample at full
    /// sampling).
    pub min_index_interval: u32,
    /// Sampling level out of 128 (128: no downsampling).
    pub sampling_level: u32,
    /// Number of entries the summary would have at full sampling.
    pub size_at_full_sampling: u32,
    /// The samples, in key order.
    pub entries: Vec<SummaryEntry>,
    /// The SSTable's first partition key.
    pub first_key: Bytes,
    /// The SSTable's last partition key.
    pub last_key: Bytes,
}

impl Summary {
    /// Reads and checks a whole Summary.db.
    ///
    /// # Errors
    /// Truncated or malformed files, located by byte offset.
    pub fn read(src: &dyn ByteSource) -> Result<Summary> {
        let mut c = Cursor::load(src, 0, usize::try_from(src.len()).unwrap_or(usize::MAX))?;
        let min_index_interval = c.u32()?;
        let count_at = c.offset();
        let count = c.u32()?;
        let size_at = c.offset();
        let off_heap_size = c.u64()?;
        let sampling_level = c.u32()?;
        let size_at_full_sampling = c.u32()?;
        if count > i32::MAX as u32 {
            return Err(c.malformed_at(count_at, format!("negative entry count {}", count as i32)));
        }
        let offsets_len = count as u64 * 4;
        off_heap_size
            .checked_sub(offsets_len)
            .ok_or_else(|| c.malformed_at(size_at, format!("summary size {off_heap_size} smaller than its {count} offsets")))?;
        let region_start = HEADER_LEN;
        let region_end = region_start.saturating_add(off_heap_size);
        if region_end > src.len() {
            return Err(c.error(crate::ErrorKind::Truncated { expected: off_heap_size, available: src.len() - region_start }));
        }

        let mut raw = Vec::with_capacity(count as usize);
        for _ in 0..count {
            raw.push(c.u32_le()?);
        }
        // The first offset points just past the offsets array; it tells the byte order.
        let little_endian = match raw.first() {
            None => true,
            Some(&first) if first as u64 == offsets_len => true,
            Some(&first) if first.swap_bytes() as u64 == offsets_len => false,
            Some(&first) => {
                return Err(c.malformed_at(region_start, format!("first summary offset {first} is not the offsets length {offsets_len}")))
            }
        };
        let offsets: Vec<u64> = raw.iter().map(|&o| if little_endian { o } else { o.swap_bytes() } as u64).collect();

        let mut entries = Vec::with_capacity(count as usize);
        for (i, &start) in offsets.iter().enumerate() {
            let end = offsets.get(i + 1).copied().unwrap_or(off_heap_size);
            let at = region_start + 4 * i as u64;
            if start > end || end > off_heap_size || end - start < 8 {
                return Err(c.malformed_at(at, format!("summary entry {i} spans {start}..{end} of {off_heap_size}")));
            }
            c.seek(region_start + start)?;
            let key = c.bytes((end - start - 8) as usize)?;
            let pos = c.u64()?;
            let index_position = if little_endian { pos.swap_bytes() } else { pos };
            entries.push(SummaryEntry { key, index_position });
        }
        c.seek(region_end)?;
        let first_key = c.int_bytes()?;
        let last_key = c.int_bytes()?;
        Ok(Summary { min_index_interval, sampling_level, size_at_full_sampling, entries, first_key, last_key })
    }

    /// The Index.db position to scan from to find the first key at or after `bound`: that of
    /// the last sample before the bound (0 when there is none).
    pub fn scan_start(&self, bound: &KeyBound, partitioner: Partitioner) -> u64 {
        // Samples are sorted, so "before the bound" is a prefix of them.
        let before = self.entries.partition_point(|e| !bound.admits(&partitioner.decorate(e.key.clone())));
        match before {
            0 => 0,
            n => self.entries[n - 1].index_position,
        }
    }
}
