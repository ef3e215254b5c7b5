//! The streaming k-way merge of one work unit's sources.
//!
//! Partitions come out in (token, key) order, each once, however many sources hold it. A
//! partition's rows and markers are merged as they are read: every source keeps one
//! unfiltered of look-ahead, so memory is a row per source whatever the partition size.
//!
//! Range tombstones (Cassandra's `RangeTombstoneMarker.Merger` in
//! `db.rows.UnfilteredRowIterators` / `utils.MergeIterator`): each source tracks the
//! deletion its own markers keep open; at every marker position the merged open deletion is
//! the superseding one over all sources, ignored unless it supersedes the partition deletion.
//! When it changes, the merged range in force closes there and a new one opens. Rows are
//! merged under the partition deletion or the open range deletion, whichever is in force
//! ([`super::reconcile::merge_row`]).

use sstable_reader::data::{BoundKind, DeletionTime};
use sstable_reader::types::format::hex;
use sstable_reader::DecoratedKey;

use super::clustering::{ClusteringComparator, Position};
use super::error::MergeError;
use super::model::{Clustering, MergedPartition, MergedRow, MergedUnfiltered, RangeBound, RangeTombstone, SourcePartition, SourceUnfiltered};
use super::reconcile::{max_deletion, merge_one, merge_row, opt_supersedes, MergeOptions};
use super::source::PartitionSource;
use super::stats::{MergeStats, SourceStats};

struct Input<S> {
    source: S,
    needs_head: bool,
    head: Option<SourcePartition>,
    last_key: Option<DecoratedKey>,
    in_partition: bool,
    peeked: Option<SourceUnfiltered>,
    last_position: Option<(Clustering, Position)>,
    open: Option<DeletionTime>,
}

fn position(u: &SourceUnfiltered) -> (&Clustering, Position) {
    match u {
        SourceUnfiltered::Row(r) => (&r.clustering, Position::Row),
        SourceUnfiltered::Marker(m) => (&m.clustering, Position::Bound(m.kind)),
    }
}

fn closes_inclusive(kind: BoundKind) -> bool {
    matches!(kind, BoundKind::InclusiveEnd | BoundKind::InclusiveEndExclusiveStart | BoundKind::ExclusiveStart)
}

/// Merges the partitions of several sources; see the module documentation.
pub struct PartitionMerger<S> {
    inputs: Vec<Input<S>>,
    comparator: ClusteringComparator,
    options: MergeOptions,
    stats: MergeStats,
    current: Vec<usize>,
    partition_deletion: Option<DeletionTime>,
    open_range: Option<(RangeBound, DeletionTime)>,
    in_partition: bool,
}

impl<S: PartitionSource> PartitionMerger<S> {
    /// A merge of `sources`, ordering rows with `comparator`.
    pub fn new(sources: Vec<S>, comparator: ClusteringComparator, options: MergeOptions) -> PartitionMerger<S> {
        let stats = MergeStats { sources: sources.iter().map(|s| SourceStats { name: s.name(), ..SourceStats::default() }).collect(), ..MergeStats::default() };
        let inputs = sources
            .into_iter()
            .map(|source| Input { source, needs_head: true, head: None, last_key: None, in_partition: false, peeked: None, last_position: None, open: None })
            .collect();
        PartitionMerger { inputs, comparator, options, stats, current: Vec::new(), partition_deletion: None, open_range: None, in_partition: false }
    }

    /// The counters so far.
    pub fn stats(&self) -> &MergeStats {
        &self.stats
    }

    /// The counters, consuming the merger.
    pub fn into_stats(self) -> MergeStats {
        self.stats
    }

    /// The reconciliation settings.
    pub fn options(&self) -> &MergeOptions {
        &self.options
    }

    fn fetch_head(&mut self, i: usize) -> Result<(), MergeError> {
        let input = &mut self.inputs[i];
        input.needs_head = false;
        input.head = input.source.next_partition()?;
        if let Some(head) = &input.head {
            if input.last_key.as_ref().is_some_and(|last| *last >= head.key) {
                return Err(MergeError::OutOfOrder { source_name: input.source.name(), what: format!("partition {} (token {})", hex(&head.key.key), head.key.token) });
            }
            input.last_key = Some(head.key.clone());
            let s = &mut self.stats.sources[i];
            s.partitions += 1;
            s.rows += head.static_row.is_some() as u64;
        }
        Ok(())
    }

