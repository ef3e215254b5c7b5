//! Translation of representative schema.cql files (Cassandra 5.0 layout): every type, UDTs,
//! static columns, DESC clustering, counters, indexes, views, triggers, functions, legacy
//! compact tables; for both targets.

use std::path::PathBuf;

use sstable_reader::schema::{SchemaFile, Statement};

use super::*;

const OPTIONS_50: &str = "    AND additional_write_policy = '99p'
    AND allow_auto_snapshot = true
    AND bloom_filter_fp_chance = 0.01
    AND caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}
    AND cdc = false
    AND comment = 'events'
    AND compaction = {'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'enabled': 'false', 'max_threshold': '32', 'min_threshold': '4'}
    AND compression = {'chunk_length_in_kb': '16', 'class': 'org.apache.cassandra.io.compress.LZ4Compressor'}
    AND memtable = 'default'
    AND crc_check_chance = 1.0
    AND default_time_to_live = 0
    AND extensions = {}
    AND gc_grace_seconds = 864000
    AND incremental_backups = true
    AND max_index_interval = 2048
    AND memtable_flush_period_in_ms = 0
    AND min_index_interval = 128
    AND read_repair = 'BLOCKING'
    AND speculative_retry = '99p';";

/// Every scalar type, a UDT nested in a UDT, collections, tuple, static, composite keys,
/// DESC clustering, a quoted name, a dropped column, an index.
fn all_types() -> String {
    format!(
        "CREATE TYPE IF NOT EXISTS ks.address (
    street text,
    zip int
);
CREATE TYPE IF NOT EXISTS ks.person (
    name text,
    home frozen<address>,
    tags set<text>
);
CREATE TABLE IF NOT EXISTS ks.events (
    pk1 varint,
    pk2 ascii,
    ck1 timeuuid,
    ck2 int,
    st1 ascii static,
    a bigint,
    b blob,
    c boolean,
    d date,
    e decimal,
    f double,
    g float,
    h inet,
    i smallint,
    j text,
    k time,
    l timestamp,
    m tinyint,
    n uuid,
    o duration,
    p frozen<person>,
    q map<text, frozen<list<int>>>,
    r tuple<int, text>,
    s list<frozen<ks.address>>,
    \"Mixed Case\" text,
    gone bigint,
    PRIMARY KEY ((pk1, pk2), ck1, ck2)
) WITH ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c18
    AND CLUSTERING ORDER BY (ck1 DESC, ck2 ASC)
{OPTIONS_50}
ALTER TABLE ks.events DROP gone USING TIMESTAMP 1700000000000000;
CREATE INDEX IF NOT EXISTS events_j_idx ON ks.events (j);
CREATE CUSTOM INDEX IF NOT EXISTS events_a_sai ON ks.events (a) USING 'StorageAttachedIndex';
CREATE CUSTOM INDEX events_b_sasi ON ks.events (j) USING 'org.apache.cassandra.index.sasi.SASIIndex' WITH OPTIONS = {{'mode': 'CONTAINS'}};
"
    )
}

const COUNTERS: &str = "CREATE TABLE IF NOT EXISTS ks.counts (
    pk text,
    ck int,
    st counter static,
    n counter,
    PRIMARY KEY (pk, ck)
) WITH ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c19
    AND CLUSTERING ORDER BY (ck DESC)
    AND comment = '';";

const VIEW_AND_FRIENDS: &str = "CREATE MATERIALIZED VIEW IF NOT EXISTS ks.by_j AS
    SELECT pk, j FROM ks.events WHERE pk IS NOT NULL AND j IS NOT NULL
    PRIMARY KEY (j, pk)
 WITH ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c20
    AND CLUSTERING ORDER BY (pk ASC);
CREATE TRIGGER trg ON ks.events USING 'org.Foo';
CREATE OR REPLACE FUNCTION ks.f (a int) CALLED ON NULL INPUT RETURNS int LANGUAGE java AS $$ return a; $$;
CREATE AGGREGATE ks.agg (int) SFUNC f STYPE int INITCOND 0;";

