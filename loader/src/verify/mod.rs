//! Stage 7, verify: reads each work unit's token range back from the target, with
//! WRITETIME and TTL, and compares it with the unit's SSTables merged exactly as `ksbulk run`
//! merges them. Any difference — a row missing or extra, a value, writetime or TTL that
//! differs — is counted and reported with its key.
//!
//! ```text
//!  manifest ─> per table: TableLayout (layout.rs: schema.cql + an SSTable header)
//!           ─> per sampled unit:
//!                SSTables ─merge─> ExpectedRow*  (expected.rs, collection.rs; a blocking thread)
//!                target ─SELECT─> TargetRow*     (target.rs; paged, raw bytes)
//!                         └─> UnitCheck: ordered join (compare.rs) ─> Tally ─> VerifyReport (report.rs)
//! ```
//!
//! Both sides come in (token, key, clustering) order, so a unit of any size is compared in
//! bounded memory. See DESIGN.md ("verify").

pub mod collection;
pub mod compare;
pub mod expected;
pub mod layout;
pub mod report;
pub mod target;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use scylla::client::session::Session;
use tokio::sync::mpsc;

pub use compare::{Tolerance, UnitCheck};
pub use expected::{ExpectedRow, ExpectedRows, WantCell};
pub use layout::TableLayout;
pub use report::{Counts, Difference, DifferenceKind, TableReport, Tally, VerifyReport};
pub use target::{GotCell, ReadMode, TargetReader, TargetRow};

use crate::checkpoint::Checkpoint;
use crate::plan::manifest::{TablePlan, UnitStatus, WorkUnit};
use crate::write::ttl::now_millis;

/// Why a read of the target failed, as far as retrying goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFailure {
    /// Timeouts, overload, lost connections: the unit is read again.
    Transient,
    /// A server-side error (Cassandra 5.0.8 has failed on `TTL()` of some multi-cell
    /// columns): read again without multi-cell WRITETIME/TTL.
    ServerError,
    /// The request was refused as invalid (a target that checks WRITETIME/TTL of multi-cell
    /// columns only when it runs the query): read again without them.
    Refused,
    /// Anything else.
    Other,
}

/// What went wrong while verifying.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// An option is out of range.
    #[error("{0}")]
    Options(String),
    /// The manifest contradicts itself.
    #[error("{table}: {what}; plan again")]
    Manifest {
        /// `keyspace.table`.
        table: String,
        /// What is wrong.
        what: String,
    },
    /// No usable table definition (or a partitioner ksbulk does not read).
    #[error("{table}: schema.cql: {what}")]
    Schema {
        /// `keyspace.table`.
        table: String,
        /// What is wrong.
        what: String,
    },
    /// SSTables not on local disk.
    #[error("{table}: verify reads local SSTables only, this table's are in a {store} store")]
    UnsupportedStore {
        /// `keyspace.table`.
        table: String,
        /// The store kind.
        store: String,
    },
    /// An SSTable could not be opened.
    #[error("{file}: {source}")]
    OpenSSTable {
        /// Its Data.db.
        file: String,
        /// The reader's error (component, offset).
        source: sstable_reader::Error,
    },
    /// The merge of a unit failed.
    #[error("{table} unit {unit}: {source}")]
    Merge {
        /// `keyspace.table`.
        table: String,
        /// The unit.
        unit: u32,
        /// The merge's error (file, component, offset).
        source: crate::merge::MergeError,
    },
    /// A merged counter context does not parse.
    #[error("{table} counter column {column}: {source}")]
    Counter {
        /// `keyspace.table`.
        table: String,
        /// The column.
        column: String,
        /// The parse error.
        source: crate::merge::counter::CounterContextError,
    },
    /// The target refused the read query.
    #[error("{table}: the target cannot prepare `{cql}`: {source}; check that the table exists there with the source's columns (--target-keyspace)")]
    Prepare {
        /// Target `keyspace.table`.
        table: String,
        /// The query.
        cql: String,
        /// The driver's error.
        source: Box<scylla::errors::PrepareError>,
    },
    /// Reading the target failed.
    #[error("{table}: reading the target failed: {source}")]
    Read {
        /// Target `keyspace.table`.
        table: String,
        /// Whether reading again may help.
        failure: ReadFailure,
        /// The driver's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The target returned a value that does not fit its column.
    #[error("{table}: column {column}: the target returned {what}")]
    TargetValue {
        /// Target `keyspace.table`.
        table: String,
        /// The column.
        column: String,
        /// What is wrong.
        what: String,
    },
    /// The target's rows do not come in the source's token order.
    #[error("{table}: the target returned rows out of token order (at key 0x{key}); it must use the source's partitioner ({partitioner}) for verify to compare ranges")]
    TargetOrder {
        /// Target `keyspace.table`.
        table: String,
        /// The key where the order broke (hex).
        key: String,
        /// The source partitioner.
        partitioner: &'static str,
    },
    /// The source reader thread failed.
    #[error("{table} unit {unit}: the source reader stopped: {what}")]
    Task {
        /// `keyspace.table`.
        table: String,
        /// The unit.
        unit: u32,
        /// The join error.
        what: String,
    },
    /// The report could not be written.
    #[error("writing the report {}: {source}", path.display())]
    Report {
        /// The report path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// How to verify.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyOptions {
    /// Fraction of each table's units to verify, in (0, 1]; at least one unit per table.
    pub sample: f64,
    /// Keyspace to read on the target instead of the source's.
    pub target_keyspace: Option<String>,
    /// Differences kept in the report (all are counted).
    pub max_differences: usize,
    /// Rows per page of the target reads.
    pub page_size: i32,
    /// Seconds a target TTL may be below the source's remaining TTL; `None`: the time since
    /// the plan was made (the load came after it), at least 5 s.
    pub ttl_tolerance_secs: Option<i64>,
    /// Reads of one unit before its transient errors count as an error.
    pub attempts: u32,
}

impl Default for VerifyOptions {
    fn default() -> VerifyOptions {
        VerifyOptions { sample: 1.0, target_keyspace: None, max_differences: 100, page_size: 1000, ttl_tolerance_secs: None, attempts: 3 }
    }
}

/// Rows handed from the source thread to the comparison at a time.
const BATCH: usize = 256;
/// Batches in flight between the source thread and the comparison.
const BATCHES_IN_FLIGHT: usize = 4;
/// The least TTL tolerance, for clock skew and the time a load takes to start.
const MIN_TTL_TOLERANCE_SECS: i64 = 5;

/// Indexes of the units to verify among `n`: `fraction` of them, at least one, spread
/// evenly over the ring (the middle of each of `k` equal stretches), the same every time.
pub fn sample_units(n: usize, fraction: f64) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let k = ((n as f64 * fraction).ceil() as usize).clamp(1, n);
    (0..k).map(|j| (2 * j + 1) * n / (2 * k)).collect()
}

