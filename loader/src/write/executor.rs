//! The writer: sends each mutation's statements through the rate gate and the adaptive
//! in-flight window, retries what can be retried, rejects what cannot be written, and counts
//! every outcome.
//!
//! Flow of a group of rows (up to a batch, of one partition or of one route):
//! [`Writer::plan_rows`], on the unit reader's thread, plans each row's statements
//! (`statement.rs`) and packs them into a [`PlannedGroup`] (`planned.rs`), shapes named by id
//! in the writer's registry. [`Writer::submit_planned`] waits for the partitions' pacer
//! (Keyspaces limits only), the row and write-unit buckets and one slot in the window, then a
//! task sends the group as `batch.rs` splits it — unlogged batches, each built once per
//! layout of shapes, and rows that must go alone with their statements in order — and
//! reports one [`RowOutcome`] per row through the returned [`RowTicket`]; the checkpoint layer
//! keeps its low-watermark with them.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;
use scylla::client::session::Session;
use scylla::errors::ExecutionError;
use scylla::response::query_result::QueryResult;
use scylla::statement::batch::{Batch, BatchType};
use scylla::statement::prepared::PreparedStatement;
use tokio::sync::{oneshot, Notify};

use super::backoff::Backoff;
use super::batch::{batchable, requests, BatchLimits, Request, DEFAULT_BATCH_PARTITIONS, DEFAULT_BATCH_STATEMENTS};
use super::error::{classify, ErrorClass, WriteError};
use super::in_flight::{Aimd, InFlight, OwnedSlot};
use super::mutation::{Mutation, TargetTable};
use super::planned::{GroupPool, PlannedGroup, PlannedRow, PlannedStatement};
use super::rate::{AutoRate, PartitionPacer, RateGate, RateSpec, Window};
use super::rejects::{RejectReason, RejectRecord, RejectsFile};
use super::row_size::KEYSPACES_PARTITION_WRITE_UNITS_PER_SECOND;
use super::shape::Shape;
use super::statement::{plan_mutation, simple_insert, PlanOptions};
use super::ttl::now_millis;
use crate::stats::summary::InFlightSummary;
use crate::stats::{WriteStats, WriteSummary};

/// Configuration of a [`Writer`] (from `WriteArgs`, or set by tests and `bench`).
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Statement building options.
    pub plan: PlanOptions,
    /// Retry policy.
    pub backoff: Backoff,
    /// Stop when more rows than this have failed.
    pub max_errors: u64,
    /// Row rate.
    pub rate: RateSpec,
    /// Write units per second, 0 = unlimited.
    pub write_units_per_second: u32,
    /// Largest in-flight window.
    pub concurrency: usize,
    /// Smallest in-flight window.
    pub min_concurrency: usize,
    /// Starting rate of `--rate auto`, rows/s.
    pub auto_initial_rate: u32,
    /// Observation window of `--rate auto`.
    pub auto_window: Duration,
    /// Write units per second to one partition when `plan.keyspaces_limits` is on
    /// (Keyspaces: 1,000).
    pub partition_write_units_per_second: u32,
    /// Most statements in one unlogged batch; 1 sends every row alone.
    pub batch_statements: usize,
    /// Most partitions one batch spans (rows of one route only); 1 keeps batches to one
    /// partition.
    pub batch_partitions: usize,
    /// Requests go to a replica of their first row (token-aware routing): a batch then only
    /// spans partitions of one token range. Off (round-robin, as for Keyspaces), any
    /// partitions may share a batch.
    pub token_aware: bool,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            plan: PlanOptions::default(),
            backoff: Backoff::default(),
            max_errors: 1000,
            rate: RateSpec::Unlimited,
            write_units_per_second: 0,
            concurrency: 256,
            min_concurrency: 2,
            auto_initial_rate: 1000,
            auto_window: Duration::from_secs(1),
            partition_write_units_per_second: KEYSPACES_PARTITION_WRITE_UNITS_PER_SECOND,
            batch_statements: usize::from(DEFAULT_BATCH_STATEMENTS),
            batch_partitions: usize::from(DEFAULT_BATCH_PARTITIONS),
            token_aware: true,
        }
    }
}

