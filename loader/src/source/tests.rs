//! Discovery over directory layouts built in temp dirs from the real fixture SSTables.

use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::test_fixtures::{copy_sstable, schema_cql, ID_A, ID_B};

fn local(root: &Path) -> Source {
    Source { store: Arc::new(LocalStore), root: root.to_path_buf() }
}

fn run(roots: &[&Path], options: &DiscoverOptions) -> Discovery {
    let sources: Vec<Source> = roots.iter().map(|r| local(r)).collect();
    discover(&sources, options).unwrap()
}

/// `<data>/ks1/t1-<ID_A>/` with live SSTables, a snapshot `snap1` (schema.cql + manifest),
/// backups and an index directory.
fn data_dir(root: &Path) -> std::path::PathBuf {
    let table = root.join("data/ks1").join(format!("t1-{ID_A}"));
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_clust", &table, "nb-1-big-");
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &table, "nb-2-big-");
    let snap = table.join("snapshots/snap1");
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_clust", &snap, "nb-1-big-");
    std::fs::write(snap.join("schema.cql"), schema_cql("ks1", "t1", ID_A)).unwrap();
    std::fs::write(snap.join("manifest.json"), r#"{"files":["nb-1-big-Data.db"],"created_at":"2026-11-25T10:00:00.000Z"}"#).unwrap();
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &table.join("backups"), "nb-3-big-");
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &table.join(".t1_val_idx"), "nb-1-big-");
    root.join("data")
}

#[test]
fn data_directory_uses_live_sstables_and_the_snapshot_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(tmp.path());
    let d = run(&[&data], &DiscoverOptions::default());
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.tables.len(), 1, "{}", d.report());
    let t = &d.tables[0];
    assert_eq!(t.name(), "ks1.t1");
    assert_eq!(t.id.as_deref(), Some(ID_A));
    let gens: Vec<&str> = t.sstables.iter().map(|s| s.descriptor.generation.as_str()).collect();
    assert_eq!(gens, ["1", "2"]);
    assert!(t.sstables.iter().all(|s| s.origin == Origin::Live));
    assert_eq!(t.other_snapshots, ["snap1"]);
    let schema = t.schema.as_ref().expect("schema from the snapshot");
    assert!(schema.path.ends_with("snapshots/snap1/schema.cql"));
    assert_eq!(schema.parsed.table().unwrap().clustering_names(), ["ck"]);
    let report = d.report();
    assert!(report.contains("incremental backups skipped"), "{report}");
    assert!(report.contains("secondary index SSTables skipped"), "{report}");
    assert!(report.contains("ks1.t1: 2 SSTables"), "{report}");
    // Components were all found, with sizes.
    let clust = &t.sstables[0];
    assert_eq!(clust.components.len(), 8);
    assert_eq!(clust.data_size(), std::fs::metadata(clust.descriptor.path(sstable_reader::Component::Data)).unwrap().len());
}

#[test]
fn chosen_snapshot_replaces_live_sstables_and_brings_its_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(tmp.path());
    let d = run(&[&data], &DiscoverOptions { snapshot: Some("snap1".into()), ..Default::default() });
    let t = &d.tables[0];
    assert_eq!(t.sstables.len(), 1);
    assert_eq!(t.sstables[0].origin, Origin::Snapshot("snap1".into()));
    assert_eq!(t.snapshot_manifests[0].created_at.as_deref(), Some("2026-11-25T10:00:00.000Z"));
    assert!(d.report().contains("live SSTables skipped"));
}

#[test]
fn backups_and_index_directories_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(tmp.path());
    let d = run(&[&data], &DiscoverOptions { include_backups: true, include_index_dirs: true, ..Default::default() });
    let origins: Vec<&Origin> = d.tables[0].sstables.iter().map(|s| &s.origin).collect();
    assert!(origins.contains(&&Origin::Backup), "{origins:?}");
    assert!(origins.contains(&&Origin::Index("t1_val_idx".into())), "{origins:?}");
}

#[test]
fn snapshot_or_table_directory_given_directly() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(tmp.path());
    let snap = data.join(format!("ks1/t1-{ID_A}/snapshots/snap1"));
    let d = run(&[&snap], &DiscoverOptions::default());
    assert_eq!(d.tables.len(), 1);
    assert_eq!(d.tables[0].sstables[0].origin, Origin::Snapshot("snap1".into()));

    // A bare copy of a snapshot elsewhere: the table comes from its schema.cql.
    let bare = tmp.path().join("copied");
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_clust", &bare, "nb-7-big-");
    std::fs::write(bare.join("schema.cql"), schema_cql("ks9", "t9", ID_B)).unwrap();
    let d = run(&[&bare], &DiscoverOptions::default());
    assert_eq!(d.tables[0].name(), "ks9.t9");
    assert_eq!(d.tables[0].id.as_deref(), Some(ID_B));

    let table_dir = data.join(format!("ks1/t1-{ID_A}"));
    let d = run(&[&table_dir], &DiscoverOptions::default());
    assert_eq!(d.tables[0].sstables.len(), 2);
}