fn input(name: &str, text: &str, ttls: Option<bool>) -> SchemaInput {
    let path = PathBuf::from(format!("/snap/{name}/schema.cql"));
    let file = SchemaFile::parse(text, &path).unwrap_or_else(|e| panic!("{e}"));
    SchemaInput { path, file, data_has_ttls: ttls }
}

fn opts(target: TargetKind) -> TranslateOptions {
    TranslateOptions { target, capacity: Capacity::OnDemand, ttl: TtlArg::Auto, replication: None, rename: vec![] }
}

fn ddl<'a>(t: &'a Translation, kind: DdlKind, name: &str) -> &'a str {
    t.statements.iter().find(|d| d.kind == kind && d.name == name).map(|d| d.cql.as_str()).unwrap_or_else(|| panic!("no {kind:?} {name} in\n{}", t.script()))
}

/// The translated script parses back, and its table has the source's columns and key.
fn reparse(t: &Translation) -> SchemaFile {
    SchemaFile::parse(&t.script(), "out.cql").unwrap_or_else(|e| panic!("{e}\n{}", t.script()))
}

#[test]
fn keyspaces_table_keeps_columns_key_and_order_and_drops_every_storage_option() {
    let t = translate(&[input("events", &all_types(), Some(false))], &opts(TargetKind::Keyspaces)).unwrap();
    assert_eq!(ddl(&t, DdlKind::Keyspace, "ks"), "CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {'class': 'SingleRegionStrategy'}");
    assert_eq!(ddl(&t, DdlKind::Type, "address"), "CREATE TYPE IF NOT EXISTS ks.address (\n    street text,\n    zip int\n)");
    assert_eq!(ddl(&t, DdlKind::Type, "person"), "CREATE TYPE IF NOT EXISTS ks.person (\n    name text,\n    home frozen<address>,\n    tags set<text>\n)");
    let table = ddl(&t, DdlKind::Table, "events");
    assert!(table.starts_with("CREATE TABLE IF NOT EXISTS ks.events (\n    pk1 varint,\n    pk2 ascii,\n    ck1 timeuuid,\n    ck2 int,\n    st1 ascii static,\n"), "{table}");
    assert!(table.contains("    s list<frozen<address>>,\n    \"Mixed Case\" text,\n    PRIMARY KEY ((pk1, pk2), ck1, ck2)\n)"), "{table}");
    assert!(!table.contains("gone"), "dropped columns are not recreated: {table}");
    assert!(table.ends_with(
        ") WITH CLUSTERING ORDER BY (ck1 DESC, ck2 ASC)\n    AND comment = 'events'\n    AND default_time_to_live = 0\n    AND custom_properties = \
         {'capacity_mode': {'throughput_mode': 'PAY_PER_REQUEST'}, 'client_side_timestamps': {'status': 'enabled'}}"
    ), "{table}");
    // Types come before the table that uses them, the keyspace first.
    let kinds: Vec<DdlKind> = t.statements.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, [DdlKind::Keyspace, DdlKind::Type, DdlKind::Type, DdlKind::Table]);

    let dropped: Vec<&str> = t.report.dropped_options("ks.events").collect();
    for name in [
        "additional_write_policy", "allow_auto_snapshot", "bloom_filter_fp_chance", "caching", "cdc", "compaction", "compression", "memtable",
        "crc_check_chance", "extensions", "gc_grace_seconds", "incremental_backups", "max_index_interval", "memtable_flush_period_in_ms",
        "min_index_interval", "read_repair", "speculative_retry", "ID",
    ] {
        assert!(dropped.contains(&name), "{name} not reported as dropped: {dropped:?}");
    }
    let not_carried: Vec<&str> = t.report.not_carried().map(|i| i.what.as_str()).collect();
    assert_eq!(not_carried, ["index events_j_idx", "index events_a_sai", "index events_b_sasi"]);

    let back = reparse(&t);
    let (src, out) = (&input("events", &all_types(), None).file.tables[0], &back.tables[0]);
    assert_eq!(out.partition_key, src.partition_key);
    assert_eq!(out.clustering, src.clustering);
    assert_eq!(out.static_columns, src.static_columns);
    assert_eq!(out.regular_columns.len(), src.regular_columns.len());
    let names = |t: &sstable_reader::schema::TableSchema| t.options.iter().map(|o| o.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(out), ["comment", "default_time_to_live", "custom_properties"]);
}

