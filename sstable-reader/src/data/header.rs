//! What the Data.db decoder needs to know before it reads a byte: the column layout and the
//! delta-encoding bases from Statistics.db's serialization header, and the format version's
//! deletion-time encoding.
//!
//! Cassandra: `db.SerializationHeader` (delta bases: `EncodingStats`), `db.Columns` (column
//! order: simple columns first, then complex, each by name).

use std::path::PathBuf;

use bytes::Bytes;

use crate::metadata::SerializationHeader;
use crate::sstable::SSTable;
use crate::types::CqlType;
use crate::{Component, Error, ErrorKind, Result};

/// One static or regular column of the serialization header.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSpec {
    /// Column name bytes (UTF-8 in practice; empty for the value column of some COMPACT
    /// STORAGE tables).
    pub name: Bytes,
    /// The column type as the header gives it.
    pub ty: CqlType,
    /// Whether the column is complex (multi-cell: non-frozen collection or UDT).
    pub complex: bool,
    /// The length of every value if fixed (no length prefix on disk).
    pub fixed_length: Option<usize>,
}

impl ColumnSpec {
    /// A column from its name and type.
    pub fn new(name: impl Into<Bytes>, ty: CqlType) -> ColumnSpec {
        ColumnSpec { name: name.into(), complex: ty.is_multi_cell(), fixed_length: ty.fixed_length(), ty }
    }

    /// The name as text (invalid UTF-8 replaced).
    pub fn name_str(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }
}

/// The minimum timestamp, local deletion time and TTL that every delta-encoded value in
/// Data.db is relative to (`EncodingStats` of the serialization header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodingStats {
    /// Base of timestamps (microseconds).
    pub min_timestamp: i64,
    /// Base of local deletion and expiration times (seconds).
    pub min_local_deletion_time: i64,
    /// Base of TTLs (seconds).
    pub min_ttl: i64,
}

/// What to do with a negative local deletion time: Cassandra before 5.0 stored it as a
/// signed 32-bit integer that overflows for expirations past 2038 (CASSANDRA-14092), and
/// corruption can produce one too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InvalidDeletionTimes {
    /// Stop with [`crate::ErrorKind::InvalidDeletionTime`] naming the file and offset.
    #[default]
    Error,
    /// Keep the negative value in the decoded cell, liveness or deletion, for the caller to
    /// see ([`crate::data::DeletionTime::is_valid`] and friends say which ones).
    Report,
}

/// Knobs of the Data.db decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecodeOptions {
    /// Policy for negative local deletion times.
    pub invalid_deletion_times: InvalidDeletionTimes,
}

/// Everything the partition, row and cell decoders need to read one Data.db.
#[derive(Debug, Clone)]
pub struct DataHeader {
    /// The Data.db path or object key, for error messages.
    pub file: PathBuf,
    /// Whether deletion times use the 5.0 encoding (`oa` and `da`: a one-byte "live" marker
    /// for partition deletions, and 32-bit unsigned local deletion times).
    pub uint_deletion_time: bool,
    /// The partition key type (`CompositeType(...)` for composite keys).
    pub key_type: CqlType,
    /// The clustering column types, in order.
    pub clustering_types: Vec<CqlType>,
    /// Static columns, in storage order.
    pub static_columns: Vec<ColumnSpec>,
    /// Regular columns, in storage order.
    pub regular_columns: Vec<ColumnSpec>,
    /// Delta-encoding bases.
    pub stats: EncodingStats,
    /// Decoder options.
    pub options: DecodeOptions,
    pub(crate) clustering_fixed: Vec<Option<usize>>,
}

impl DataHeader {
    /// Builds the header. Columns are given in the serialization header's order; complex
    /// columns are moved after the simple ones (keeping their order), which is the order
    /// cells are stored in.
    pub fn new(
        file: impl Into<PathBuf>,
        uint_deletion_time: bool,
        key_type: CqlType,
        clustering_types: Vec<CqlType>,
        static_columns: Vec<ColumnSpec>,
        regular_columns: Vec<ColumnSpec>,
        stats: EncodingStats,
    ) -> DataHeader {
        let order = |mut cols: Vec<ColumnSpec>| {
            cols.sort_by_key(|c| c.complex); // stable: keeps the header's order within each kind
            cols
        };
        let clustering_fixed = clustering_types.iter().map(CqlType::fixed_length).collect();
        DataHeader {
            file: file.into(),
            uint_deletion_time,
            key_type,
            clustering_types,
            static_columns: order(static_columns),
            regular_columns: order(regular_columns),
            stats,
            options: DecodeOptions::default(),
            clustering_fixed,
        }
    }

    /// The header of `sstable`, from its Statistics.db serialization header and version.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedType`] for a type string that does not parse.
    pub fn for_sstable(sstable: &SSTable) -> Result<DataHeader> {
        let stats_path = sstable.descriptor().path(Component::Statistics);
        DataHeader::from_serialization_header(
            sstable.descriptor().path(Component::Data),
            sstable.version().has_uint_deletion_time(),
            &sstable.statistics().header,
        )
        .map_err(|kind| Error::new(stats_path, Component::Statistics, 0, kind))
    }

    /// The header from Statistics.db's decoded serialization header.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedType`] for a type string that does not parse.
    pub fn from_serialization_header(
        file: impl Into<PathBuf>,
        uint_deletion_time: bool,
        h: &SerializationHeader,
    ) -> std::result::Result<DataHeader, ErrorKind> {
        let parse = |s: &str| CqlType::parse(s).map_err(|e| ErrorKind::UnsupportedType(format!("{s}: {e}")));
        let columns = |cols: &[crate::metadata::ColumnSpec]| -> std::result::Result<Vec<ColumnSpec>, ErrorKind> {
            cols.iter().map(|c| Ok(ColumnSpec::new(c.name.clone(), parse(&c.type_name)?))).collect()
        };
        let stats = EncodingStats {
            min_timestamp: h.encoding_stats.min_timestamp(),
            min_local_deletion_time: h.encoding_stats.min_local_deletion_time(),
            min_ttl: h.encoding_stats.min_ttl() as i64,
        };
        Ok(DataHeader::new(
            file,
            uint_deletion_time,
            parse(&h.key_type)?,
            h.clustering_types.iter().map(|t| parse(t)).collect::<std::result::Result<_, _>>()?,
            columns(&h.static_columns)?,
            columns(&h.regular_columns)?,
            stats,
        ))
    }

    /// The same header with other decoder options.
    pub fn with_options(mut self, options: DecodeOptions) -> DataHeader {
        self.options = options;
        self
    }

    /// The static (`true`) or regular columns.
    pub fn columns(&self, is_static: bool) -> &[ColumnSpec] {
        if is_static {
            &self.static_columns
        } else {
            &self.regular_columns
        }
    }

    /// Whether the table has static columns (then every partition stores a static row).
    pub fn has_static(&self) -> bool {
        !self.static_columns.is_empty()
    }
}
