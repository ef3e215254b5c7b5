//! Reading one work unit: open the SSTables that overlap it, seek each to the unit's start
//! (or past the checkpoint's low-watermark), merge them and turn the merged partitions into
//! mutations, sent in order to the unit's writer task.
//!
//! Runs on a blocking thread: the reader is synchronous. The channel is bounded, so a slow
//! target holds the reader back and memory stays at a few chunks per SSTable plus the
//! channel's rows.

use std::sync::Arc;

use bytes::Bytes;
use sstable_reader::{DecoratedKey, ErrorKind, KeyBound, Partitioner, SSTable, Token, TokenRange};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

use super::error::UnitError;
use super::table::TableRun;
use crate::merge::{open_unit, MergeOptions, MergeStats, MergedUnfiltered};
use crate::plan::manifest::{token_text, Watermark};
use crate::write::from_merge::MutationBuilder;
use crate::write::{Mutation, PlannedGroup, Writer};

/// How many fragments of each kind a unit sent to the writer: with the merge's counters, it
/// shows that each distinct row was written once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Fragments {
    /// Clustered rows (or the single row of a table without clustering columns).
    pub rows: u64,
    /// Static rows.
    pub static_rows: u64,
    /// Partition deletions.
    pub partition_deletions: u64,
    /// Range tombstones.
    pub range_deletions: u64,
}

impl Fragments {
    /// Adds another unit's counts.
    pub fn add(&mut self, o: &Fragments) {
        self.rows += o.rows;
        self.static_rows += o.static_rows;
        self.partition_deletions += o.partition_deletions;
        self.range_deletions += o.range_deletions;
    }

    /// Every fragment sent.
    pub fn total(&self) -> u64 {
        self.rows + self.static_rows + self.partition_deletions + self.range_deletions
    }
}

/// What the reader hands to the unit's writer task, in source order.
#[derive(Debug)]
pub enum UnitItem {
    /// Row fragments of one partition (at most a batch's worth), planned into statements.
    Rows(PlannedGroup),
    /// Every fragment of this partition has been sent.
    PartitionEnd(Watermark),
}

/// Most items per channel message: one message per item would wake the writer task for each.
pub const CHUNK_ITEMS: usize = 16;

/// A chunk is sent once it holds this many rows (or [`CHUNK_ITEMS`] items), so the channel's
/// capacity in chunks follows `--buffered-rows`.
pub const CHUNK_ROWS: usize = 64;

/// Items on their way to the unit's writer task. Rows are grouped up to a batch's worth, of
/// one partition or of consecutive partitions with one route ([`Writer::route`]), and
/// planned here ([`Writer::plan_rows`]), on the thread that decoded them; items go out in
/// chunks of about [`CHUNK_ROWS`] rows.
struct Outbox<'a> {
    out: &'a mpsc::Sender<Vec<UnitItem>>,
    chunk: Vec<UnitItem>,
    chunk_rows: usize,
    writer: &'a Writer,
    group: Vec<Mutation>,
    /// The route of the group's partitions.
    route: Option<i64>,
    /// The last partition whose rows are all in the open group or before it: its end
    /// follows the group out. Ends of partitions before it add nothing, as acknowledgements
    /// come in order, and a watermark is only formatted for the one that is sent.
    ended: Option<(Token, Bytes)>,
}