#[test]
fn keyspaces_ttl_follows_the_data_default_ttl_and_the_flag() {
    let plain = "CREATE TABLE ks.t (k int PRIMARY KEY, v text) WITH default_time_to_live = 0;";
    let with_default = "CREATE TABLE ks.t (k int PRIMARY KEY, v text) WITH default_time_to_live = 3600;";
    let has_ttl = |t: &Translation| ddl(t, DdlKind::Table, "t").contains("'ttl': {'status': 'enabled'}");
    let run = |text: &str, data: Option<bool>, ttl: TtlArg| translate(&[input("t", text, data)], &TranslateOptions { ttl, ..opts(TargetKind::Keyspaces) }).unwrap();

    assert!(has_ttl(&run(plain, Some(true), TtlArg::Auto)));
    assert!(!has_ttl(&run(plain, Some(false), TtlArg::Auto)));
    assert!(has_ttl(&run(with_default, Some(false), TtlArg::Auto)));
    assert!(has_ttl(&run(plain, Some(false), TtlArg::On)));
    let unknown = run(plain, None, TtlArg::Auto);
    assert!(!has_ttl(&unknown));
    assert!(unknown.report.to_string().contains("ttl not enabled: no SSTables in /snap/t to look at; pass --ttl on"), "{}", unknown.report);

    let off = run(with_default, Some(true), TtlArg::Off);
    assert!(!has_ttl(&off));
    assert!(!ddl(&off, DdlKind::Table, "t").contains("default_time_to_live"));
    let not_carried: Vec<&str> = off.report.not_carried().map(|i| i.what.as_str()).collect();
    assert_eq!(not_carried, ["TTLs of the data", "default_time_to_live = 3600"]);
}

#[test]
fn keyspaces_counters_get_no_timestamps_or_ttl_and_provisioned_capacity_is_written() {
    let o = TranslateOptions { capacity: Capacity::Provisioned { read_units: 5, write_units: 3000 }, ttl: TtlArg::On, ..opts(TargetKind::Keyspaces) };
    let t = translate(&[input("counts", COUNTERS, Some(true))], &o).unwrap();
    let table = ddl(&t, DdlKind::Table, "counts");
    assert!(table.contains("    st counter static,\n    n counter,\n    PRIMARY KEY (pk, ck)\n) WITH CLUSTERING ORDER BY (ck DESC)"), "{table}");
    assert!(
        table.ends_with("custom_properties = {'capacity_mode': {'throughput_mode': 'PROVISIONED', 'read_capacity_units': 5, 'write_capacity_units': 3000}}"),
        "{table}"
    );
    assert!(t.report.to_string().contains("counter updates carry neither a timestamp nor a TTL"));
}

