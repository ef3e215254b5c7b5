//! `ksbulk dump`: sstabledump-compatible JSON of one SSTable or a directory of them.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use sstable_reader::data::{DecodeOptions, InvalidDeletionTimes, PartitionReader};
use sstable_reader::export::{DumpOptions, JsonExporter};
use sstable_reader::{Component, SSTable};

use crate::cli::dump::DumpArgs;

/// Runs `ksbulk dump`, writing to stdout.
///
/// # Errors
/// No SSTable at the path, decoding errors (file, component, offset), write errors.
pub fn run(args: DumpArgs) -> anyhow::Result<ExitCode> {
    // The exporter buffers its text and writes it in pieces of 64 KiB or more, which pass
    // through a buffer of this size without a copy.
    let mut out = std::io::BufWriter::with_capacity(64 << 10, unbuffered_stdout());
    dump_to(&args, &mut out)?;
    out.flush().context("writing the dump")?;
    Ok(ExitCode::SUCCESS)
}

/// Standard output without Rust's line buffering, which would cut each of the exporter's
/// pieces in two writes at its last line break.
fn unbuffered_stdout() -> Box<dyn Write> {
    #[cfg(unix)]
    if let Ok(fd) = std::os::fd::AsFd::as_fd(&std::io::stdout()).try_clone_to_owned() {
        return Box::new(std::fs::File::from(fd));
    }
    Box::new(std::io::stdout().lock())
}

/// The Data.db files `path` names: itself, or the SSTables of a directory.
fn data_files(path: &std::path::Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    if path.is_dir() {
        let found = sstable_reader::list_sstables(path)?;
        anyhow::ensure!(!found.is_empty(), "no SSTable (*-Data.db) in {}", path.display());
        Ok(found.iter().map(|d| d.path(Component::Data)).collect())
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

/// Writes the dump of `args.path` to `out`.
///
/// # Errors
/// As [`run`].
pub fn dump_to(args: &DumpArgs, out: &mut dyn Write) -> anyhow::Result<sstable_reader::export::DumpSummary> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let options = DumpOptions {
        keys: args.keys.clone(),
        exclude_keys: args.exclude_keys.clone(),
        json_lines: args.lines,
        tombstones_only: args.tombstones_only,
        keys_only: args.keys_only,
        raw_timestamps: args.raw_timestamps,
        now,
    };
    let decode =
        DecodeOptions { invalid_deletion_times: if args.allow_invalid_deletion_times { InvalidDeletionTimes::Report } else { InvalidDeletionTimes::Error } };
    let mut exporter = JsonExporter::new(out, options)?;
    for data in data_files(&args.path)? {
        let sstable = SSTable::open(&data)?;
        let mut reader = PartitionReader::open_with(&sstable, decode)?;
        exporter.write_sstable(&mut reader)?;
    }
    Ok(exporter.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixture under `shared/fixtures/sstables` (or `$KSBULK_FIXTURES`).
    fn fixture(rel: &str) -> std::path::PathBuf {
        match std::env::var_os("KSBULK_FIXTURES") {
            Some(root) => std::path::PathBuf::from(root).join(rel),
            None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/sstables").join(rel),
        }
    }

    fn args(path: std::path::PathBuf) -> DumpArgs {
        DumpArgs {
            path,
            keys: vec![],
            exclude_keys: vec![],
            keys_only: false,
            lines: false,
            raw_timestamps: true,
            tombstones_only: false,
            allow_invalid_deletion_times: false,
        }
    }

    #[test]
    fn dumps_a_fixture_directory_and_filters_keys() {
        let dir = fixture("cassandra/legacy/nb/legacy_tables/legacy_nb_simple");
        let mut out = Vec::new();
        let summary = dump_to(&args(dir.clone()), &mut out).unwrap();
        assert_eq!(summary.partitions, 5);
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(doc[0]["partition"]["key"][0], "0");
        assert_eq!(doc[0]["rows"][0]["cells"][0]["name"], "val");
        assert_eq!(doc[0]["rows"][0]["cells"][0]["value"], "foo bar baz");

        let mut a = args(dir);
        a.keys = vec!["3".into()];
        a.lines = true;
        let mut out = Vec::new();
        assert_eq!(dump_to(&a, &mut out).unwrap().partitions, 1);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1);
        let line: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(line["partition"]["key"][0], "3");
    }

    #[test]
    fn counters_show_their_value_and_negative_times_stop_the_dump() {
        let mut out = Vec::new();
        dump_to(&args(fixture("cassandra/legacy/oa/legacy_tables/legacy_oa_clust_counter")), &mut out).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(doc[0]["rows"][0]["cells"][0]["value"], 1);

        let dir = fixture("cassandra/negative-local-expiration/table1");
        let err = dump_to(&args(dir.clone()), &mut Vec::new()).unwrap_err();
        assert!(format!("{err:#}").contains("invalid (negative) local deletion time"), "{err:#}");
        let mut a = args(dir);
        a.allow_invalid_deletion_times = true;
        assert_eq!(dump_to(&a, &mut Vec::new()).unwrap().partitions, 2);
    }
}