impl WriterConfig {
    /// The configuration given by the write flags.
    pub fn from_args(a: &crate::cli::write::WriteArgs) -> Self {
        WriterConfig {
            plan: PlanOptions {
                write_deletes: a.write_deletes,
                max_row_bytes: a.max_row_bytes,
                keyspaces_limits: a.keyspaces_limits,
            },
            backoff: Backoff { base: a.retry_base, max: a.retry_max, max_retries: a.max_retries },
            max_errors: a.max_errors,
            rate: a.rate,
            write_units_per_second: a.write_units_per_second,
            concurrency: a.concurrency.max(1),
            min_concurrency: a.min_concurrency.max(1).min(a.concurrency.max(1)),
            batch_statements: usize::from(a.batch_statements),
            batch_partitions: usize::from(a.batch_partitions),
            ..WriterConfig::default()
        }
    }
    /// The configuration for `target`: the write flags, with Amazon Keyspaces' limits on
    /// whenever the target is Keyspaces (`--target keyspaces:<region>`).
    pub fn for_target(a: &crate::cli::write::WriteArgs, target: &crate::cli::conn::ResolvedTarget) -> Self {
        let mut cfg = WriterConfig::from_args(a);
        cfg.plan.keyspaces_limits |= target.keyspaces_region.is_some();
        cfg.token_aware = target.routing == crate::cli::conn::Routing::TokenAware;
        cfg
    }
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// Every statement acknowledged.
    Written,
    /// Nothing to write (expired, or only tombstones without `--write-deletes`).
    Empty,
    /// Not written; recorded in the rejects file.
    Rejected(RejectReason),
    /// Not written because the writer stopped (fatal error or too many errors).
    Aborted,
}

/// Resolves to the outcomes of a group of submitted rows, in the order they were given.
#[derive(Debug)]
pub struct RowTicket {
    rows: usize,
    outcomes: oneshot::Receiver<Vec<RowOutcome>>,
}

impl RowTicket {
    /// Waits for the rows' outcomes, one per row submitted (all [`RowOutcome::Aborted`] if
    /// the writer went away).
    pub async fn outcomes(self) -> Vec<RowOutcome> {
        let rows = self.rows;
        self.outcomes.await.unwrap_or_else(|_| vec![RowOutcome::Aborted; rows])
    }

    /// Waits for the outcome of a single submitted row.
    pub async fn outcome(self) -> RowOutcome {
        self.outcomes().await.into_iter().next().unwrap_or(RowOutcome::Aborted)
    }
}

/// A group let through by [`Writer::admit`]; it holds its window slot until sent.
pub struct Admitted {
    group: PlannedGroup,
    request: Option<Outstanding>,
}

/// A request counted by [`Writer::finish`], holding its window slot; both are given back on
/// drop, so a request dropped unsent is not waited for.
struct Outstanding {
    inner: Arc<Inner>,
    _slot: OwnedSlot,
}

impl Drop for Outstanding {
    fn drop(&mut self) {
        if self.inner.outstanding.fetch_sub(1, Relaxed) == 1 {
            self.inner.idle.notify_waiters();
        }
    }
}

impl Admitted {
    /// Sends the group, one request after another, and gives one outcome per row given to
    /// [`Writer::plan_rows`], in their order.
    pub async fn send(self) -> Vec<RowOutcome> {
        let Admitted { mut group, request } = self;
        let Some(request) = request else { return group.outcomes };
        let written = request.inner.write_rows(&group).await;
        let mut outcomes = std::mem::take(&mut group.outcomes);
        for (row, outcome) in group.rows.iter().zip(written) {
            outcomes[row.index] = outcome;
        }
        request.inner.groups.give_back(group);
        outcomes
    }
}

/// A statement shape of one table, prepared on first use.
struct Registered {
    table: Arc<TargetTable>,
    shape: Shape,
    prepared: tokio::sync::OnceCell<PreparedStatement>,
}

/// Every statement shape planned so far, by id ([`PlannedStatement::shape`]). Tables are
/// keyed by address: a run keeps its `Arc<TargetTable>`s for its whole life.
#[derive(Default)]
struct ShapeRegistry {
    ids: FxHashMap<usize, FxHashMap<Shape, u32>>,
    shapes: Vec<Arc<Registered>>,
}

/// The last shape [`Writer::plan_rows`] looked up: rows of a group mostly repeat one, which
/// then costs no lookup in the registry.
#[derive(Default)]
struct LastShape(Option<(usize, Shape, u32, bool)>);

