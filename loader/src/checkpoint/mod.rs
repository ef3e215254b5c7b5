//! Stage 5, checkpoint: the manifest is the run's checkpoint. It is saved atomically (write
//! a temp file in the same directory, fsync it, rename it over the manifest, fsync the
//! directory), so a kill at any instant leaves the old or the new manifest, never a torn one.
//! On resume the sources are checked against what the plan recorded, and counter units that
//! were partly written are refused, since counter increments cannot be applied twice.

mod atomic;

pub use atomic::write_atomic;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sstable_reader::Component;

use crate::plan::manifest::{DigestRecord, Manifest, UnitStatus, Watermark, WorkUnit, MANIFEST_FORMAT};
use crate::source::SourceStore;

/// What went wrong with a checkpoint.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// Reading or writing the manifest failed.
    #[error("manifest {}: {source}", path.display())]
    Io {
        /// The manifest.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The manifest is not valid JSON of the expected shape.
    #[error("manifest {}: not a ksbulk manifest: {source}", path.display())]
    Parse {
        /// The manifest.
        path: PathBuf,
        /// The JSON error (with line and column).
        source: serde_json::Error,
    },
    /// Written by an incompatible version.
    #[error("manifest {}: format {found}, this ksbulk reads format {MANIFEST_FORMAT}; plan again", path.display())]
    Format {
        /// The manifest.
        path: PathBuf,
        /// Its format number.
        found: u32,
    },
    /// A source file differs from what the plan recorded.
    #[error("source changed since the plan: {file}: {what}; plan again (the rows already written stay valid)")]
    SourceChanged {
        /// The file that changed.
        file: String,
        /// How.
        what: String,
    },
    /// A counter unit was partly written; applying it again would double its increments.
    #[error(
        "refusing to resume {table} unit {unit} {range}: it is a counter table and writes of this unit may already have been applied; \
         counter increments are not idempotent, so re-applying would count them twice. Check the target's values for this token range \
         and mark the unit done or reset it in the manifest by hand"
    )]
    CounterUnitPartlyApplied {
        /// `keyspace.table`.
        table: String,
        /// Unit id.
        unit: u32,
        /// `(start, end]`.
        range: String,
    },
    /// A table or unit index that the manifest does not have.
    #[error("manifest has no table {table} unit {unit}")]
    NoSuchUnit {
        /// Table index.
        table: usize,
        /// Unit index.
        unit: usize,
    },
}

/// Where a unit's work starts again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResumeFrom {
    /// From the start of its range.
    Start,
    /// After this partition (everything up to and including it is acknowledged).
    After(Watermark),
    /// Nothing left: the unit is done.
    Done,
}

/// A manifest being run, with its file.
#[derive(Debug)]
pub struct Checkpoint {
    path: PathBuf,
    /// The manifest content.
    pub manifest: Manifest,
    last_save: Instant,
    dirty: bool,
    /// Number of the last snapshot taken.
    taken: u64,
    saves: Arc<Mutex<Saves>>,
}

/// What became of the snapshots of one checkpoint, shared with them.
#[derive(Debug, Default)]
struct Saves {
    /// Number of the newest snapshot on disk.
    written: u64,
    /// Whether the last write failed (the next due save is then made whatever changed).
    failed: bool,
}

/// The manifest serialized at one instant, to be written without holding the checkpoint,
/// as the file's fsyncs take milliseconds ([`Snapshot::write`]).
#[derive(Debug)]
#[must_use = "a snapshot is saved only once written"]
pub struct Snapshot {
    path: PathBuf,
    number: u64,
    json: Vec<u8>,
    saves: Arc<Mutex<Saves>>,
}

impl Snapshot {
    /// The manifest file it is for.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the manifest file with the snapshot (atomically), unless a newer snapshot of
    /// the same checkpoint was written first: snapshots written on other threads may finish
    /// out of order, and an older one must never overwrite a newer watermark.
    ///
    /// # Errors
    /// [`CheckpointError::Io`].
    pub fn write(self) -> Result<(), CheckpointError> {
        let mut saves = self.saves.lock().unwrap_or_else(|e| e.into_inner());
        if saves.written >= self.number {
            return Ok(());
        }
        match write_atomic(&self.path, &self.json) {
            Ok(()) => {
                saves.written = self.number;
                saves.failed = false;
                Ok(())
            }
            Err(source) => {
                saves.failed = true;
                Err(CheckpointError::Io { path: self.path, source })
            }
        }
    }
}

