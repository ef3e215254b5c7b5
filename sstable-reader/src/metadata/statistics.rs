//! `Statistics.db`: a small table of contents followed by up to four metadata components
//! (validation, compaction, stats, serialization header).
//!
//! Layout (`MetadataSerializer` in Cassandra,
//! <https://github.com/apache/cassandra/blob/cassandra-5.0/src/java/org/apache/cassandra/io/sstable/metadata/MetadataSerializer.java>):
//!
//! ```text
//! int count; count × (int type ordinal, int offset)       type: 0 VALIDATION 1 COMPACTION 2 STATS 3 HEADER
//! [na+] int CRC32 of the bytes above
//! at each offset: the component's bytes [na+ followed by int CRC32 of those bytes]
//! ```
//! A component runs to the next component's offset (the last one to the end of the file).

use bytes::Bytes;

use crate::descriptor::Version;
use crate::io::ByteSource;
use crate::metadata::cursor::Cursor;
use crate::metadata::serialization_header::SerializationHeader;
use crate::metadata::stats::StatsMetadata;
use crate::{ErrorKind, Result};

/// The largest Statistics.db this reader loads (real ones are a few KB; min/max clustering
/// values and key ranges are bounded by Cassandra's 64 KB key limits).
const MAX_STATISTICS_LEN: u64 = 64 << 20;

/// `ValidationMetadata`: what a node checks before accepting the SSTable.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationMetadata {
    /// The partitioner's class name, e.g. `org.apache.cassandra.dht.Murmur3Partitioner`.
    pub partitioner: String,
    /// The bloom filter's false-positive chance.
    pub bloom_filter_fp_chance: f64,
}

/// `CompactionMetadata`: the serialized HyperLogLog++ cardinality estimator of the keys.
/// Kept as stored; ksbulk uses the stats histograms for estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactionMetadata {
    /// The serialized `ICardinality` (stream-lib HyperLogLogPlus) bytes.
    pub cardinality: Bytes,
}

/// Everything decoded from one Statistics.db.
#[derive(Debug, Clone, PartialEq)]
pub struct Statistics {
    /// Partitioner and bloom filter settings (absent only in damaged or stripped files).
    pub validation: Option<ValidationMetadata>,
    /// Key cardinality estimator.
    pub compaction: Option<CompactionMetadata>,
    /// Timestamps, deletion times, TTLs, size histograms, repair state.
    pub stats: StatsMetadata,
    /// Key, clustering and column types and the delta-encoding bases of Data.db.
    pub header: SerializationHeader,
}

/// The metadata component kinds, by their stored ordinal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MetadataType {
    Validation,
    Compaction,
    Stats,
    Header,
}

impl MetadataType {
    fn from_ordinal(n: i32) -> Option<MetadataType> {
        match n {
            0 => Some(MetadataType::Validation),
            1 => Some(MetadataType::Compaction),
            2 => Some(MetadataType::Stats),
            3 => Some(MetadataType::Header),
            _ => None,
        }
    }
}

impl Statistics {
    /// Reads and decodes a Statistics.db written by `version`, checking its CRCs (`na`+).
    ///
    /// # Errors
    /// [`ErrorKind::ChecksumMismatch`] at the offset of the CRC that does not match,
    /// [`ErrorKind::Truncated`]/[`ErrorKind::Malformed`] at the offending byte,
    /// [`ErrorKind::MissingComponent`]-free: a Statistics.db without stats or header is
    /// [`ErrorKind::Malformed`].
    pub fn read(src: &dyn ByteSource, version: Version) -> Result<Statistics> {
        if src.len() > MAX_STATISTICS_LEN {
            return Err(src.error(0, ErrorKind::Malformed(format!("Statistics.db of {} bytes is larger than any real one", src.len()))));
        }
        let bytes = src.read_all()?;
        Statistics::parse(&bytes, src, version)
    }