impl LastShape {
    /// The id of the shape `is_it` recognizes on `table` (`make` builds it), and whether it
    /// may share a batch.
    fn id(&mut self, inner: &Inner, table: &Arc<TargetTable>, is_it: impl Fn(&Shape) -> bool, make: impl FnOnce() -> Shape) -> (u32, bool) {
        let at = Arc::as_ptr(table) as usize;
        match &self.0 {
            Some((t, shape, id, may_batch)) if *t == at && is_it(shape) => (*id, *may_batch),
            _ => {
                let shape = make();
                let found = (inner.shape_id(table, &shape), batchable(&shape));
                self.0 = Some((at, shape, found.0, found.1));
                found
            }
        }
    }
}

/// Most batch layouts kept prepared ([`Inner::batch_for`]); past it the cache starts over.
const MAX_CACHED_BATCHES: usize = 4096;

struct Inner {
    session: Arc<Session>,
    cfg: WriterConfig,
    shapes: RwLock<ShapeRegistry>,
    /// Batches by the shape ids of their statements: most batches of a load repeat a few
    /// layouts, so each is built (and its statements' handles cloned) once.
    batches: Mutex<FxHashMap<Vec<u32>, Arc<Batch>>>,
    groups: GroupPool,
    in_flight: Arc<InFlight>,
    rate: RateGate,
    /// Per-partition write-unit pacing, under Keyspaces limits only.
    partitions: Option<PartitionPacer>,
    stats: Arc<WriteStats>,
    rejects: RejectsFile,
    outstanding: AtomicU64,
    idle: Notify,
    stopped: AtomicBool,
    fatal: Mutex<Option<WriteError>>,
    auto_best: AtomicU32,
    started: Instant,
}

/// Writes mutations to the target. Cheap to clone; all clones share one window and one set
/// of statistics.
#[derive(Clone)]
pub struct Writer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("cfg", &self.inner.cfg).finish_non_exhaustive()
    }
}

/// Outcome of one request (a statement or a batch) after retries.
enum RequestResult {
    Ok,
    Rejected(RejectReason, String),
    Fatal(WriteError),
}

impl Writer {
    /// A writer on `session`, listing rejects in `rejects`. Must run inside a tokio runtime
    /// (`--rate auto` spawns its controller).
    pub fn new(session: Arc<Session>, cfg: WriterConfig, rejects: RejectsFile) -> Self {
        let aimd = Aimd::new(cfg.concurrency, cfg.min_concurrency, cfg.concurrency, 0.7, Duration::from_millis(250));
        let rows_rate = match cfg.rate {
            RateSpec::Unlimited => 0,
            RateSpec::Fixed(r) => r,
            RateSpec::Auto => cfg.auto_initial_rate,
        };
        let inner = Arc::new(Inner {
            session,
            shapes: RwLock::new(ShapeRegistry::default()),
            batches: Mutex::new(FxHashMap::default()),
            groups: GroupPool::default(),
            in_flight: Arc::new(InFlight::new(aimd)),
            rate: RateGate::new(rows_rate, cfg.write_units_per_second),
            partitions: cfg.plan.keyspaces_limits.then(|| PartitionPacer::new(cfg.partition_write_units_per_second)),
            stats: Arc::new(WriteStats::default()),
            rejects,
            outstanding: AtomicU64::new(0),
            idle: Notify::new(),
            stopped: AtomicBool::new(false),
            fatal: Mutex::new(None),
            auto_best: AtomicU32::new(0),
            started: Instant::now(),
            cfg,
        });
        if inner.cfg.rate == RateSpec::Auto {
            tokio::spawn(auto_rate(Arc::downgrade(&inner)));
        }
        Writer { inner }
    }

    /// The shared statistics (for progress lines).
    pub fn stats(&self) -> Arc<WriteStats> {
        Arc::clone(&self.inner.stats)
    }

    /// Most statements in one batch: the most rows worth grouping in one
    /// [`Writer::submit_rows`].
    pub fn batch_statements(&self) -> usize {
        self.inner.cfg.batch_statements.max(1)
    }