impl Checkpoint {
    /// Writes `manifest` to `path` (atomically) and returns the checkpoint.
    ///
    /// # Errors
    /// [`CheckpointError::Io`] when it cannot be written.
    pub fn create(path: impl AsRef<Path>, manifest: Manifest) -> Result<Checkpoint, CheckpointError> {
        let mut cp = Checkpoint { path: path.as_ref().to_path_buf(), manifest, last_save: Instant::now(), dirty: true, taken: 0, saves: Arc::default() };
        cp.save()?;
        Ok(cp)
    }

    /// Loads the manifest at `path`.
    ///
    /// # Errors
    /// [`CheckpointError::Io`], [`CheckpointError::Parse`] or [`CheckpointError::Format`].
    pub fn load(path: impl AsRef<Path>) -> Result<Checkpoint, CheckpointError> {
        let path = path.as_ref().to_path_buf();
        let bytes = std::fs::read(&path).map_err(|source| CheckpointError::Io { path: path.clone(), source })?;
        let format = serde_json::from_slice::<serde_json::Value>(&bytes)
            .map_err(|source| CheckpointError::Parse { path: path.clone(), source })?
            .get("format")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if format != u64::from(MANIFEST_FORMAT) {
            return Err(CheckpointError::Format { path, found: u32::try_from(format).unwrap_or(u32::MAX) });
        }
        let manifest = serde_json::from_slice(&bytes).map_err(|source| CheckpointError::Parse { path: path.clone(), source })?;
        Ok(Checkpoint { path, manifest, last_save: Instant::now(), dirty: false, taken: 0, saves: Arc::default() })
    }

    /// The manifest's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Saves now (atomically).
    ///
    /// # Errors
    /// [`CheckpointError::Io`].
    pub fn save(&mut self) -> Result<(), CheckpointError> {
        self.snapshot()?.write()
    }

    /// The manifest as it is now, to be written by [`Snapshot::write`]; the checkpoint counts
    /// as saved from here on.
    ///
    /// # Errors
    /// [`CheckpointError::Io`] when the manifest cannot be serialized.
    pub fn snapshot(&mut self) -> Result<Snapshot, CheckpointError> {
        let json = serde_json::to_vec_pretty(&self.manifest).map_err(|e| CheckpointError::Io { path: self.path.clone(), source: e.into() })?;
        self.taken += 1;
        self.last_save = Instant::now();
        self.dirty = false;
        Ok(Snapshot { path: self.path.clone(), number: self.taken, json, saves: Arc::clone(&self.saves) })
    }

    /// A snapshot if something changed (or the last write failed) and `every` has passed
    /// since the last one.
    ///
    /// # Errors
    /// As [`Checkpoint::snapshot`].
    pub fn snapshot_if_due(&mut self, every: Duration) -> Result<Option<Snapshot>, CheckpointError> {
        let failed = self.saves.lock().unwrap_or_else(|e| e.into_inner()).failed;
        if (self.dirty || failed) && self.last_save.elapsed() >= every {
            return self.snapshot().map(Some);
        }
        Ok(None)
    }

