//! The corpus of real Cassandra 5.0 snapshots made by `scripts/corpus`: where it is and what
//! its `index.json` says.
//!
//! Layout (the contract; `scripts/corpus-gen/README.md` says more):
//! ```text
//! $KSBULK_CORPUS (or <repo>/target/corpus, a symlink scripts/corpus makes)
//!   index.json                                  Index
//!   <format>/<keyspace>/<table>/snapshot/       SSTables, schema.cql, manifest.json,
//!                                               <base>-Data.db.dump.json (sstabledump -t)
//!   <format>/<keyspace>/<table>/select.json     Select: the table as SELECT JSON returns it
//!   <format>/threenode/<table>/node{1,2,3}/     one table's replicas, differing
//!   <format>/threenode/<table>/expected/select.json   the merge Cassandra makes of them
//! ```
//! Paths inside `index.json` are relative to the corpus directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The corpus directory: `$KSBULK_CORPUS`, else `<repo>/target/corpus`.
///
/// # Panics
/// When the directory or its `index.json` is missing ("corpus missing: run scripts/corpus").
pub fn corpus_dir() -> PathBuf {
    let dir = match std::env::var_os("KSBULK_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("target").join("corpus"),
    };
    if !dir.join("index.json").is_file() {
        panic!("corpus missing: run scripts/corpus (looked for {})", dir.join("index.json").display());
    }
    dir
}

/// Why the corpus could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A file of the corpus could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A JSON file of the corpus does not have the expected shape.
    #[error("parsing {path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, CorpusError> {
    let bytes = std::fs::read(path).map_err(|source| CorpusError::Io { path: path.to_owned(), source })?;
    serde_json::from_slice(&bytes).map_err(|source| CorpusError::Json { path: path.to_owned(), source })
}

/// `index.json`: what the corpus holds.
#[derive(Debug, Clone, Deserialize)]
pub struct Index {
    /// Hash of the generator's files; the corpus directory's default name.
    pub corpus_version: String,
    /// The Cassandra version that wrote the SSTables.
    pub cassandra_version: String,
    /// SSTable formats present (`nb`, `oa`, `da`).
    pub formats: Vec<String>,
    /// Compressions present (`none`, `lz4`, `snappy`, `deflate`, `zstd`); keyspace `corpus_<c>`.
    pub compressions: Vec<String>,
    /// The `nodetool snapshot -t` tag used.
    pub snapshot_tag: String,
    /// When the generation finished (ms since the epoch).
    pub generated_at_ms: u64,
    /// One entry per format × keyspace × table.
    pub entries: Vec<Entry>,
    /// The three-node merge layouts.
    pub threenode: Vec<ThreeNodeEntry>,
}

impl Index {
    /// Reads `<dir>/index.json`.
    ///
    /// # Errors
    /// When the file cannot be read or parsed.
    pub fn load(dir: &Path) -> Result<Index, CorpusError> {
        read_json(&dir.join("index.json"))
    }

    /// The entry of one table, if present.
    pub fn entry(&self, format: &str, compression: &str, table: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.format == format && e.compression == compression && e.table == table)
    }
}

/// One table of one keyspace in one SSTable format.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    /// SSTable format: `nb`, `oa` (big) or `da` (BTI).
    pub format: String,
    /// The table's compression (`none`, `lz4`, ...).
    pub compression: String,
    /// Keyspace name (`corpus_<compression>`).
    pub keyspace: String,
    /// Table name.
    pub table: String,
    /// `<format>/<keyspace>/<table>`, relative to the corpus directory.
    pub dir: String,
    /// The `-Data.db` files, relative to the corpus directory.
    pub sstables: Vec<String>,
    /// What the table exercises (`type:int`, `range_delete`, `wide_partition`, ...).
    pub features: Vec<String>,
}

impl Entry {
    /// The snapshot directory (SSTables, `schema.cql`, `manifest.json`, dumps).
    pub fn snapshot_dir(&self, corpus: &Path) -> PathBuf {
        corpus.join(&self.dir).join("snapshot")
    }

    /// Absolute paths of the `-Data.db` files.
    pub fn data_files(&self, corpus: &Path) -> Vec<PathBuf> {
        self.sstables.iter().map(|s| corpus.join(s)).collect()
    }

    /// The table's `select.json`.
    pub fn select_path(&self, corpus: &Path) -> PathBuf {
        corpus.join(&self.dir).join("select.json")
    }

    /// Reads the table's `select.json`.
    ///
    /// # Errors
    /// When the file cannot be read or parsed.
    pub fn select(&self, corpus: &Path) -> Result<Select, CorpusError> {
        read_json(&self.select_path(corpus))
    }
}

/// The `sstabledump -t` JSON kept beside an SSTable: `<...>-Data.db.dump.json`.
pub fn dump_path(data_file: &Path) -> PathBuf {
    let mut name = data_file.as_os_str().to_owned();
    name.push(".dump.json");
    PathBuf::from(name)
}

/// One table's replicas on three simulated nodes, and the merge Cassandra made of them.
#[derive(Debug, Clone, Deserialize)]
pub struct ThreeNodeEntry {
    /// SSTable format.
    pub format: String,
    /// Keyspace name (`corpus_threenode`).
    pub keyspace: String,
    /// Table name.
    pub table: String,
    /// `<format>/threenode/<table>`, relative to the corpus directory.
    pub dir: String,
    /// `node1`..`node3` → that node's `-Data.db` files (relative to the corpus directory);
    /// each node directory is a snapshot directory with `schema.cql` and `manifest.json`.
    pub nodes: BTreeMap<String, Vec<String>>,
    /// The expected merge result: a `select.json`, relative to the corpus directory.
    pub expected: String,
    /// How the replicas differ.
    pub features: Vec<String>,
}

/// `select.json`: a table as Cassandra returns it to `SELECT JSON`, with WRITETIME and TTL.
#[derive(Debug, Clone, Deserialize)]
pub struct Select {
    /// Keyspace name.
    pub keyspace: String,
    /// Table name.
    pub table: String,
    /// The exact query; run it on a load's target and compare the rows.
    pub query: String,
    /// When the query was sent (ms since the epoch): expiry = selected_at_ms + ttl × 1000.
    pub selected_at_ms: u64,
    /// When the last page arrived (ms since the epoch).
    pub finished_at_ms: u64,
    /// The `writetime(..)`/`ttl(..)` expressions selected, also the JSON keys they appear under.
    pub writetime_ttl: Vec<String>,
    /// Expressions left out of the query, with why.
    pub omitted: BTreeMap<String, String>,
    /// `rows.len()`.
    pub row_count: usize,
    /// Each row's JSON text as Cassandra returned it, in the order returned (token order).
    pub rows: Vec<String>,
}

impl Select {
    /// Reads a `select.json`.
    ///
    /// # Errors
    /// When the file cannot be read or parsed.
    pub fn load(path: &Path) -> Result<Select, CorpusError> {
        read_json(path)
    }
}