    /// Names the replicas of the partitions at `token` (the source's token; the target's
    /// partitioner is Murmur3, as nearly every cluster's): rows of one route may share a batch
    /// whose coordinator is a replica of all of them. With token-aware routing it is the ring
    /// token that starts the token's range; with round-robin routing every partition has the
    /// same route. `None` when it cannot be known (another partitioner, no token ring yet):
    /// batches then keep to one partition.
    pub fn route(&self, token: &sstable_reader::Token) -> Option<i64> {
        if !self.inner.cfg.token_aware {
            return Some(0);
        }
        let sstable_reader::Token::Murmur3(t) = token else { return None };
        let state = self.inner.session.get_cluster_state();
        // Bound to a name: the ring iterator borrows `state`, which must outlive it.
        let owner = state.replica_locator().ring().ring_range_full(scylla::routing::Token::new(*t)).next().map(|(owner, _)| owner.value());
        owner
    }

    /// The in-flight limit now.
    pub fn in_flight_limit(&self) -> usize {
        self.inner.in_flight.snapshot().0
    }

    /// A closure reporting the in-flight limit (for the progress line).
    pub fn in_flight_probe(&self) -> impl Fn() -> usize + Send + 'static {
        let gate = Arc::clone(&self.inner.in_flight);
        move || gate.snapshot().0
    }

    /// The row rate now (0 = unlimited).
    pub fn rows_per_second(&self) -> u32 {
        self.inner.rate.rows_per_second()
    }

    /// Prepares every statement shape `m` needs, so a schema mismatch fails before any
    /// write is sent.
    ///
    /// # Errors
    /// [`WriteError::Prepare`] naming the CQL that failed.
    pub async fn prepare_for(&self, m: &Mutation) -> Result<(), WriteError> {
        let plan = plan_mutation(m, now_millis(), &self.inner.cfg.plan);
        for st in &plan.statements {
            let id = self.inner.shape_id(&m.table, &st.shape);
            self.inner.prepared(id).await?;
        }
        Ok(())
    }

    /// Queues one row; see [`Writer::submit_rows`].
    ///
    /// # Errors
    /// As [`Writer::submit_rows`].
    pub async fn submit(&self, m: Mutation) -> Result<RowTicket, WriteError> {
        self.submit_rows(vec![m]).await
    }

    /// Queues a group of rows: [`Writer::plan_rows`] then [`Writer::submit_planned`].
    ///
    /// # Errors
    /// As [`Writer::plan_rows`].
    pub async fn submit_rows(&self, rows: Vec<Mutation>) -> Result<RowTicket, WriteError> {
        let group = self.plan_rows(rows, None)?;
        Ok(self.submit_planned(group).await)
    }

    /// Plans the statements of a group of rows (best: consecutive rows of one partition, or of
    /// one `route`, which share unlogged batches), packs them, and records those that cannot
    /// be written. Synchronous, so the
    /// unit's reader calls it on its own thread while the rows are still in its cache; the
    /// rows' cells are dropped there too, once their statements hold the values.
    ///
    /// # Errors
    /// When the writer has stopped (a fatal error, or more than `max_errors` failed rows).
    pub fn plan_rows(&self, rows: Vec<Mutation>, route: Option<i64>) -> Result<PlannedGroup, WriteError> {
        let inner = &self.inner;
        inner.check_running()?;
        inner.stats.rows_received.fetch_add(rows.len() as u64, Relaxed);
        let now = now_millis();
        let mut group = inner.groups.take(rows.len(), route);
        let mut last = LastShape::default();
        let mut deletions_skipped = 0;
        for (i, m) in rows.into_iter().enumerate() {
            if let Some(insert) = simple_insert(&m, now, &inner.cfg.plan) {
                deletions_skipped += insert.deletions_skipped;
                let (ttl, clustering) = (insert.ttl.is_some(), !m.clustering.is_empty());
                let columns = || m.cells.iter().map(|c| c.column as u16);
                let (shape, _) = last.id(inner, &m.table, |s| s.is_insert_of(columns(), ttl, clustering), || Shape::Insert { columns: columns().collect(), ttl, clustering });
                group.push_insert(i, &m, &insert, shape);
                continue;
            }
            let plan = plan_mutation(&m, now, &inner.cfg.plan);
            if plan.expired > 0 {
                inner.stats.expired.fetch_add(plan.expired, Relaxed);
            }
            deletions_skipped += plan.deletions_skipped;
            for what in &plan.unsupported {
                inner.reject(&RejectRecord::of(&m, RejectReason::UnsupportedDelete, what))?;
            }
            if let Some((reason, details)) = &plan.reject {
                inner.reject(&RejectRecord::of(&m, *reason, details))?;
                group.outcomes[i] = RowOutcome::Rejected(*reason);
            } else if plan.statements.is_empty() {
                inner.stats.rows_empty.fetch_add(1, Relaxed);
                group.outcomes[i] = RowOutcome::Empty;
            } else {
                group.push(i, &m, plan.statements, plan.row_bytes, |table, st| last.id(inner, table, |s| *s == st.shape, || st.shape.clone()));
            }
        }
        if deletions_skipped > 0 {
            inner.stats.deletions_skipped.fetch_add(deletions_skipped, Relaxed);
        }
        Ok(group)
    }

    /// Waits for the rate buckets and one window slot, then sends `group` in the background,
    /// one request after another.
    pub async fn submit_planned(&self, group: PlannedGroup) -> RowTicket {
        let admitted = self.admit(group).await;
        let (tx, rx) = oneshot::channel();
        let ticket = RowTicket { rows: admitted.group.len(), outcomes: rx };
        if admitted.request.is_none() {
            let _ = tx.send(admitted.group.outcomes);
        } else {
            tokio::spawn(async move {
                let _ = tx.send(admitted.send().await);
            });
        }
        ticket
    }

    /// Waits until `group` may be sent: the partitions' pacer (Keyspaces limits only), the row
    /// and write-unit buckets, then one slot of the in-flight window, held until the group's
    /// [`Admitted::send`] ends. A group with nothing to send takes no slot.
    pub async fn admit(&self, group: PlannedGroup) -> Admitted {
        let inner = &self.inner;
        if group.rows.is_empty() {
            return Admitted { group, request: None };
        }
        // Each partition first: rows held back for a hot partition must not sit on tokens of
        // the global buckets meanwhile.
        if let Some(pacer) = &inner.partitions {
            let rows = &group.rows;
            let mut start = 0;
            while start < rows.len() {
                let end = (start + 1..rows.len()).find(|&j| !group.same_partition(&rows[j], &rows[start])).unwrap_or(rows.len());
                let units = rows[start..end].iter().map(|r| group.write_units(r)).sum();
                pacer.admit(&partition_id(group.table(&rows[start]), group.partition_key(&rows[start])), units).await;
                start = end;
            }
        }
        let write_units = group.rows.iter().map(|r| group.write_units(r)).sum();
        inner.rate.admit(group.rows.len() as u32, write_units).await;
        let slot = inner.in_flight.acquire_owned().await;
        inner.outstanding.fetch_add(1, Relaxed);
        Admitted { group, request: Some(Outstanding { inner: Arc::clone(inner), _slot: slot }) }
    }

    /// Writes one row and waits for its outcome.
    ///
    /// # Errors
    /// As [`Writer::submit`].
    pub async fn write(&self, m: Mutation) -> Result<RowOutcome, WriteError> {
        Ok(self.submit(m).await?.outcome().await)
    }

    /// Waits for every submitted row, flushes the rejects file and returns the summary.
    ///
    /// # Errors
    /// The fatal error that stopped the writer, if any, or a rejects-file error.
    pub async fn finish(&self) -> Result<WriteSummary, WriteError> {
        let inner = &self.inner;
        loop {
            let idle = inner.idle.notified();
            if inner.outstanding.load(Relaxed) == 0 {
                break;
            }
            idle.await;
        }
        inner.rejects.flush()?;
        if let Some(e) = inner.fatal.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(e);
        }
        Ok(self.summary())
    }

    /// The summary so far.
    pub fn summary(&self) -> WriteSummary {
        let inner = &self.inner;
        let (current, min, max, _) = inner.in_flight.snapshot();
        let auto = (inner.cfg.rate == RateSpec::Auto).then(|| inner.auto_best.load(Relaxed));
        WriteSummary::collect(&inner.stats, inner.started.elapsed(), InFlightSummary { current, min, max }, auto)
    }
}

