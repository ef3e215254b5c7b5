//! Plans over the real fixtures: units cover the ring without gap or overlap, estimates
//! match the fixtures' counts, and the manifest survives a save and load.

use std::path::Path;
use std::sync::Arc;

use sstable_reader::Partitioner;

use super::manifest::{PlanOptions, TablePlan};
use super::*;
use crate::checkpoint::Checkpoint;
use crate::source::{discover, DiscoverOptions, LocalStore, Source};
use crate::test_fixtures::{copy_sstable, schema_cql, ID_A};

const NEGATIVE: [&str; 4] = [
    "cassandra/negative-ldts-invalid-deletions/invalid_partition_deletion",
    "cassandra/negative-ldts-invalid-deletions/invalid_range_tombstone_compaction",
    "cassandra/negative-ldts-invalid-deletions/invalid_range_tombstone_reader",
    "cassandra/negative-ldts-invalid-deletions/invalid_tombstones",
];

/// The four Murmur3 fixtures of one schema as four SSTables of one table, plus a snapshot
/// schema.cql and manifest.
fn murmur3_table(root: &Path) -> std::path::PathBuf {
    let table = root.join("data/ks/t").with_file_name(format!("t-{ID_A}"));
    for (n, rel) in NEGATIVE.iter().enumerate() {
        let version = if rel.contains("invalid_range") { "nb" } else { "nc" };
        copy_sstable(rel, &table, &format!("{version}-{}-big-", n + 1));
    }
    let snap = table.join("snapshots/s1");
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::write(snap.join("schema.cql"), schema_cql("ks", "t", ID_A)).unwrap();
    std::fs::write(snap.join("manifest.json"), r#"{"files":[],"created_at":"2026-11-25T10:00:00.123Z"}"#).unwrap();
    root.join("data")
}

fn plan_of(root: &Path, units: Option<u32>, replicas: Option<u32>) -> Manifest {
    let sources = vec![Source { store: Arc::new(LocalStore), root: root.to_path_buf() }];
    let discovery = discover(&sources, &DiscoverOptions::default()).unwrap();
    let options = PlanOptions { unit_bytes: DEFAULT_UNIT_BYTES, units, ..Default::default() };
    make_plan(&sources, &discovery, &options, replicas).unwrap_or_else(|e| panic!("{e}"))
}

/// Units are in ring order, start at the minimum token, end at the maximum, and each starts
/// where the previous ended.
fn assert_covers_ring(t: &TablePlan) {
    let p = t.partitioner().unwrap();
    let ranges: Vec<_> = t.units.iter().map(|u| u.range(p).expect("tokens parse")).collect();
    assert_eq!(ranges[0].start, p.min_token(), "first unit starts the ring");
    assert_eq!(Some(ranges.last().unwrap().end.clone()), p.max_token(), "last unit ends the ring");
    for w in ranges.windows(2) {
        assert_eq!(w[0].end, w[1].start, "no gap or overlap between {} and {}", w[0], w[1]);
        assert!(w[0].start < w[0].end, "{} is not empty and not wrapping", w[0]);
    }
    for (n, u) in t.units.iter().enumerate() {
        assert_eq!(u.id as usize, n);
    }
}

#[test]
fn units_cover_the_murmur3_ring_and_estimates_match_the_fixtures() {
    let tmp = tempfile::tempdir().unwrap();
    let data = murmur3_table(tmp.path());
    let m = plan_of(&data, Some(8), None);
    assert_eq!(m.tables.len(), 1);
    let t = &m.tables[0];
    assert_eq!(t.partitioner, Partitioner::Murmur3.class_name());
    assert_eq!(t.sstables.len(), 4);
    assert!(!t.counter);
    assert!(t.schema.as_ref().unwrap().path.ends_with("snapshots/s1/schema.cql"));
    assert!(t.units.len() <= 8 && !t.units.is_empty(), "{} units", t.units.len());
    assert_covers_ring(t);

    // The first three fixtures hold partitions 1, 0 and 22; `invalid_range_tombstone_reader`
    // (generation 3 here) only the wide partition 22 with 100 rows (SOURCES.md §3).
    for s in &t.sstables {
        let expected = if s.generation == "3" { 1 } else { 3 };
        assert_eq!(s.estimated_partitions, expected, "{}", s.data_path);
        assert!(s.first_token.is_some() && s.last_token.is_some());
        assert!(matches!(s.digest, super::manifest::DigestRecord::Crc32 { .. }));
    }
    let wide = t.sstables.iter().find(|s| s.generation == "3").unwrap();
    assert_eq!(wide.estimated_rows, 100, "the 100 rows of partition 22");
    assert_eq!(wide.first_token, wide.last_token);

    // The bytes and rows of the units add up to the SSTables' (to rounding).
    let data_bytes: u64 = t.sstables.iter().map(|s| s.data_size).sum();
    let unit_bytes: u64 = t.units.iter().map(|u| u.estimate.bytes).sum();
    assert!(unit_bytes.abs_diff(data_bytes) <= t.units.len() as u64, "{unit_bytes} vs {data_bytes}");
    let rows: u64 = t.sstables.iter().map(|s| s.estimated_rows).sum();
    let unit_rows: u64 = t.units.iter().map(|u| u.estimate.rows).sum();
    assert!(unit_rows.abs_diff(rows) <= t.units.len() as u64, "{unit_rows} vs {rows}");
    assert_eq!(t.estimate.bytes, unit_bytes);
    assert_eq!(m.estimate, t.estimate);
    // One node: distinct rows = rows read; small rows: 1 write unit each.
    assert_eq!(t.estimate.write_units, t.units.iter().map(|u| u.estimate.rows).sum::<u64>());

    // Every SSTable is listed by the units its span overlaps, and only those.
    for u in &t.units {
        let range = u.range(Partitioner::Murmur3).unwrap();
        for s in &t.sstables {
            let first = Partitioner::Murmur3.parse_token(s.first_token.as_ref().unwrap()).unwrap();
            let last = Partitioner::Murmur3.parse_token(s.last_token.as_ref().unwrap()).unwrap();
            let overlaps = last > range.start && first <= range.end;
            assert_eq!(u.sstables.contains(&s.id), overlaps, "unit {} sstable {}", range, s.id);
        }
    }
    // Live SSTables: T is their newest write.
    let ts = t.snapshot_time.as_ref().unwrap();
    assert_eq!(ts.from, "max timestamp of the SSTables");
    assert_eq!(ts.micros, t.sstables.iter().map(|s| s.max_timestamp).max().unwrap());
}

#[test]
fn a_snapshot_takes_its_time_from_its_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let data = murmur3_table(tmp.path());
    let snap = data.join(format!("ks/t-{ID_A}/snapshots/s1"));
    copy_sstable(NEGATIVE[0], &snap, "nc-1-big-");
    let t = plan_of(&snap, None, None).tables.remove(0);
    assert_eq!(t.sstables.len(), 1);
    let ts = t.snapshot_time.as_ref().unwrap();
    assert_eq!(ts.from, "snapshot manifest created_at");
    assert_eq!(ts.micros, parse_rfc3339_micros("2026-11-25T10:00:00.123Z").unwrap());
}

