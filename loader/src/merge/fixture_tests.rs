//! The merge on real SSTables: the fixtures in `shared/fixtures/sstables` (written by
//! Cassandra 3.0 – 5.0), merged with themselves and with each other.

use std::path::{Path, PathBuf};
use std::time::Instant;

use bytes::Bytes;
use sstable_reader::data::PartitionReader;
use sstable_reader::{SSTable, Token, TokenRange};

use super::counter::{context_total, parse_context, ShardKind};
use super::*;

fn fixtures() -> PathBuf {
    let dir = std::env::var_os("KSBULK_FIXTURES").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/sstables"));
    assert!(dir.join("SOURCES.md").is_file(), "SSTable fixtures not found at {} (set KSBULK_FIXTURES)", dir.display());
    dir
}

fn data_path(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).find(|p| p.to_string_lossy().ends_with("-Data.db")).unwrap()
}

/// Every legacy table directory: (version, table name, dir).
fn legacy_tables() -> Vec<(String, String, PathBuf)> {
    let root = fixtures().join("cassandra/legacy");
    let mut out = Vec::new();
    for v in std::fs::read_dir(&root).unwrap() {
        let v = v.unwrap().path();
        for t in std::fs::read_dir(v.join("legacy_tables")).unwrap() {
            let t = t.unwrap().path();
            out.push((v.file_name().unwrap().to_string_lossy().into_owned(), t.file_name().unwrap().to_string_lossy().into_owned(), t));
        }
    }
    out.sort();
    assert!(out.len() >= 60, "expected the legacy fixture tables, found {}", out.len());
    out
}

type Output = Vec<(MergedPartition, Vec<MergedUnfiltered>)>;

fn merge_dirs(dirs: &[&Path], range: Option<TokenRange>) -> (Output, MergeStats) {
    let sstables: Vec<SSTable> = dirs.iter().map(|d| SSTable::open(data_path(d)).unwrap()).collect();
    let unit: Vec<(&SSTable, Option<u64>)> = sstables.iter().map(|s| (s, None)).collect();
    let mut merger = open_unit(&unit, range, MergeOptions { now: 1_700_000_000, ..MergeOptions::default() }).unwrap();
    let mut out = Vec::new();
    while let Some(p) = merger.next_partition_collected(1_000_000).unwrap() {
        out.push(p);
    }
    (out, merger.into_stats())
}

#[test]
fn sstables_of_different_tables_are_refused() {
    let legacy = fixtures().join("cassandra/legacy/oa/legacy_tables");
    let a = SSTable::open(data_path(&legacy.join("legacy_oa_clust"))).unwrap();
    let b = SSTable::open(data_path(&legacy.join("legacy_oa_simple"))).unwrap();
    let err = open_unit(&[(&a, None), (&b, None)], None, MergeOptions::default()).err().unwrap();
    assert!(matches!(err, MergeError::Mismatch { .. }), "{err}");
    let c = SSTable::open(data_path(&fixtures().join("cassandra/negative-local-expiration/table2"))).unwrap();
    assert!(matches!(open_unit(&[(&a, None), (&c, None)], None, MergeOptions::default()), Err(MergeError::Mismatch { .. })));
}

fn row_count(out: &Output) -> usize {
    out.iter().map(|(p, rows)| p.static_row.is_some() as usize + rows.iter().filter(|u| matches!(u, MergedUnfiltered::Row(_))).count()).sum()
}

fn rows(out: &Output) -> impl Iterator<Item = (&MergedPartition, &MergedRow)> {
    out.iter().flat_map(|(p, items)| {
        p.static_row.iter().map(move |r| (p, r)).chain(items.iter().filter_map(move |u| match u {
            MergedUnfiltered::Row(r) => Some((p, r)),
            MergedUnfiltered::RangeTombstone(_) => None,
        }))
    })
}

#[test]
fn every_legacy_table_merged_with_itself_three_times_gives_each_row_once() {
    for (version, table, dir) in legacy_tables() {
        if table.ends_with("inaccurate_min_max") {
            continue; // its own test below
        }
        let (single, single_stats) = merge_dirs(&[&dir], None);
        let (triple, stats) = merge_dirs(&[&dir, &dir, &dir], None);
        let expected_rows = if table.contains("clust") { 250 } else { 5 };
        assert_eq!(row_count(&single), expected_rows, "{version} {table}");
        assert_eq!(single.len(), 5, "{version} {table}");
        assert_eq!(stats.rows_read(), 3 * single_stats.rows_read(), "{version} {table}");
        assert_eq!(stats.rows_merged_away, 2 * expected_rows as u64, "{version} {table}");
        assert_eq!(stats.rows, expected_rows as u64, "{version} {table}");
        if table.contains("counter") {
            // Copies of a global shard merge to one (the total stays 1, not 3). A few 3.0
            // compact tables hold a local shard instead: a pre-2.1-style delta, which
            // Cassandra sums when merging, as the merge does.
            for ((_, once), (_, thrice)) in rows(&single).zip(rows(&triple)) {
                let counter = |r: &MergedRow| r.cells.iter().find(|c| c.column.is_counter()).unwrap().value.clone();
                let shards = parse_context(&counter(once)).unwrap();
                let copies = if shards.iter().all(|s| s.kind == ShardKind::Global) { 1 } else { 3 };
                assert_eq!(context_total(&counter(thrice)).unwrap(), copies, "{version} {table}");
            }
            assert_eq!(triple.len(), single.len());
        } else {
            assert_eq!(triple, single.iter().map(|(p, r)| (MergedPartition { sources: 3, ..p.clone() }, r.clone())).collect::<Vec<_>>(), "{version} {table}");
            assert_eq!(stats.cells_shadowed, 2 * single.iter().flat_map(|(p, r)| p.static_row.iter().map(|s| s.cells.len()).chain(r.iter().map(|u| match u {
                MergedUnfiltered::Row(r) => r.cells.len(),
                MergedUnfiltered::RangeTombstone(_) => 0,
            }))).sum::<usize>() as u64, "{version} {table}");
        }
    }
}