    /// The next distinct partition: its key, winning deletion and merged static row. Its
    /// rows follow from [`PartitionMerger::next_unfiltered`]; rows not read are skipped.
    ///
    /// # Errors
    /// Source errors, sources out of order, malformed counters.
    pub fn next_partition(&mut self) -> Result<Option<MergedPartition>, MergeError> {
        for &i in &self.current {
            let input = &mut self.inputs[i];
            input.needs_head = true;
            input.in_partition = false;
            input.peeked = None;
            input.last_position = None;
            input.open = None;
        }
        self.current.clear();
        self.open_range = None;
        self.in_partition = false;
        for i in 0..self.inputs.len() {
            if self.inputs[i].needs_head {
                self.fetch_head(i)?;
            }
        }
        let Some(min) = self.inputs.iter().filter_map(|i| i.head.as_ref().map(|h| &h.key)).min().cloned() else {
            return Ok(None);
        };
        let mut deletion = None;
        let mut statics = Vec::new();
        for (i, input) in self.inputs.iter_mut().enumerate() {
            if input.head.as_ref().is_some_and(|h| h.key == min) {
                let Some(head) = input.head.take() else { continue };
                deletion = max_deletion(deletion, head.deletion);
                statics.extend(head.static_row);
                input.in_partition = true;
                self.current.push(i);
            }
        }
        let sources = self.current.len();
        let static_row = if statics.is_empty() {
            None
        } else {
            let row = merge_row(statics, deletion, &self.options, &mut self.stats)?;
            self.counted(row)
        };
        self.partition_deletion = deletion;
        self.in_partition = true;
        self.stats.partitions += 1;
        Ok(Some(MergedPartition { key: min.key, token: min.token, deletion, static_row, sources }))
    }

    fn fill(&mut self) -> Result<(), MergeError> {
        for &i in &self.current {
            let input = &mut self.inputs[i];
            if input.peeked.is_some() || !input.in_partition {
                continue;
            }
            match input.source.next_unfiltered()? {
                None => input.in_partition = false,
                Some(u) => {
                    let (clustering, pos) = position(&u);
                    if let Some((last, last_pos)) = &input.last_position {
                        if self.comparator.compare(last, *last_pos, clustering, pos).is_ge() {
                            return Err(MergeError::OutOfOrder { source_name: input.source.name(), what: "rows or range tombstone markers".into() });
                        }
                    }
                    match &mut input.last_position {
                        // Reuses the buffer: no allocation per row.
                        Some((last, last_pos)) => {
                            last.clone_from(clustering);
                            *last_pos = pos;
                        }
                        None => input.last_position = Some((clustering.clone(), pos)),
                    }
                    let s = &mut self.stats.sources[i];
                    match u {
                        SourceUnfiltered::Row(_) => s.rows += 1,
                        SourceUnfiltered::Marker(_) => s.markers += 1,
                    }
                    input.peeked = Some(u);
                }
            }
        }
        Ok(())
    }

