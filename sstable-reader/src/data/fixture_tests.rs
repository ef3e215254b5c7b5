//! The real SSTables of `shared/fixtures/sstables` decode to the contents SOURCES.md states.

use std::path::Path;

use super::*;
use crate::test_fixtures::{data_path, dir, sstable_dirs};
use crate::{ErrorKind, SSTable};

struct Decoded {
    key: bytes::Bytes,
    deletion: Option<DeletionTime>,
    static_row: Option<Row>,
    unfiltereds: Vec<Unfiltered>,
}

fn decode_with(dir: &Path, options: DecodeOptions) -> crate::Result<Vec<Decoded>> {
    let sstable = SSTable::open(data_path(dir))?;
    let mut reader = PartitionReader::open_with(&sstable, options)?;
    let mut out = Vec::new();
    while let Some(p) = reader.next_partition()? {
        let mut unfiltereds = Vec::new();
        while let Some(u) = reader.next_unfiltered()? {
            if let Unfiltered::Row(row) = &u {
                for item in row.items() {
                    item?;
                }
            }
            unfiltereds.push(u);
        }
        out.push(Decoded { key: p.key, deletion: p.deletion, static_row: p.static_row, unfiltereds });
    }
    Ok(out)
}

fn decode(dir: &Path) -> Vec<Decoded> {
    decode_with(dir, DecodeOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

fn rows(p: &Decoded) -> Vec<&Row> {
    p.unfiltereds.iter().filter_map(|u| if let Unfiltered::Row(r) = u { Some(r) } else { None }).collect()
}

/// (column name, value) of every cell of a row.
fn cells(row: &Row) -> Vec<(String, Vec<u8>)> {
    row.cells().map(|c| c.unwrap()).map(|c| (row.column_specs()[c.column].name_str(), c.value.to_vec())).collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

const LEGACY_VERSIONS: [&str; 10] = ["ma", "mb", "mc", "md", "me", "na", "nb", "nc", "oa", "da"];

fn legacy(v: &str, table: &str) -> std::path::PathBuf {
    dir(&format!("cassandra/legacy/{v}/legacy_tables/legacy_{v}_{table}"))
}

fn has_compact(v: &str) -> bool {
    ["ma", "mb", "mc", "md", "me", "na"].contains(&v)
}

#[test]
fn every_fixture_sstable_decodes_or_reports_its_negative_deletion_times() {
    for d in sstable_dirs() {
        let result = decode_with(&d, DecodeOptions::default());
        let negative = d.to_string_lossy().contains("negative-");
        match result {
            Ok(parts) => assert!(!parts.is_empty(), "{}", d.display()),
            Err(e) if negative && matches!(e.kind, ErrorKind::InvalidDeletionTime(_)) => {}
            Err(e) => panic!("{}: {e}", d.display()),
        }
        // With reporting on, every fixture decodes.
        decode_with(&d, DecodeOptions { invalid_deletion_times: InvalidDeletionTimes::Report }).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    }
}

#[test]
fn legacy_simple_tables_hold_five_keys_with_foo_bar_baz() {
    for v in LEGACY_VERSIONS {
        let mut tables = vec!["simple"];
        if has_compact(v) {
            tables.push("simple_compact");
        }
        for t in tables {
            let parts = decode(&legacy(v, t));
            let keys: Vec<String> = parts.iter().map(|p| text(&p.key)).collect();
            assert_eq!(keys, ["0", "1", "2", "3", "4"], "{v} {t}");
            for p in &parts {
                assert!(p.deletion.is_none());
                // A compact table without clustering stores its columns as static ones.
                assert_eq!(p.static_row.is_some(), t.ends_with("compact"), "{v} {t}: compact tables without clustering store static rows");
                let row = match &p.static_row {
                    Some(s) if !s.is_empty() => {
                        assert!(rows(p).is_empty(), "{v} {t}");
                        s
                    }
                    _ => {
                        let r = rows(p);
                        assert_eq!(r.len(), 1, "{v} {t}");
                        r[0]
                    }
                };
                assert_eq!(cells(row), vec![("val".to_string(), b"foo bar baz".to_vec())], "{v} {t}");
            }
        }
    }
}

#[test]
fn legacy_counters_are_one() {
    for v in LEGACY_VERSIONS {
        let mut tables = vec![("simple_counter", 5), ("clust_counter", 250)];
        if has_compact(v) {
            tables.extend([("simple_counter_compact", 5), ("clust_counter_compact", 250)]);
        }
        for (t, expected) in tables {
            let parts = decode(&legacy(v, t));
            assert_eq!(parts.len(), 5, "{v} {t}");
            let mut n = 0;
            for p in &parts {
                let all: Vec<&Row> = p.static_row.iter().filter(|s| !s.is_empty()).chain(rows(p)).collect();
                for row in all {
                    let cells: Vec<_> = row.cells().map(|c| c.unwrap()).collect();
                    assert_eq!(cells.len(), 1, "{v} {t}");
                    assert!(row.column_specs()[cells[0].column].ty.is_counter());
                    assert_eq!(crate::types::CqlType::Counter.decode(cells[0].value).unwrap(), crate::types::CqlValue::Counter(1), "{v} {t}");
                    n += 1;
                }
            }
            assert_eq!(n, expected, "{v} {t}");
        }
    }
}

fn expected_val(v: &str, t: &str) -> &'static str {
    let line = include_str!("../../../../shared/fixtures/sstables/SOURCES.md")
        .lines()
        .find(|l| l.starts_with(&format!("| {v} | legacy_{v}_{t} |")))
        .unwrap_or_else(|| panic!("no val for {v} {t}"));
    line.rsplit('`').nth(1).unwrap()
}

#[test]
fn legacy_clust_tables_hold_250_rows_in_clustering_order_with_the_128_char_val() {
    let long = "0123456789".repeat(120);
    for v in LEGACY_VERSIONS {
        let mut tables = vec!["clust"];
        if has_compact(v) {
            tables.push("clust_compact");
        }
        for t in tables {
            let val = expected_val(v, t);
            assert_eq!(val.len(), 128);
            let parts = decode(&legacy(v, t));
            assert_eq!(parts.iter().map(|p| text(&p.key)).collect::<Vec<_>>(), ["0", "1", "2", "3", "4"], "{v} {t}");
            for p in &parts {
                let r = rows(p);
                assert_eq!(r.len(), 50, "{v} {t}");
                let mut cks: Vec<String> = (0..50).map(|i| format!("{i}{long}")).collect();
                cks.sort();
                let got: Vec<String> = r
                    .iter()
                    .map(|row| {
                        let values: Vec<_> = row.clustering().iter().collect();
                        assert_eq!(values.len(), 1);
                        text(values[0].unwrap())
                    })
                    .collect();
                assert_eq!(got, cks, "{v} {t}");
                for row in r {
                    assert_eq!(cells(row), vec![("val".to_string(), val.as_bytes().to_vec())], "{v} {t}");
                }
            }
        }
    }
}

#[test]
fn mc_inaccurate_min_max_has_the_row_and_the_range_tombstone() {
    let parts = decode(&dir("cassandra/legacy/mc/legacy_tables/legacy_mc_inaccurate_min_max"));
    assert_eq!(parts.len(), 1);
    let p = &parts[0];
    assert_eq!(&p.key[..], &100i32.to_be_bytes());
    let int = |b: Option<&[u8]>| i32::from_be_bytes(b.unwrap().try_into().unwrap());
    let mut saw_row = false;
    let mut markers = Vec::new();
    for u in &p.unfiltereds {
        match u {
            Unfiltered::Row(row) => {
                let ck: Vec<i32> = row.clustering().iter().map(int).collect();
                assert_eq!(ck, [4, 4, 4]);
                assert_eq!(cells(row), vec![("v".to_string(), 4i32.to_be_bytes().to_vec())]);
                saw_row = true;
            }
            Unfiltered::Marker(m) => markers.push(m.clone()),
        }
    }
    assert!(saw_row);
    // DELETE ... WHERE k=100 AND c1<3: from the partition start to c1=3 exclusive.
    assert_eq!(markers.len(), 2, "{markers:?}");
    assert_eq!(markers[0].kind(), BoundKind::InclusiveStart);
    assert!(markers[0].clustering().is_empty());
    assert_eq!(markers[1].kind(), BoundKind::ExclusiveEnd);
    assert_eq!(markers[1].clustering().iter().map(int).collect::<Vec<_>>(), [3]);
    assert_eq!(markers[0].open_deletion(), markers[1].close_deletion());
    assert!(markers[0].open_deletion().unwrap().is_valid());
    // The marker precedes the row (c1 < 3 sorts before c1 = 4).
    assert!(markers[1].position() < p.unfiltereds.iter().find_map(|u| if let Unfiltered::Row(r) = u { Some(r.position()) } else { None }).unwrap());
}

const REPORT: DecodeOptions = DecodeOptions { invalid_deletion_times: InvalidDeletionTimes::Report };

fn int(b: &[u8]) -> i32 {
    i32::from_be_bytes(b.try_into().unwrap())
}

#[test]
fn negative_local_expiration_is_an_error_naming_file_and_offset_or_reported() {
    const TWENTY_YEARS: i32 = 630_720_000;
    for t in 1..=4 {
        let d = dir(&format!("cassandra/negative-local-expiration/table{t}"));
        let err = decode_with(&d, DecodeOptions::default()).err().expect("negative expiration must not decode silently");
        assert!(matches!(err.kind, ErrorKind::InvalidDeletionTime(v) if v < 0), "{err}");
        assert!(err.file.ends_with("mc-1-big-Data.db") && err.offset > 0 && err.uncompressed, "{err}");

        let parts = decode_with(&d, REPORT).unwrap();
        let keys: Vec<i32> = parts.iter().map(|p| int(&p.key)).collect();
        assert_eq!(keys, [1, 2], "table{t}");
        for p in &parts {
            let k = int(&p.key);
            let r = rows(p);
            assert_eq!(r.len(), 1);
            let row = r[0];
            let mut a = None;
            let mut b_values = Vec::new();
            for cell in row.cells().map(|c| c.unwrap()) {
                // Every cell was written with the maximum TTL and carries the overflowed time.
                let e = cell.expiration().unwrap();
                assert_eq!(e.ttl, TWENTY_YEARS);
                assert!(!e.is_valid() && e.local_expiration_time < 0);
                match (row.column_specs()[cell.column].name_str().as_str(), cell.path) {
                    ("a", None) => a = Some(int(cell.value)),
                    ("b", None) => b_values.push(int(cell.value).to_string()),
                    ("b", Some(path)) => b_values.push(text(path)),
                    (other, _) => panic!("column {other}"),
                }
            }
            if t % 2 == 0 {
                // (k, a) is the primary key: a is the clustering value.
                assert_eq!(row.clustering().iter().map(|v| int(v.unwrap())).collect::<Vec<_>>(), [k]);
                a = Some(k);
            }
            assert_eq!(a, Some(k), "table{t}");
            let expected_b: Vec<String> = match (t, k) {
                (1 | 2, 1) => vec!["1".into()],
                (1 | 2, _) => vec![],
                (_, k) => (1..=4).map(|i| format!("v{k}{i}")).collect(),
            };
            assert_eq!(b_values, expected_b, "table{t} k={k}");
        }
    }
}

/// Partitions 1 and 0 of the negative-ldts files, then partition 22 (Murmur3 order).
fn check_good_partitions(parts: &[Decoded], name: &str) {
    assert_eq!(parts.iter().map(|p| int(&p.key)).collect::<Vec<_>>(), [1, 0, 22], "{name}");
    for p in &parts[..2] {
        let k = int(&p.key);
        let r = rows(p);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].clustering().iter().map(|v| int(v.unwrap())).collect::<Vec<_>>(), [k]);
        assert_eq!(cells(r[0]), vec![("b".to_string(), k.to_string().into_bytes())]);
    }
}