/// Verifies the units of `checkpoint`'s manifest on the target behind `session`. Problems
/// with one table or unit (unreadable SSTable, failed read) are recorded in the report and
/// the rest goes on.
///
/// # Errors
/// [`VerifyError::Options`] for options out of range.
pub async fn verify_manifest(checkpoint: &Checkpoint, session: &Session, options: &VerifyOptions) -> Result<VerifyReport, VerifyError> {
    if !(options.sample > 0.0 && options.sample <= 1.0) {
        return Err(VerifyError::Options(format!("sample must be in (0, 1], got {}", options.sample)));
    }
    let started_at_ms = now_millis();
    let manifest = &checkpoint.manifest;
    let ttl_tolerance_secs = options.ttl_tolerance_secs.unwrap_or_else(|| ((started_at_ms - manifest.created_at_ms) / 1000).max(MIN_TTL_TOLERANCE_SECS));
    let tolerance = Tolerance::new(ttl_tolerance_secs);
    let mut all = Tally::new(options.max_differences);
    let mut tables = Vec::new();
    for plan in &manifest.tables {
        let mut table = Tally::new(options.max_differences);
        let mut report = TableReport {
            table: plan.name(),
            target: format!("{}.{}", options.target_keyspace.as_deref().unwrap_or(&plan.keyspace), plan.table),
            units_total: plan.units.len(),
            units_verified: Vec::new(),
            multi_cell_writetime_ttl: false,
            counts: Counts::default(),
            notes: Vec::new(),
            errors: Vec::new(),
        };
        if let Err(e) = verify_table(plan, session, options, tolerance, &mut table, &mut report).await {
            report.errors.push(e.to_string());
        }
        report.counts = table.counts;
        all.absorb(table);
        tables.push(report);
    }
    Ok(VerifyReport {
        manifest: checkpoint.path().display().to_string(),
        started_at_ms,
        finished_at_ms: now_millis(),
        sample: options.sample,
        ttl_tolerance_secs,
        totals: all.counts,
        tables,
        differences: all.differences,
    })
}

