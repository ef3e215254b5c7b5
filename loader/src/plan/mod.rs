//! Stage 2, plan: turns the SSTables found by [`crate::source`] into a [`Manifest`]: per table
//! the sources (paths, sizes, digests), the schema, the snapshot time T, and the token ring
//! split into work units of about equal Data.db bytes, each with estimated bytes, rows and
//! Keyspaces write units. Nothing is written to the target.
//!
//! Estimates: rows come from Statistics.db (rows written per SSTable, spread over its bytes),
//! bytes from the partition index (Data.db position at each cut), write units from the mean
//! row size (uncompressed bytes ÷ rows, 1 unit per started KB, Keyspaces' rule) applied to the
//! distinct rows (rows read ÷ replicas).

pub mod manifest;
mod sstable_meta;
mod units;

use std::fmt::Write as _;
use std::sync::Arc;

pub use sstable_meta::{SSTableMeta, StoreOpener};
pub use units::UnitSettings;

use manifest::{ComponentRecord, Estimate, Manifest, PlanOptions, SSTableRecord, SchemaRecord, SnapshotTime, TablePlan, ToolInfo, MANIFEST_FORMAT};

use crate::source::{Discovery, FoundTable, Source};

/// Default Data.db bytes per unit.
pub const DEFAULT_UNIT_BYTES: u64 = 256 << 20;

/// Why no plan could be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// Discovery found nothing to load.
    #[error("no SSTables of the chosen tables under the sources:\n{0}")]
    NothingFound(String),
    /// Discovery met files it could not use; the plan would be incomplete.
    #[error("the sources have problems; fix them or narrow --keyspace/--table:\n  {}", .0.join("\n  "))]
    Problems(Vec<String>),
    /// An SSTable could not be read.
    #[error("{table}: {error}")]
    SSTable {
        /// `keyspace.table`.
        table: String,
        /// The reader's error, naming file, component and offset.
        error: String,
    },
    /// SSTables of one table disagree on the partitioner.
    #[error("{table}: SSTables use different partitioners ({first} and {other}, e.g. {file})")]
    MixedPartitioners {
        /// `keyspace.table`.
        table: String,
        /// The first partitioner seen.
        first: String,
        /// Another one.
        other: String,
        /// An SSTable with the other one.
        file: String,
    },
}

/// Makes the plan of every table found.
///
/// # Errors
/// [`PlanError`]: nothing found, discovery problems, unreadable SSTables.
pub fn make_plan(sources: &[Source], discovery: &Discovery, options: &PlanOptions, replicas: Option<u32>) -> Result<Manifest, PlanError> {
    if !discovery.problems.is_empty() {
        return Err(PlanError::Problems(discovery.problems.clone()));
    }
    if discovery.tables.is_empty() {
        return Err(PlanError::NothingFound(discovery.report()));
    }
    let mut tables = Vec::new();
    let mut estimate = Estimate::default();
    for found in &discovery.tables {
        let t = plan_table(sources, found, options, replicas)?;
        estimate += t.estimate;
        tables.push(t);
    }
    let created_at_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    Ok(Manifest { format: MANIFEST_FORMAT, tool: ToolInfo::current(), created_at_ms, options: options.clone(), tables, estimate })
}