#[test]
fn negative_ldts_invalid_deletions_are_reported_as_such() {
    let base = "cassandra/negative-ldts-invalid-deletions";
    for name in ["invalid_partition_deletion", "invalid_tombstones", "invalid_range_tombstone_compaction", "invalid_range_tombstone_reader"] {
        let d = dir(&format!("{base}/{name}"));
        let err = decode_with(&d, DecodeOptions::default()).err().expect("negative LDT must not decode silently");
        assert!(matches!(err.kind, ErrorKind::InvalidDeletionTime(-1)), "{name}: {err}");
        let parts = decode_with(&d, REPORT).unwrap();
        let p22 = parts.last().unwrap();
        assert_eq!(int(&p22.key), 22);
        match name {
            "invalid_partition_deletion" => {
                check_good_partitions(&parts, name);
                let del = p22.deletion.unwrap();
                assert_eq!(del.local_deletion_time, -1);
                assert!(!del.is_valid());
            }
            "invalid_tombstones" => {
                check_good_partitions(&parts, name);
                let r = rows(p22);
                assert_eq!(r.len(), 1);
                assert_eq!(r[0].clustering().iter().map(|v| int(v.unwrap())).collect::<Vec<_>>(), [33]);
                let cell = r[0].cells().next().unwrap().unwrap();
                assert!(cell.is_tombstone() && !cell.has_valid_local_deletion_time());
                assert_eq!(cell.deletion().unwrap().local_deletion_time, -1);
            }
            "invalid_range_tombstone_compaction" | "invalid_range_tombstone_reader" => {
                if name == "invalid_range_tombstone_compaction" {
                    check_good_partitions(&parts, name);
                } else {
                    assert_eq!(parts.len(), 1);
                    let r = rows(p22);
                    assert_eq!(r.len(), 100);
                    for (i, row) in r.iter().enumerate() {
                        assert_eq!(row.clustering().iter().map(|v| int(v.unwrap())).collect::<Vec<_>>(), [i as i32]);
                        assert_eq!(cells(row), vec![("b".to_string(), "ABCDEFG".repeat(10).into_bytes())]);
                    }
                }
                let markers: Vec<&RangeTombstoneMarker> =
                    p22.unfiltereds.iter().filter_map(|u| if let Unfiltered::Marker(m) = u { Some(m) } else { None }).collect();
                assert_eq!(markers.len(), 2, "{name}");
                assert_eq!((markers[0].kind(), markers[1].kind()), (BoundKind::InclusiveStart, BoundKind::InclusiveEnd));
                assert!(markers[0].clustering().is_empty() && markers[1].clustering().is_empty(), "covers the whole partition");
                assert_eq!(markers[0].open_deletion().unwrap().local_deletion_time, -1);
                assert_eq!(markers[1].close_deletion().unwrap().local_deletion_time, -1);
            }
            _ => unreachable!(),
        }
    }
}

