//! The STATS component of Statistics.db: timestamps, deletion times, TTLs, size histograms,
//! repair state, min/max clustering and (5.0) the key range.
//!
//! Field order and version gates follow `StatsMetadata.StatsMetadataSerializer`
//! (<https://github.com/apache/cassandra/blob/cassandra-5.0/src/java/org/apache/cassandra/io/sstable/metadata/StatsMetadata.java>),
//! histograms `EstimatedHistogram` and `TombstoneHistogram` (`utils/streamhist`).

use bytes::Bytes;

use crate::descriptor::Version;
use crate::metadata::cursor::Cursor;
use crate::Result;

/// A commit log position (`CommitLogPosition`: segment id, position in segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitLogPosition {
    /// Commit log segment id.
    pub segment_id: i64,
    /// Byte position in the segment.
    pub position: i32,
}

/// An `EstimatedHistogram`: bucket upper bounds with counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EstimatedHistogram {
    /// `(bucket offset, count)`; the offset stored for the first bucket is 0.
    pub buckets: Vec<(i64, i64)>,
}

impl EstimatedHistogram {
    /// The number of values recorded (for the partition-size histogram: partitions).
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|&(_, n)| n.max(0) as u64).fold(0, u64::saturating_add)
    }

    /// The largest bucket offset with a non-zero count (an upper estimate of the maximum).
    pub fn max(&self) -> Option<i64> {
        self.buckets.iter().rev().find(|&&(_, n)| n > 0).map(|&(o, _)| o)
    }

    fn parse(c: &mut Cursor<'_>) -> Result<EstimatedHistogram> {
        let n = c.count(16, "histogram bucket")?;
        let mut buckets = Vec::with_capacity(n);
        for _ in 0..n {
            buckets.push((c.i64()?, c.i64()?));
        }
        Ok(EstimatedHistogram { buckets })
    }
}

/// One side of the covered clustering slice stored by `nc`/`oa`/`da`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusteringBound {
    /// `ClusteringPrefix.Kind` ordinal (0 EXCL_END_BOUND, 1 INCL_START_BOUND, … 6
    /// INCL_END_BOUND, 7 EXCL_START_BOUND).
    pub kind: u8,
    /// The values, `None` for a null; as stored by each type's serializer.
    pub values: Vec<Option<Bytes>>,
}

/// The clustering range an SSTable covers (`coveredClustering`, `nc`+).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveredClustering {
    /// Clustering type names, as stored.
    pub types: Vec<String>,
    /// Lower bound.
    pub start: ClusteringBound,
    /// Upper bound.
    pub end: ClusteringBound,
}

/// The decoded STATS component. Fields a version does not store are `None` (or empty).
#[derive(Debug, Clone, PartialEq)]
pub struct StatsMetadata {
    /// Partition sizes in bytes; its count is the number of partitions.
    pub estimated_partition_size: EstimatedHistogram,
    /// Cells per partition.
    pub estimated_cell_per_partition_count: EstimatedHistogram,
    /// Upper bound of the commit log positions flushed into this SSTable.
    pub commit_log_upper_bound: CommitLogPosition,
    /// Smallest write timestamp (µs since the epoch).
    pub min_timestamp: i64,
    /// Largest write timestamp.
    pub max_timestamp: i64,
    /// Smallest local deletion time (s since the epoch) of any tombstone or expiring cell;
    /// `None` when there is none. Negative for the overflowed TTLs of CASSANDRA-14092.
    pub min_local_deletion_time: Option<i64>,
    /// Largest local deletion time; `None` when there is none.
    pub max_local_deletion_time: Option<i64>,
    /// Smallest TTL in seconds (0 when some cell has none).
    pub min_ttl: i32,
    /// Largest TTL in seconds (0 when no cell has one).
    pub max_ttl: i32,
    /// Compressed / uncompressed size (-1 when not compressed).
    pub compression_ratio: f64,
    /// Tombstone drop-time histogram: `(local deletion time, count)`.
    pub tombstone_drop_times: Vec<(i64, i64)>,
    /// Leveled-compaction level.
    pub sstable_level: i32,
    /// When the data was repaired (ms since the epoch), 0 if unrepaired.
    pub repaired_at: i64,
    /// Legacy per-column minimum clustering values (`m*`, `n*`). Only trustworthy when
    /// [`Version::has_accurate_min_max`].
    pub min_clustering_values: Vec<Bytes>,
    /// Legacy per-column maximum clustering values.
    pub max_clustering_values: Vec<Bytes>,
    /// Covered clustering slice (`nc`, `oa`, `da`).
    pub covered_clustering: Option<CoveredClustering>,
    /// Whether counter cells may hold pre-2.1 local shards.
    pub has_legacy_counter_shards: bool,
    /// Number of cells (columns set) written.
    pub total_columns_set: i64,
    /// Number of rows written.
    pub total_rows: i64,
    /// Lower bound of the flushed commit log positions (`mb`+).
    pub commit_log_lower_bound: Option<CommitLogPosition>,
    /// Flushed commit log intervals (`mc`+).
    pub commit_log_intervals: Vec<(CommitLogPosition, CommitLogPosition)>,
    /// Pending incremental repair session id (`na`+).
    pub pending_repair: Option<[u8; 16]>,
    /// Whether the SSTable holds transient-replica data (`na`+).
    pub is_transient: bool,
    /// Host id of the node that wrote it (`me`, `nb`+).
    pub originating_host_id: Option<[u8; 16]>,
    /// Whether any partition-level deletion is present (`nc`+); `None` when not stored.
    pub has_partition_level_deletions: Option<bool>,
    /// First partition key, serialized (`nc`+).
    pub first_key: Option<Bytes>,
    /// Last partition key, serialized (`nc`+).
    pub last_key: Option<Bytes>,
    /// Fraction of the token ring covered (`oa`+).
    pub token_space_coverage: Option<f64>,
}

