//! Range tombstone markers: the bounds of range deletions within a partition.
//!
//! Cassandra: `db.rows.RangeTombstoneBoundMarker`, `RangeTombstoneBoundaryMarker`, written by
//! `UnfilteredSerializer` as `flags(IS_MARKER) kind count values size previous-size deletion`,
//! where a boundary (closing one range and opening the next) has two deletions: the closing
//! (end) one first, then the opening (start) one.

use std::sync::Arc;

use bytes::Bytes;

use super::clustering::{BoundKind, ClusteringValues};
use super::cursor::{Cursor, Stop};
use super::deletion::DeletionTime;
use super::header::DataHeader;
use super::row::Frame;
use crate::Result;

/// A range tombstone bound or boundary.
#[derive(Debug, Clone)]
pub struct RangeTombstoneMarker {
    raw: Bytes,
    position: u64,
    header: Arc<DataHeader>,
    kind: BoundKind,
    clustering: (u32, u32, u16),
    /// For a bound: its deletion. For a boundary: the deletion of the range it closes.
    end_or_only: DeletionTime,
    /// For a boundary: the deletion of the range it opens.
    start: Option<DeletionTime>,
}

impl RangeTombstoneMarker {
    pub(crate) fn parse(raw: Bytes, position: u64, header: Arc<DataHeader>, frame: &Frame) -> Result<RangeTombstoneMarker> {
        let kind = raw.get(1).copied().and_then(BoundKind::from_byte);
        let count = raw.get(2..4).map(|b| u16::from_be_bytes([b[0], b[1]]));
        let parsed = (|| {
            let (kind, count) = match (kind, count) {
                (Some(k), Some(n)) => (k, n),
                _ => return Err(Stop::bad(1, "marker kind or size missing")),
            };
            let mut c = Cursor::new(&raw, frame.body_start);
            c.vint()?; // previous unfiltered size
            let first = header.read_deletion_time(&mut c)?;
            let second = if kind.is_boundary() { Some(header.read_deletion_time(&mut c)?) } else { None };
            if c.pos != raw.len() {
                return Err(Stop::bad(c.pos, format!("{} bytes after the marker's deletion", raw.len() - c.pos)));
            }
            Ok((kind, count, first, second))
        })();
        match parsed {
            Ok((kind, count, end_or_only, start)) => Ok(RangeTombstoneMarker {
                clustering: (frame.clustering.0 as u32, frame.clustering.1 as u32, count),
                raw,
                position,
                header,
                kind,
                end_or_only,
                start,
            }),
            Err(stop) => Err(stop.into_error(&header, position, raw.len())),
        }
    }

    /// Offset of the marker's first byte in the uncompressed Data.db.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Which bound this is.
    pub fn kind(&self) -> BoundKind {
        self.kind
    }

    /// Whether this closes one range and opens another.
    pub fn is_boundary(&self) -> bool {
        self.kind.is_boundary()
    }

    /// The clustering prefix of the bound (possibly shorter than the table's clustering).
    pub fn clustering(&self) -> ClusteringValues<'_> {
        let (s, e, n) = self.clustering;
        ClusteringValues::new(&self.raw[s as usize..e as usize], &self.header.clustering_fixed, n as usize)
    }

    /// The clustering prefix as owned byte slices.
    pub fn clustering_owned(&self) -> Vec<Option<Bytes>> {
        self.clustering().to_owned_in(&self.raw)
    }

    /// The deletion of the range this marker opens (start bounds and boundaries).
    pub fn open_deletion(&self) -> Option<DeletionTime> {
        match (self.kind.is_boundary(), self.kind.is_start()) {
            (true, _) => self.start,
            (false, true) => Some(self.end_or_only),
            (false, false) => None,
        }
    }

    /// The deletion of the range this marker closes (end bounds and boundaries).
    pub fn close_deletion(&self) -> Option<DeletionTime> {
        (self.kind.is_end()).then_some(self.end_or_only)
    }
}
