//! Checkpoint atomicity (failure between every step of a save), resume validation on real
//! fixture copies, and counter safety.

use std::path::{Path, PathBuf};

use super::atomic::{write_atomic_steps, Step};
use super::*;
use crate::plan::manifest::{ComponentRecord, Estimate, PlanOptions, SSTableRecord, TablePlan, ToolInfo};
use crate::source::{LocalStore, Origin};
use crate::test_fixtures::copy_sstable;

/// A manifest of one table with one SSTable (the files in `dir`) and two units.
fn manifest_for(dir: &Path, prefix: &str, counter: bool, with_digest: bool) -> Manifest {
    let mut components = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().strip_prefix(prefix).unwrap().to_string();
        components.push(ComponentRecord { size: std::fs::metadata(&p).unwrap().len(), path: p.display().to_string(), name });
    }
    components.sort_by(|a, b| a.name.cmp(&b.name));
    let data_path = dir.join(format!("{prefix}Data.db"));
    let digest = if with_digest {
        DigestRecord::Crc32 { value: read_digest(&LocalStore, &dir.join(format!("{prefix}Digest.crc32"))).unwrap() }
    } else {
        let meta = LocalStore.stat(&data_path).unwrap();
        DigestRecord::SizeMtime { size: meta.size, mtime_ms: meta.mtime_ms }
    };
    let unit = |id: u32, start: &str, end: &str| WorkUnit {
        id,
        start: start.into(),
        end: end.into(),
        sstables: vec![0],
        estimate: Estimate::default(),
        status: UnitStatus::Pending,
        low_watermark: None,
        writes_started: false,
    };
    Manifest {
        format: MANIFEST_FORMAT,
        tool: ToolInfo::current(),
        created_at_ms: 1,
        options: PlanOptions::default(),
        estimate: Estimate::default(),
        tables: vec![TablePlan {
            keyspace: "ks".into(),
            table: "t".into(),
            id: None,
            schema: None,
            partitioner: "org.apache.cassandra.dht.Murmur3Partitioner".into(),
            counter,
            nodes: vec![],
            snapshot_time: None,
            sstables: vec![SSTableRecord {
                id: 0,
                store: "local".into(),
                node: "n".into(),
                origin: Origin::Live,
                data_size: std::fs::metadata(&data_path).unwrap().len(),
                data_path: data_path.display().to_string(),
                version: "nb".into(),
                generation: "1".into(),
                components,
                digest,
                first_token: None,
                last_token: None,
                estimated_partitions: 0,
                estimated_rows: 0,
                uncompressed_size: 0,
                min_timestamp: 0,
                max_timestamp: 0,
                has_ttls: false,
            }],
            units: vec![unit(0, "-9223372036854775808", "0"), unit(1, "0", "9223372036854775807")],
            estimate: Estimate::default(),
        }],
    }
}

fn fixture(tmp: &Path) -> PathBuf {
    let dir = tmp.join("sst");
    copy_sstable("cassandra/negative-ldts-invalid-deletions/invalid_range_tombstone_reader", &dir, "nb-1-big-");
    dir
}

/// A checkpoint of the fixture SSTable's manifest (a counter table's if `counter`), created
/// at `plan.json` in `tmp`; with the manifest's path and the fixture's directory.
fn created(tmp: &Path, counter: bool) -> (PathBuf, PathBuf, Checkpoint) {
    let dir = fixture(tmp);
    let path = tmp.join("plan.json");
    let cp = Checkpoint::create(&path, manifest_for(&dir, "nb-1-big-", counter, true)).unwrap();
    (path, dir, cp)
}

#[test]
fn a_crash_between_any_two_steps_leaves_the_old_or_the_new_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixture(tmp.path());
    let path = tmp.path().join("plan.json");
    let old = manifest_for(&dir, "nb-1-big-", false, true);
    Checkpoint::create(&path, old.clone()).unwrap();
    let mut new = old.clone();
    new.tables[0].units[0].status = UnitStatus::Done;
    new.tables[0].units[1].low_watermark = Some(Watermark { token: "42".into(), key_hex: "00000016".into() });
    let new_json = serde_json::to_vec_pretty(&new).unwrap();
    for crash_after in [Step::TempPartlyWritten, Step::TempWritten, Step::TempSynced, Step::Renamed] {
        Checkpoint::create(&path, old.clone()).unwrap();
        let err = write_atomic_steps(&path, &new_json, &mut |step| {
            if step == crash_after {
                Err(std::io::Error::other("killed"))
            } else {
                Ok(())
            }
        });
        assert!(err.is_err());
        let loaded = Checkpoint::load(&path).unwrap().manifest;
        let expected = if crash_after == Step::Renamed { &new } else { &old };
        assert_eq!(&loaded, expected, "crash after {crash_after:?}");
    }
    // A later save goes through despite the temp file left by the crash.
    Checkpoint::create(&path, new.clone()).unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap().manifest, new);
}

