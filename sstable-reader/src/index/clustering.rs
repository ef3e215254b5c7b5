//! Clustering prefixes as the big-format row index stores them (the first and last
//! clustering of each index block), decoded to raw value bytes.
//!
//! Layout (`ClusteringPrefix.Serializer`, `ClusteringBoundOrBoundary.Serializer`):
//! a kind byte; for bounds and boundaries a `short` count of values (a row clustering has
//! one value per clustering column); then, per group of up to 32 values, an unsigned vint
//! header with two bits per value (bit `2i`: empty, bit `2i+1`: null) followed by the
//! values that are neither, each written raw if its type has a fixed length, else with an
//! unsigned vint length.
//!
//! Decoding values to CQL types is the data layer's job; this layer only needs to know
//! which clustering columns have fixed-length types.

use bytes::Bytes;

use super::input::Cursor;
use crate::Result;

/// The kind of a clustering prefix (`ClusteringPrefix.Kind`, by ordinal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClusteringKind {
    /// 0: exclusive end bound of a range tombstone.
    ExclEndBound,
    /// 1: inclusive start bound.
    InclStartBound,
    /// 2: boundary closing exclusively and opening inclusively.
    ExclEndInclStartBoundary,
    /// 3: the static row (never stored in an index).
    StaticClustering,
    /// 4: a row's clustering.
    Clustering,
    /// 5: boundary closing inclusively and opening exclusively.
    InclEndExclStartBoundary,
    /// 6: inclusive end bound.
    InclEndBound,
    /// 7: exclusive start bound.
    ExclStartBound,
}

impl ClusteringKind {
    fn from_ordinal(b: u8) -> Option<ClusteringKind> {
        use ClusteringKind::*;
        [ExclEndBound, InclStartBound, ExclEndInclStartBoundary, StaticClustering, Clustering, InclEndExclStartBoundary, InclEndBound, ExclStartBound]
            .get(b as usize)
            .copied()
    }
}

/// The value-length shape of a table's clustering columns, in order: `Some(n)` for a type
/// whose values are always `n` bytes (int 4, bigint 8, uuid 16, …), `None` for
/// variable-length types. Reversed types have their base type's length.
pub type ClusteringLayout = [Option<usize>];

/// A clustering prefix with its values as raw bytes (`None` for a null value).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClusteringPrefix {
    /// Row clustering, bound or boundary.
    pub kind: ClusteringKind,
    /// One entry per value present, in clustering-column order.
    pub values: Vec<Option<Bytes>>,
}

impl ClusteringPrefix {
    /// Reads one serialized prefix.
    pub(crate) fn read(c: &mut Cursor<'_>, layout: &ClusteringLayout) -> Result<ClusteringPrefix> {
        let at = c.offset();
        let ordinal = c.u8()?;
        let kind = ClusteringKind::from_ordinal(ordinal).ok_or_else(|| c.malformed_at(at, format!("clustering kind {ordinal}")))?;
        let size = match kind {
            ClusteringKind::Clustering => layout.len(),
            ClusteringKind::StaticClustering => return Err(c.malformed_at(at, "static clustering in a row index")),
            _ => c.u16()? as usize,
        };
        if size > layout.len() {
            return Err(c.malformed_at(at, format!("{size} clustering values for {} clustering columns", layout.len())));
        }
        let mut values = Vec::with_capacity(size);
        let mut header = 0u64;
        for (i, fixed) in layout.iter().take(size).enumerate() {
            if i % 32 == 0 {
                header = c.uvint()?;
            }
            let bit = 2 * (i % 32);
            if header & (1 << (bit + 1)) != 0 {
                values.push(None);
            } else if header & (1 << bit) != 0 {
                values.push(Some(Bytes::new()));
            } else {
                let len = match fixed {
                    Some(n) => *n,
                    None => {
                        let lat = c.offset();
                        let n = c.uvint()?;
                        usize::try_from(n).ok().filter(|n| *n <= i32::MAX as usize).ok_or_else(|| c.malformed_at(lat, format!("value length {n}")))?
                    }
                };
                values.push(Some(c.bytes(len)?));
            }
        }
        Ok(ClusteringPrefix { kind, values })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::BytesSource;
    use crate::{Component, ErrorKind};

    fn read(bytes: &[u8], layout: &ClusteringLayout) -> Result<ClusteringPrefix> {
        let src = BytesSource::new(bytes.to_vec(), "Index.db", Component::PrimaryIndex);
        let mut c = Cursor::new(&src, 0, Bytes::copy_from_slice(bytes));
        ClusteringPrefix::read(&mut c, layout)
    }

    #[test]
    fn rows_and_bounds_with_fixed_variable_null_and_empty_values() {
        // Row (int 7, text "ab"): kind 4, header 0, 4 raw bytes, vint length 2 + "ab".
        let row = read(&[4, 0, 0, 0, 0, 7, 2, b'a', b'b'], &[Some(4), None]).unwrap();
        assert_eq!(row.kind, ClusteringKind::Clustering);
        assert_eq!(row.values, vec![Some(Bytes::from_static(&[0, 0, 0, 7])), Some(Bytes::from_static(b"ab"))]);
        // Inclusive start bound with one value that is empty (header bit 0) of two columns.
        let bound = read(&[1, 0, 1, 0b01], &[Some(4), None]).unwrap();
        assert_eq!(bound.kind, ClusteringKind::InclStartBound);
        assert_eq!(bound.values, vec![Some(Bytes::new())]);
        // Null second value (header bit 3).
        let nul = read(&[4, 0b1000, 0, 0, 0, 1], &[Some(4), None]).unwrap();
        assert_eq!(nul.values[1], None);
        assert!(matches!(read(&[9], &[None]).unwrap_err().kind, ErrorKind::Malformed(_)));
        assert!(matches!(read(&[1, 0, 3, 0], &[None]).unwrap_err().kind, ErrorKind::Malformed(_)));
        assert!(matches!(read(&[4, 0, 5, b'a'], &[None]).unwrap_err().kind, ErrorKind::Truncated { .. }));
    }
}