impl Inner {
    fn check_running(&self) -> Result<(), WriteError> {
        if self.stopped.load(Relaxed) {
            let errors = self.stats.errors();
            return Err(if errors > self.cfg.max_errors {
                WriteError::TooManyErrors { errors, max: self.cfg.max_errors }
            } else {
                WriteError::Stopped
            });
        }
        Ok(())
    }

    /// Records a reject, stopping the writer past `max_errors`.
    fn reject(&self, record: &RejectRecord<'_>) -> Result<(), WriteError> {
        self.rejects.record(record)?;
        self.stats.reject(record.reason);
        if self.stats.errors() > self.cfg.max_errors {
            self.stopped.store(true, Relaxed);
        }
        Ok(())
    }

    fn stop(&self, e: WriteError) {
        self.stopped.store(true, Relaxed);
        let mut f = self.fatal.lock().unwrap_or_else(|e| e.into_inner());
        if f.is_none() {
            tracing::error!("stopping the writer: {e}");
            *f = Some(e);
        }
    }

    /// The id of `shape` on `table`, registered if new.
    fn shape_id(&self, table: &Arc<TargetTable>, shape: &Shape) -> u32 {
        let at = Arc::as_ptr(table) as usize;
        if let Some(&id) = self.shapes.read().unwrap_or_else(|e| e.into_inner()).ids.get(&at).and_then(|m| m.get(shape)) {
            return id;
        }
        let mut registry = self.shapes.write().unwrap_or_else(|e| e.into_inner());
        let ShapeRegistry { ids, shapes } = &mut *registry;
        *ids.entry(at).or_default().entry(shape.clone()).or_insert_with(|| {
            shapes.push(Arc::new(Registered { table: Arc::clone(table), shape: shape.clone(), prepared: tokio::sync::OnceCell::new() }));
            (shapes.len() - 1) as u32
        })
    }