impl StatsMetadata {
    /// Estimated number of partitions (the partition-size histogram's count).
    pub fn estimated_partitions(&self) -> u64 {
        self.estimated_partition_size.count()
    }

    /// Whether any cell carries a TTL.
    pub fn has_ttls(&self) -> bool {
        self.max_ttl > 0
    }

    pub(crate) fn parse(c: &mut Cursor<'_>, version: Version) -> Result<StatsMetadata> {
        let estimated_partition_size = EstimatedHistogram::parse(c)?;
        let estimated_cell_per_partition_count = EstimatedHistogram::parse(c)?;
        let commit_log_upper_bound = position(c)?;
        let min_timestamp = c.i64()?;
        let max_timestamp = c.i64()?;
        let (min_local_deletion_time, max_local_deletion_time) = if version.has_uint_deletion_time() {
            (uint_deletion_time(c.i32()?), uint_deletion_time(c.i32()?))
        } else {
            (int_deletion_time(c.i32()?), int_deletion_time(c.i32()?))
        };
        let min_ttl = c.i32()?;
        let max_ttl = c.i32()?;
        let compression_ratio = c.f64()?;
        let tombstone_drop_times = tombstone_histogram(c, version)?;
        let sstable_level = c.i32()?;
        let repaired_at = c.i64()?;
        let mut min_clustering_values = Vec::new();
        let mut max_clustering_values = Vec::new();
        let mut covered_clustering = None;
        if version.has_legacy_min_max() {
            for values in [&mut min_clustering_values, &mut max_clustering_values] {
                let n = c.count(2, "clustering value")?;
                for _ in 0..n {
                    values.push(Bytes::copy_from_slice(c.short_bytes()?));
                }
            }
        } else if version.has_improved_min_max() {
            covered_clustering = Some(covered(c)?);
        }
        let has_legacy_counter_shards = c.bool()?;
        let total_columns_set = c.i64()?;
        let total_rows = c.i64()?;
        let commit_log_lower_bound = if version.has_commit_log_lower_bound() { Some(position(c)?) } else { None };
        let mut commit_log_intervals = Vec::new();
        if version.has_commit_log_intervals() {
            let n = c.count(24, "commit log interval")?;
            for _ in 0..n {
                commit_log_intervals.push((position(c)?, position(c)?));
            }
        }
        let pending_repair = if version.has_pending_repair() { optional_uuid(c)? } else { None };
        // `na` files written by 4.0 development builds before CASSANDRA-14404 (2017, e.g. the
        // legacy `_compact` fixtures) end right after the pending repair field: no isTransient.
        let early_na = version == Version::Na && c.remaining() == 0;
        let is_transient = version.has_is_transient() && !early_na && c.bool()?;
        let originating_host_id = if version.has_originating_host_id() { optional_uuid(c)? } else { None };
        let has_partition_level_deletions =
            if version.has_partition_level_deletions_presence_marker() { Some(c.bool()?) } else { None };
        if version.has_improved_min_max() && version.has_legacy_min_max() {
            covered_clustering = Some(covered(c)?);
        }
        let (first_key, last_key) = if version.has_key_range() {
            (Some(Bytes::copy_from_slice(c.vint_bytes("first key")?)), Some(Bytes::copy_from_slice(c.vint_bytes("last key")?)))
        } else {
            (None, None)
        };
        let token_space_coverage = if version.has_token_space_coverage() { Some(c.f64()?) } else { None };
        if version.has_uint_deletion_time() {
            // Cassandra 5.0 sizes the component with the legacy 16 bytes per tombstone
            // histogram bin (`TombstoneHistogram.HistogramSerializer.serializedSize`) but
            // writes 12, so the component ends with 4 unused bytes per bin.
            let padding = 4 * tombstone_drop_times.len();
            if c.remaining() == padding {
                c.take(padding)?;
            }
        }
        Ok(StatsMetadata {
            estimated_partition_size,
            estimated_cell_per_partition_count,
            commit_log_upper_bound,
            min_timestamp,
            max_timestamp,
            min_local_deletion_time,
            max_local_deletion_time,
            min_ttl,
            max_ttl,
            compression_ratio,
            tombstone_drop_times,
            sstable_level,
            repaired_at,
            min_clustering_values,
            max_clustering_values,
            covered_clustering,
            has_legacy_counter_shards,
            total_columns_set,
            total_rows,
            commit_log_lower_bound,
            commit_log_intervals,
            pending_repair,
            is_transient,
            originating_host_id,
            has_partition_level_deletions,
            first_key,
            last_key,
            token_space_coverage,
        })
    }
}

