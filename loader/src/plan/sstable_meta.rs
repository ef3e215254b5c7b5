//! What the plan needs from one SSTable: its partitioner, counts and timestamps from
//! Statistics.db, its token span from the partition index, the Data.db position at any
//! token (to estimate bytes per token range), and its digest for change detection.

use std::sync::Arc;

use sstable_reader::index::{KeyBound, PartitionIndex};
use sstable_reader::io::ByteSource;
use sstable_reader::sstable::{Opener, SSTable};
use sstable_reader::{Component, Descriptor, Format, Partitioner, Token};

use crate::checkpoint::read_digest;
use crate::plan::manifest::DigestRecord;
use crate::source::{FoundSSTable, SourceStore};

/// Opens components through a [`SourceStore`], for the reader.
#[derive(Debug, Clone)]
pub struct StoreOpener(pub Arc<dyn SourceStore>);

impl Opener for StoreOpener {
    fn open(&self, descriptor: &Descriptor, component: Component) -> sstable_reader::Result<Box<dyn ByteSource>> {
        self.0.open(&descriptor.path(component), component)
    }
}

/// The facts about one SSTable the plan uses.
pub struct SSTableMeta {
    /// The partitioner named in Statistics.db.
    pub partitioner: Partitioner,
    /// Estimated partitions.
    pub partitions: u64,
    /// Rows written (Statistics' total rows; partitions when that is 0).
    pub rows: u64,
    /// Bytes of the uncompressed Data.db stream.
    pub uncompressed_size: u64,
    /// Bytes of Data.db on disk.
    pub data_size: u64,
    /// Smallest and largest write timestamps.
    pub min_timestamp: i64,
    /// Largest write timestamp.
    pub max_timestamp: i64,
    /// Whether some cell has a TTL.
    pub has_ttls: bool,
    /// Whether the serialization header lists a counter column.
    pub has_counters: bool,
    /// Tokens of the first and last partitions (`None` for an empty SSTable).
    pub span: Option<(Token, Token)>,
    /// The digest record for the manifest.
    pub digest: DigestRecord,
    index: Option<Box<dyn PartitionIndex>>,
}

impl std::fmt::Debug for SSTableMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SSTableMeta").field("partitioner", &self.partitioner).field("rows", &self.rows).field("span", &self.span).finish_non_exhaustive()
    }
}

impl SSTableMeta {
    /// Reads Statistics.db, CompressionInfo.db, the partition index and the digest.
    ///
    /// # Errors
    /// The reader's error (file, component, byte offset), or a message for an unreadable
    /// digest file.
    pub fn read(store: &Arc<dyn SourceStore>, found: &FoundSSTable) -> Result<SSTableMeta, String> {
        let sstable = SSTable::open_with(found.descriptor.clone(), Arc::new(StoreOpener(store.clone()))).map_err(|e| e.to_string())?;
        let stats = &sstable.statistics().stats;
        let partitioner = sstable.partitioner().map_err(|e| e.to_string())?;
        let data_size = found.data_size();
        let uncompressed_size = sstable.compression_info().map_or(data_size, |c| c.data_length);
        let partitions = stats.estimated_partitions();
        let rows = u64::try_from(stats.total_rows).unwrap_or(0).max(partitions);
        // Without its index an SSTable is still planned, its bytes spread over its token span.
        let has_index = match found.descriptor.format {
            Format::Big => found.component(Component::PrimaryIndex).is_some(),
            Format::Bti => found.component(Component::Partitions).is_some(),
        };
        let index = if has_index { Some(sstable.open_index().map_err(|e| e.to_string())?) } else { None };
        let span = match &index {
            Some(ix) if partitions > 0 || !ix.first_key().is_empty() => Some((ix.first_token(), ix.last_token())),
            _ => match (&stats.first_key, &stats.last_key) {
                (Some(f), Some(l)) => Some((partitioner.token(f), partitioner.token(l))),
                _ => None,
            },
        };
        let header = &sstable.statistics().header;
        let has_counters =
            header.static_columns.iter().chain(&header.regular_columns).any(|c| c.type_name.ends_with("CounterColumnType"));
        let digest = match found.component(Component::Digest) {
            Some(d) if d.path.to_string_lossy().ends_with("Digest.crc32") => DigestRecord::Crc32 { value: read_digest(store.as_ref(), &d.path)? },
            _ => {
                let data = found.component(Component::Data).ok_or_else(|| format!("{}: no Data.db", found.descriptor))?;
                DigestRecord::SizeMtime { size: data.meta.size, mtime_ms: data.meta.mtime_ms }
            }
        };
        Ok(SSTableMeta {
            partitioner,
            partitions,
            rows,
            uncompressed_size,
            data_size,
            min_timestamp: stats.min_timestamp,
            max_timestamp: stats.max_timestamp,
            has_ttls: stats.has_ttls(),
            has_counters,
            span,
            digest,
            index,
        })
    }

    /// Position in the uncompressed Data.db of the first partition with a token greater than
    /// `t` (the start of `(t, …]`), or the end of the data when there is none.
    ///
    /// Without an index the data is taken as spread evenly over the token span.
    ///
    /// # Errors
    /// When the index cannot be read at that point.
    pub fn position_after(&self, t: &Token) -> Result<u64, String> {
        let Some((first, last)) = &self.span else { return Ok(0) };
        if t < first {
            return Ok(0);
        }
        if t >= last {
            return Ok(self.uncompressed_size);
        }
        match &self.index {
            // A BTI seek may land one partition early (key prefixes only); for an estimate
            // that is close enough.
            Some(ix) => match ix.data_position_at(&KeyBound::TokenEnd(t.clone())).map_err(|e| e.to_string())? {
                Some(pos) => Ok(pos.min(self.uncompressed_size)),
                None => Ok(self.uncompressed_size),
            },
            None => Ok(uniform_position(first, last, t, self.uncompressed_size)),
        }
    }

    /// On-disk Data.db bytes per uncompressed byte.
    pub fn disk_ratio(&self) -> f64 {
        if self.uncompressed_size == 0 {
            1.0
        } else {
            self.data_size as f64 / self.uncompressed_size as f64
        }
    }
}

/// `size` spread evenly over `(first, last]`: the share before `t`.
fn uniform_position(first: &Token, last: &Token, t: &Token, size: u64) -> u64 {
    let pos = |x: &Token| -> Option<f64> {
        match x {
            Token::Murmur3(v) => Some(*v as f64),
            Token::Random(sstable_reader::partitioner::RandomToken::Value(v)) => Some(*v as f64),
            Token::Random(_) => Some(-1.0),
            Token::ByteOrdered(_) => None,
        }
    };
    match (pos(first), pos(last), pos(t)) {
        (Some(f), Some(l), Some(x)) if l > f => (((x - f) / (l - f)).clamp(0.0, 1.0) * size as f64) as u64,
        _ => size / 2,
    }
}