#[test]
fn the_wide_partition_makes_its_unit_the_heaviest() {
    let tmp = tempfile::tempdir().unwrap();
    let data = murmur3_table(tmp.path());
    let m = plan_of(&data, Some(4), None);
    let t = &m.tables[0];
    // Partition 22 holds almost all bytes: the unit holding its token has most of them.
    let token22 = Partitioner::Murmur3.token(&22i32.to_be_bytes());
    let heavy = t.units.iter().max_by_key(|u| u.estimate.bytes).unwrap();
    assert!(heavy.range(Partitioner::Murmur3).unwrap().contains(&token22), "{heavy:?}");
}

#[test]
fn replicas_divide_the_write_units_and_nodes_are_counted() {
    let tmp = tempfile::tempdir().unwrap();
    for node in ["n1", "n2", "n3"] {
        let t = tmp.path().join(node).join(format!("ks/t-{ID_A}"));
        copy_sstable(NEGATIVE[2], &t, "nb-1-big-");
    }
    let m = plan_of(tmp.path(), Some(2), None);
    let t = &m.tables[0];
    assert_eq!(t.nodes.len(), 3);
    assert_eq!(t.sstables.len(), 3);
    let rows: u64 = t.units.iter().map(|u| u.estimate.rows).sum();
    let wu: u64 = t.units.iter().map(|u| u.estimate.write_units).sum();
    assert!(wu.abs_diff(rows.div_ceil(3)) <= 2, "{wu} write units for {rows} rows on 3 replicas");
    let one = plan_of(tmp.path(), Some(2), Some(1));
    let wu1: u64 = one.tables[0].units.iter().map(|u| u.estimate.write_units).sum();
    assert!(wu1.abs_diff(rows) <= 2);
    // Without a schema.cql or snapshot manifest, T is the newest write.
    let ts = t.snapshot_time.as_ref().unwrap();
    assert_eq!(ts.from, "max timestamp of the SSTables");
    assert!(ts.micros > 1_500_000_000_000_000, "{}", ts.micros);
}

