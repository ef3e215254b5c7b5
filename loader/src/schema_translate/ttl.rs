//! `--ttl auto`: whether the data of a table has TTLs, from the Statistics.db of the
//! SSTables beside its `schema.cql` (a snapshot directory holds both). Statistics keeps the
//! largest TTL written (`maxTTL`), so no data needs to be read.

use std::path::Path;
use std::sync::Arc;

use sstable_reader::sstable::{list_sstables, LocalOpener, SSTable};

/// Why the SSTables beside a schema could not be read.
#[derive(Debug, thiserror::Error)]
#[error("looking for TTLs in the SSTables of {dir}: {source}")]
pub struct TtlScanError {
    /// The directory scanned.
    pub dir: String,
    /// The reader's error (file, component, offset).
    #[source]
    pub source: sstable_reader::Error,
}

/// Whether any SSTable in `dir` holds a cell with a TTL; `None` when `dir` has no SSTable.
///
/// # Errors
/// [`TtlScanError`] when the directory or a Statistics.db cannot be read.
pub fn sstables_have_ttls(dir: &Path) -> Result<Option<bool>, TtlScanError> {
    let err = |source| TtlScanError { dir: dir.display().to_string(), source };
    let descriptors = list_sstables(dir).map_err(err)?;
    if descriptors.is_empty() {
        return Ok(None);
    }
    for d in descriptors {
        let sstable = SSTable::open_with(d, Arc::new(LocalOpener)).map_err(err)?;
        if sstable.statistics().stats.has_ttls() {
            return Ok(Some(true));
        }
    }
    Ok(Some(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_without_sstables_says_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("schema.cql"), "").unwrap();
        assert_eq!(sstables_have_ttls(dir.path()).unwrap(), None);
    }

    #[test]
    fn statistics_tell_whether_cells_have_ttls() {
        let root = crate::test_fixtures::root().join("cassandra");
        // Written with TTL = 20 years (CASSANDRA-14092 fixtures).
        assert_eq!(sstables_have_ttls(&root.join("negative-local-expiration/table1")).unwrap(), Some(true));
        assert_eq!(sstables_have_ttls(&root.join("legacy/oa/legacy_tables/legacy_oa_clust")).unwrap(), Some(false));
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let e = sstables_have_ttls(Path::new("/nonexistent/ksbulk-ttl")).unwrap_err();
        assert!(e.to_string().starts_with("looking for TTLs in the SSTables of /nonexistent/ksbulk-ttl"), "{e}");
    }
}