fn plan_table(sources: &[Source], found: &FoundTable, options: &PlanOptions, replicas: Option<u32>) -> Result<TablePlan, PlanError> {
    let name = found.name();
    let sst_err = |error: String| PlanError::SSTable { table: name.clone(), error };
    let mut metas: Vec<SSTableMeta> = Vec::new();
    for s in &found.sstables {
        let store: Arc<dyn crate::source::SourceStore> = sources[s.source].store.clone();
        let meta = SSTableMeta::read(&store, s).map_err(sst_err)?;
        if let Some(first) = metas.first() {
            if first.partitioner != meta.partitioner {
                return Err(PlanError::MixedPartitioners {
                    table: name.clone(),
                    first: first.partitioner.to_string(),
                    other: meta.partitioner.to_string(),
                    file: s.descriptor.to_string(),
                });
            }
        }
        metas.push(meta);
    }
    let partitioner = metas[0].partitioner;
    let total_bytes: u64 = metas.iter().map(|m| m.data_size).sum();
    let total_rows: u64 = metas.iter().map(|m| m.rows).sum();
    let uncompressed: u64 = metas.iter().map(|m| m.uncompressed_size).sum();
    let units_wanted = match options.units {
        Some(n) => n.max(1) as usize,
        None => usize::try_from(total_bytes.div_ceil(options.unit_bytes.max(1))).unwrap_or(usize::MAX).max(1),
    };
    let nodes = found.nodes().len() as u32;
    let replicas = replicas.unwrap_or(nodes).max(1);
    // Keyspaces bills 1 write unit per started KB of a row; use the mean row.
    let mean_row = if total_rows == 0 { 0 } else { uncompressed.div_ceil(total_rows) };
    let write_units_per_row = mean_row.div_ceil(1024).max(1);
    let settings = UnitSettings { units: units_wanted, replicas, write_units_per_row };
    let units = units::split(partitioner, &metas, settings).map_err(sst_err)?;

    let mut estimate = Estimate::default();
    for u in &units {
        estimate += u.estimate;
    }
    let sstables = found
        .sstables
        .iter()
        .zip(&metas)
        .enumerate()
        .map(|(n, (s, m))| SSTableRecord {
            id: n as u32,
            store: sources[s.source].store.kind().to_string(),
            node: s.node.clone(),
            origin: s.origin.clone(),
            data_path: s.descriptor.path(sstable_reader::Component::Data).display().to_string(),
            version: s.descriptor.version.to_string(),
            generation: s.descriptor.generation.clone(),
            components: s
                .components
                .iter()
                .map(|c| ComponentRecord { name: c.component.file_suffix().to_string(), path: c.path.display().to_string(), size: c.meta.size })
                .collect(),
            digest: m.digest,
            data_size: m.data_size,
            first_token: m.span.as_ref().map(|(f, _)| f.to_string()),
            last_token: m.span.as_ref().map(|(_, l)| l.to_string()),
            estimated_partitions: m.partitions,
            estimated_rows: m.rows,
            uncompressed_size: m.uncompressed_size,
            min_timestamp: m.min_timestamp,
            max_timestamp: m.max_timestamp,
            has_ttls: m.has_ttls,
        })
        .collect();
    let schema_table = found.schema.as_ref().and_then(|s| s.parsed.table());
    Ok(TablePlan {
        keyspace: found.keyspace.clone(),
        table: found.table.clone(),
        id: found.id.clone(),
        schema: found.schema.as_ref().map(|s| SchemaRecord { path: s.path.display().to_string(), cql: s.text.clone() }),
        partitioner: partitioner.class_name().to_string(),
        counter: schema_table.is_some_and(|t| t.is_counter()) || metas.iter().any(|m| m.has_counters),
        nodes: found.nodes().iter().map(|n| n.to_string()).collect(),
        snapshot_time: snapshot_time(found, &metas),
        sstables,
        units,
        estimate,
    })
}

/// T: the newest snapshot manifest's `created_at`, else the newest write in the SSTables.
fn snapshot_time(found: &FoundTable, metas: &[SSTableMeta]) -> Option<SnapshotTime> {
    let from_manifest = found.snapshot_manifests.iter().filter_map(|m| m.created_at.as_deref().and_then(parse_rfc3339_micros)).max();
    if let Some(micros) = from_manifest {
        return Some(SnapshotTime { micros, from: "snapshot manifest created_at".into() });
    }
    metas
        .iter()
        .filter(|m| m.rows > 0)
        .map(|m| m.max_timestamp)
        .max()
        .map(|micros| SnapshotTime { micros, from: "max timestamp of the SSTables".into() })
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (what Cassandra writes in snapshot manifests)
/// into µs since the epoch.
pub fn parse_rfc3339_micros(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once('T')?;
    let time = time.strip_suffix('Z')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, mo, da) = (d.next()??, d.next()??, d.next()??);
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut t = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (h, mi, se) = (t.next()??, t.next()??, t.next()??);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let micros_frac: i64 = if frac.is_empty() {
        0
    } else {
        let digits: String = frac.chars().chain(std::iter::repeat('0')).take(6).collect();
        digits.parse().ok()?
    };
    // Days from civil date (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + da - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + h * 3600 + mi * 60 + se) * 1_000_000) + micros_frac)
}

impl Manifest {
    /// The estimate as printed by `ksbulk plan`.
    pub fn estimate_report(&self) -> String {
        let mut out = String::new();
        for t in &self.tables {
            let _ = writeln!(
                out,
                "{}: {} SSTables on {} node(s), {} units, {} of Data.db, ~{} rows read, ~{} write units{}",
                t.name(),
                t.sstables.len(),
                t.nodes.len(),
                t.units.len(),
                human_bytes(t.estimate.bytes),
                t.estimate.rows,
                t.estimate.write_units,
                if t.counter { " (counter table)" } else { "" }
            );
            if let Some(ts) = &t.snapshot_time {
                let _ = writeln!(out, "  snapshot time T = {} µs ({})", ts.micros, ts.from);
            }
        }
        let _ = writeln!(
            out,
            "total: {} of Data.db, ~{} rows read, ~{} Keyspaces write units",
            human_bytes(self.estimate.bytes),
            self.estimate.rows,
            self.estimate.write_units
        );
        out
    }
}

/// `1.5 GiB`.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests;