#[test]
fn clust_tables_of_every_version_merge_last_write_wins() {
    let dirs: Vec<PathBuf> = legacy_tables().into_iter().filter(|(_, t, _)| t.ends_with("_clust")).map(|(_, _, d)| d).collect();
    assert!(dirs.len() >= 10);
    // The expected winner per row: the highest-timestamp `val` of any single file.
    let mut expected = std::collections::BTreeMap::new();
    for d in &dirs {
        let (out, _) = merge_dirs(&[d], None);
        for (p, row) in rows(&out) {
            let cell = row.cells_of("val").next().unwrap().clone();
            let k = (p.key.clone(), row.clustering.clone());
            let e = expected.entry(k).or_insert_with(|| cell.clone());
            if (cell.timestamp, &cell.value) > (e.timestamp, &e.value) {
                *e = cell;
            }
        }
    }
    let refs: Vec<&Path> = dirs.iter().map(|d| d.as_path()).collect();
    let started = Instant::now();
    let (out, stats) = merge_dirs(&refs, None);
    let elapsed = started.elapsed();
    assert_eq!(row_count(&out), 250);
    assert_eq!(stats.rows_read(), 250 * dirs.len() as u64);
    assert_eq!(stats.rows_merged_away, 250 * (dirs.len() as u64 - 1));
    for (p, row) in rows(&out) {
        let got = row.cells_of("val").next().unwrap();
        let want = &expected[&(p.key.clone(), row.clustering.clone())];
        assert_eq!((got.timestamp, &got.value), (want.timestamp, &want.value));
    }
    eprintln!("merged {} SSTables: {} rows read in {:?} ({:.0} rows/s)", dirs.len(), stats.rows_read(), elapsed, stats.rows_read() as f64 / elapsed.as_secs_f64());
}

#[test]
fn range_tombstone_of_inaccurate_min_max_comes_out() {
    let dir = fixtures().join("cassandra/legacy/mc/legacy_tables/legacy_mc_inaccurate_min_max");
    let (out, stats) = merge_dirs(&[&dir, &dir], None);
    let k100 = out.iter().find(|(p, _)| p.key[..] == 100i32.to_be_bytes()).expect("partition 100");
    let rts: Vec<&RangeTombstone> = k100.1.iter().filter_map(|u| match u {
        MergedUnfiltered::RangeTombstone(rt) => Some(rt),
        MergedUnfiltered::Row(_) => None,
    }).collect();
    assert_eq!(rts.len(), 1, "{:?}", k100.1);
    let rt = rts[0];
    // DELETE ... WHERE k = 100 AND c1 < 3: from the start of the partition to c1 = 3 excluded.
    assert!(rt.start.clustering.is_empty() && rt.start.inclusive, "{rt:?}");
    assert_eq!(rt.end.clustering, vec![Some(Bytes::copy_from_slice(&3i32.to_be_bytes()))]);
    assert!(!rt.end.inclusive);
    let row = k100.1.iter().find_map(|u| match u {
        MergedUnfiltered::Row(r) => Some(r),
        MergedUnfiltered::RangeTombstone(_) => None,
    });
    let four = Some(Bytes::copy_from_slice(&4i32.to_be_bytes()));
    assert_eq!(row.map(|r| r.clustering.clone()), Some(vec![four.clone(), four.clone(), four]));
    assert_eq!(stats.range_tombstones, 1);
    assert_eq!(stats.sources.iter().map(|s| s.markers).sum::<u64>(), 4);
}

#[test]
fn token_range_keeps_only_its_partitions() {
    let dir = fixtures().join("cassandra/legacy/oa/legacy_tables/legacy_oa_simple");
    let bo = |s: &str| Token::ByteOrdered(Bytes::copy_from_slice(s.as_bytes()));
    let (out, stats) = merge_dirs(&[&dir, &dir], Some(TokenRange::new(bo("1"), bo("3"))));
    assert_eq!(out.iter().map(|(p, _)| p.key.clone()).collect::<Vec<_>>(), vec![Bytes::from_static(b"2"), Bytes::from_static(b"3")]);
    assert_eq!(stats.sources[0].partitions, 2);
}

#[test]
fn negative_deletion_times_stop_the_merge_naming_the_file() {
    let dir = fixtures().join("cassandra/negative-local-expiration/table1");
    let sstable = SSTable::open(data_path(&dir)).unwrap();
    // Opening works; decoding the overflowed times fails, and the merge passes the error on.
    assert!(PartitionReader::open(&sstable).is_ok());
    let mut registry = ColumnRegistry::default();
    let source = SSTableSource::open(&sstable, None, None, &mut registry).unwrap();
    let comparator = ClusteringComparator::new(source.header().clustering_types.clone());
    let mut merger = PartitionMerger::new(vec![source], comparator, MergeOptions::default());
    let err = loop {
        match merger.next_partition() {
            Err(e) => break e,
            Ok(None) => panic!("the overflowed TTLs were not reported"),
            Ok(Some(_)) => {
                if let Err(e) = (|| -> Result<(), MergeError> {
                    while merger.next_unfiltered()?.is_some() {}
                    Ok(())
                })() {
                    break e;
                }
            }
        }
    };
    let text = err.to_string();
    assert!(text.contains("mc-1-big-Data.db"), "{text}");
}
