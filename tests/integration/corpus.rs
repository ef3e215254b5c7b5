//! The corpus made by `scripts/corpus` is complete: every format × compression × table with
//! its SSTables, their sstabledump oracles and the SELECT oracle; the multi-flush table has
//! several SSTables; the wide partition is at least 50 MB; the three-node layouts are whole.

use std::path::Path;

use ksbulk_tests::corpus::{corpus_dir, dump_path, Index, Select};

const FORMATS: [&str; 3] = ["nb", "oa", "da"];
const COMPRESSIONS: [&str; 5] = ["none", "lz4", "snappy", "deflate", "zstd"];
const SCALAR_TYPES: [&str; 19] = [
    "ascii", "bigint", "blob", "boolean", "date", "decimal", "double", "float", "inet", "int", "smallint", "text",
    "time", "timestamp", "timeuuid", "tinyint", "uuid", "varchar", "varint",
];
const OTHER_TABLES: [&str; 13] = [
    "durations", "counters", "vectors", "collections", "frozen_keys", "udts", "static_composite", "pk_only",
    "pk_alone", "history", "tombstones", "ttls", "timestamps",
];
/// Formats that have the three-node layout.
const THREENODE_FORMATS: [&str; 2] = ["nb", "oa"];

fn expected_tables(compression: &str) -> Vec<String> {
    let mut t: Vec<String> = SCALAR_TYPES.iter().map(|ty| format!("scalar_{ty}")).collect();
    t.extend(OTHER_TABLES.iter().map(|s| s.to_string()));
    if compression == "lz4" {
        t.push("wide".to_string());
    }
    t
}

/// A dump is sstabledump's JSON: an array of partitions. Big ones are checked by their ends only
/// (a full parse of the >100 MB wide-partition dumps would dominate the test's time).
fn check_dump(data: &Path) {
    let dump = dump_path(data);
    let text = std::fs::read_to_string(&dump).unwrap_or_else(|e| panic!("{}: {e}", dump.display()));
    let trimmed = text.trim();
    assert!(trimmed.starts_with('[') && trimmed.ends_with(']'), "{} is not a JSON array", dump.display());
    if text.len() < 8 << 20 {
        let v: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", dump.display()));
        let parts = v.as_array().expect("array");
        for p in parts {
            assert!(p.get("partition").is_some(), "{}: partition without a key", dump.display());
        }
    }
}

fn check_select(path: &Path) -> Select {
    let s = Select::load(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.row_count, s.rows.len(), "{}", path.display());
    assert!(s.query.starts_with("SELECT JSON "), "{}", path.display());
    assert!(s.selected_at_ms > 1_700_000_000_000 && s.finished_at_ms >= s.selected_at_ms);
    for row in &s.rows {
        let v: serde_json::Value = serde_json::from_str(row).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(v.is_object(), "{}: row is not an object", path.display());
    }
    s
}

#[test]
fn corpus_is_complete() {
    let dir = corpus_dir();
    let index = Index::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    for format in FORMATS {
        for compression in COMPRESSIONS {
            for table in expected_tables(compression) {
                let e = index
                    .entry(format, compression, &table)
                    .unwrap_or_else(|| panic!("corpus has no {format}/{compression}/{table}"));
                assert_eq!(e.keyspace, format!("corpus_{compression}"));
                let snap = e.snapshot_dir(&dir);
                for f in ["schema.cql", "manifest.json"] {
                    assert!(snap.join(f).is_file(), "{} missing", snap.join(f).display());
                }
                let data = e.data_files(&dir);
                assert!(!data.is_empty(), "{format}/{compression}/{table} has no SSTable");
                for d in &data {
                    let name = d.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                    assert!(name.starts_with(format), "{} is not a {format} SSTable", d.display());
                    assert!(d.is_file(), "{} missing", d.display());
                    check_dump(d);
                }
                let s = check_select(&e.select_path(&dir));
                assert_eq!((s.keyspace.as_str(), s.table.as_str()), (e.keyspace.as_str(), table.as_str()));
                assert!(s.row_count > 0, "{format}/{compression}/{table}: empty select.json");
            }
            let history = index.entry(format, compression, "history").expect("history");
            assert!(
                history.sstables.len() >= 3,
                "{format}/{compression}/history has {} SSTables, expected one per round (3)",
                history.sstables.len()
            );
        }
        let wide = index.entry(format, "lz4", "wide").expect("wide");
        let biggest = wide
            .data_files(&dir)
            .iter()
            .map(|d| std::fs::metadata(d).map(|m| m.len()).unwrap_or(0))
            .max()
            .unwrap_or(0);
        assert!(biggest >= 50 << 20, "{format} wide partition's Data.db is {biggest} bytes, expected >= 50 MiB");
    }
}

#[test]
fn threenode_layouts_are_complete() {
    let dir = corpus_dir();
    let index = Index::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    for format in THREENODE_FORMATS {
        let t = index
            .threenode
            .iter()
            .find(|t| t.format == format)
            .unwrap_or_else(|| panic!("no three-node layout in {format}"));
        assert_eq!(t.nodes.keys().collect::<Vec<_>>(), ["node1", "node2", "node3"]);
        for (node, sstables) in &t.nodes {
            let node_dir = dir.join(&t.dir).join(node);
            assert!(node_dir.join("schema.cql").is_file(), "{}: no schema.cql", node_dir.display());
            assert!(sstables.len() >= 2, "{format}/{node}: {} SSTables, expected 2", sstables.len());
            for s in sstables {
                check_dump(&dir.join(s));
            }
        }
        let expected = check_select(&dir.join(&t.expected));
        // Rows only node3 has, and the newest version written on node2, survive the merge.
        assert!(expected.rows.iter().any(|r| r.contains("only-on-node3")));
        assert!(expected.rows.iter().any(|r| r.contains("\"a\": \"n2\"")));
        assert!(!expected.rows.iter().any(|r| r.contains("stale")));
    }
}
