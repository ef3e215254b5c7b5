//! `ksbulk run`: executes a manifest. Several units at once, each one a pipeline:
//!
//! ```text
//!  blocking thread                        async task (one per unit)
//!  read_unit: SSTables → merge            admit each group (rate gate, in-flight window),
//!   → MutationBuilder → up to a batch     send it (unlogged batches), and settle the
//!   of rows of one route, planned and ──> outcomes in order (`Acks`): at each partition
//!   packed, chunks (Writer::plan_rows;    end, advance the low-watermark
//!   bounded channel)
//! ```
//!
//! The checkpoint (the manifest) is saved every `checkpoint_every`, and at the end. Units
//! running at once write to different parts of the ring, so consecutive writes land on
//! different partitions. A unit that fails records its error in the manifest and the others
//! go on; `run` on the same manifest resumes every unit that is not done, after its
//! watermark.

mod acks;
pub mod error;
mod summary;
pub mod table;
pub mod unit_reader;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinSet;

pub use error::{RunError, UnitError};
pub use summary::{FailedUnit, RunSummary};

use crate::checkpoint::{Checkpoint, CheckpointError, ResumeFrom, Snapshot};
use crate::merge::MergeStats;
use crate::plan::manifest::UnitStatus;
use crate::write::{Admitted, RowOutcome, Writer};
use acks::Acks;
use table::TableRun;
use unit_reader::{read_unit, Fragments, UnitItem};

/// How a run proceeds.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Keyspace written to, instead of each table's own.
    pub target_keyspace: Option<String>,
    /// Units read and written at once.
    pub parallel_units: usize,
    /// How often the checkpoint is saved.
    pub checkpoint_every: Duration,
    /// Rows buffered between a unit's reader and its writer task.
    pub buffered_rows: usize,
    /// The merge's clock (seconds since the epoch): cells expired by then are dropped.
    pub now: i64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { target_keyspace: None, parallel_units: 4, checkpoint_every: Duration::from_secs(2), buffered_rows: 512, now: crate::write::ttl::now_millis() / 1000 }
    }
}

type Shared = Arc<Mutex<Checkpoint>>;

/// Locks the checkpoint; a panic elsewhere while it was held does not make it unusable.
fn lock(cp: &Shared) -> std::sync::MutexGuard<'_, Checkpoint> {
    cp.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs every unit of `checkpoint` that is not done, writing through `writer`, and returns
/// the summary. The manifest is saved periodically and at the end, whatever happened.
///
/// # Errors
/// [`RunError`] when the run cannot start (schema) or the final save fails. Unit failures
/// are not errors here: they are listed in the summary and in the manifest.
pub async fn run_manifest(checkpoint: Checkpoint, writer: &Writer, options: &RunOptions) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let tables: Vec<Arc<TableRun>> =
        checkpoint.manifest.tables.iter().map(|t| TableRun::new(t, options.target_keyspace.as_deref()).map(Arc::new)).collect::<Result<_, _>>()?;
    let mut pending: Vec<(usize, usize)> = Vec::new();
    let mut already_done = 0;
    for (t, table) in checkpoint.manifest.tables.iter().enumerate() {
        for (u, unit) in table.units.iter().enumerate() {
            if unit.status == UnitStatus::Done {
                already_done += 1;
            } else {
                pending.push((t, u));
            }
        }
    }
    pending.reverse(); // popped from the end: ring order
    let cp: Shared = Arc::new(Mutex::new(checkpoint));
    let saver = tokio::spawn(save_periodically(Arc::clone(&cp), options.checkpoint_every));

    let mut merge = MergeStats::default();
    let mut rows_read = 0;
    let mut fragments = Fragments::default();
    let mut failed = Vec::new();
    let mut done = 0;
    let mut running = JoinSet::new();
    loop {
        while running.len() < options.parallel_units.max(1) {
            let Some((t, u)) = pending.pop() else { break };
            running.spawn(run_unit(Arc::clone(&tables[t]), t, u, Arc::clone(&cp), writer.clone(), options.clone()));
        }
        let Some(joined) = running.join_next().await else { break };
        let (t, u, result) = joined.map_err(|e| RunError::UnitTask(e.to_string()))?;
        let snapshot = {
            let mut guard = lock(&cp);
            match result {
                Ok((stats, sent)) => {
                    add_unit(&mut merge, &mut rows_read, stats);
                    fragments.add(&sent);
                    guard.finish_unit(t, u)?;
                    done += 1;
                }
                Err(((stats, sent), error)) => {
                    add_unit(&mut merge, &mut rows_read, stats);
                    fragments.add(&sent);
                    let unit = &guard.manifest.tables[t].units[u];
                    tracing::error!(table = %tables[t].plan.name(), unit = unit.id, "unit failed: {error}");
                    failed.push(FailedUnit { table: tables[t].plan.name(), unit: unit.id, range: format!("({}, {}]", unit.start, unit.end), error: error.to_string() });
                    guard.fail_unit(t, u, error.to_string())?;
                }
            }
            guard.snapshot()?
        };
        write_snapshot(snapshot).await?;
    }
    saver.abort();
    let write = writer.finish().await;
    let snapshot = lock(&cp).snapshot()?;
    write_snapshot(snapshot).await?;
    let write = write?;
    Ok(RunSummary::new(&merge, rows_read, fragments, write, done, already_done, failed, started.elapsed()))
}