#[test]
fn several_nodes_side_by_side_are_one_table_on_three_nodes() {
    let tmp = tempfile::tempdir().unwrap();
    for node in ["node1", "node2", "node3"] {
        let t = tmp.path().join(node).join("data/ks1").join(format!("t1-{ID_A}"));
        copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_clust", &t, "nb-1-big-");
    }
    let d = run(&[tmp.path()], &DiscoverOptions::default());
    assert_eq!(d.tables.len(), 1);
    let t = &d.tables[0];
    assert_eq!(t.sstables.len(), 3);
    assert_eq!(t.nodes().len(), 3);
    assert!(t.nodes()[0].ends_with("node1/data"), "{:?}", t.nodes());
    // The same nodes given as separate sources: the same result, no duplicates.
    let roots: Vec<std::path::PathBuf> = ["node1", "node2", "node3"].iter().map(|n| tmp.path().join(n)).collect();
    let refs: Vec<&Path> = roots.iter().map(|p| p.as_path()).collect();
    let d2 = run(&refs, &DiscoverOptions::default());
    assert_eq!(d2.tables[0].sstables.len(), 3);
    // And a root given twice still counts every SSTable once.
    let d3 = run(&[tmp.path(), &roots[0]], &DiscoverOptions::default());
    assert_eq!(d3.tables[0].sstables.len(), 3);
}

#[test]
fn hard_links_of_one_sstable_are_counted_once() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a/ks1").join(format!("t1-{ID_A}"));
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &a, "nb-1-big-");
    let b = tmp.path().join("b/ks1").join(format!("t1-{ID_A}"));
    std::fs::create_dir_all(&b).unwrap();
    for e in std::fs::read_dir(&a).unwrap() {
        let p = e.unwrap().path();
        std::fs::hard_link(&p, b.join(p.file_name().unwrap())).unwrap();
    }
    let d = run(&[tmp.path()], &DiscoverOptions::default());
    assert_eq!(d.tables[0].sstables.len(), 1);
    assert!(d.report().contains("hard link"), "{}", d.report());
}

#[test]
fn keyspace_and_table_filters_and_system_keyspaces() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &data.join(format!("ks1/t1-{ID_A}")), "nb-1-big-");
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &data.join(format!("ks1/t2-{ID_B}")), "nb-1-big-");
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &data.join(format!("ks2/t1-{ID_B}")), "nb-1-big-");
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &data.join(format!("system/local-{ID_B}")), "nb-1-big-");
    let names = |o: DiscoverOptions| run(&[&data], &o).tables.iter().map(FoundTable::name).collect::<Vec<_>>();
    assert_eq!(names(DiscoverOptions::default()), ["ks1.t1", "ks1.t2", "ks2.t1"]);
    assert_eq!(names(DiscoverOptions { keyspaces: vec!["ks1".into()], ..Default::default() }), ["ks1.t1", "ks1.t2"]);
    assert_eq!(names(DiscoverOptions { tables: vec!["t1".into()], ..Default::default() }), ["ks1.t1", "ks2.t1"]);
    assert_eq!(names(DiscoverOptions { tables: vec!["ks2.t1".into()], ..Default::default() }), ["ks2.t1"]);
    assert_eq!(names(DiscoverOptions { keyspaces: vec!["system".into()], ..Default::default() }), ["system.local"]);
}

#[test]
fn the_fixture_tree_itself_is_discovered_by_path() {
    // `legacy/<ver>/legacy_tables/<table>/`: directories without ids, keyspace from the parent.
    let root = crate::test_fixtures::root().join("cassandra/legacy/nb");
    let d = run(&[&root], &DiscoverOptions::default());
    let names: Vec<String> = d.tables.iter().map(FoundTable::name).collect();
    assert_eq!(names, ["legacy_tables.legacy_nb_clust", "legacy_tables.legacy_nb_clust_counter", "legacy_tables.legacy_nb_simple", "legacy_tables.legacy_nb_simple_counter"]);
    assert!(d.tables.iter().all(|t| t.schema.is_none() && t.id.is_none()));
    assert!(d.report().contains("no schema.cql found"));
}

#[test]
fn other_incarnation_of_a_table_is_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let current = data.join(format!("ks1/t1-{ID_A}"));
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &current, "nb-1-big-");
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &current.join("snapshots/s"), "nb-1-big-");
    std::fs::write(current.join("snapshots/s/schema.cql"), schema_cql("ks1", "t1", ID_A)).unwrap();
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_clust", &data.join(format!("ks1/t1-{ID_B}")), "nb-1-big-");
    let d = run(&[&data], &DiscoverOptions::default());
    assert_eq!(d.tables[0].sstables.len(), 1);
    assert!(d.report().contains("1 SSTables of another table id left out"), "{}", d.report());
}

#[test]
fn bad_files_are_problems_not_silent_omissions() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join(format!("data/ks1/t1-{ID_A}"));
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &t, "nb-1-big-");
    std::fs::write(t.join("zz-2-big-Data.db"), b"x").unwrap();
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &t, "nb-3-big-");
    std::fs::remove_file(t.join("nb-3-big-Statistics.db")).unwrap();
    let snap = t.join("snapshots/s");
    copy_sstable("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", &snap, "nb-1-big-");
    std::fs::write(snap.join("schema.cql"), "CREATE TABLE ks1.t1 (k int PRIMARY KEY) WITH nonsense").unwrap();
    let d = run(&[t.parent().unwrap().parent().unwrap()], &DiscoverOptions { snapshot: Some("s".into()), ..Default::default() });
    assert!(d.problems.iter().any(|p| p.contains("schema.cql at byte")), "{:?}", d.problems);
    // Without --snapshot the live SSTables are used, and the snapshot's schema.cql is still
    // the table's schema: all three problems are reported.
    let d = run(&[&t], &DiscoverOptions::default());
    assert_eq!(d.problems.len(), 3, "{:?}", d.problems);
    assert!(d.problems.iter().any(|p| p.contains("zz-2-big-Data.db")), "{:?}", d.problems);
    assert!(d.problems.iter().any(|p| p.contains("missing component Statistics.db")), "{:?}", d.problems);
    let missing = discover(&[local(&tmp.path().join("nope"))], &DiscoverOptions::default()).unwrap_err();
    assert!(missing.to_string().contains("not a directory"));
}
