//! Clustering prefixes: a row's clustering values, and range tombstone bounds.
//!
//! Cassandra: `db.ClusteringPrefix.Serializer`. Values come in blocks of up to 32, each
//! block preceded by an unsigned vint header holding two bits per value: bit `2i` set means
//! value `i` is empty, bit `2i+1` set means it is null (absent); neither means its bytes
//! follow, unprefixed if the type has a fixed length, else vint-length-prefixed. A row's
//! clustering has exactly as many values as the table has clustering columns; a bound or
//! boundary is written as a kind byte, a 16-bit value count, then the values.

use bytes::Bytes;

use super::cursor::{Cursor, Parse, Stop};
use super::header::DataHeader;

/// Where a range tombstone bound sits, Cassandra's `ClusteringPrefix.Kind` (its ordinal is
/// the stored byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoundKind {
    /// End of a range, excluding the prefix (`EXCL_END_BOUND`, 0).
    ExclusiveEnd,
    /// Start of a range, including the prefix (`INCL_START_BOUND`, 1).
    InclusiveStart,
    /// Closes an exclusive end and opens an inclusive start (`EXCL_END_INCL_START_BOUNDARY`, 2).
    ExclusiveEndInclusiveStart,
    /// Closes an inclusive end and opens an exclusive start (`INCL_END_EXCL_START_BOUNDARY`, 5).
    InclusiveEndExclusiveStart,
    /// End of a range, including the prefix (`INCL_END_BOUND`, 6).
    InclusiveEnd,
    /// Start of a range, excluding the prefix (`EXCL_START_BOUND`, 7).
    ExclusiveStart,
}

impl BoundKind {
    /// The kind stored as `byte`, if it is a bound or boundary kind.
    pub fn from_byte(byte: u8) -> Option<BoundKind> {
        Some(match byte {
            0 => BoundKind::ExclusiveEnd,
            1 => BoundKind::InclusiveStart,
            2 => BoundKind::ExclusiveEndInclusiveStart,
            5 => BoundKind::InclusiveEndExclusiveStart,
            6 => BoundKind::InclusiveEnd,
            7 => BoundKind::ExclusiveStart,
            _ => return None,
        })
    }

    /// Whether this closes one range and opens the next (a boundary, with two deletion times).
    pub fn is_boundary(self) -> bool {
        matches!(self, BoundKind::ExclusiveEndInclusiveStart | BoundKind::InclusiveEndExclusiveStart)
    }

    /// Whether this opens a range (bounds that start one, and every boundary).
    pub fn is_start(self) -> bool {
        matches!(self, BoundKind::InclusiveStart | BoundKind::ExclusiveStart) || self.is_boundary()
    }

    /// Whether this closes a range (bounds that end one, and every boundary).
    pub fn is_end(self) -> bool {
        matches!(self, BoundKind::InclusiveEnd | BoundKind::ExclusiveEnd) || self.is_boundary()
    }

    /// Whether the bound includes its prefix (for a boundary: its opening side).
    pub fn is_inclusive(self) -> bool {
        matches!(self, BoundKind::InclusiveStart | BoundKind::InclusiveEnd | BoundKind::ExclusiveEndInclusiveStart)
    }

    /// For a boundary: whether its closing side includes the prefix.
    pub fn closes_inclusive(self) -> bool {
        matches!(self, BoundKind::InclusiveEnd | BoundKind::InclusiveEndExclusiveStart)
    }
}

/// Skips over `count` clustering values at the cursor, checking their framing.
pub(crate) fn skip_values(c: &mut Cursor<'_>, header: &DataHeader, count: usize) -> Parse<()> {
    let mut i = 0;
    while i < count {
        let block_end = (i + 32).min(count);
        let at = c.pos;
        let bits = c.vint()?;
        if count - i < 32 && bits >> (2 * (count - i)) != 0 {
            return Err(Stop::bad(at, format!("clustering header {bits:#x} flags values past the {count} there are")));
        }
        for j in i..block_end {
            let shift = 2 * (j - i);
            if bits & (0b11 << shift) != 0 {
                continue; // null or empty: no bytes
            }
            let fixed = header
                .clustering_fixed
                .get(j)
                .copied()
                .ok_or_else(|| Stop::bad(at, format!("clustering value {j} beyond the {} clustering columns", header.clustering_fixed.len())))?;
            c.value(fixed)?;
        }
        i = block_end;
    }
    Ok(())
}

/// The values of a clustering prefix, borrowed from the row or marker bytes.
#[derive(Debug, Clone, Copy)]
pub struct ClusteringValues<'a> {
    bytes: &'a [u8],
    fixed: &'a [Option<usize>],
    count: usize,
}

impl<'a> ClusteringValues<'a> {
    pub(crate) fn new(bytes: &'a [u8], fixed: &'a [Option<usize>], count: usize) -> ClusteringValues<'a> {
        ClusteringValues { bytes, fixed, count }
    }

    /// Number of values (the table's clustering column count for a row; possibly fewer for a
    /// range tombstone bound).
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no values (tables without clustering columns, or a bound covering
    /// the whole partition).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The raw serialized form (block headers and values).
    pub fn raw(&self) -> &'a [u8] {
        self.bytes
    }

    /// Iterates the values: `None` for a null value, `Some(bytes)` otherwise (possibly empty).
    pub fn iter(&self) -> ClusteringIter<'a> {
        ClusteringIter { cursor: Cursor::new(self.bytes, 0), fixed: self.fixed, count: self.count, index: 0, bits: 0 }
    }

    /// The values as owned slices of `backing` (which must hold [`ClusteringValues::raw`]).
    pub fn to_owned_in(&self, backing: &Bytes) -> Vec<Option<Bytes>> {
        self.iter().map(|v| v.map(|s| backing.slice_ref(s))).collect()
    }
}

/// Iterator over clustering values; see [`ClusteringValues::iter`].
#[derive(Debug)]
pub struct ClusteringIter<'a> {
    cursor: Cursor<'a>,
    fixed: &'a [Option<usize>],
    count: usize,
    index: usize,
    bits: u64,
}

impl std::fmt::Debug for Cursor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cursor@{}", self.pos)
    }
}

impl<'a> Iterator for ClusteringIter<'a> {
    type Item = Option<&'a [u8]>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.index >= self.count {
            return None;
        }
        if self.index % 32 == 0 {
            // Framing was checked when the row or marker was read; a failure here cannot
            // happen on the same bytes, and ends the iteration rather than panicking.
            self.bits = self.cursor.vint().ok()?;
        }
        let shift = 2 * (self.index % 32);
        let flags = (self.bits >> shift) & 0b11;
        let fixed = self.fixed.get(self.index).copied().flatten();
        self.index += 1;
        Some(match flags {
            0 => Some(self.cursor.value(fixed).ok()?),
            1 => Some(&[][..]),
            _ => None,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.count - self.index;
        (0, Some(n))
    }
}