async fn verify_table(plan: &TablePlan, session: &Session, options: &VerifyOptions, tolerance: Tolerance, tally: &mut Tally, report: &mut TableReport) -> Result<(), VerifyError> {
    let first = plan.sstables.first().ok_or_else(|| VerifyError::Manifest { table: plan.name(), what: "no SSTables listed".into() })?;
    let header = expected::open_sstable(plan, first)?.statistics().header.clone();
    let layout = Arc::new(TableLayout::new(plan, options.target_keyspace.as_deref(), &header)?);
    report.target = layout.target_name();
    let mut reader = open_reader(session, &layout, options, report).await?;
    let plan = Arc::new(plan.clone());
    let sampled = sample_units(plan.units.len(), options.sample);
    let not_done = sampled.iter().filter(|&&i| plan.units[i].status != UnitStatus::Done).count();
    if not_done > 0 {
        report.notes.push(format!("{not_done} of the units verified are not marked done in the manifest: rows missing there may not be loaded yet"));
    }
    for index in sampled {
        let unit = &plan.units[index];
        let mut attempt = 1;
        loop {
            match verify_unit(session, &reader, &plan, unit, &layout, tolerance, options.max_differences).await {
                Ok(unit_tally) => {
                    tally.absorb(unit_tally);
                    report.units_verified.push(unit.id);
                    break;
                }
                Err(VerifyError::Read { failure: ReadFailure::ServerError | ReadFailure::Refused, source, .. }) if reader.mode.multi_cell_meta => {
                    report.notes.push(format!(
                        "the target failed reading WRITETIME/TTL of non-frozen collections and UDTs ({source}); from unit {} on, their values are compared, not their writetimes or TTLs",
                        unit.id
                    ));
                    reader = TargetReader::prepare(session, Arc::clone(&layout), ReadMode { multi_cell_meta: false }, options.page_size).await?;
                    report.multi_cell_writetime_ttl = false;
                }
                Err(VerifyError::Read { failure: ReadFailure::Transient | ReadFailure::ServerError, .. }) if attempt < options.attempts => {
                    tokio::time::sleep(Duration::from_millis(500 << attempt.min(6))).await;
                    attempt += 1;
                }
                Err(e) => {
                    report.errors.push(format!("unit {} ({}, {}]: {e}", unit.id, unit.start, unit.end));
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Prepares the reads, asking for multi-cell WRITETIME/TTL first and falling back to
/// values only (with a note) when the target refuses them.
async fn open_reader(session: &Session, layout: &Arc<TableLayout>, options: &VerifyOptions, report: &mut TableReport) -> Result<TargetReader, VerifyError> {
    let full = ReadMode { multi_cell_meta: layout.has_multi_cell() };
    match TargetReader::prepare(session, Arc::clone(layout), full, options.page_size).await {
        Ok(reader) => {
            report.multi_cell_writetime_ttl = full.multi_cell_meta;
            Ok(reader)
        }
        Err(VerifyError::Prepare { source, .. }) if full.multi_cell_meta => {
            let reader = TargetReader::prepare(session, Arc::clone(layout), ReadMode { multi_cell_meta: false }, options.page_size).await?;
            report.notes.push(format!(
                "the target refuses WRITETIME/TTL of non-frozen collections and UDTs (only Cassandra 5.0 has them): {source}; their values are compared, not their writetimes or TTLs"
            ));
            Ok(reader)
        }
        Err(e) => Err(e),
    }
}

/// Verifies one unit: the merge runs on a blocking thread and hands rows over in batches
/// through a bounded channel while the target is read.
async fn verify_unit(session: &Session, reader: &TargetReader, plan: &Arc<TablePlan>, unit: &WorkUnit, layout: &Arc<TableLayout>, tolerance: Tolerance, max_differences: usize) -> Result<Tally, VerifyError> {
    let range = unit.range(layout.partitioner).ok_or_else(|| VerifyError::Manifest { table: plan.name(), what: format!("unit {} has tokens that do not parse", unit.id) })?;
    let now = compare::now_secs();
    let (tx, rx) = mpsc::channel(BATCHES_IN_FLIGHT);
    let producer = {
        let (plan, unit, layout) = (Arc::clone(plan), unit.clone(), Arc::clone(layout));
        tokio::task::spawn_blocking(move || produce(&plan, &unit, layout, now, &tx))
    };
    let expected = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|batch| (batch, rx)) }).flat_map(|batch: Result<Vec<ExpectedRow>, VerifyError>| {
        futures::stream::iter(match batch {
            Ok(rows) => rows.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        })
    });
    let mut check = UnitCheck::new(layout, unit.id, tolerance, max_differences, compare::now_secs);
    let outcome = check.run(expected, reader.rows(session, &range)).await;
    // The channel's receiver is gone now, so the producer stops at its next send.
    producer.await.map_err(|e| VerifyError::Task { table: plan.name(), unit: unit.id, what: e.to_string() })?;
    outcome?;
    check.tally.counts.units = 1;
    Ok(check.tally)
}

/// Runs the unit's merge, sending its expected rows in batches; stops early when nobody
/// listens any more.
fn produce(plan: &TablePlan, unit: &WorkUnit, layout: Arc<TableLayout>, now: i64, tx: &mpsc::Sender<Result<Vec<ExpectedRow>, VerifyError>>) {
    let rows = match ExpectedRows::open(plan, unit, layout, now) {
        Ok(rows) => rows,
        Err(e) => {
            let _ = tx.blocking_send(Err(e));
            return;
        }
    };
    let mut batch = Vec::with_capacity(BATCH);
    for row in rows {
        match row {
            Ok(row) => {
                batch.push(row);
                if batch.len() == BATCH && tx.blocking_send(Ok(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(Ok(batch));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_spread_evenly_and_keep_at_least_one() {
        assert_eq!(sample_units(10, 1.0), (0..10).collect::<Vec<_>>());
        assert_eq!(sample_units(10, 0.3), vec![1, 5, 8]);
        assert_eq!(sample_units(10, 0.0001), vec![5]);
        assert_eq!(sample_units(1, 0.5), vec![0]);
        assert_eq!(sample_units(0, 1.0), Vec::<usize>::new());
        assert_eq!(sample_units(7, 0.5), sample_units(7, 0.5), "deterministic");
        let s = sample_units(1000, 0.1);
        assert_eq!(s.len(), 100);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
    }
}
