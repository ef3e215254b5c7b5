//! Finds the SSTables of the chosen tables under the source roots.
//!
//! Layouts recognised, alone or mixed, under each `--source` root:
//!
//! ```text
//!  <data>/<ks>/<table>-<id>/            live SSTables          (a node's data directory)
//!  <data>/<ks>/<table>-<id>/snapshots/<tag>/   SSTables + schema.cql + manifest.json
//!  <data>/<ks>/<table>-<id>/backups/    incremental backups    (only with include_backups)
//!  <data>/<ks>/<table>-<id>/.<index>/   secondary index SSTables (only with include_index_dirs)
//!  <root>/node1/<data layout>  <root>/node2/…                 (several nodes side by side)
//!  <table>-<id>/ or snapshots/<tag>/ given directly
//! ```
//!
//! A directory holding `*-Data.db` files belongs to the table named by its `schema.cql` when
//! it has one, otherwise by its path (`<ks>/<table>[-<id>]`, stepping over `snapshots/<tag>`
//! and `backups`). Live SSTables are used unless a snapshot tag is chosen, in which case only
//! that snapshot's SSTables are; a snapshot directory named as a source is always used.
//! Directory layout facts from `org.apache.cassandra.db.Directories`,
//! <https://github.com/apache/cassandra/blob/trunk/src/java/org/apache/cassandra/db/Directories.java>.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sstable_reader::descriptor::Descriptor;
use sstable_reader::schema::SchemaFile;
use sstable_reader::Component;

use super::store::{DirEntry, FileMeta, SourceStore};

/// Keyspaces Cassandra manages itself; skipped unless chosen by name.
pub const SYSTEM_KEYSPACES: [&str; 8] = [
    "system",
    "system_schema",
    "system_auth",
    "system_distributed",
    "system_traces",
    "system_views",
    "system_virtual_schema",
    "system_cluster_metadata",
];

/// How deep below a source root discovery looks for table directories
/// (`root/nodeN/data/<ks>/<table>-<id>/snapshots/<tag>` is 6).
const MAX_DEPTH: usize = 7;

/// One `--source` root and the store it is in.
#[derive(Debug, Clone)]
pub struct Source {
    /// The store holding the files.
    pub store: Arc<dyn SourceStore>,
    /// The root directory given by the user.
    pub root: PathBuf,
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// Keyspaces to take (all non-system keyspaces when empty).
    pub keyspaces: Vec<String>,
    /// Tables to take, as `table` or `keyspace.table` (all when empty).
    pub tables: Vec<String>,
    /// Use the snapshot with this tag instead of live SSTables.
    pub snapshot: Option<String>,
    /// Also load incremental backups (`backups/`).
    pub include_backups: bool,
    /// Also list secondary-index SSTables (`.<index>/`).
    pub include_index_dirs: bool,
}

impl DiscoverOptions {
    fn wants(&self, keyspace: &str, table: &str) -> bool {
        let ks_ok = if self.keyspaces.is_empty() {
            !SYSTEM_KEYSPACES.contains(&keyspace)
                || self.tables.iter().any(|t| t.split_once('.').is_some_and(|(k, _)| k == keyspace))
        } else {
            self.keyspaces.iter().any(|k| k == keyspace)
        };
        let table_ok = self.tables.is_empty()
            || self.tables.iter().any(|t| match t.split_once('.') {
                Some((k, n)) => k == keyspace && n == table,
                None => t == table,
            });
        ks_ok && table_ok
    }
}

/// Where an SSTable was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The table directory's live SSTables.
    Live,
    /// `snapshots/<tag>/`.
    Snapshot(String),
    /// `backups/`.
    Backup,
    /// A secondary index directory `.<index>/`.
    Index(String),
}

/// One component file of an SSTable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundComponent {
    /// Which component.
    pub component: Component,
    /// Full path.
    pub path: PathBuf,
    /// Size, mtime, identity.
    pub meta: FileMeta,
}

/// One SSTable found.
#[derive(Debug, Clone)]
pub struct FoundSSTable {
    /// Index of the [`Source`] it was found under.
    pub source: usize,
    /// Its descriptor (directory, version, generation, format).
    pub descriptor: Descriptor,
    /// The data directory (node) it belongs to.
    pub node: String,
    /// Live, snapshot, backup or index.
    pub origin: Origin,
    /// Its component files, Data.db first.
    pub components: Vec<FoundComponent>,
}