impl Outbox<'_> {
    /// Starts a partition with `route`: the open group closes first unless its partitions
    /// have the same route.
    fn partition_start(&mut self, route: Option<i64>) -> Result<bool, UnitError> {
        let joins = route.is_some() && route == self.route;
        self.route = route;
        if joins {
            Ok(true)
        } else {
            self.close_group()
        }
    }

    /// Adds a row fragment of the current partition; false once the writer task has gone.
    fn row(&mut self, m: Mutation) -> Result<bool, UnitError> {
        self.group.push(m);
        if self.group.len() < self.writer.batch_statements() {
            return Ok(true);
        }
        self.close_group()
    }

    /// Ends the current partition. Its end goes out after the group holding its last rows.
    fn partition_end(&mut self, token: &Token, key: &Bytes) -> Result<bool, UnitError> {
        self.ended = Some((token.clone(), key.clone()));
        if self.route.is_some() {
            Ok(true)
        } else {
            self.close_group()
        }
    }

    fn close_group(&mut self) -> Result<bool, UnitError> {
        if !self.group.is_empty() {
            let rows = std::mem::replace(&mut self.group, Vec::with_capacity(self.writer.batch_statements()));
            let planned = self.writer.plan_rows(rows, self.route)?;
            if !self.push(UnitItem::Rows(planned)) {
                return Ok(false);
            }
        }
        Ok(match self.ended.take() {
            Some((token, key)) => self.push(UnitItem::PartitionEnd(Watermark { token: token_text(&token), key_hex: sstable_reader::types::format::hex(&key) })),
            None => true,
        })
    }

    fn push(&mut self, item: UnitItem) -> bool {
        if let UnitItem::Rows(group) = &item {
            self.chunk_rows += group.len();
        }
        self.chunk.push(item);
        (self.chunk.len() < CHUNK_ITEMS && self.chunk_rows < CHUNK_ROWS) || self.flush()
    }

    fn flush(&mut self) -> bool {
        if self.chunk.is_empty() {
            return true;
        }
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK_ITEMS));
        self.chunk_rows = 0;
        match self.out.try_send(chunk) {
            Ok(()) => true,
            Err(TrySendError::Closed(_)) => false,
            Err(TrySendError::Full(chunk)) => {
                // Waits for half the channel to drain, not for one slot: this thread then
                // wakes once per few chunks, and each wake-up costs it its caches.
                let room = (self.out.max_capacity() / 2).max(1);
                match futures::executor::block_on(self.out.reserve_many(room)) {
                    Ok(mut permits) => permits.next().map(|permit| permit.send(chunk)).is_some(),
                    Err(_) => false,
                }
            }
        }
    }
}

/// Reads unit `unit` of `table` from after `resume_after` (or its start), sending items to
/// `out` in chunks, planned by `writer`. Returns the merge counters and the fragments sent;
/// stops early, without error, when `out` is closed. What was read before an error is still
/// sent, so the unit's progress up to the bad spot is kept.
///
/// # Errors
/// [`UnitError`] naming the SSTable (file, component, offset) or the partition at fault.
pub fn read_unit(
    table: &TableRun,
    unit: usize,
    resume_after: Option<&Watermark>,
    now: i64,
    writer: &Writer,
    out: &mpsc::Sender<Vec<UnitItem>>,
) -> Result<(MergeStats, Fragments), UnitError> {
    let mut outbox = Outbox { out, chunk: Vec::with_capacity(CHUNK_ITEMS), chunk_rows: 0, writer, group: Vec::new(), route: None, ended: None };
    let read = read_into(table, unit, resume_after, now, &mut outbox);
    // Rows of a partition the reader stopped in: written, never acknowledged past.
    let last = outbox.close_group();
    outbox.flush();
    let stats = read?;
    last?;
    Ok(stats)
}