#[test]
fn default_unit_size_gives_one_unit_for_small_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let data = murmur3_table(tmp.path());
    let t = plan_of(&data, None, None).tables.remove(0);
    assert_eq!(t.units.len(), 1);
    assert_covers_ring(&t);
    assert_eq!(t.units[0].sstables.len(), 4);
}

#[test]
fn byte_ordered_legacy_tables_get_one_whole_ring_unit() {
    let root = crate::test_fixtures::root().join("cassandra/legacy/oa");
    let m = plan_of(&root, Some(8), None);
    assert_eq!(m.tables.len(), 4);
    for t in &m.tables {
        assert_eq!(t.partitioner, Partitioner::ByteOrdered.class_name());
        assert_eq!(t.units.len(), 1, "{}", t.name());
        let r = t.units[0].range(Partitioner::ByteOrdered).unwrap();
        assert_eq!(r, Partitioner::ByteOrdered.full_ring());
        assert_eq!(t.units[0].sstables, [0]);
    }
    let counters: Vec<&str> = m.tables.iter().filter(|t| t.counter).map(|t| t.table.as_str()).collect();
    assert_eq!(counters, ["legacy_oa_clust_counter", "legacy_oa_simple_counter"], "found from the serialization header");
    let clust = m.tables.iter().find(|t| t.table == "legacy_oa_clust").unwrap();
    // 5 partitions × 50 rows (SOURCES.md §1).
    assert_eq!(clust.sstables[0].estimated_partitions, 5);
    assert_eq!(clust.sstables[0].estimated_rows, 250);
    assert_eq!(clust.estimate.rows, 250);
    // 1.2 KB clustering + 128-char value: rows over 1 KB cost 2 write units each.
    assert_eq!(clust.estimate.write_units, 500);
}

#[test]
fn manifest_round_trips_through_a_checkpoint_and_the_report_reads_well() {
    let tmp = tempfile::tempdir().unwrap();
    let data = murmur3_table(tmp.path());
    let m = plan_of(&data, Some(3), None);
    let path = tmp.path().join("plan.json");
    Checkpoint::create(&path, m.clone()).unwrap();
    let loaded = Checkpoint::load(&path).unwrap();
    assert_eq!(loaded.manifest, m);
    loaded.validate_sources(&LocalStore).unwrap();
    let report = m.estimate_report();
    assert!(report.starts_with("ks.t: 4 SSTables on 1 node(s), "), "{report}");
    assert!(report.contains("snapshot time T = "), "{report}");
    // Tokens are text in the JSON.
    let json = std::fs::read_to_string(&path).unwrap();
    assert!(json.contains("\"start\": \"-9223372036854775808\""), "{json}");
}

#[test]
fn problems_and_empty_sources_refuse_to_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let sources = vec![Source { store: Arc::new(LocalStore), root: tmp.path().to_path_buf() }];
    let d = discover(&sources, &DiscoverOptions::default()).unwrap();
    let err = make_plan(&sources, &d, &PlanOptions::default(), None).unwrap_err();
    assert!(matches!(err, PlanError::NothingFound(_)), "{err}");
    let t = tmp.path().join(format!("ks/t-{ID_A}"));
    copy_sstable(NEGATIVE[0], &t, "nc-1-big-");
    // A corrupt Statistics.db: the error names the file.
    let stats = t.join("nc-1-big-Statistics.db");
    let len = std::fs::metadata(&stats).unwrap().len();
    std::fs::write(&stats, vec![0xffu8; len as usize]).unwrap();
    let d = discover(&sources, &DiscoverOptions::default()).unwrap();
    let err = make_plan(&sources, &d, &PlanOptions::default(), None).unwrap_err();
    assert!(err.to_string().contains("nc-1-big-Statistics.db"), "{err}");
    std::fs::write(t.join("zz-9-big-Data.db"), b"").unwrap();
    let d = discover(&sources, &DiscoverOptions::default()).unwrap();
    assert!(matches!(make_plan(&sources, &d, &PlanOptions::default(), None), Err(PlanError::Problems(_))));
}

#[test]
fn rfc3339_parsing() {
    assert_eq!(parse_rfc3339_micros("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(parse_rfc3339_micros("2000-03-01T00:00:01.5Z"), Some(951_868_801_500_000));
    assert_eq!(parse_rfc3339_micros("2026-11-25T10:00:00.123456789Z"), Some(1_795_600_800_123_456));
    assert_eq!(parse_rfc3339_micros("2026-13-25T10:00:00Z"), None);
    assert_eq!(parse_rfc3339_micros("yesterday"), None);
}