/// The whole uncompressed Data.db of a fixture, for corrupting in memory.
fn uncompressed(d: &Path) -> (bytes::Bytes, std::sync::Arc<DataHeader>) {
    let sstable = SSTable::open(data_path(d)).unwrap();
    let mut input = sstable.data_input().unwrap();
    let len = crate::DataInput::len(&input) as usize;
    let bytes = crate::DataInput::read_bytes(&mut input, len).unwrap();
    (bytes, std::sync::Arc::new(DataHeader::for_sstable(&sstable).unwrap()))
}

fn decode_slice(bytes: bytes::Bytes, header: std::sync::Arc<DataHeader>) -> crate::Result<usize> {
    let mut reader = PartitionReader::new(crate::SliceInput::new(bytes, "mem-Data.db"), header);
    let mut n = 0;
    while reader.next_partition()?.is_some() {
        while let Some(u) = reader.next_unfiltered()? {
            if let Unfiltered::Row(row) = u {
                for item in row.items() {
                    item?;
                }
            }
            n += 1;
        }
    }
    Ok(n)
}

#[test]
fn cut_data_is_an_error_at_every_length_never_a_short_result() {
    let (bytes, header) = uncompressed(&legacy("mc", "inaccurate_min_max"));
    assert_eq!(decode_slice(bytes.clone(), header.clone()).unwrap(), 3);
    for cut in 1..bytes.len() {
        let err = decode_slice(bytes.slice(..cut), header.clone()).err().unwrap_or_else(|| panic!("cut at {cut} decoded"));
        assert!(err.offset <= cut as u64, "cut {cut}: {err}");
    }
}

#[test]
fn flipped_bytes_never_panic() {
    let (bytes, header) = uncompressed(&legacy("oa", "clust"));
    let bytes = bytes.slice(..4096.min(bytes.len()));
    for i in 0..bytes.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut v = bytes.to_vec();
            v[i] ^= mask;
            let _ = decode_slice(v.into(), header.clone());
        }
    }
}