/// Pre-5.0 deletion times are signed ints; `Integer.MAX_VALUE` means "none".
fn int_deletion_time(v: i32) -> Option<i64> {
    (v != i32::MAX).then_some(i64::from(v))
}

/// 5.0 deletion times are unsigned ints; all ones (`-1` as an int) means "none".
fn uint_deletion_time(v: i32) -> Option<i64> {
    (v != -1).then_some(i64::from(v as u32))
}

fn position(c: &mut Cursor<'_>) -> Result<CommitLogPosition> {
    Ok(CommitLogPosition { segment_id: c.i64()?, position: c.i32()? })
}

fn optional_uuid(c: &mut Cursor<'_>) -> Result<Option<[u8; 16]>> {
    if c.u8()? == 0 {
        return Ok(None);
    }
    let mut id = [0u8; 16];
    id.copy_from_slice(c.take(16)?);
    Ok(Some(id))
}

/// `TombstoneHistogram`: int max bin size, int count, then per bin (double point, long count)
/// before 5.0, or (long point, int count) from `oa`.
fn tombstone_histogram(c: &mut Cursor<'_>, version: Version) -> Result<Vec<(i64, i64)>> {
    let _max_bin_size = c.i32()?;
    let wide = version.has_uint_deletion_time();
    let n = c.count(if wide { 12 } else { 16 }, "tombstone histogram bin")?;
    let mut bins = Vec::with_capacity(n);
    for _ in 0..n {
        if wide {
            bins.push((c.i64()?, i64::from(c.i32()?)));
        } else {
            bins.push((c.f64()? as i64, c.i64()?));
        }
    }
    Ok(bins)
}

/// The covered clustering: the clustering type names (vint count, vint-length strings), then
/// a `Slice`: two bounds, each a kind byte, a u16 value count, and the values in
/// `ClusteringPrefix` encoding (per 32 values an unsigned-vint header with 2 bits per value:
/// empty, null; then each non-empty, non-null value, fixed-width types without a length).
fn covered(c: &mut Cursor<'_>) -> Result<CoveredClustering> {
    let n = c.uvint_len("clustering type list")?;
    let mut types = Vec::with_capacity(n);
    for _ in 0..n {
        types.push(c.vint_string("clustering type")?);
    }
    let start = bound(c, &types)?;
    let end = bound(c, &types)?;
    Ok(CoveredClustering { types, start, end })
}

fn bound(c: &mut Cursor<'_>, types: &[String]) -> Result<ClusteringBound> {
    let kind = c.u8()?;
    if kind > 7 {
        return Err(c.malformed(format!("clustering bound kind {kind}")));
    }
    let size = c.u16()? as usize;
    if size > types.len() {
        return Err(c.malformed(format!("clustering bound of {size} values for {} clustering types", types.len())));
    }
    let mut values = Vec::with_capacity(size);
    let mut header = 0u64;
    for (i, ty) in types.iter().take(size).enumerate() {
        if i % 32 == 0 {
            header = c.uvint()?;
        }
        let shift = (i % 32) * 2;
        let empty = header & (1 << shift) != 0;
        let null = header & (1 << (shift + 1)) != 0;
        if null {
            values.push(None);
        } else if empty {
            values.push(Some(Bytes::new()));
        } else {
            let v = match fixed_value_length(ty) {
                Some(len) => c.take(len)?,
                None => c.vint_bytes("clustering value")?,
            };
            values.push(Some(Bytes::copy_from_slice(v)));
        }
    }
    Ok(ClusteringBound { kind, values })
}