    fn parse(bytes: &[u8], src: &dyn ByteSource, version: Version) -> Result<Statistics> {
        let path = src.path();
        let component = src.component();
        let checksummed = version.has_metadata_checksum();
        let mut toc = Cursor::new(bytes, 0, path, component);
        let count = toc.count(8, "metadata component")?;
        // The count has a CRC of its own, so a corrupt count is caught before it is used.
        if checksummed {
            check_crc(&mut toc, &bytes[..4])?;
        }
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            let at = toc.offset();
            let ordinal = toc.i32()?;
            let kind = MetadataType::from_ordinal(ordinal).ok_or_else(|| crate::Error::malformed(path, component, at, format!("unknown metadata type {ordinal}")))?;
            let offset = toc.i32()?;
            entries.push((kind, offset, at));
        }
        if checksummed {
            // The second CRC covers the count and the entries (not the first CRC).
            let toc_end = toc.offset() as usize;
            let mut hasher = crc32fast::Hasher::new();
            hasher.update(&bytes[..4]);
            hasher.update(&bytes[8..toc_end]);
            check_crc_value(&mut toc, hasher.finalize())?;
        }
        let toc_end = toc.offset();
        let mut validation = None;
        let mut compaction = None;
        let mut stats = None;
        let mut header = None;
        for (i, &(kind, offset, at)) in entries.iter().enumerate() {
            let start = u64::try_from(offset).ok().filter(|&o| o >= toc_end && o <= bytes.len() as u64);
            let start = start.ok_or_else(|| crate::Error::malformed(path, component, at + 4, format!("component offset {offset} outside {toc_end}..{}", bytes.len())))?;
            let end = match entries.get(i + 1) {
                Some(&(_, next, next_at)) => u64::try_from(next)
                    .ok()
                    .filter(|&n| n >= start && n <= bytes.len() as u64)
                    .ok_or_else(|| crate::Error::malformed(path, component, next_at + 4, format!("component offset {next} out of order")))?,
                None => bytes.len() as u64,
            };
            let (start, end) = (start as usize, end as usize);
            let mut body = &bytes[start..end];
            if checksummed {
                if body.len() < 4 {
                    return Err(crate::Error::truncated(path, component, start as u64, 4, body.len() as u64));
                }
                let (content, _) = body.split_at(body.len() - 4);
                let mut crc = Cursor::new(&body[content.len()..], (start + content.len()) as u64, path, component);
                check_crc(&mut crc, content)?;
                body = content;
            }
            let mut c = Cursor::new(body, start as u64, path, component);
            match kind {
                MetadataType::Validation => {
                    let partitioner = c.utf()?;
                    let bloom_filter_fp_chance = c.f64()?;
                    c.finish("validation metadata")?;
                    validation = Some(ValidationMetadata { partitioner, bloom_filter_fp_chance });
                }
                MetadataType::Compaction => {
                    let n = c.count(1, "cardinality byte")?;
                    let cardinality = Bytes::copy_from_slice(c.take(n)?);
                    c.finish("compaction metadata")?;
                    compaction = Some(CompactionMetadata { cardinality });
                }
                MetadataType::Stats => {
                    let s = StatsMetadata::parse(&mut c, version)?;
                    c.finish("stats metadata")?;
                    stats = Some(s);
                }
                MetadataType::Header => {
                    let h = SerializationHeader::parse(&mut c)?;
                    c.finish("serialization header")?;
                    header = Some(h);
                }
            }
        }
        let missing = |what: &str| crate::Error::malformed(path, component, 0, format!("Statistics.db has no {what} component"));
        Ok(Statistics { validation, compaction, stats: stats.ok_or_else(|| missing("stats"))?, header: header.ok_or_else(|| missing("serialization header"))? })
    }

    /// The partitioner class name, when the validation metadata is present.
    pub fn partitioner(&self) -> Option<&str> {
        self.validation.as_ref().map(|v| v.partitioner.as_str())
    }
}

/// Reads a stored big-endian CRC32 at the cursor and compares it with the CRC32 of `covered`.
fn check_crc(c: &mut Cursor<'_>, covered: &[u8]) -> Result<()> {
    check_crc_value(c, crc32fast::hash(covered))
}

fn check_crc_value(c: &mut Cursor<'_>, computed: u32) -> Result<()> {
    let at = c.offset();
    let stored = c.u32()?;
    if stored != computed {
        let mut err = c.error(ErrorKind::ChecksumMismatch { expected: stored, got: computed });
        err.offset = at;
        return Err(err);
    }
    Ok(())
}