#[test]
fn keyspaces_reports_views_triggers_functions_and_unsupported_types() {
    let vectors = "CREATE TABLE ks.vec (k int PRIMARY KEY, emb vector<float, 3>, v text);
CREATE TABLE ks.veckey (k vector<float, 2> PRIMARY KEY, v text);";
    let t = translate(&[input("events", &all_types(), None), input("views", VIEW_AND_FRIENDS, None), input("vec", vectors, None)], &opts(TargetKind::Keyspaces)).unwrap();
    let lines: Vec<String> = t.report.not_carried().map(|i| format!("{}: {}", i.object, i.what)).collect();
    for want in ["ks.by_j: materialized view", "ks.events: trigger trg", "ks.f: function", "ks.agg: aggregate", "ks.vec: column emb", "ks.veckey: table"] {
        assert!(lines.iter().any(|l| l == want), "{want} missing from {lines:?}");
    }
    let vec = ddl(&t, DdlKind::Table, "vec");
    assert!(!vec.contains("emb") && vec.contains("    v text,"), "{vec}");
    assert!(!t.statements.iter().any(|d| d.name == "veckey"));
}

#[test]
fn cassandra_keeps_portable_options_indexes_and_the_source_replication() {
    let ks = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'} AND durable_writes = true;\n";
    let text = format!("{ks}{}", all_types());
    let t = translate(&[input("events", &text, None)], &opts(TargetKind::Cassandra)).unwrap();
    assert_eq!(
        ddl(&t, DdlKind::Keyspace, "ks"),
        "CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'} AND durable_writes = true"
    );
    let table = ddl(&t, DdlKind::Table, "events");
    assert!(!table.contains("ID ="), "{table}");
    for kept in ["bloom_filter_fp_chance = 0.01", "caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}", "gc_grace_seconds = 864000", "speculative_retry = '99p'"] {
        assert!(table.contains(kept), "{kept} missing: {table}");
    }
    assert!(
        table.contains("compaction = {'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'max_threshold': '32', 'min_threshold': '4'}"),
        "{table}"
    );
    assert!(!table.contains("custom_properties") && !table.contains("memtable =") && !table.contains("cdc"), "{table}");
    assert_eq!(ddl(&t, DdlKind::Index, "events_j_idx"), "CREATE INDEX IF NOT EXISTS events_j_idx ON ks.events (j)");
    assert_eq!(ddl(&t, DdlKind::Index, "events_a_sai"), "CREATE CUSTOM INDEX IF NOT EXISTS events_a_sai ON ks.events (a) USING 'StorageAttachedIndex'");
    let not_carried: Vec<&str> = t.report.not_carried().map(|i| i.what.as_str()).collect();
    assert_eq!(not_carried, ["index events_b_sasi"]);
    let dropped: Vec<&str> = t.report.dropped_options("ks.events").collect();
    assert_eq!(dropped, ["ID", "additional_write_policy", "allow_auto_snapshot", "cdc", "compaction", "memtable", "extensions", "incremental_backups", "read_repair"]);
    let back = reparse(&t);
    assert_eq!(back.tables[0].clustering, input("e", &all_types(), None).file.tables[0].clustering);
    assert!(back.statements.iter().any(|s| matches!(&s.statement, Statement::CreateIndex { .. })));
}

