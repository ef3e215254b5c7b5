//! Partitions: the top level of Data.db, read as a stream.
//!
//! Cassandra: `io.sstable.format.SortedTablePartitionWriter` / `SSTableIdentityIterator`. A
//! partition is `key-length(u16) key deletion [static-row] unfiltered... end-of-partition(0x01)`,
//! where the deletion is `DeletionTime` in the version's encoding and the static row is
//! present whenever the header has static columns.
//!
//! [`PartitionReader`] yields a partition's header (key, deletion, static row), then its rows
//! and range tombstone markers one at a time, so a partition of any size streams through a
//! buffer of a chunk or two.

use std::sync::Arc;

use bytes::Bytes;

use super::cursor::{Cursor, Stop};
use super::deletion::DeletionTime;
use super::header::DataHeader;
use super::marker::RangeTombstoneMarker;
use super::row::{frame, Frame, Row, END_OF_PARTITION, IS_MARKER};
use crate::{DataInput, Error, ErrorKind, Result};

/// The start of a partition.
#[derive(Debug, Clone)]
pub struct PartitionHeader {
    /// The partition key bytes (for a composite key, `CompositeType`'s encoding).
    pub key: Bytes,
    /// Offset of the partition's first byte in the uncompressed Data.db.
    pub position: u64,
    /// The partition-level deletion, `None` when live.
    pub deletion: Option<DeletionTime>,
    /// The static row, when the table has static columns (it may be empty).
    pub static_row: Option<Row>,
}

/// A row or a range tombstone marker.
#[derive(Debug, Clone)]
pub enum Unfiltered {
    /// A row.
    Row(Row),
    /// A range tombstone bound or boundary.
    Marker(RangeTombstoneMarker),
}

