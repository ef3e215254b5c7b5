//! The real SSTable fixtures (`shared/fixtures/sstables`, beside the checkout) for unit
//! tests, and helpers that copy them into Cassandra directory layouts. `KSBULK_FIXTURES`
//! overrides the location.

use std::path::{Path, PathBuf};

/// A table id (32 hex digits, as in directory names).
pub(crate) const ID_A: &str = "5a1c395eb41f11e59f22ba0be0483c18";
/// Another table id.
pub(crate) const ID_B: &str = "00000000000011e6a0000000000000b0";

/// The fixtures root. Panics (failing the test) when it is missing: a test that silently
/// skipped would not be a test.
pub(crate) fn root() -> PathBuf {
    let dir = std::env::var_os("KSBULK_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/sstables"));
    assert!(dir.join("SOURCES.md").is_file(), "SSTable fixtures not found at {} (set KSBULK_FIXTURES)", dir.display());
    dir
}

/// Copies the single SSTable of fixture directory `rel` into `to` (created), renaming its
/// files to start with `prefix` (e.g. `nb-2-big-`), writable.
pub(crate) fn copy_sstable(rel: &str, to: &Path, prefix: &str) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(root().join(rel)).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap();
        // `<ver>-<gen>-<fmt>-<Component>`: keep the component.
        let component = name.splitn(4, '-').nth(3).unwrap();
        let dest = to.join(format!("{prefix}{component}"));
        std::fs::copy(&p, &dest).unwrap();
        let mut perm = std::fs::metadata(&dest).unwrap().permissions();
        #[expect(clippy::permissions_set_readonly_false, reason = "test scratch copies must be writable")]
        perm.set_readonly(false);
        std::fs::set_permissions(&dest, perm).unwrap();
    }
}

/// A schema.cql as Cassandra 5.0 writes it for the fixtures' `_clust` table shape.
pub(crate) fn schema_cql(ks: &str, table: &str, id_hex: &str) -> String {
    let id = format!("{}-{}-{}-{}-{}", &id_hex[..8], &id_hex[8..12], &id_hex[12..16], &id_hex[16..20], &id_hex[20..]);
    format!(
        "CREATE TABLE IF NOT EXISTS {ks}.{table} (
    pk text,
    ck text,
    val text,
    PRIMARY KEY (pk, ck)
) WITH ID = {id}
    AND CLUSTERING ORDER BY (ck ASC)
    AND comment = ''
    AND default_time_to_live = 0;
"
    )
}