    /// The next row or range tombstone of the current partition, merged; `None` at its end.
    ///
    /// # Errors
    /// As [`PartitionMerger::next_partition`].
    pub fn next_unfiltered(&mut self) -> Result<Option<MergedUnfiltered>, MergeError> {
        while self.in_partition {
            self.fill()?;
            let taken: Vec<(usize, SourceUnfiltered)> = if let [i] = self.current[..] {
                // One source holds the partition: its rows have no other versions.
                match self.inputs[i].peeked.take() {
                    None => return Ok(self.close_partition()),
                    Some(SourceUnfiltered::Row(row)) => {
                        let merged = merge_one(row, self.active_deletion(), &self.options, &mut self.stats);
                        match self.counted(merged) {
                            Some(row) => return Ok(Some(MergedUnfiltered::Row(row))),
                            None => continue,
                        }
                    }
                    Some(marker) => vec![(i, marker)],
                }
            } else {
                let mut min: Option<usize> = None;
                for &i in &self.current {
                    let Some(u) = &self.inputs[i].peeked else { continue };
                    min = match min {
                        Some(m) => {
                            let (mc, mp) = position(self.inputs[m].peeked.as_ref().unwrap_or(u));
                            let (c, p) = position(u);
                            if self.comparator.compare(c, p, mc, mp).is_lt() {
                                Some(i)
                            } else {
                                Some(m)
                            }
                        }
                        None => Some(i),
                    };
                }
                let Some(m) = min else { return Ok(self.close_partition()) };
                let equal: Vec<usize> = {
                    let Some(mu) = self.inputs[m].peeked.as_ref() else { continue };
                    let (mc, mp) = position(mu);
                    self.current
                        .iter()
                        .copied()
                        .filter(|&i| self.inputs[i].peeked.as_ref().is_some_and(|u| {
                            let (c, p) = position(u);
                            self.comparator.compare(c, p, mc, mp).is_eq()
                        }))
                        .collect()
                };
                equal.into_iter().filter_map(|i| self.inputs[i].peeked.take().map(|u| (i, u))).collect()
            };
            if matches!(taken.first(), Some((_, SourceUnfiltered::Row(_)))) {
                let rows = taken
                    .into_iter()
                    .filter_map(|(_, u)| match u {
                        SourceUnfiltered::Row(r) => Some(r),
                        SourceUnfiltered::Marker(_) => None,
                    })
                    .collect();
                let merged = merge_row(rows, self.active_deletion(), &self.options, &mut self.stats)?;
                match self.counted(merged) {
                    Some(row) => return Ok(Some(MergedUnfiltered::Row(row))),
                    None => continue,
                }
            }
            // Markers at one position.
            let mut at: Option<(Clustering, BoundKind)> = None;
            for (i, u) in taken {
                if let SourceUnfiltered::Marker(marker) = u {
                    self.inputs[i].open = marker.open;
                    at.get_or_insert((marker.clustering, marker.kind));
                }
            }
            let Some((clustering, kind)) = at else { continue };
            let open = self.current.iter().fold(None, |acc, &i| max_deletion(acc, self.inputs[i].open));
            let open = open.filter(|d| opt_supersedes(Some(d), self.partition_deletion.as_ref()));
            if open == self.open_range.as_ref().map(|(_, d)| *d) {
                continue;
            }
            let closed = self.open_range.take().map(|(start, deletion)| RangeTombstone {
                start,
                end: RangeBound { clustering: clustering.clone(), inclusive: closes_inclusive(kind) },
                deletion,
            });
            if let Some(d) = open {
                self.open_range = Some((RangeBound { clustering, inclusive: !closes_inclusive(kind) }, d));
            }
            if let Some(rt) = closed {
                self.stats.range_tombstones += 1;
                return Ok(Some(MergedUnfiltered::RangeTombstone(rt)));
            }
        }
        Ok(None)
    }

    /// Counts a reconciled row: a distinct row, or one whose deletions left nothing of it.
    fn counted(&mut self, merged: Option<MergedRow>) -> Option<MergedRow> {
        match &merged {
            Some(_) => self.stats.rows += 1,
            None => self.stats.rows_deleted += 1,
        }
        merged
    }

    /// The deletion over the next row: the open range tombstone's, else the partition's.
    fn active_deletion(&self) -> Option<DeletionTime> {
        self.open_range.as_ref().map(|(_, d)| *d).or(self.partition_deletion)
    }

    /// Ends the current partition; a range left open by malformed input closes here.
    fn close_partition(&mut self) -> Option<MergedUnfiltered> {
        self.in_partition = false;
        self.open_range.take().map(|(start, deletion)| {
            self.stats.range_tombstones += 1;
            MergedUnfiltered::RangeTombstone(RangeTombstone { start, end: RangeBound { clustering: Vec::new(), inclusive: true }, deletion })
        })
    }

    /// The next partition with all its rows, refusing partitions of more than `max_rows`
    /// rows and range tombstones (use the streaming calls for those).
    ///
    /// # Errors
    /// [`MergeError::PartitionTooLarge`]; as [`PartitionMerger::next_partition`].
    pub fn next_partition_collected(&mut self, max_rows: usize) -> Result<Option<(MergedPartition, Vec<MergedUnfiltered>)>, MergeError> {
        let Some(partition) = self.next_partition()? else { return Ok(None) };
        let mut rows = Vec::new();
        while let Some(u) = self.next_unfiltered()? {
            if rows.len() == max_rows {
                return Err(MergeError::PartitionTooLarge { key: hex(&partition.key), limit: max_rows });
            }
            rows.push(u);
        }
        Ok(Some((partition, rows)))
    }
}

