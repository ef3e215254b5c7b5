//! SSTables as merge sources: Data.db partitions of one token range, converted row by row
//! into the owned model ([`super::model`]) with columns named from each SSTable's own
//! serialization header.
//!
//! The Data.db decoding itself is `sstable_reader::data`; this file only filters partitions
//! by token range and converts rows.

use std::collections::HashMap;
use std::sync::Arc;

use sstable_reader::data::{DataHeader, PartitionReader, RowItem};
use sstable_reader::sstable::DataStream;
use sstable_reader::types::CqlType;
use sstable_reader::{Partitioner, SSTable, TokenRange};

use super::clustering::ClusteringComparator;
use super::error::MergeError;
use super::merger::PartitionMerger;
use super::reconcile::{ColumnFilter, MergeOptions};
use super::model::{CellKind, Column, MergedCell, MergedMarker, MergedRow, SourcePartition, SourceUnfiltered};
use super::source::PartitionSource;

/// Columns shared by all sources of one merge, so that equal names are one [`Column`].
#[derive(Debug, Default)]
pub struct ColumnRegistry {
    columns: HashMap<(String, bool), Arc<Column>>,
}

impl ColumnRegistry {
    /// The shared column named `name` (the first type seen wins; types of one column name
    /// may only differ in compatible ways across SSTables).
    pub fn get(&mut self, name: &str, ty: &CqlType, is_static: bool) -> Arc<Column> {
        Arc::clone(self.columns.entry((name.to_string(), is_static)).or_insert_with(|| Column::new(name, ty.clone(), is_static)))
    }
}

/// One SSTable's partitions within a token range, as owned rows.
pub struct SSTableSource {
    name: String,
    reader: PartitionReader<DataStream>,
    partitioner: Partitioner,
    range: Option<TokenRange>,
    statics: Vec<Arc<Column>>,
    regulars: Vec<Arc<Column>>,
    done: bool,
}

impl SSTableSource {
    /// Reads `sstable` from the start (or from `start_position`, a partition offset from the
    /// index), keeping partitions whose token is in `range` (all when `None`).
    ///
    /// # Errors
    /// Header, partitioner and Data.db opening errors.
    pub fn open(sstable: &SSTable, range: Option<TokenRange>, start_position: Option<u64>, registry: &mut ColumnRegistry) -> Result<SSTableSource, MergeError> {
        let partitioner = sstable.partitioner()?;
        let mut reader = PartitionReader::open(sstable)?;
        if let Some(position) = start_position {
            reader.seek_partition(position)?;
        }
        let header = Arc::clone(reader.header());
        let statics = header.static_columns.iter().map(|c| registry.get(&c.name_str(), &c.ty, true)).collect();
        let regulars = header.regular_columns.iter().map(|c| registry.get(&c.name_str(), &c.ty, false)).collect();
        Ok(SSTableSource {
            name: header.file.display().to_string(),
            reader,
            partitioner,
            range,
            statics,
            regulars,
            done: false,
        })
    }

    /// The decoder header (clustering types, columns).
    pub fn header(&self) -> &Arc<DataHeader> {
        self.reader.header()
    }

    /// The partitioner of the SSTable.
    pub fn partitioner(&self) -> Partitioner {
        self.partitioner
    }

    fn convert_row(&self, row: &sstable_reader::data::Row) -> Result<MergedRow, MergeError> {
        let columns = if row.is_static() { &self.statics } else { &self.regulars };
        let mut out = MergedRow::new(row.clustering_owned());
        out.liveness = *row.liveness();
        out.deletion = row.deletion().copied();
        for item in row.items() {
            match item? {
                RowItem::Cell(c) => {
                    let Some(column) = columns.get(c.column) else { continue };
                    let kind = if c.is_tombstone() {
                        CellKind::Tombstone
                    } else if c.is_expiring() {
                        CellKind::Expiring
                    } else {
                        CellKind::Regular
                    };
                    out.cells.push(MergedCell {
                        column: Arc::clone(column),
                        path: c.path.map(|p| row.bytes_of(p)),
                        timestamp: c.timestamp,
                        ttl: c.ttl,
                        local_deletion_time: c.local_deletion_time,
                        value: row.bytes_of(c.value),
                        kind,
                    });
                }
                RowItem::ComplexDeletion { column, deletion } => {
                    if let Some(col) = columns.get(column) {
                        out.complex_deletions.push((Arc::clone(col), deletion));
                    }
                }
            }
        }
        Ok(out)
    }
}

impl PartitionSource for SSTableSource {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn next_partition(&mut self) -> Result<Option<SourcePartition>, MergeError> {
        while !self.done {
            let Some(header) = self.reader.next_partition()? else {
                self.done = true;
                break;
            };
            let key = self.partitioner.decorate(header.key);
            if let Some(range) = &self.range {
                if !range.contains(&key.token) {
                    if !range.is_wrapping() && key.token > range.end {
                        self.done = true;
                        break;
                    }
                    continue;
                }
            }
            let static_row = match &header.static_row {
                Some(row) if !row.is_empty() => Some(self.convert_row(row)?),
                _ => None,
            };
            return Ok(Some(SourcePartition { key, deletion: header.deletion, static_row }));
        }
        Ok(None)
    }

    fn next_unfiltered(&mut self) -> Result<Option<SourceUnfiltered>, MergeError> {
        loop {
            return Ok(match self.reader.next_unfiltered()? {
                None => None,
                Some(sstable_reader::data::Unfiltered::Row(row)) => {
                    if row.is_empty() {
                        continue; // Cassandra's readers skip rows left empty by dropped columns
                    }
                    Some(SourceUnfiltered::Row(self.convert_row(&row)?))
                }
                Some(sstable_reader::data::Unfiltered::Marker(m)) => Some(SourceUnfiltered::Marker(MergedMarker { clustering: m.clustering_owned(), kind: m.kind(), close: m.close_deletion(), open: m.open_deletion() })),
            });
        }
    }
}

/// Opens the merge of one work unit: `sstables` (all replicas and generations overlapping
/// `range`), each read from the start or from the given partition offset.
///
/// # Errors
/// [`MergeError::Mismatch`] when the SSTables disagree on the partitioner or the clustering
/// types; opening errors.
pub fn open_unit(sstables: &[(&SSTable, Option<u64>)], range: Option<TokenRange>, options: MergeOptions) -> Result<PartitionMerger<SSTableSource>, MergeError> {
    let mut registry = ColumnRegistry::default();
    let mut sources: Vec<SSTableSource> = Vec::with_capacity(sstables.len());
    for (sstable, start) in sstables {
        let source = SSTableSource::open(sstable, range.clone(), *start, &mut registry)?;
        if let Some(first) = sources.first() {
            if first.partitioner() != source.partitioner() {
                return Err(MergeError::Mismatch { file: source.name(), detail: format!("partitioner {}", source.partitioner()) });
            }
            if first.header().clustering_types != source.header().clustering_types {
                return Err(MergeError::Mismatch { file: source.name(), detail: format!("clustering types {:?}", source.header().clustering_types) });
            }
        }
        sources.push(source);
    }
    let types = sources.first().map(|s| s.header().clustering_types.clone()).unwrap_or_default();
    let mut options = options;
    if options.columns.keeps_all(registry.columns.values().map(|c| &**c)) {
        options.columns = ColumnFilter::default();
    }
    Ok(PartitionMerger::new(sources, ClusteringComparator::new(types), options))
}