/// Adds a finished unit's merge counters. Its per-source counts are folded into the row
/// total here, so a run of thousands of units does not keep an entry per SSTable per unit.
fn add_unit(merge: &mut MergeStats, rows_read: &mut u64, mut unit: MergeStats) {
    *rows_read += unit.rows_read();
    unit.sources.clear();
    merge.add(&unit);
}

async fn save_periodically(cp: Shared, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let due = lock(&cp).snapshot_if_due(every);
        let saved = match due {
            Ok(Some(snapshot)) => write_snapshot(snapshot).await,
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = saved {
            tracing::warn!("checkpoint save failed (will retry): {e}");
        }
    }
}

/// Writes `snapshot` on a blocking thread, so the runtime's thread never waits on an fsync
/// (the checkpoint itself is not held meanwhile).
async fn write_snapshot(snapshot: Snapshot) -> Result<(), CheckpointError> {
    let path = snapshot.path().to_path_buf();
    match tokio::task::spawn_blocking(move || snapshot.write()).await {
        Ok(written) => written,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(CheckpointError::Io { path, source: std::io::Error::other(e) }),
    }
}

type UnitResult = (usize, usize, Result<(MergeStats, Fragments), ((MergeStats, Fragments), UnitError)>);

/// One unit: its reader on a blocking thread; here, its groups admitted and sent, and their
/// outcomes acknowledged in order, moving the watermark.
async fn run_unit(table: Arc<TableRun>, t: usize, u: usize, cp: Shared, writer: Writer, options: RunOptions) -> UnitResult {
    let resume = match lock(&cp).begin_unit(t, u) {
        Ok(ResumeFrom::Done) => return (t, u, Ok(Default::default())),
        Ok(ResumeFrom::Start) => None,
        Ok(ResumeFrom::After(w)) => Some(w),
        Err(e) => return (t, u, Err((Default::default(), e.into()))),
    };
    let chunks = (options.buffered_rows / unit_reader::CHUNK_ROWS).max(2);
    let (items_tx, mut items) = mpsc::channel::<Vec<UnitItem>>(chunks);
    let reader_table = Arc::clone(&table);
    let reader_writer = writer.clone();
    let now = options.now;
    let reader = tokio::task::spawn_blocking(move || read_unit(&reader_table, u, resume.as_ref(), now, &reader_writer, &items_tx));

    let mut acks = Acks::new(Arc::clone(&cp), t, u);
    let error = write_items(&mut items, &mut acks, &writer, &cp, t, u, Admitted::send).await.err();
    drop(items); // a reader still sending stops at its next send
    acks.drain().await;
    let read = match reader.await {
        Ok(r) => r,
        Err(e) => Err(UnitError::Reader(e.to_string())),
    };
    let result = match (read, error) {
        (Ok(stats), None) => Ok(stats),
        (Ok(stats), Some(e)) => Err((stats, e)),
        (Err(e), _) => Err((Default::default(), e)),
    };
    (t, u, result)
}

/// Sends the groups the reader hands over and settles their outcomes as they come, until
/// the reader is done and every outcome is in, or the first error. `send` is
/// [`Admitted::send`], passed in so that the type of its future can be named (`F`): the queue
/// then holds the futures themselves, not a box of each.
async fn write_items<F: Future<Output = Vec<RowOutcome>>>(
    items: &mut mpsc::Receiver<Vec<UnitItem>>,
    acks: &mut Acks<F>,
    writer: &Writer,
    cp: &Shared,
    t: usize,
    u: usize,
    send: fn(Admitted) -> F,
) -> Result<(), UnitError> {
    let mut started = false;
    loop {
        let chunk = tokio::select! {
            biased;
            Some(settled) = acks.settle_next(), if !acks.is_empty() => {
                settled?;
                continue;
            }
            chunk = items.recv() => chunk,
        };
        let Some(chunk) = chunk else { break };
        for item in chunk {
            match item {
                UnitItem::Rows(group) => {
                    if !started {
                        // Durable before the first write for counter tables (never re-applied).
                        let snapshot = lock(cp).mark_writes_started(t, u)?;
                        if let Some(snapshot) = snapshot {
                            write_snapshot(snapshot).await?;
                        }
                        started = true;
                    }
                    let admit = writer.admit(group);
                    tokio::pin!(admit);
                    // Outcomes keep being settled while the window is full.
                    let admitted = loop {
                        tokio::select! {
                            biased;
                            admitted = &mut admit => break admitted,
                            Some(settled) = acks.settle_next(), if !acks.is_empty() => settled?,
                        }
                    };
                    acks.rows(send(admitted));
                }
                UnitItem::PartitionEnd(w) => acks.partition_end(w),
            }
        }
    }
    while let Some(settled) = acks.settle_next().await {
        settled?;
    }
    Ok(())
}
