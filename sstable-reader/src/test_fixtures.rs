//! Locating the real SSTable fixtures (`shared/fixtures/sstables`, beside the checkout) for
//! unit tests. `KSBULK_FIXTURES` overrides the location.

use std::path::{Path, PathBuf};

/// The fixtures root. Panics (failing the test) when it is missing: a test that silently
/// skipped would not be a test.
pub(crate) fn root() -> PathBuf {
    let dir = std::env::var_os("KSBULK_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/sstables"));
    assert!(dir.join("SOURCES.md").is_file(), "SSTable fixtures not found at {} (set KSBULK_FIXTURES)", dir.display());
    dir
}

/// Every directory under the root holding a `*-Data.db`, sorted.
pub(crate) fn sstable_dirs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        if entries.iter().any(|p| p.to_string_lossy().ends_with("-Data.db")) {
            out.push(dir.to_path_buf());
        }
        for e in entries {
            if e.is_dir() {
                walk(&e, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root(), &mut out);
    assert!(out.len() >= 73, "expected the 73 fixture SSTables, found {}", out.len());
    out
}

/// The Data.db path of the single SSTable in `dir`.
pub(crate) fn data_path(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).find(|p| p.to_string_lossy().ends_with("-Data.db")).unwrap()
}

/// A fixture directory by its path under the root, e.g. `cassandra/legacy/nb/legacy_tables/legacy_nb_clust`.
pub(crate) fn dir(rel: &str) -> PathBuf {
    root().join(rel)
}

/// A scratch directory removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    /// A fresh empty directory under the system temp dir.
    pub(crate) fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!("ksbulk-{tag}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// A copy of every file of fixture directory `rel`.
    pub(crate) fn copy_of(rel: &str) -> TempDir {
        let t = TempDir::new("fixture");
        for e in std::fs::read_dir(dir(rel)).unwrap() {
            let p = e.unwrap().path();
            let to = t.0.join(p.file_name().unwrap());
            std::fs::copy(&p, &to).unwrap();
            // Fixtures are read-only; the copies are modified by tests.
            let mut perm = std::fs::metadata(&to).unwrap().permissions();
            #[expect(clippy::permissions_set_readonly_false, reason = "test scratch copies must be writable")]
            perm.set_readonly(false);
            std::fs::set_permissions(&to, perm).unwrap();
        }
        t
    }

    /// The path of the file in this directory whose name ends with `suffix`.
    pub(crate) fn file(&self, suffix: &str) -> PathBuf {
        std::fs::read_dir(&self.0).unwrap().map(|e| e.unwrap().path()).find(|p| p.to_string_lossy().ends_with(suffix)).unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