#[test]
fn resume_refuses_when_a_source_changed_and_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, dir, _) = created(tmp.path(), false);
    let cp = Checkpoint::load(&path).unwrap();
    cp.validate_sources(&LocalStore).unwrap();

    // Data.db grew.
    let data = dir.join("nb-1-big-Data.db");
    let original = std::fs::read(&data).unwrap();
    std::fs::write(&data, [&original[..], b"x"].concat()).unwrap();
    let err = cp.validate_sources(&LocalStore).unwrap_err();
    assert!(matches!(&err, CheckpointError::SourceChanged { file, .. } if file.ends_with("nb-1-big-Data.db")), "{err}");
    assert!(err.to_string().contains("size was"), "{err}");
    std::fs::write(&data, &original).unwrap();
    cp.validate_sources(&LocalStore).unwrap();

    // Same size, different content: the digest says so.
    let digest = dir.join("nb-1-big-Digest.crc32");
    let text = std::fs::read_to_string(&digest).unwrap();
    let first = text.chars().next().unwrap();
    let other = if first == '1' { '2' } else { '1' };
    std::fs::write(&digest, format!("{other}{}", &text[1..])).unwrap();
    let err = cp.validate_sources(&LocalStore).unwrap_err();
    assert!(err.to_string().contains("nb-1-big-Data.db: Digest.crc32 was"), "{err}");
    std::fs::write(&digest, &text).unwrap();

    // A component gone.
    std::fs::remove_file(dir.join("nb-1-big-Index.db")).unwrap();
    let err = cp.validate_sources(&LocalStore).unwrap_err();
    assert!(err.to_string().contains("nb-1-big-Index.db: cannot be read now"), "{err}");
}

#[test]
fn without_a_digest_size_and_mtime_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixture(tmp.path());
    let cp = Checkpoint::create(tmp.path().join("p.json"), manifest_for(&dir, "nb-1-big-", false, false)).unwrap();
    cp.validate_sources(&LocalStore).unwrap();
    let data = dir.join("nb-1-big-Data.db");
    let f = std::fs::File::options().write(true).open(&data).unwrap();
    f.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000)).unwrap();
    let err = cp.validate_sources(&LocalStore).unwrap_err();
    assert!(err.to_string().contains("size/mtime were"), "{err}");
}

#[test]
fn resume_continues_after_the_low_watermark() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, _, mut cp) = created(tmp.path(), false);
    assert_eq!(cp.begin_unit(0, 0).unwrap(), ResumeFrom::Start);
    assert!(cp.mark_writes_started(0, 0).unwrap().is_none(), "no save needed before writes of a regular table");
    let w = Watermark { token: "-5".into(), key_hex: "0001".into() };
    cp.advance(0, 0, w.clone()).unwrap();
    cp.snapshot_if_due(Duration::ZERO).unwrap().expect("a change is due").write().unwrap();
    assert!(cp.snapshot_if_due(Duration::ZERO).unwrap().is_none(), "nothing changed since");
    cp.begin_unit(0, 1).unwrap();
    cp.finish_unit(0, 1).unwrap();
    cp.save().unwrap();
    // "Killed" here: load again.
    let mut again = Checkpoint::load(&path).unwrap();
    assert_eq!(again.begin_unit(0, 0).unwrap(), ResumeFrom::After(w));
    assert_eq!(again.begin_unit(0, 1).unwrap(), ResumeFrom::Done);
    assert!(matches!(again.begin_unit(0, 5), Err(CheckpointError::NoSuchUnit { .. })));
    again.fail_unit(0, 0, "boom".into()).unwrap();
    assert_eq!(again.manifest.tables[0].units[0].status, UnitStatus::Failed { error: "boom".into() });
}

#[test]
fn an_older_snapshot_written_late_does_not_overwrite_a_newer_one() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, _, mut cp) = created(tmp.path(), false);
    cp.begin_unit(0, 0).unwrap();
    let older = cp.snapshot().unwrap();
    let w = Watermark { token: "-5".into(), key_hex: "0001".into() };
    cp.advance(0, 0, w.clone()).unwrap();
    let newer = cp.snapshot().unwrap();
    newer.write().unwrap();
    older.write().unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap().begin_unit(0, 0).unwrap(), ResumeFrom::After(w), "the newer watermark stays");
}

#[test]
fn a_failed_write_is_retried_at_the_next_due_save() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, _, mut cp) = created(tmp.path(), false);
    cp.begin_unit(0, 0).unwrap();
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap(); // the rename over it fails
    assert!(cp.snapshot().unwrap().write().is_err());
    std::fs::remove_dir(&path).unwrap();
    let again = cp.snapshot_if_due(Duration::ZERO).unwrap().expect("nothing changed, but the last write failed");
    again.write().unwrap();
    assert!(cp.snapshot_if_due(Duration::ZERO).unwrap().is_none());
    assert_eq!(Checkpoint::load(&path).unwrap().manifest.tables[0].units[0].status, UnitStatus::Running);
}

#[test]
fn a_partly_written_counter_unit_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, _, mut cp) = created(tmp.path(), true);
    cp.begin_unit(0, 0).unwrap();
    // Not yet written anything: a restart may start it again.
    assert_eq!(Checkpoint::load(&path).unwrap().begin_unit(0, 0).unwrap(), ResumeFrom::Start);
    cp.mark_writes_started(0, 0).unwrap().expect("a counter unit is saved before its writes").write().unwrap();
    drop(cp); // killed
    let mut again = Checkpoint::load(&path).unwrap();
    let err = again.begin_unit(0, 0).unwrap_err();
    assert!(matches!(err, CheckpointError::CounterUnitPartlyApplied { unit: 0, .. }));
    let msg = err.to_string();
    assert!(msg.contains("ks.t unit 0 (-9223372036854775808, 0]") && msg.contains("not idempotent"), "{msg}");
    // The other unit is untouched and may run.
    assert_eq!(again.begin_unit(0, 1).unwrap(), ResumeFrom::Start);
}

#[test]
fn load_rejects_other_formats_and_garbage() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("m.json");
    std::fs::write(&path, r#"{"format": 99}"#).unwrap();
    assert!(matches!(Checkpoint::load(&path), Err(CheckpointError::Format { found: 99, .. })));
    std::fs::write(&path, "{ torn").unwrap();
    let err = Checkpoint::load(&path).unwrap_err();
    assert!(err.to_string().contains("not a ksbulk manifest"), "{err}");
    assert!(matches!(Checkpoint::load(tmp.path().join("missing.json")), Err(CheckpointError::Io { .. })));
}
