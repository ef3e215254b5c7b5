//! Where source files live. Discovery and planning only list directories, stat files and read
//! small files (schema.cql, Digest.crc32, Statistics.db), so a local directory and an S3
//! prefix look the same behind [`SourceStore`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use sstable_reader::io::{ByteSource, FileSource};
use sstable_reader::Component;

/// Size, modification time and identity of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMeta {
    /// Length in bytes.
    pub size: u64,
    /// Modification time in milliseconds since the epoch (0 when the store has none).
    pub mtime_ms: i64,
    /// A store-wide identity of the file's content (device and inode for local files), so
    /// that hard links of one SSTable (live data and its snapshots) are recognised.
    pub identity: Option<(u64, u64)>,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// Full path of the entry.
    pub path: PathBuf,
    /// Whether it is a directory.
    pub is_dir: bool,
}

impl DirEntry {
    /// The entry's own name (empty when it has none in UTF-8).
    pub fn name(&self) -> &str {
        self.path.file_name().and_then(|n| n.to_str()).unwrap_or("")
    }
}

/// Read access to a tree of source files: local disk now, object stores (S3) later.
///
/// Paths are full paths within the store. Implementations are synchronous; an async store
/// wraps its client and blocks on it, since planning does few, small requests.
pub trait SourceStore: Send + Sync + fmt::Debug {
    /// Short name of the store kind for reports (`local`, `s3`).
    fn kind(&self) -> &'static str;

    /// Entries of directory `dir`, sorted by name.
    ///
    /// # Errors
    /// When `dir` cannot be listed.
    fn list(&self, dir: &Path) -> std::io::Result<Vec<DirEntry>>;

    /// Size and modification time of `path`.
    ///
    /// # Errors
    /// When `path` does not exist or cannot be read.
    fn stat(&self, path: &Path) -> std::io::Result<FileMeta>;

    /// The whole content of a small file.
    ///
    /// # Errors
    /// When `path` cannot be read.
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;

    /// Random access to one SSTable component, for the reader.
    ///
    /// # Errors
    /// The reader's error (missing component, I/O) naming the file.
    fn open(&self, path: &Path, component: Component) -> sstable_reader::Result<Box<dyn ByteSource>>;

    /// Whether `path` is a directory.
    fn is_dir(&self, path: &Path) -> bool;
}

/// Files on a local (or mounted) file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalStore;

impl SourceStore for LocalStore {
    fn kind(&self) -> &'static str {
        "local"
    }

    fn list(&self, dir: &Path) -> std::io::Result<Vec<DirEntry>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            // Follow symlinks: copied snapshots are often linked into place.
            let is_dir = std::fs::metadata(entry.path()).map(|m| m.is_dir()).unwrap_or(false);
            out.push(DirEntry { path: entry.path(), is_dir });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    fn stat(&self, path: &Path) -> std::io::Result<FileMeta> {
        let m = std::fs::metadata(path)?;
        let mtime_ms = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        #[cfg(unix)]
        let identity = {
            use std::os::unix::fs::MetadataExt;
            Some((m.dev(), m.ino()))
        };
        #[cfg(not(unix))]
        let identity = None;
        Ok(FileMeta { size: m.len(), mtime_ms, identity })
    }

    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn open(&self, path: &Path, component: Component) -> sstable_reader::Result<Box<dyn ByteSource>> {
        Ok(Box::new(FileSource::open(path, component)?))
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_store_lists_sorted_and_stats_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.txt"), b"12345").unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        let entries = LocalStore.list(dir.path()).unwrap();
        assert_eq!(entries.iter().map(|e| (e.name(), e.is_dir)).collect::<Vec<_>>(), [("a", true), ("b.txt", false)]);
        let meta = LocalStore.stat(&dir.path().join("b.txt")).unwrap();
        assert_eq!(meta.size, 5);
        assert!(meta.mtime_ms > 0);
        assert_eq!(LocalStore.read(&dir.path().join("b.txt")).unwrap(), b"12345");
        assert!(LocalStore.stat(&dir.path().join("nope")).is_err());
    }
}