impl Unfiltered {
    /// Offset of its first byte in the uncompressed Data.db.
    pub fn position(&self) -> u64 {
        match self {
            Unfiltered::Row(r) => r.position(),
            Unfiltered::Marker(m) => m.position(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    BetweenPartitions,
    InPartition,
}

/// Streams the partitions of one Data.db.
///
/// ```text
/// while let Some(partition) = reader.next_partition()? {
///     while let Some(unfiltered) = reader.next_unfiltered()? { ... }
/// }
/// ```
/// Calling [`PartitionReader::next_partition`] before a partition's unfiltereds are all read
/// skips the rest of it (by size, without decoding).
#[derive(Debug)]
pub struct PartitionReader<I> {
    input: I,
    header: Arc<DataHeader>,
    state: State,
}

impl PartitionReader<crate::sstable::DataStream> {
    /// Reads `sstable`'s Data.db from the start, with default options.
    ///
    /// # Errors
    /// Unparseable column types; Data.db that cannot be opened.
    pub fn open(sstable: &crate::SSTable) -> Result<Self> {
        Self::open_with(sstable, super::DecodeOptions::default())
    }

    /// Reads `sstable`'s Data.db from the start.
    ///
    /// # Errors
    /// As [`PartitionReader::open`].
    pub fn open_with(sstable: &crate::SSTable, options: super::DecodeOptions) -> Result<Self> {
        let header = DataHeader::for_sstable(sstable)?.with_options(options);
        Ok(PartitionReader::new(sstable.data_input()?, Arc::new(header)))
    }
}

impl<I: DataInput> PartitionReader<I> {
    /// Reads partitions from `input` (positioned at a partition start, usually 0).
    pub fn new(input: I, header: Arc<DataHeader>) -> PartitionReader<I> {
        PartitionReader { input, header, state: State::BetweenPartitions }
    }

    /// The header the reader decodes with.
    pub fn header(&self) -> &Arc<DataHeader> {
        &self.header
    }

    /// Current offset in the uncompressed Data.db.
    pub fn position(&self) -> u64 {
        self.input.position()
    }

    /// The underlying input.
    pub fn into_inner(self) -> I {
        self.input
    }

    /// Moves to the partition starting at `position` (an offset from an index).
    ///
    /// # Errors
    /// When `position` is past the end or its chunk cannot be read.
    pub fn seek_partition(&mut self, position: u64) -> Result<()> {
        self.input.seek(position)?;
        self.state = State::BetweenPartitions;
        Ok(())
    }

    fn error(&self, at: u64, kind: ErrorKind) -> Error {
        Error::in_data(&self.header.file, at, kind)
    }

    /// Reads the next partition's key, deletion and static row; `None` at the end of the file.
    ///
    /// # Errors
    /// Truncated or malformed bytes, negative deletion times (unless reported), chunk errors.
    pub fn next_partition(&mut self) -> Result<Option<PartitionHeader>> {
        if self.state == State::InPartition {
            while self.skip_unfiltered()? {}
        }
        if self.input.is_eof() {
            return Ok(None);
        }
        let position = self.input.position();
        let key_len = {
            let b = self.input.ensure(2)?;
            u16::from_be_bytes([b[0], b[1]]) as usize
        };
        self.input.advance(2);
        let key = self.input.read_bytes(key_len)?;
        let deletion = self.read_partition_deletion()?;
        self.state = State::InPartition;
        let static_row = if self.header.has_static() {
            match self.read_unfiltered(true)? {
                Some(Unfiltered::Row(row)) => Some(row),
                _ => return Err(self.error(position, ErrorKind::Malformed("partition lacks the static row its header promises".into()))),
            }
        } else {
            None
        };
        Ok(Some(PartitionHeader { key, position, deletion, static_row }))
    }

    fn read_partition_deletion(&mut self) -> Result<Option<DeletionTime>> {
        let at = self.input.position();
        if self.header.uint_deletion_time {
            let first = self.input.ensure(1)?[0];
            if first & 0x80 != 0 {
                if first != 0x80 {
                    return Err(self.error(at, ErrorKind::Malformed(format!("partition deletion flags {first:#04x}"))));
                }
                self.input.advance(1);
                return Ok(None);
            }
            let b = self.input.ensure(12)?;
            let mfda = i64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            let ldt = u32::from_be_bytes([b[8], b[9], b[10], b[11]]) as i64;
            self.input.advance(12);
            return Ok(Some(DeletionTime { marked_for_delete_at: mfda, local_deletion_time: ldt }));
        }
        let b = self.input.ensure(12)?;
        let ldt = i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        let mfda = i64::from_be_bytes([b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11]]);
        self.input.advance(12);
        if mfda == i64::MIN && ldt == i32::MAX {
            return Ok(None);
        }
        self.header.check_local_deletion_time(ldt as i64, 0).map_err(|stop| stop.into_error(&self.header, at, 12))?;
        Ok(Some(DeletionTime { marked_for_delete_at: mfda, local_deletion_time: ldt as i64 }))
    }

    /// The next row or marker of the current partition; `None` at its end (and when no
    /// partition is open).
    ///
    /// # Errors
    /// As [`PartitionReader::next_partition`].
    pub fn next_unfiltered(&mut self) -> Result<Option<Unfiltered>> {
        if self.state != State::InPartition {
            return Ok(None);
        }
        self.read_unfiltered(false)
    }

    /// Reads the framing of the next unfiltered; `None` (and the end marker consumed) at the
    /// end of the partition.
    fn next_frame(&mut self, want_static: bool) -> Result<Option<Frame>> {
        let at = self.input.position();
        let first = self.input.ensure(1)?[0];
        if first & END_OF_PARTITION != 0 {
            if first != END_OF_PARTITION || want_static {
                return Err(self.error(at, ErrorKind::Malformed(format!("unfiltered flags {first:#04x}"))));
            }
            self.input.advance(1);
            self.state = State::BetweenPartitions;
            return Ok(None);
        }
        let remaining = self.input.len() - at;
        let mut want = 64u64.min(remaining) as usize;
        let frame = loop {
            let buf = self.input.ensure(want)?;
            let mut c = Cursor::partial(buf, remaining);
            match frame(&mut c, &self.header) {
                Ok(f) => break f,
                Err(Stop::NeedMore) if (buf.len() as u64) < remaining => want = (buf.len().max(want) * 2).min(remaining as usize),
                Err(Stop::NeedMore) => return Err(self.error(at, ErrorKind::Truncated { expected: remaining + 1, available: remaining })),
                Err(Stop::Bad { offset, kind }) => return Err(self.error(at + offset as u64, kind)),
            }
        };
        if frame.total as u64 > remaining {
            return Err(self.error(at, ErrorKind::Truncated { expected: frame.total as u64, available: remaining }));
        }
        let is_static = frame.is_static;
        if is_static != want_static {
            let what = if want_static { "expected the static row" } else { "static row where a row or marker belongs" };
            return Err(self.error(at, ErrorKind::Malformed(what.into())));
        }
        Ok(Some(frame))
    }

    fn read_unfiltered(&mut self, want_static: bool) -> Result<Option<Unfiltered>> {
        let at = self.input.position();
        let Some(frame) = self.next_frame(want_static)? else { return Ok(None) };
        let raw = self.input.read_bytes(frame.total)?;
        let header = Arc::clone(&self.header);
        Ok(Some(if raw[0] & IS_MARKER != 0 {
            Unfiltered::Marker(RangeTombstoneMarker::parse(raw, at, header, &frame)?)
        } else {
            Unfiltered::Row(Row::parse(raw, at, header, &frame)?)
        }))
    }

    /// Skips the next unfiltered without decoding it; `false` at the end of the partition.
    ///
    /// # Errors
    /// As [`PartitionReader::next_partition`].
    pub fn skip_unfiltered(&mut self) -> Result<bool> {
        if self.state != State::InPartition {
            return Ok(false);
        }
        match self.next_frame(false)? {
            Some(frame) => {
                self.input.skip(frame.total as u64)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}