impl FoundSSTable {
    /// The component `c`, if present.
    pub fn component(&self, c: Component) -> Option<&FoundComponent> {
        self.components.iter().find(|f| f.component == c)
    }

    /// Size of Data.db.
    pub fn data_size(&self) -> u64 {
        self.component(Component::Data).map_or(0, |c| c.meta.size)
    }
}

/// The `schema.cql` chosen for a table.
#[derive(Debug, Clone)]
pub struct FoundSchema {
    /// Where it was read.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// Parsed.
    pub parsed: SchemaFile,
}

/// A snapshot's `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotManifest {
    /// Where it is.
    pub path: PathBuf,
    /// `created_at` (Cassandra 4.1+), RFC 3339.
    pub created_at: Option<String>,
}

/// A table and everything found for it.
#[derive(Debug, Clone)]
pub struct FoundTable {
    /// Keyspace.
    pub keyspace: String,
    /// Table.
    pub table: String,
    /// Table id from the directory name or schema.cql (32 hex digits, no dashes).
    pub id: Option<String>,
    /// The schema, when a schema.cql was found.
    pub schema: Option<FoundSchema>,
    /// SSTables chosen for loading.
    pub sstables: Vec<FoundSSTable>,
    /// Manifests of the snapshots the SSTables came from.
    pub snapshot_manifests: Vec<SnapshotManifest>,
    /// Snapshot tags present but not chosen.
    pub other_snapshots: Vec<String>,
}

impl FoundTable {
    /// `keyspace.table`.
    pub fn name(&self) -> String {
        format!("{}.{}", self.keyspace, self.table)
    }

    /// Distinct data directories (nodes) holding the table's SSTables.
    pub fn nodes(&self) -> Vec<&str> {
        let mut nodes: Vec<&str> = self.sstables.iter().map(|s| s.node.as_str()).collect();
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }
}

/// The result of discovery: the tables and what was noticed on the way.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// Tables found, sorted by name.
    pub tables: Vec<FoundTable>,
    /// Things skipped or chosen on the user's behalf, for the report.
    pub notes: Vec<String>,
    /// Problems that make the result incomplete (unreadable directories, unknown SSTable
    /// versions, unparsable schema.cql). Planning refuses when there are any.
    pub problems: Vec<String>,
}

/// Errors that stop discovery outright.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// A source root does not exist or is not a directory.
    #[error("source {0}: not a directory (give a Cassandra data directory, a table directory or a snapshots/<tag> directory)")]
    NotADirectory(PathBuf),
}

/// Per-table accumulator while walking.
#[derive(Debug, Default)]
struct TableAcc {
    ids: Vec<String>,
    sstables: Vec<FoundSSTable>,
    schemas: Vec<(PathBuf, String)>,
    fallback_schemas: Vec<(PathBuf, String, i64)>,
    manifests: Vec<SnapshotManifest>,
    other_snapshots: Vec<String>,
}

struct Walker<'a> {
    sources: &'a [Source],
    options: &'a DiscoverOptions,
    tables: BTreeMap<(String, String), TableAcc>,
    seen: HashMap<(u64, u64), PathBuf>,
    seen_paths: HashMap<PathBuf, ()>,
    out: Discovery,
}

/// Finds the SSTables of the chosen tables under every source.
///
/// # Errors
/// [`DiscoverError::NotADirectory`] when a root is missing. Problems inside the tree are
/// collected in [`Discovery::problems`].
pub fn discover(sources: &[Source], options: &DiscoverOptions) -> Result<Discovery, DiscoverError> {
    let mut w = Walker { sources, options, tables: BTreeMap::new(), seen: HashMap::new(), seen_paths: HashMap::new(), out: Discovery::default() };
    for (n, src) in sources.iter().enumerate() {
        if !src.store.is_dir(&src.root) {
            return Err(DiscoverError::NotADirectory(src.root.clone()));
        }
        w.walk(n, &src.root, 0, true);
    }
    w.finish();
    Ok(w.out)
}

fn is_hex_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `table-<32 hex>` → (table, Some(id)); anything else → (name, None).
fn split_table_dir_name(name: &str) -> (&str, Option<&str>) {
    match name.rsplit_once('-') {
        Some((table, id)) if is_hex_id(id) && !table.is_empty() => (table, Some(id)),
        _ => (name, None),
    }
}