/// The serialized width of values Cassandra writes without a length (`valueLengthIfFixed`),
/// `None` for length-prefixed ones (and for type strings that do not parse: the data decoder
/// reports those).
fn fixed_value_length(type_name: &str) -> Option<usize> {
    crate::types::CqlType::parse(type_name).ok().and_then(|t| t.fixed_length())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_lengths_follow_the_type_names() {
        assert_eq!(fixed_value_length("org.apache.cassandra.db.marshal.Int32Type"), Some(4));
        assert_eq!(fixed_value_length("org.apache.cassandra.db.marshal.ReversedType(org.apache.cassandra.db.marshal.TimeUUIDType)"), Some(16));
        assert_eq!(fixed_value_length("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType,3)"), Some(12));
        assert_eq!(fixed_value_length("org.apache.cassandra.db.marshal.UTF8Type"), None);
        assert_eq!(fixed_value_length("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.UTF8Type,3)"), None);
        assert_eq!(fixed_value_length("org.apache.cassandra.db.marshal.ShortType"), None);
        assert_eq!(fixed_value_length("not a type("), None);
    }

    fn stats_of(rel: &str) -> (Version, StatsMetadata) {
        let dir = crate::test_fixtures::dir(rel);
        let (d, _) = crate::Descriptor::from_path(crate::test_fixtures::data_path(&dir)).unwrap();
        let src = crate::io::FileSource::open(d.path(crate::Component::Statistics), crate::Component::Statistics).unwrap();
        (d.version, crate::metadata::Statistics::read(&src, d.version).unwrap().stats)
    }

    #[test]
    fn decodes_the_fields_each_version_adds() {
        let ck_min = b"00123456789";
        let ck_max = b"90123456789";
        // 3.0: legacy min/max, no host id, commit log intervals from mc.
        let (_, ma) = stats_of("cassandra/legacy/ma/legacy_tables/legacy_ma_clust");
        assert!(ma.commit_log_lower_bound.is_none() && ma.commit_log_intervals.is_empty());
        assert!(ma.min_clustering_values[0].starts_with(ck_min) && ma.max_clustering_values[0].starts_with(ck_max));
        let (_, mc) = stats_of("cassandra/legacy/mc/legacy_tables/legacy_mc_clust");
        assert_eq!(mc.commit_log_intervals.len(), 1);
        assert_eq!(mc.commit_log_lower_bound, Some(mc.commit_log_intervals[0].0));
        let (_, me) = stats_of("cassandra/legacy/me/legacy_tables/legacy_me_clust");
        assert!(me.originating_host_id.is_some() && me.pending_repair.is_none());
        let (_, na) = stats_of("cassandra/legacy/na/legacy_tables/legacy_na_clust");
        assert!(na.originating_host_id.is_none() && !na.is_transient && na.first_key.is_none());
        let (_, nb) = stats_of("cassandra/legacy/nb/legacy_tables/legacy_nb_clust");
        assert!(nb.originating_host_id.is_some());
        // 5.0: key range, partition-level deletion marker, covered clustering with its types.
        for rel in ["nc/legacy_tables/legacy_nc_clust", "oa/legacy_tables/legacy_oa_clust", "da/legacy_tables/legacy_da_clust"] {
            let (v, s) = stats_of(&format!("cassandra/legacy/{rel}"));
            assert_eq!((s.first_key.as_deref(), s.last_key.as_deref()), (Some(&b"0"[..]), Some(&b"4"[..])), "{rel}");
            assert_eq!(s.has_partition_level_deletions, Some(false), "{rel}");
            let c = s.covered_clustering.as_ref().unwrap();
            assert_eq!(c.types, ["org.apache.cassandra.db.marshal.UTF8Type"], "{rel}");
            assert_eq!((c.start.kind, c.end.kind), (1, 6), "{rel}: inclusive start and end bounds");
            assert!(c.start.values[0].as_ref().unwrap().starts_with(ck_min), "{rel}");
            assert!(c.end.values[0].as_ref().unwrap().starts_with(ck_max), "{rel}");
            assert_eq!(s.token_space_coverage.is_some(), v >= Version::Oa, "{rel}");
            assert_eq!(s.min_clustering_values.is_empty(), v >= Version::Oa, "{rel}");
        }
        // Overflowed TTLs (CASSANDRA-14092) are kept negative.
        let (_, t) = stats_of("cassandra/negative-local-expiration/table1");
        assert_eq!((t.min_local_deletion_time, t.min_ttl, t.max_ttl), (Some(-2146700401), 630720000, 630720000));
        assert!(t.has_ttls());
    }

    #[test]
    fn deletion_time_sentinels_mean_none() {
        assert_eq!(int_deletion_time(i32::MAX), None);
        assert_eq!(int_deletion_time(-5), Some(-5));
        assert_eq!(uint_deletion_time(-1), None);
        assert_eq!(uint_deletion_time(i32::MIN), Some(1 << 31));
    }
}