fn read_into(table: &TableRun, unit: usize, resume_after: Option<&Watermark>, now: i64, out: &mut Outbox<'_>) -> Result<(MergeStats, Fragments), UnitError> {
    let plan = &table.plan.units[unit];
    let partitioner = table.partitioner;
    let range = plan.range(partitioner).ok_or_else(|| UnitError::Manifest(format!("unit {} has unreadable tokens ({}, {}]", plan.id, plan.start, plan.end)))?;
    let resume_key = resume_after.map(|w| watermark_key(partitioner, w)).transpose()?;

    let mut sstables = Vec::with_capacity(plan.sstables.len());
    for id in &plan.sstables {
        let record = table.plan.sstables.iter().find(|s| s.id == *id).ok_or_else(|| UnitError::Manifest(format!("unit {} names SSTable {id}, which the table does not list", plan.id)))?;
        sstables.push(SSTable::open(&record.data_path)?);
    }
    let mut opened: Vec<(&SSTable, Option<u64>)> = Vec::with_capacity(sstables.len());
    for sstable in &sstables {
        match start_position(sstable, &range, resume_key.as_ref())? {
            Start::FromBeginning => opened.push((sstable, None)),
            Start::At(position) => opened.push((sstable, Some(position))),
            Start::NothingLeft => {}
        }
    }
    let options = MergeOptions { now, columns: table.columns.clone() };
    let mut merger = open_unit(&opened, Some(range), options)?;
    let builder = MutationBuilder::new(Arc::clone(&table.target));
    let mut skipping = resume_key;
    let mut sent = Fragments::default();
    while let Some(mut partition) = merger.next_partition()? {
        if let Some(last) = &skipping {
            // Partitions up to the watermark are acknowledged already.
            if partitioner.decorate(partition.key.clone()) <= *last {
                continue;
            }
            skipping = None;
        }
        let pk = builder.partition_key(&partition)?;
        if !out.partition_start(out.writer.route(&partition.token))? {
            return Ok((merger.into_stats(), sent));
        }
        if let Some(m) = builder.partition_deletion(&pk, &partition) {
            sent.partition_deletions += 1;
            if !out.row(m)? {
                return Ok((merger.into_stats(), sent));
            }
        }
        if let Some(row) = partition.static_row.take() {
            sent.static_rows += 1;
            if !out.row(builder.row(&pk, row)?)? {
                return Ok((merger.into_stats(), sent));
            }
        }
        while let Some(item) = merger.next_unfiltered()? {
            let m = match item {
                MergedUnfiltered::Row(row) => {
                    sent.rows += 1;
                    builder.row(&pk, row)?
                }
                MergedUnfiltered::RangeTombstone(rt) => {
                    sent.range_deletions += 1;
                    builder.range_tombstone(&pk, &rt)
                }
            };
            if !out.row(m)? {
                return Ok((merger.into_stats(), sent));
            }
        }
        if !out.partition_end(&partition.token, &partition.key)? {
            return Ok((merger.into_stats(), sent));
        }
    }
    Ok((merger.into_stats(), sent))
}

enum Start {
    FromBeginning,
    At(u64),
    NothingLeft,
}

/// Where to start reading `sstable` for `range`, using its partition index: at the first
/// partition after the range start, or at the watermark key when resuming. Without an index
/// the SSTable is read from its start (partitions before the range are skipped by token).
fn start_position(sstable: &SSTable, range: &TokenRange, resume: Option<&DecoratedKey>) -> Result<Start, UnitError> {
    let bound = match resume {
        Some(key) => KeyBound::Key(key.clone()),
        None if range.start.is_minimum() => return Ok(Start::FromBeginning),
        None => KeyBound::TokenEnd(range.start.clone()),
    };
    let index = match sstable.open_index() {
        Ok(index) => index,
        Err(e) if matches!(e.kind, ErrorKind::MissingComponent(_)) => return Ok(Start::FromBeginning),
        Err(e) => return Err(e.into()),
    };
    Ok(match index.data_position_at(&bound)? {
        Some(position) => Start::At(position),
        None => Start::NothingLeft,
    })
}

fn watermark_key(partitioner: Partitioner, w: &Watermark) -> Result<DecoratedKey, UnitError> {
    let key = unhex(&w.key_hex).ok_or_else(|| UnitError::Manifest(format!("low-watermark key {:?} is not hex", w.key_hex)))?;
    let decorated = partitioner.decorate(Bytes::from(key));
    if token_text(&decorated.token) != w.token {
        return Err(UnitError::Manifest(format!("low-watermark key {} has token {}, the manifest says {}", w.key_hex, decorated.token, w.token)));
    }
    Ok(decorated)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(unhex("00ff10").unwrap(), vec![0, 255, 16]);
        assert!(unhex("0").is_none());
        assert!(unhex("zz").is_none());
        assert_eq!(unhex("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn watermark_token_must_match_its_key() {
        let p = Partitioner::Murmur3;
        let key = p.decorate(Bytes::from_static(b"abc"));
        let good = Watermark { token: token_text(&key.token), key_hex: "616263".into() };
        assert_eq!(watermark_key(p, &good).unwrap(), key);
        let bad = Watermark { token: "12".into(), key_hex: "616263".into() };
        assert!(watermark_key(p, &bad).unwrap_err().to_string().contains("the manifest says 12"));
    }
}