    fn registered(&self, id: u32) -> Arc<Registered> {
        Arc::clone(&self.shapes.read().unwrap_or_else(|e| e.into_inner()).shapes[id as usize])
    }

    /// Shape `id`, prepared on the target (once).
    async fn prepared(&self, id: u32) -> Result<(Arc<Registered>, PreparedStatement), WriteError> {
        let r = self.registered(id);
        let prepared = r
            .prepared
            .get_or_try_init(|| async {
                let cql = r.shape.cql(&r.table);
                let mut p = self.session.prepare(cql.as_str()).await.map_err(|e| WriteError::Prepare { cql: cql.clone(), source: Box::new(e) })?;
                p.set_is_idempotent(r.shape.is_idempotent());
                Ok::<_, WriteError>(p)
            })
            .await?
            .clone();
        Ok((r, prepared))
    }

    /// The unlogged batch of statements of shapes `ids`, built once per layout.
    async fn batch_for(&self, ids: &[u32]) -> Result<Arc<Batch>, WriteError> {
        if let Some(b) = self.batches.lock().unwrap_or_else(|e| e.into_inner()).get(ids) {
            return Ok(Arc::clone(b));
        }
        let mut batch = Batch::new(BatchType::Unlogged);
        for &id in ids {
            batch.append_statement(self.prepared(id).await?.1);
        }
        batch.set_is_idempotent(true);
        let batch = Arc::new(batch);
        let mut cache = self.batches.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= MAX_CACHED_BATCHES {
            cache.clear();
        }
        cache.insert(ids.to_vec(), Arc::clone(&batch));
        Ok(batch)
    }

    /// Writes the rows of `group` as [`requests`] splits them, returning one outcome per row.
    async fn write_rows(&self, group: &PlannedGroup) -> Vec<RowOutcome> {
        let mut outcomes = Vec::with_capacity(group.rows.len());
        let limits = BatchLimits { statements: self.cfg.batch_statements, partitions: self.cfg.batch_partitions };
        for request in requests(group, limits) {
            match request {
                Request::Alone(i) => outcomes.push(self.write_row(group, &group.rows[i]).await),
                Request::Batch(range) => outcomes.extend(self.write_batch(group, &group.rows[range]).await),
            }
        }
        outcomes
    }

