//! The merge against Cassandra's own reconciliation: the corpus's three-node layout
//! (`scripts/corpus`: `<format>/threenode/merge/node{1,2,3}/`, replicas that differ as
//! unrepaired replicas do) merged, then compared value by value and writetime by writetime
//! with `expected/select.json`, the SELECT JSON Cassandra returned after applying all three
//! nodes' writes to one table. Fails when the corpus is missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};
use sstable_reader::SSTable;

use super::*;

fn corpus_dir() -> PathBuf {
    let dir = match std::env::var_os("KSBULK_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/corpus"),
    };
    assert!(dir.join("index.json").is_file(), "corpus missing: run scripts/corpus (looked for {})", dir.join("index.json").display());
    dir
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn int(bytes: &[u8]) -> i64 {
    i32::from_be_bytes(bytes.try_into().expect("int value")) as i64
}

fn text(bytes: &[u8]) -> Value {
    Value::String(String::from_utf8(bytes.to_vec()).expect("text value"))
}

/// A simple column's live value and writetime/TTL as SELECT shows them.
fn simple(row: Option<&MergedRow>, name: &str, now: i64, decode: fn(&[u8]) -> Value) -> (Value, Value, Value) {
    match row.and_then(|r| r.cells_of(name).find(|c| c.is_live(now))) {
        Some(c) => (decode(&c.value), json!(c.timestamp), c.remaining_ttl(now).map_or(Value::Null, |t| json!(t))),
        None => (Value::Null, Value::Null, Value::Null),
    }
}

/// The merged partition as the rows `SELECT JSON pk, ck, s, a, b, l, writetime..., ttl...`
/// returns for table `corpus_threenode.merge`.
fn select_rows(partition: &MergedPartition, items: &[MergedUnfiltered], now: i64, out: &mut BTreeMap<(i64, Option<i64>), Value>) {
    let pk = int(&partition.key);
    let (s, ws, ts) = simple(partition.static_row.as_ref(), "s", now, text);
    let mut any = false;
    for item in items {
        let MergedUnfiltered::Row(row) = item else { continue };
        if !row.has_live_data(now) {
            continue;
        }
        any = true;
        let ck = int(row.clustering[0].as_deref().expect("ck"));
        let (a, wa, ta) = simple(Some(row), "a", now, text);
        let (b, wb, tb) = simple(Some(row), "b", now, |v| json!(int(v)));
        let elements: Vec<&MergedCell> = row.cells_of("l").filter(|c| c.is_live(now)).collect();
        let (l, wl) = if elements.is_empty() {
            (Value::Null, Value::Null)
        } else {
            (Value::Array(elements.iter().map(|c| json!(int(&c.value))).collect()), Value::Array(elements.iter().map(|c| json!(c.timestamp)).collect()))
        };
        out.insert(
            (pk, Some(ck)),
            json!({"pk": pk, "ck": ck, "s": s, "a": a, "b": b, "l": l, "writetime(s)": ws, "ttl(s)": ts, "writetime(a)": wa, "ttl(a)": ta, "writetime(b)": wb, "ttl(b)": tb, "writetime(l)": wl}),
        );
    }
    if !any && !s.is_null() {
        out.insert(
            (pk, None),
            json!({"pk": pk, "ck": null, "s": s, "a": null, "b": null, "l": null, "writetime(s)": ws, "ttl(s)": ts, "writetime(a)": null, "ttl(a)": null, "writetime(b)": null, "ttl(b)": null, "writetime(l)": null}),
        );
    }
}

/// Equal, except TTLs: the expected table was written after the nodes' SSTables (by up to
/// `window` seconds), so its TTLs may count down from a later start; never from an earlier one.
fn same_field(key: &str, got: &Value, want: &Value, window: i64) -> bool {
    match (key.starts_with("ttl("), got.as_i64(), want.as_i64()) {
        (true, Some(g), Some(w)) => g <= w + 2 && w - g <= window + 2,
        _ => got == want,
    }
}

#[test]
fn three_nodes_merge_to_what_cassandra_returns() {
    let corpus = corpus_dir();
    let index = read_json(&corpus.join("index.json"));
    let layouts = index["threenode"].as_array().expect("threenode entries");
    assert!(!layouts.is_empty(), "the corpus has no three-node layout");
    for layout in layouts {
        let expected = read_json(&corpus.join(layout["expected"].as_str().unwrap()));
        let now = expected["selected_at_ms"].as_i64().unwrap() / 1000;
        let paths: Vec<PathBuf> = layout["nodes"].as_object().unwrap().values().flat_map(|v| v.as_array().unwrap().iter().map(|p| corpus.join(p.as_str().unwrap()))).collect();
        assert_eq!(paths.len(), 6, "{layout}");
        let sstables: Vec<SSTable> = paths.iter().map(|p| SSTable::open(p).unwrap()).collect();
        let unit: Vec<(&SSTable, Option<u64>)> = sstables.iter().map(|s| (s, None)).collect();
        let started = Instant::now();
        let mut merger = open_unit(&unit, None, MergeOptions { now, ..MergeOptions::default() }).unwrap();
        let mut got = BTreeMap::new();
        while let Some((p, items)) = merger.next_partition_collected(100_000).unwrap() {
            select_rows(&p, &items, now, &mut got);
        }
        let elapsed = started.elapsed();
        let stats = merger.into_stats();
        let mut want = BTreeMap::new();
        for r in expected["rows"].as_array().unwrap() {
            let row: Value = serde_json::from_str(r.as_str().unwrap()).unwrap();
            want.insert((row["pk"].as_i64().unwrap(), row["ck"].as_i64()), row);
        }
        assert_eq!(want.len() as i64, expected["row_count"].as_i64().unwrap());
        // Writetimes are the generator's clock at its start (µs): the oldest bounds the window.
        let first_write = want.values().filter_map(|r| r["writetime(s)"].as_i64()).min().unwrap_or(now * 1_000_000) / 1_000_000;
        let window = now - first_write;
        let mut differences = Vec::new();
        for (key, w) in &want {
            match got.get(key) {
                None => differences.push(format!("{key:?}: missing, Cassandra has {w}")),
                Some(g) => {
                    for (field, wv) in w.as_object().unwrap() {
                        let gv = g.get(field).unwrap_or(&Value::Null);
                        if !same_field(field, gv, wv, window) {
                            differences.push(format!("{key:?} {field}: merged {gv}, Cassandra {wv}"));
                        }
                    }
                }
            }
        }
        for key in got.keys().filter(|k| !want.contains_key(k)) {
            differences.push(format!("{key:?}: merged {} but Cassandra has no such row", got[key]));
        }
        assert!(differences.is_empty(), "{} {}: {} differences:\n{}", layout["format"], layout["dir"], differences.len(), differences.join("\n"));
        assert!(stats.rows_merged_away > 0 && stats.range_tombstones > 0, "{stats:?}");
        eprintln!(
            "{}: {} rows read from 6 SSTables, {} rows out, {} merged away, {} cells expired, in {:?}",
            layout["format"],
            stats.rows_read(),
            stats.rows,
            stats.rows_merged_away,
            stats.cells_expired,
            elapsed
        );
    }
}
