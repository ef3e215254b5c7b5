//! Row size and write units as Amazon Keyspaces counts them.
//!
//! Keyspaces bills 1 write unit per started KB of the *encoded* row written and rejects rows
//! over 1 MB. Its guide ("Estimate row size in Amazon Keyspaces") gives the encoding, which
//! this module approximates:
//!
//! - partition key column: value bytes + 3 bytes of metadata;
//! - clustering column: value bytes + 1 byte per started 5 bytes of value (the guide says
//!   "up to 20 %"; rounding up keeps the estimate on the safe side);
//! - regular or static column: a column identifier (1 byte for up to 62 columns, one more per
//!   further 62) + value bytes; each collection element counts as a value of its own, its path
//!   (key or element) included;
//! - client-side timestamps (needed for `USING TIMESTAMP`): 20 bytes per written column, the
//!   low end of the guide's "20–40 bytes";
//! - 100 bytes of row metadata per row.
//!
//! The approximation: the real identifier width and timestamp overhead depend on data
//! Keyspaces does not publish, so counts can be off by a few bytes per column; a row near a
//! KB boundary may be billed one unit more than estimated. Counters and deletes are counted
//! the same way (keys + written columns).

/// Bytes in one Keyspaces write unit.
pub const WRITE_UNIT_BYTES: usize = 1024;
/// The Keyspaces row size limit.
pub const KEYSPACES_MAX_ROW_BYTES: usize = 1024 * 1024;
/// Row metadata Keyspaces adds to every row.
pub const ROW_METADATA_BYTES: usize = 100;
/// Client-side timestamp bytes per written column (low end of 20–40).
pub const TIMESTAMP_BYTES_PER_COLUMN: usize = 20;
/// Keyspaces' limit on a partition key's encoded size.
pub const KEYSPACES_MAX_PARTITION_KEY_BYTES: usize = 2048;
/// Keyspaces' limit on the encoded size of a row's clustering columns together.
pub const KEYSPACES_MAX_CLUSTERING_BYTES: usize = 850;
/// Keyspaces' limit on regular (and static) columns written by one statement.
pub const KEYSPACES_MAX_COLUMNS_PER_WRITE: usize = 225;
/// Keyspaces' limit on write units per second to one partition.
pub const KEYSPACES_PARTITION_WRITE_UNITS_PER_SECOND: u32 = 1000;

/// Encoded size of a partition key with these column values, counted as [`RowSize`] counts
/// it (value + 3 bytes per column), for comparison with Keyspaces' 2048-byte limit.
pub fn partition_key_bytes<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> usize {
    values.into_iter().map(|v| v.len() + 3).sum()
}

/// Encoded size of these clustering values together, counted as [`RowSize`] counts them
/// (value + 1 byte per started 5), for comparison with Keyspaces' 850-byte limit.
pub fn clustering_bytes<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> usize {
    values.into_iter().map(|v| v.len() + v.len().div_ceil(5)).sum()
}

/// Accumulates the encoded size of one written row (or one statement of it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowSize {
    bytes: usize,
}

impl RowSize {
    /// An empty row (metadata only).
    pub fn new() -> Self {
        RowSize { bytes: ROW_METADATA_BYTES }
    }

    /// Adds one partition key column value.
    pub fn partition_key(&mut self, value_len: usize) {
        self.bytes += value_len + 3;
    }

    /// Adds one clustering column value.
    pub fn clustering(&mut self, value_len: usize) {
        self.bytes += value_len + value_len.div_ceil(5);
    }

    /// Adds one written column value (or collection element: path + value) of a table with
    /// `table_columns` columns in all.
    pub fn column(&mut self, value_len: usize, table_columns: usize) {
        self.bytes += column_id_bytes(table_columns) + value_len + TIMESTAMP_BYTES_PER_COLUMN;
    }

    /// Encoded bytes so far.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Write units: one per started KB, at least one.
    pub fn write_units(&self) -> u32 {
        write_units(self.bytes)
    }
}

/// Width of Keyspaces' column identifier: 1 byte for 1–62 columns, +1 per further 62.
pub fn column_id_bytes(table_columns: usize) -> usize {
    table_columns.max(1).div_ceil(62)
}

/// Write units for `bytes` of encoded row: one per started KB, at least one.
pub fn write_units(bytes: usize) -> u32 {
    bytes.div_ceil(WRITE_UNIT_BYTES).max(1).min(u32::MAX as usize) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_unit_per_started_kb() {
        assert_eq!(write_units(0), 1);
        assert_eq!(write_units(1), 1);
        assert_eq!(write_units(1024), 1);
        assert_eq!(write_units(1025), 2);
        assert_eq!(write_units(1024 * 1024), 1024);
    }

    #[test]
    fn column_identifier_width_grows_per_62_columns() {
        assert_eq!(column_id_bytes(1), 1);
        assert_eq!(column_id_bytes(62), 1);
        assert_eq!(column_id_bytes(63), 2);
        assert_eq!(column_id_bytes(124), 2);
        assert_eq!(column_id_bytes(125), 3);
    }

    #[test]
    fn key_sizes_count_as_the_row_size_does() {
        let pk: [&[u8]; 2] = [&[0; 4], &[0; 10]];
        let ck: [&[u8]; 2] = [&[0; 6], &[0; 5]];
        assert_eq!(partition_key_bytes(pk), 4 + 3 + 10 + 3);
        assert_eq!(clustering_bytes(ck), 6 + 2 + 5 + 1);
        let mut s = RowSize::new();
        pk.iter().for_each(|v| s.partition_key(v.len()));
        ck.iter().for_each(|v| s.clustering(v.len()));
        assert_eq!(s.bytes(), ROW_METADATA_BYTES + partition_key_bytes(pk) + clustering_bytes(ck));
    }

    #[test]
    fn row_size_adds_keys_columns_and_metadata() {
        // (pk int, ck text 'abcdef', v blob 1000 bytes), 3 columns in the table
        let mut s = RowSize::new();
        s.partition_key(4);
        s.clustering(6);
        s.column(1000, 1);
        assert_eq!(s.bytes(), 100 + (4 + 3) + (6 + 2) + (1 + 1000 + 20));
        assert_eq!(s.write_units(), 2);
    }
}