#[test]
fn cassandra_replication_flag_renames_and_merged_files() {
    let o = TranslateOptions {
        replication: Some("{'class': 'SimpleStrategy', 'replication_factor': 1}".into()),
        rename: vec![("ks".into(), "copy".into())],
        ..opts(TargetKind::Cassandra)
    };
    // The same table from two nodes' snapshots (other ids), and a counter table.
    let other_node = all_types().replace("5a1c395e-b41f-11e5-9f22-ba0be0483c18", "00000000-0000-0000-0000-000000000001");
    let t = translate(&[input("a", &all_types(), None), input("b", &other_node, None), input("c", COUNTERS, None)], &o).unwrap();
    let names: Vec<(DdlKind, &str)> = t.statements.iter().map(|d| (d.kind, d.name.as_str())).collect();
    assert_eq!(
        names,
        [
            (DdlKind::Keyspace, "copy"),
            (DdlKind::Type, "address"),
            (DdlKind::Type, "person"),
            (DdlKind::Table, "events"),
            (DdlKind::Table, "counts"),
            (DdlKind::Index, "events_j_idx"),
            (DdlKind::Index, "events_a_sai")
        ]
    );
    assert_eq!(ddl(&t, DdlKind::Keyspace, "copy"), "CREATE KEYSPACE IF NOT EXISTS copy WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    assert!(ddl(&t, DdlKind::Table, "events").starts_with("CREATE TABLE IF NOT EXISTS copy.events ("));
    assert_eq!(ddl(&t, DdlKind::Index, "events_j_idx"), "CREATE INDEX IF NOT EXISTS events_j_idx ON copy.events (j)");
    assert!(t.script().ends_with("ON copy.events (a) USING 'StorageAttachedIndex';\n"));
}

#[test]
fn conflicting_definitions_are_errors() {
    let a = "CREATE TYPE ks.u (a int);\nCREATE TABLE ks.t (k int PRIMARY KEY, v frozen<u>);";
    let b = "CREATE TYPE ks.u (a text);\nCREATE TABLE ks.t2 (k int PRIMARY KEY, v frozen<u>);";
    let e = translate(&[input("a", a, None), input("b", b, None)], &opts(TargetKind::Cassandra)).unwrap_err();
    assert_eq!(e.to_string(), "type ks.u is defined differently in /snap/a/schema.cql and /snap/b/schema.cql; translate them separately");
    let c = "CREATE TABLE ks.t (k int PRIMARY KEY, v text);";
    let e = translate(&[input("a", a, None), input("c", c, None)], &opts(TargetKind::Cassandra)).unwrap_err();
    assert!(matches!(e, SchemaTranslateError::TableConflict { .. }), "{e}");
    let lonely = "CREATE TYPE u (a int);";
    assert!(matches!(translate(&[input("l", lonely, None)], &opts(TargetKind::Cassandra)), Err(SchemaTranslateError::UnqualifiedType { .. })));
}

#[test]
fn legacy_compact_table_becomes_a_cql_table_without_its_hidden_column() {
    // Cassandra 4.0+ writes such a table inside a warning comment (SchemaCQLHelper).
    let text = "/*\nWarning: Table ks.dense omitted because it has constructs not compatible with CQL (was created via legacy API).\n\
        CREATE TABLE IF NOT EXISTS ks.dense (pk int, ck int, value 'org.apache.cassandra.db.marshal.EmptyType', PRIMARY KEY (pk, ck)) \
        WITH COMPACT STORAGE AND ID = 11111111-2222-3333-4444-555555555555 AND CLUSTERING ORDER BY (ck ASC) AND comment = '';\n*/";
    for target in [TargetKind::Cassandra, TargetKind::Keyspaces] {
        let t = translate(&[input("dense", text, Some(false))], &opts(target)).unwrap();
        let table = ddl(&t, DdlKind::Table, "dense");
        assert!(table.starts_with("CREATE TABLE IF NOT EXISTS ks.dense (\n    pk int,\n    ck int,\n    PRIMARY KEY (pk, ck)\n)"), "{table}");
        assert!(t.report.dropped_options("ks.dense").any(|o| o == "COMPACT"), "{}", t.report);
        assert!(!t.report.has_not_carried(), "{}", t.report);
    }
}

#[test]
fn masked_columns_keep_their_mask_on_cassandra_only() {
    let text = "CREATE TABLE ks.m (k int PRIMARY KEY, ssn text MASKED WITH DEFAULT);";
    let c = translate(&[input("m", text, None)], &opts(TargetKind::Cassandra)).unwrap();
    assert!(ddl(&c, DdlKind::Table, "m").contains("    ssn text MASKED WITH DEFAULT,"));
    let k = translate(&[input("m", text, Some(false))], &opts(TargetKind::Keyspaces)).unwrap();
    assert!(ddl(&k, DdlKind::Table, "m").contains("    ssn text,"));
    assert!(k.report.to_string().contains("ks.m: dropped option: ssn MASKED WITH DEFAULT: Keyspaces has no dynamic data masking"));
}