fn name_of(p: &Path) -> &str {
    p.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

impl Walker<'_> {
    fn store(&self, source: usize) -> &dyn SourceStore {
        self.sources[source].store.as_ref()
    }

    fn walk(&mut self, source: usize, dir: &Path, depth: usize, given: bool) {
        let entries = match self.store(source).list(dir) {
            Ok(e) => e,
            Err(e) => {
                self.out.problems.push(format!("{}: cannot list: {e}", dir.display()));
                return;
            }
        };
        let holds_sstables = entries.iter().any(|e| !e.is_dir && (e.name().ends_with("-Data.db") || e.name() == "schema.cql"));
        let name = name_of(dir);
        let parent_name = dir.parent().map_or("", name_of);
        if holds_sstables {
            let origin = if parent_name == "snapshots" {
                Origin::Snapshot(name.to_string())
            } else if name == "backups" {
                Origin::Backup
            } else if let Some(index) = name.strip_prefix('.') {
                Origin::Index(index.to_string())
            } else {
                Origin::Live
            };
            // Live SSTables are skipped when a snapshot was chosen, unless this very
            // directory was named as a source.
            let take = given || match &origin {
                Origin::Live => self.options.snapshot.is_none(),
                Origin::Snapshot(tag) => self.options.snapshot.as_deref() == Some(tag.as_str()),
                Origin::Backup => self.options.include_backups,
                Origin::Index(_) => self.options.include_index_dirs,
            };
            if take {
                self.sstable_dir(source, dir, &entries, origin);
            } else if let Origin::Live = origin {
                self.out.notes.push(format!("{}: live SSTables skipped (snapshot {:?} chosen)", dir.display(), self.options.snapshot.as_deref().unwrap_or("")));
            }
        }
        if depth >= MAX_DEPTH {
            return;
        }
        for sub in entries.iter().filter(|e| e.is_dir) {
            self.subdir(source, dir, sub, depth, given && name == "snapshots");
        }
    }

    fn subdir(&mut self, source: usize, dir: &Path, sub: &DirEntry, depth: usize, parent_given_snapshots: bool) {
        let sub_name = sub.name();
        if sub_name == "snapshots" {
            // Listed here so that unchosen tags can be reported.
            let tags = self.store(source).list(&sub.path).unwrap_or_default();
            for tag in tags.iter().filter(|t| t.is_dir) {
                let chosen = self.options.snapshot.as_deref() == Some(tag.name());
                if chosen {
                    self.walk(source, &tag.path, depth + 2, false);
                } else if let Some(key) = self.table_key_of(dir) {
                    if self.options.wants(&key.0, &key.1) {
                        self.tables.entry(key).or_default().other_snapshots.push(tag.name().to_string());
                        self.remember_fallback_schema(source, dir, &tag.path);
                    }
                }
            }
        } else if sub_name == "backups" && !self.options.include_backups {
            if self.store(source).list(&sub.path).is_ok_and(|e| e.iter().any(|f| f.name().ends_with("-Data.db"))) {
                self.out.notes.push(format!("{}: incremental backups skipped (use --include-backups)", sub.path.display()));
            }
        } else if sub_name.starts_with('.') && !self.options.include_index_dirs {
            self.out.notes.push(format!("{}: secondary index SSTables skipped", sub.path.display()));
        } else {
            self.walk(source, &sub.path, depth + 1, parent_given_snapshots);
        }
    }

    /// (keyspace, table) of a table directory by its path.
    fn table_key_of(&self, table_dir: &Path) -> Option<(String, String)> {
        let (table, _) = split_table_dir_name(name_of(table_dir));
        let ks = table_dir.parent().map(name_of)?;
        if ks.is_empty() || table.is_empty() {
            return None;
        }
        Some((ks.to_string(), table.to_string()))
    }

    /// The table directory of an SSTable directory: itself, or up from
    /// `snapshots/<tag>`, `backups`, `.<index>`.
    fn table_dir_of(dir: &Path, origin: &Origin) -> PathBuf {
        let up = match origin {
            Origin::Snapshot(_) => 2,
            Origin::Backup | Origin::Index(_) => 1,
            Origin::Live => 0,
        };
        let mut d = dir;
        for _ in 0..up {
            d = d.parent().unwrap_or(d);
        }
        d.to_path_buf()
    }

    fn remember_fallback_schema(&mut self, source: usize, table_dir: &Path, snapshot_dir: &Path) {
        let path = snapshot_dir.join("schema.cql");
        let store = self.store(source);
        let Ok(meta) = store.stat(&path) else { return };
        let Ok(bytes) = store.read(&path) else { return };
        let Some(key) = self.table_key_of(table_dir) else { return };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        self.tables.entry(key).or_default().fallback_schemas.push((path, text, meta.mtime_ms));
    }

    fn sstable_dir(&mut self, source: usize, dir: &Path, entries: &[DirEntry], origin: Origin) {
        let store = self.sources[source].store.clone();
        let table_dir = Self::table_dir_of(dir, &origin);
        let node_dir = table_dir.parent().and_then(Path::parent).unwrap_or(&self.sources[source].root);
        let node = node_dir.display().to_string();

        // Which table: schema.cql first, then the path.
        let mut schema_text = None;
        let mut key = None;
        let mut schema_id = None;
        if entries.iter().any(|e| e.name() == "schema.cql") {
            let path = dir.join("schema.cql");
            match store.read(&path) {
                Ok(bytes) => match SchemaFile::parse_bytes(&bytes, &path) {
                    Ok(parsed) => {
                        if let Some(t) = parsed.table() {
                            key = Some((t.keyspace.clone(), t.name.clone()));
                            schema_id = t.id_hex();
                        } else {
                            self.out.notes.push(format!("{}: defines no single table (a materialized view or index?); skipped", path.display()));
                            return;
                        }
                        schema_text = Some((path, String::from_utf8_lossy(&bytes).into_owned()));
                    }
                    Err(e) => {
                        self.out.problems.push(e.to_string());
                        return;
                    }
                },
                Err(e) => {
                    self.out.problems.push(format!("{}: cannot read: {e}", path.display()));
                    return;
                }
            }
        }
        let path_key = self.table_key_of(&table_dir);
        if let (Some(k), Some(pk)) = (&key, &path_key) {
            if k != pk && name_of(&table_dir).contains('-') {
                self.out.notes.push(format!("{}: schema.cql names {}.{}, the directory says {}.{}; using schema.cql", dir.display(), k.0, k.1, pk.0, pk.1));
            }
        }
        let Some(key) = key.or(path_key) else {
            self.out.problems.push(format!("{}: cannot tell which table this is (no schema.cql, not under <keyspace>/<table>-<id>/)", dir.display()));
            return;
        };
        if !self.options.wants(&key.0, &key.1) {
            return;
        }
        let dir_id = split_table_dir_name(name_of(&table_dir)).1.map(str::to_string);

        let mut found = Vec::new();
        for e in entries.iter().filter(|e| !e.is_dir && e.name().ends_with("-Data.db")) {
            match Descriptor::from_path(&e.path) {
                Ok((desc, _)) => match self.collect_components(source, &desc, entries) {
                    Ok(components) => found.push(FoundSSTable { source, descriptor: desc, node: node.clone(), origin: origin.clone(), components }),
                    Err(problem) => self.out.problems.push(problem),
                },
                Err(e) => self.out.problems.push(e.to_string()),
            }
        }
        // Count each SSTable once: the same path given twice, or hard links of one file
        // (live SSTables and the snapshots made from them).
        let mut kept = Vec::new();
        for s in found {
            let Some(data) = s.component(Component::Data) else { continue };
            if self.seen_paths.insert(data.path.clone(), ()).is_some() {
                continue;
            }
            if let Some(identity) = data.meta.identity {
                if let Some(first) = self.seen.get(&identity) {
                    self.out.notes.push(format!("{}: same file as {} (hard link); counted once", data.path.display(), first.display()));
                    continue;
                }
                self.seen.insert(identity, data.path.clone());
            }
            kept.push(s);
        }
        let manifest = if let Origin::Snapshot(_) = origin {
            let mpath = dir.join("manifest.json");
            store.read(&mpath).ok().map(|bytes| {
                let created_at = serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| v.get("created_at").and_then(|c| c.as_str()).map(str::to_string));
                SnapshotManifest { path: mpath, created_at }
            })
        } else {
            None
        };
        let acc = self.tables.entry(key).or_default();
        if let Some(id) = schema_id.or(dir_id) {
            if !acc.ids.contains(&id) {
                acc.ids.push(id);
            }
        }
        if let Some((path, text)) = schema_text {
            acc.schemas.push((path, text));
        }
        acc.manifests.extend(manifest);
        acc.sstables.extend(kept);
    }

    fn collect_components(&self, source: usize, desc: &Descriptor, entries: &[DirEntry]) -> Result<Vec<FoundComponent>, String> {
        let store = self.store(source);
        let mut out = Vec::new();
        for c in Component::ALL {
            let name = desc.file_name(c);
            let hit = entries.iter().find(|e| e.name() == name).or_else(|| {
                // Digest.adler32 / Digest.sha1 of older versions.
                (c == Component::Digest).then(|| entries.iter().find(|e| e.name().starts_with(&desc.file_name(c).replace("Digest.crc32", "Digest.")))).flatten()
            });
            if let Some(e) = hit {
                let meta = store.stat(&e.path).map_err(|err| format!("{}: cannot stat: {err}", e.path.display()))?;
                out.push(FoundComponent { component: c, path: e.path.clone(), meta });
            }
        }
        for needed in [Component::Data, Component::Statistics] {
            if !out.iter().any(|f| f.component == needed) {
                return Err(format!("{}: missing component {needed}", desc.path(needed).display()));
            }
        }
        Ok(out)
    }

    fn finish(&mut self) {
        let tables = std::mem::take(&mut self.tables);
        for ((keyspace, table), mut acc) in tables {
            let name = format!("{keyspace}.{table}");
            if acc.sstables.is_empty() {
                if !acc.other_snapshots.is_empty() {
                    acc.other_snapshots.sort();
                    acc.other_snapshots.dedup();
                    self.out.notes.push(format!("{name}: no SSTables chosen; snapshots present: {} (use --snapshot TAG)", acc.other_snapshots.join(", ")));
                }
                continue;
            }
            // The schema: from the chosen SSTable directories, else the newest snapshot's.
            let schema = if let Some((path, text)) = acc.schemas.first() {
                for (other, other_text) in &acc.schemas[1..] {
                    if other_text != text {
                        self.out.notes.push(format!("{name}: {} differs from {}; using the latter", other.display(), path.display()));
                    }
                }
                Some((path.clone(), text.clone()))
            } else {
                acc.fallback_schemas.sort_by_key(|(_, _, mtime)| std::cmp::Reverse(*mtime));
                acc.fallback_schemas.first().map(|(path, text, _)| {
                    self.out.notes.push(format!("{name}: schema.cql taken from {} (newest snapshot)", path.display()));
                    (path.clone(), text.clone())
                })
            };
            let schema = match schema {
                Some((path, text)) => match SchemaFile::parse(&text, &path) {
                    Ok(parsed) => Some(FoundSchema { path, text, parsed }),
                    Err(e) => {
                        self.out.problems.push(e.to_string());
                        None
                    }
                },
                None => {
                    self.out.notes.push(format!("{name}: no schema.cql found; column names of the key will be generic"));
                    None
                }
            };
            let id = schema.as_ref().and_then(|s| s.parsed.table()).and_then(|t| t.id_hex()).or_else(|| acc.ids.first().cloned());
            // SSTables of another incarnation of the table (dropped and re-created) are left out.
            if let Some(id) = &id {
                let before = acc.sstables.len();
                acc.sstables.retain(|s| {
                    let tdir = Self::table_dir_of(&s.descriptor.directory, &s.origin);
                    split_table_dir_name(name_of(&tdir)).1.is_none_or(|dir_id| dir_id == id)
                });
                if acc.sstables.len() < before {
                    self.out.notes.push(format!("{name}: {} SSTables of another table id left out (table id is {id})", before - acc.sstables.len()));
                }
            }
            acc.sstables.sort_by(|a, b| (&a.node, &a.descriptor).cmp(&(&b.node, &b.descriptor)));
            acc.other_snapshots.sort();
            acc.other_snapshots.dedup();
            self.out.tables.push(FoundTable {
                keyspace,
                table,
                id,
                schema,
                sstables: acc.sstables,
                snapshot_manifests: acc.manifests,
                other_snapshots: acc.other_snapshots,
            });
        }
    }
}