    /// Checks every source file against the plan: each component's size, and Data.db's
    /// digest (the content of Digest.crc32, or size and mtime when there is none).
    ///
    /// # Errors
    /// [`CheckpointError::SourceChanged`] naming the first file that differs or is gone.
    pub fn validate_sources(&self, store: &dyn SourceStore) -> Result<(), CheckpointError> {
        for table in &self.manifest.tables {
            for sst in &table.sstables {
                for c in &sst.components {
                    let changed = |what: String| CheckpointError::SourceChanged { file: c.path.clone(), what };
                    let meta = store.stat(Path::new(&c.path)).map_err(|e| changed(format!("cannot be read now ({e})")))?;
                    if meta.size != c.size {
                        return Err(changed(format!("size was {} bytes, is {}", c.size, meta.size)));
                    }
                }
                match sst.digest {
                    DigestRecord::Crc32 { value } => {
                        let digest = sst.components.iter().find(|c| c.name == Component::Digest.file_suffix());
                        let Some(digest) = digest else {
                            return Err(CheckpointError::SourceChanged { file: sst.data_path.clone(), what: "its Digest.crc32 is no longer listed".into() });
                        };
                        let now = read_digest(store, Path::new(&digest.path))
                            .map_err(|what| CheckpointError::SourceChanged { file: digest.path.clone(), what })?;
                        if now != value {
                            return Err(CheckpointError::SourceChanged {
                                file: sst.data_path.clone(),
                                what: format!("Digest.crc32 was {value}, is {now}"),
                            });
                        }
                    }
                    DigestRecord::SizeMtime { size, mtime_ms } => {
                        let meta = store
                            .stat(Path::new(&sst.data_path))
                            .map_err(|e| CheckpointError::SourceChanged { file: sst.data_path.clone(), what: format!("cannot be read now ({e})") })?;
                        if meta.size != size || meta.mtime_ms != mtime_ms {
                            return Err(CheckpointError::SourceChanged {
                                file: sst.data_path.clone(),
                                what: format!("size/mtime were {size}/{mtime_ms}, are {}/{}", meta.size, meta.mtime_ms),
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn unit_mut(&mut self, table: usize, unit: usize) -> Result<&mut WorkUnit, CheckpointError> {
        self.manifest.tables.get_mut(table).and_then(|t| t.units.get_mut(unit)).ok_or(CheckpointError::NoSuchUnit { table, unit })
    }

    /// Starts (or resumes) a unit and says where its work starts.
    ///
    /// # Errors
    /// [`CheckpointError::CounterUnitPartlyApplied`] for a counter table's unit whose writes
    /// may have reached the target before it was finished.
    pub fn begin_unit(&mut self, table: usize, unit: usize) -> Result<ResumeFrom, CheckpointError> {
        let t = self.manifest.tables.get(table).ok_or(CheckpointError::NoSuchUnit { table, unit })?;
        let counter = t.counter;
        let name = t.name();
        let u = self.unit_mut(table, unit)?;
        if u.status == UnitStatus::Done {
            return Ok(ResumeFrom::Done);
        }
        if counter && u.writes_started {
            return Err(CheckpointError::CounterUnitPartlyApplied { table: name, unit: u.id, range: format!("({}, {}]", u.start, u.end) });
        }
        u.status = UnitStatus::Running;
        let from = match &u.low_watermark {
            Some(w) => ResumeFrom::After(w.clone()),
            None => ResumeFrom::Start,
        };
        self.dirty = true;
        Ok(from)
    }

    /// Records that writes of the unit are about to be sent. For counter tables it returns
    /// the snapshot that must be written before any of them is: the flag must be durable
    /// before an increment can land.
    ///
    /// # Errors
    /// [`CheckpointError::NoSuchUnit`], or [`CheckpointError::Io`] when the snapshot cannot
    /// be made (then nothing must be sent).
    pub fn mark_writes_started(&mut self, table: usize, unit: usize) -> Result<Option<Snapshot>, CheckpointError> {
        let counter = self.manifest.tables.get(table).is_some_and(|t| t.counter);
        let u = self.unit_mut(table, unit)?;
        if u.writes_started {
            return Ok(None);
        }
        u.writes_started = true;
        self.dirty = true;
        if counter {
            return self.snapshot().map(Some);
        }
        Ok(None)
    }

    /// Moves the unit's low-watermark: every partition up to and including this one is
    /// acknowledged.
    ///
    /// # Errors
    /// [`CheckpointError::NoSuchUnit`].
    pub fn advance(&mut self, table: usize, unit: usize, watermark: Watermark) -> Result<(), CheckpointError> {
        self.unit_mut(table, unit)?.low_watermark = Some(watermark);
        self.dirty = true;
        Ok(())
    }

    /// Marks the unit done.
    ///
    /// # Errors
    /// [`CheckpointError::NoSuchUnit`].
    pub fn finish_unit(&mut self, table: usize, unit: usize) -> Result<(), CheckpointError> {
        self.unit_mut(table, unit)?.status = UnitStatus::Done;
        self.dirty = true;
        Ok(())
    }

    /// Marks the unit failed with `error` (its watermark is kept for a later resume).
    ///
    /// # Errors
    /// [`CheckpointError::NoSuchUnit`].
    pub fn fail_unit(&mut self, table: usize, unit: usize, error: String) -> Result<(), CheckpointError> {
        self.unit_mut(table, unit)?.status = UnitStatus::Failed { error };
        self.dirty = true;
        Ok(())
    }
}

/// Reads the decimal CRC32 in a Digest.crc32 file.
pub(crate) fn read_digest(store: &dyn SourceStore, path: &Path) -> Result<u32, String> {
    let bytes = store.read(path).map_err(|e| format!("cannot be read ({e})"))?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim();
    // Cassandra writes the CRC as a signed or unsigned decimal depending on version.
    text.parse::<u32>().or_else(|_| text.parse::<i64>().map(|v| v as u32)).map_err(|_| format!("does not hold a decimal CRC32 ({text:?})"))
}

#[cfg(test)]
mod tests;
