//! Clustering order: rows and range tombstone bounds of one partition, as Cassandra sorts
//! them (`db.ClusteringComparator`, `ClusteringPrefix.Kind`).
//!
//! Values compare component by component with each clustering type's comparator (a null
//! component first, `ReversedType` for DESC). When one prefix is a prefix of the other, or
//! both are equal, the kind decides: a start bound that includes its prefix, or an end bound
//! that excludes it, sorts before every row with that prefix; an inclusive end or an
//! exclusive start sorts after them. Kinds of the same rank (for instance an exclusive end
//! and an inclusive start at the same prefix) are the same position, which is where the
//! merge reconciles markers of several SSTables.

use std::cmp::Ordering;

use bytes::Bytes;
use sstable_reader::data::BoundKind;
use sstable_reader::types::{compare::compare, CqlType};

/// Where an unfiltered sits relative to rows of equal prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A row: exactly at its clustering.
    Row,
    /// A range tombstone bound or boundary.
    Bound(BoundKind),
}

impl Position {
    /// `ClusteringPrefix.Kind.comparison`: bounds before rows get 0, rows 2, bounds after 3.
    fn rank(self) -> u8 {
        match self {
            Position::Row => 2,
            Position::Bound(k) => match k {
                BoundKind::ExclusiveEnd | BoundKind::InclusiveStart | BoundKind::ExclusiveEndInclusiveStart => 0,
                BoundKind::InclusiveEndExclusiveStart | BoundKind::InclusiveEnd | BoundKind::ExclusiveStart => 3,
            },
        }
    }

    /// `Kind.comparedToClustering`: where a shorter prefix of this kind sits relative to
    /// longer prefixes it starts.
    fn versus_longer(self) -> Ordering {
        match self.rank() {
            0 => Ordering::Less,
            3 => Ordering::Greater,
            _ => Ordering::Equal,
        }
    }
}

/// Compares clustering prefixes with the table's clustering types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusteringComparator {
    types: Vec<CqlType>,
}

impl ClusteringComparator {
    /// A comparator for clustering columns of `types` (DESC columns as `ReversedType`).
    pub fn new(types: Vec<CqlType>) -> ClusteringComparator {
        ClusteringComparator { types }
    }

    /// The clustering types.
    pub fn types(&self) -> &[CqlType] {
        &self.types
    }

    /// Compares component `i` of two prefixes (`ClusteringComparator.compareComponent`).
    pub fn compare_component(&self, i: usize, a: Option<&Bytes>, b: Option<&Bytes>) -> Ordering {
        match (a, b) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => match self.types.get(i) {
                Some(ty) => compare(ty, x, y),
                None => x.cmp(y),
            },
        }
    }

    /// Compares two clustering values (rows).
    pub fn compare_rows(&self, a: &[Option<Bytes>], b: &[Option<Bytes>]) -> Ordering {
        self.compare(a, Position::Row, b, Position::Row)
    }

    /// Compares two positioned prefixes (`ClusteringComparator.compare`).
    pub fn compare(&self, a: &[Option<Bytes>], pa: Position, b: &[Option<Bytes>], pb: Position) -> Ordering {
        for i in 0..a.len().min(b.len()) {
            let o = self.compare_component(i, a[i].as_ref(), b[i].as_ref());
            if o.is_ne() {
                return o;
            }
        }
        let by_kind = pa.rank().cmp(&pb.rank());
        match a.len().cmp(&b.len()) {
            Ordering::Equal => by_kind,
            Ordering::Less => pa.versus_longer().then(by_kind),
            Ordering::Greater => pb.versus_longer().reverse().then(by_kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(v: i32) -> Option<Bytes> {
        Some(Bytes::copy_from_slice(&v.to_be_bytes()))
    }

    #[test]
    fn bounds_sort_around_the_rows_they_cover() {
        let c = ClusteringComparator::new(vec![CqlType::Int, CqlType::Int]);
        let row = [int(1), int(5)];
        let start_incl = Position::Bound(BoundKind::InclusiveStart);
        let end_incl = Position::Bound(BoundKind::InclusiveEnd);
        let start_excl = Position::Bound(BoundKind::ExclusiveStart);
        // [1 .. 1] covers (1, 5): start before, end after.
        assert_eq!(c.compare(&[int(1)], start_incl, &row, Position::Row), Ordering::Less);
        assert_eq!(c.compare(&[int(1)], end_incl, &row, Position::Row), Ordering::Greater);
        // (1 .. : after every row with prefix 1.
        assert_eq!(c.compare(&[int(1)], start_excl, &row, Position::Row), Ordering::Greater);
        assert_eq!(c.compare(&row, Position::Row, &[int(1)], start_excl), Ordering::Less);
        // An exclusive end and an inclusive start at one prefix are the same position.
        assert_eq!(c.compare(&[int(2)], Position::Bound(BoundKind::ExclusiveEnd), &[int(2)], start_incl), Ordering::Equal);
        // The empty prefix as a start is before everything.
        assert_eq!(c.compare(&[], start_incl, &[int(i32::MIN), int(i32::MIN)], Position::Row), Ordering::Less);
    }

    #[test]
    fn desc_columns_reverse_rows() {
        let c = ClusteringComparator::new(vec![CqlType::Reversed(Box::new(CqlType::Int))]);
        assert_eq!(c.compare_rows(&[int(1)], &[int(2)]), Ordering::Greater);
        assert_eq!(c.compare_rows(&[None], &[int(2)]), Ordering::Less);
    }
}
