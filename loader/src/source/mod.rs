//! Stage 1, sources: finds the SSTables and `schema.cql` of the chosen tables under the
//! `--source` roots (Cassandra data directories, `snapshots/<tag>/` directories, single
//! table directories, several nodes' copies side by side) and groups them by table.
//!
//! Files are reached through [`SourceStore`] so that S3 prefixes (a later issue) sit next to
//! local directories. The next stage, [`crate::plan`], turns a [`Discovery`] into work units.

mod discover;
mod store;

pub use discover::{
    discover, DiscoverError, DiscoverOptions, Discovery, FoundComponent, FoundSSTable, FoundSchema, FoundTable, Origin, SnapshotManifest, Source,
    SYSTEM_KEYSPACES,
};
pub use store::{DirEntry, FileMeta, LocalStore, SourceStore};

use std::fmt::Write as _;

impl Discovery {
    /// A human-readable account of what was found: per table its nodes, SSTables and bytes,
    /// where schema.cql came from, then the notes and problems.
    pub fn report(&self) -> String {
        let mut out = String::new();
        if self.tables.is_empty() {
            out.push_str("no tables found\n");
        }
        for t in &self.tables {
            let bytes: u64 = t.sstables.iter().map(FoundSSTable::data_size).sum();
            let _ = writeln!(
                out,
                "{}: {} SSTables, {} bytes of Data.db, on {} node(s); schema: {}",
                t.name(),
                t.sstables.len(),
                bytes,
                t.nodes().len(),
                t.schema.as_ref().map_or("none".to_string(), |s| s.path.display().to_string())
            );
            for node in t.nodes() {
                let n = t.sstables.iter().filter(|s| s.node == node).count();
                let _ = writeln!(out, "  {node}: {n} SSTables");
            }
            if !t.other_snapshots.is_empty() {
                let _ = writeln!(out, "  snapshots not chosen: {}", t.other_snapshots.join(", "));
            }
        }
        for n in &self.notes {
            let _ = writeln!(out, "note: {n}");
        }
        for p in &self.problems {
            let _ = writeln!(out, "problem: {p}");
        }
        out
    }
}

#[cfg(test)]
mod tests;
