//! The rejects file: one JSON object per line for every row (or part of a row) that could not
//! be written, with its key and the reason, so nothing is dropped silently.
//!
//! Line format: `{"table":"ks.t","key":{"pk":"0x…","ck":"0x…"},"reason":"too_large","details":"…"}`.
//! Key values are the raw serialized bytes in hex (the write stage does not decode types).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use super::mutation::{Mutation, TargetTable};
use super::statement::hex;

/// Why a row was not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Encoded row larger than the target's limit (Keyspaces: 1 MB).
    TooLarge,
    /// Key values do not match the table's key columns.
    InvalidKey,
    /// The target refused the row (CQL `Invalid`, a function failure, a serialization error).
    Invalid,
    /// A tombstone with no CQL form (list element deletion); the rest of the row was written.
    UnsupportedDelete,
    /// Every retry of a statement failed.
    RetriesExhausted,
    /// A counter statement failed in a way that may have applied it: not retried.
    CounterUncertain,
}

impl RejectReason {
    /// Every reason, in report order.
    pub const ALL: [RejectReason; 6] = [
        RejectReason::TooLarge,
        RejectReason::InvalidKey,
        RejectReason::Invalid,
        RejectReason::UnsupportedDelete,
        RejectReason::RetriesExhausted,
        RejectReason::CounterUncertain,
    ];

    /// The snake_case name used in the rejects file and the summary.
    pub fn as_str(&self) -> &'static str {
        match self {
            RejectReason::TooLarge => "too_large",
            RejectReason::InvalidKey => "invalid_key",
            RejectReason::Invalid => "invalid",
            RejectReason::UnsupportedDelete => "unsupported_delete",
            RejectReason::RetriesExhausted => "retries_exhausted",
            RejectReason::CounterUncertain => "counter_uncertain",
        }
    }
}

/// One line of the rejects file.
#[derive(Debug, Serialize)]
pub struct RejectRecord<'a> {
    /// `keyspace.table`.
    pub table: String,
    /// Key column name → value (hex of the serialized bytes).
    pub key: serde_json::Map<String, serde_json::Value>,
    /// Why.
    pub reason: RejectReason,
    /// What exactly (limit, server message).
    pub details: &'a str,
}

impl<'a> RejectRecord<'a> {
    /// The record of `m` rejected for `reason`.
    pub fn of(m: &Mutation, reason: RejectReason, details: &'a str) -> Self {
        RejectRecord::of_key(&m.table, m.partition_key.iter().map(|v| &v[..]), m.clustering.iter().map(|v| &v[..]), reason, details)
    }

    /// The record of the row of `table` at `partition_key` / `clustering` rejected for
    /// `reason`.
    pub fn of_key<'k>(table: &TargetTable, partition_key: impl Iterator<Item = &'k [u8]>, clustering: impl Iterator<Item = &'k [u8]>, reason: RejectReason, details: &'a str) -> Self {
        let mut key = serde_json::Map::new();
        for (c, v) in table.partition_key.iter().zip(partition_key) {
            key.insert(c.name.clone(), hex(v).into());
        }
        for (c, v) in table.clustering.iter().zip(clustering) {
            key.insert(c.name.clone(), hex(v).into());
        }
        RejectRecord { table: format!("{}.{}", table.keyspace, table.name), key, reason, details }
    }
}

/// Errors writing the rejects file.
#[derive(Debug, thiserror::Error)]
pub enum RejectsError {
    /// Creating or writing the file failed.
    #[error("rejects file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// An append-only JSON-lines file of rejected rows, shared by all writer tasks.
#[derive(Debug)]
pub struct RejectsFile {
    path: PathBuf,
    out: Mutex<BufWriter<File>>,
}

impl RejectsFile {
    /// Creates (truncates) the file at `path`.
    ///
    /// # Errors
    /// When the file cannot be created.
    pub fn create(path: &Path) -> Result<Self, RejectsError> {
        let file = File::create(path).map_err(|source| RejectsError::Io { path: path.into(), source })?;
        Ok(RejectsFile { path: path.into(), out: Mutex::new(BufWriter::new(file)) })
    }

    /// Opens `path` for appending (a resumed run keeps the rejects of earlier runs). Lines
    /// go to the file unbuffered, so a record is in the file before the checkpoint can move
    /// past its row, even if the process is killed.
    ///
    /// # Errors
    /// When the file cannot be opened.
    pub fn append(path: &Path) -> Result<Self, RejectsError> {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|source| RejectsError::Io { path: path.into(), source })?;
        Ok(RejectsFile { path: path.into(), out: Mutex::new(BufWriter::with_capacity(0, file)) })
    }

    /// Appends one record.
    ///
    /// # Errors
    /// When the write fails.
    pub fn record(&self, rec: &RejectRecord<'_>) -> Result<(), RejectsError> {
        let mut line = serde_json::to_vec(rec).unwrap_or_default();
        line.push(b'\n');
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        out.write_all(&line).map_err(|source| RejectsError::Io { path: self.path.clone(), source })
    }

    /// Flushes buffered lines to the file.
    ///
    /// # Errors
    /// When the write fails.
    pub fn flush(&self) -> Result<(), RejectsError> {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        out.flush().map_err(|source| RejectsError::Io { path: self.path.clone(), source })
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::mutation::{ColumnSpec, TargetTable};
    use bytes::Bytes;
    use std::sync::Arc;

    #[test]
    fn record_names_table_key_and_reason() {
        let t = Arc::new(TargetTable::new("ks", "t", vec![ColumnSpec::key("id")], vec![ColumnSpec::key("c")], vec![]));
        let m = Mutation::new(t, vec![Bytes::from_static(&[0, 0, 0, 7])], vec![Bytes::from_static(b"x")]);
        let dir = std::env::temp_dir().join(format!("ksbulk-rejects-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rejects.jsonl");
        let f = RejectsFile::create(&path).unwrap();
        f.record(&RejectRecord::of(&m, RejectReason::TooLarge, "row of about 2000000 bytes")).unwrap();
        f.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(v["table"], "ks.t");
        assert_eq!(v["key"]["id"], "0x00000007");
        assert_eq!(v["key"]["c"], "0x78");
        assert_eq!(v["reason"], "too_large");
        assert_eq!(v["details"], "row of about 2000000 bytes");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