    /// Sends `rows` as one unlogged batch. If the target refuses the batch, or it runs out of
    /// retries, each row is sent again alone, so only the rows at fault are rejected.
    async fn write_batch(&self, group: &PlannedGroup, rows: &[PlannedRow]) -> Vec<RowOutcome> {
        if self.stopped.load(Relaxed) {
            return vec![RowOutcome::Aborted; rows.len()];
        }
        let statements: Vec<&PlannedStatement> = rows.iter().flat_map(|r| group.statements_of(r)).collect();
        let ids: Vec<u32> = statements.iter().map(|s| s.shape).collect();
        let batch = match self.batch_for(&ids).await {
            Ok(b) => b,
            Err(e) => {
                self.stop(e);
                return vec![RowOutcome::Aborted; rows.len()];
            }
        };
        let values: Vec<_> = statements.iter().map(|s| group.values_of(s)).collect();
        let write_units = statements.iter().map(|s| u64::from(s.write_units)).sum();
        let sent = Sent { statements: values.len() as u64, write_units, idempotent: true };
        match self.send(group.table(&rows[0]), sent, || self.session.batch(&batch, &values)).await {
            RequestResult::Ok => {
                self.stats.batches.fetch_add(1, Relaxed);
                self.rows_written(rows);
                vec![RowOutcome::Written; rows.len()]
            }
            RequestResult::Rejected(reason, details) => {
                tracing::debug!(rows = rows.len(), ?reason, "batch not written ({details}); sending its rows one by one");
                let mut outcomes = Vec::with_capacity(rows.len());
                for row in rows {
                    outcomes.push(self.write_row(group, row).await);
                }
                outcomes
            }
            RequestResult::Fatal(e) => {
                self.stop(e);
                vec![RowOutcome::Aborted; rows.len()]
            }
        }
    }

    /// Sends one row's statements one after another.
    async fn write_row(&self, group: &PlannedGroup, row: &PlannedRow) -> RowOutcome {
        let table = group.table(row);
        for st in group.statements_of(row) {
            if self.stopped.load(Relaxed) {
                return RowOutcome::Aborted;
            }
            let (registered, prepared) = match self.prepared(st.shape).await {
                Ok(p) => p,
                Err(e) => {
                    self.stop(e);
                    return RowOutcome::Aborted;
                }
            };
            let sent = Sent { statements: 1, write_units: u64::from(st.write_units), idempotent: registered.shape.is_idempotent() };
            match self.send(table, sent, || self.session.execute_unpaged(&prepared, group.values_of(st))).await {
                RequestResult::Ok => {}
                RequestResult::Rejected(reason, details) => {
                    let details = format!("{details} (statement: {})", registered.shape.cql(table));
                    let record = RejectRecord::of_key(table, group.partition_key(row), group.clustering(row), reason, &details);
                    if let Err(e) = self.reject(&record) {
                        self.stop(e);
                        return RowOutcome::Aborted;
                    }
                    return RowOutcome::Rejected(reason);
                }
                RequestResult::Fatal(e) => {
                    self.stop(e);
                    return RowOutcome::Aborted;
                }
            }
        }
        self.rows_written(std::slice::from_ref(row));
        RowOutcome::Written
    }

    /// Counts `rows` written: once per request, not per row, as the counters are shared.
    fn rows_written(&self, rows: &[PlannedRow]) {
        self.stats.rows_written.fetch_add(rows.len() as u64, Relaxed);
        self.stats.bytes.fetch_add(rows.iter().map(|r| r.row_bytes as u64).sum(), Relaxed);
    }

    /// Sends one request (a statement or a batch) until it is acknowledged, cannot be
    /// retried, or is out of retries; counts its attempts and feeds the in-flight window.
    async fn send<F, Fut>(&self, table: &TargetTable, sent: Sent, mut request: F) -> RequestResult
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<QueryResult, ExecutionError>>,
    {
        let backoff = self.cfg.backoff;
        let mut attempt = 0u32;
        loop {
            let start = Instant::now();
            let err = match request().await {
                Ok(_) => {
                    self.stats.latency.record(start.elapsed());
                    self.stats.statements.fetch_add(sent.statements, Relaxed);
                    self.stats.write_units.fetch_add(sent.write_units, Relaxed);
                    self.in_flight.on_success();
                    return RequestResult::Ok;
                }
                Err(e) => e,
            };
            match classify(&err) {
                ErrorClass::Retry { cause, maybe_applied } => {
                    self.stats.attempt_failed(cause);
                    if cause.is_pushback() {
                        self.in_flight.on_pushback();
                    }
                    if !sent.idempotent && maybe_applied {
                        // A counter increment that may have landed must not be sent again.
                        return RequestResult::Rejected(RejectReason::CounterUncertain, err.to_string());
                    }
                    if attempt >= backoff.max_retries {
                        return RequestResult::Rejected(
                            RejectReason::RetriesExhausted,
                            format!("{} retries, last error: {err}", backoff.max_retries),
                        );
                    }
                    self.stats.retry(cause);
                    let delay = backoff.delay(attempt, &mut rand::rng());
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                ErrorClass::Reject => return RequestResult::Rejected(RejectReason::Invalid, err.to_string()),
                ErrorClass::Fatal => {
                    return RequestResult::Fatal(WriteError::Fatal {
                        table: format!("{}.{}", table.keyspace, table.name),
                        source: Box::new(err),
                    })
                }
            }
        }
    }
}

/// What one request carries, for its counters and its retry policy.
#[derive(Debug, Clone, Copy)]
struct Sent {
    statements: u64,
    write_units: u64,
    idempotent: bool,
}

/// Names a partition of `table` for the pacer: table and partition key values, each
/// length-prefixed so that no two partitions share a name.
fn partition_id<'a>(table: &'a TargetTable, partition_key: impl Iterator<Item = &'a [u8]> + Clone) -> Vec<u8> {
    let parts = [table.keyspace.as_bytes(), table.name.as_bytes()].into_iter().chain(partition_key);
    let mut id = Vec::with_capacity(parts.clone().map(|p| p.len() + 4).sum());
    for p in parts {
        id.extend_from_slice(&(p.len() as u32).to_be_bytes());
        id.extend_from_slice(p);
    }
    id
}

/// The `--rate auto` controller loop: every window, feeds the counters' deltas to
/// [`AutoRate`] and sets the row rate it returns. Ends with the writer.
async fn auto_rate(inner: std::sync::Weak<Inner>) {
    let (window, initial) = match inner.upgrade() {
        Some(i) => (i.cfg.auto_window, i.cfg.auto_initial_rate),
        None => return,
    };
    let mut ctl = AutoRate::new(initial);
    let mut last = None;
    loop {
        tokio::time::sleep(window).await;
        let Some(inner) = inner.upgrade() else { return };
        let s = &inner.stats;
        let now = Instant::now();
        let cur = (now, s.statements.load(Relaxed), s.pushbacks.load(Relaxed), s.rows_written.load(Relaxed));
        if let Some((t, ok, push, rows)) = last {
            let w = Window { elapsed: now.duration_since(t), ok: cur.1 - ok, pushbacks: cur.2 - push, rows: cur.3 - rows };
            let rate = ctl.observe(w, now);
            inner.rate.set_rows_per_second(rate);
            inner.auto_best.store(ctl.best(), Relaxed);
            tracing::debug!(rate, best = ctl.best(), ?w, "auto rate");
        }
        last = Some(cur);
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn keyspaces_targets_get_keyspaces_limits() {
        use clap::Parser;
        #[derive(Parser)]
        struct Flags {
            #[command(flatten)]
            conn: crate::cli::conn::ConnArgs,
            #[command(flatten)]
            write: crate::cli::write::WriteArgs,
        }
        let keyspaces = Flags::try_parse_from(["x", "--target", "keyspaces:us-east-1", "--username", "u", "--password", "p"]).unwrap();
        let target = keyspaces.conn.resolve(Some(1000)).unwrap();
        assert!(WriterConfig::for_target(&keyspaces.write, &target).plan.keyspaces_limits);
        let cassandra = Flags::try_parse_from(["x", "--target", "127.0.0.1"]).unwrap();
        let target = cassandra.conn.resolve(None).unwrap();
        assert!(!WriterConfig::for_target(&cassandra.write, &target).plan.keyspaces_limits);
    }

    use super::*;
    use crate::write::mutation::ColumnSpec;

    fn id(table: &str, pk: &[&'static [u8]]) -> Vec<u8> {
        let keys = (0..pk.len()).map(|i| ColumnSpec::key(format!("k{i}"))).collect();
        let t = TargetTable::new("ks", table, keys, vec![], vec![]);
        partition_id(&t, pk.iter().copied())
    }

    #[test]
    fn partition_ids_tell_tables_and_composite_keys_apart() {
        assert_eq!(id("t", &[b"ab"]), id("t", &[b"ab"]));
        assert_ne!(id("t", &[b"ab"]), id("u", &[b"ab"]));
        assert_ne!(id("t", &[b"a", b"b"]), id("t", &[b"ab", b""]));
        assert_ne!(id("t", &[b"a", b"b"]), id("t", &[b"ab"]));
    }
}
