//! schema.cql parsing on the statement forms Cassandra 3.0–5.0 write (from
//! `SchemaCQLHelperTest`, `TableCQLHelperTest` and the helpers' source). Whole generated
//! snapshots are parsed by the corpus test in `tests/`.

use super::*;

const OPTIONS_50: &str = "    AND additional_write_policy = '99p'
    AND allow_auto_snapshot = true
    AND bloom_filter_fp_chance = 0.01
    AND caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}
    AND cdc = false
    AND comment = ''
    AND compaction = {'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'max_threshold': '32', 'min_threshold': '4'}
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

fn parse(text: &str) -> SchemaFile {
    SchemaFile::parse(text, "/snap/schema.cql").unwrap_or_else(|e| panic!("{e}"))
}

fn types(cols: &[Column]) -> Vec<String> {
    cols.iter().map(|c| format!("{} {}", c.name, c.cql_type)).collect()
}

#[test]
fn cassandra_5_snapshot_with_udts_composite_key_desc_static_and_drops() {
    let text = format!(
        "CREATE TYPE IF NOT EXISTS ks.address (
    street text,
    zip int
);
CREATE TYPE IF NOT EXISTS ks.person (
    name text,
    home frozen<address>,
    tags set<text>
);
CREATE TABLE IF NOT EXISTS ks.t (
    pk1 varint,
    pk2 ascii,
    ck1 timeuuid,
    ck2 int,
    st1 ascii static,
    reg1 frozen<person>,
    reg2 map<text, frozen<list<int>>>,
    reg3 tuple<int, text>,
    vec vector<float, 3>,
    \"Mixed Case\" text,
    gone bigint,
    PRIMARY KEY ((pk1, pk2), ck1, ck2)
) WITH ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c18
    AND CLUSTERING ORDER BY (ck1 DESC, ck2 ASC)
{OPTIONS_50}
ALTER TABLE ks.t DROP gone USING TIMESTAMP 1700000000000000;
CREATE INDEX IF NOT EXISTS t_reg1_idx ON ks.t (reg1);
"
    );
    let file = parse(&text);
    let t = file.table().expect("one table");
    assert_eq!((t.keyspace.as_str(), t.name.as_str()), ("ks", "t"));
    assert_eq!(t.id.as_deref(), Some("5a1c395e-b41f-11e5-9f22-ba0be0483c18"));
    assert_eq!(t.id_hex().as_deref(), Some("5a1c395eb41f11e59f22ba0be0483c18"));
    assert_eq!(t.partition_key_names(), ["pk1", "pk2"]);
    assert_eq!(t.clustering_names(), ["ck1", "ck2"]);
    assert_eq!(t.clustering[0].order, ClusteringOrder::Desc);
    assert_eq!(t.clustering[1].order, ClusteringOrder::Asc);
    assert_eq!(types(&t.static_columns), ["st1 ascii"]);
    assert_eq!(
        types(&t.regular_columns),
        ["reg1 frozen<person>", "reg2 map<text, frozen<list<int>>>", "reg3 tuple<int, text>", "vec vector<float, 3>", "Mixed Case text"]
    );
    assert_eq!(t.dropped_columns, [DroppedColumn { name: "gone".into(), cql_type: Some(CqlType::Native(NativeType::Bigint)), is_static: false, dropped_at: 1_700_000_000_000_000 }]);
    assert!(t.is_dropped_cell("gone", 1_700_000_000_000_000));
    assert!(!t.is_dropped_cell("gone", 1_700_000_000_000_001));
    assert!(!t.is_dropped_cell("reg1", 0));
    assert_eq!(t.options.len(), 19);
    assert_eq!(t.option("compaction").unwrap().value.get("max_threshold"), Some(&OptionValue::Str("32".into())));
    assert_eq!(t.option("comment").unwrap().raw, "''");
    assert_eq!(t.default_time_to_live(), 0);
    assert!(!t.compact_storage && !t.legacy_warning && !t.is_counter());
    assert_eq!(t.user_types.len(), 2);
    let person = t.user_type(&QualifiedName { keyspace: None, name: "person".into() }).unwrap();
    assert_eq!(person.fields[1], ("home".into(), CqlType::Frozen(Box::new(CqlType::Udt(QualifiedName { keyspace: None, name: "address".into() })))));
    assert!(matches!(file.statements.last().unwrap().statement, Statement::CreateIndex { .. }));
    assert_eq!(file.statements.len(), 5);
    assert_eq!(&text[file.statements[2].offset..file.statements[2].offset + 12], "CREATE TABLE");
}

#[test]
fn single_key_table_with_dropped_and_readded_columns() {
    // TableMetadata.appendColumnDefinitions: a re-added column is first written with its
    // dropped definition, then DROP, then ADD.
    let text = format!(
        "CREATE TABLE IF NOT EXISTS ks.t (
    k int PRIMARY KEY,
    v text,
    reg3 int,
    st blob static
) WITH ID = 00000000-0000-0000-0000-000000000001
{OPTIONS_50}
ALTER TABLE ks.t DROP reg3 USING TIMESTAMP 10000;
ALTER TABLE ks.t ADD reg3 int;
ALTER TABLE ks.t DROP st USING TIMESTAMP 20000;
ALTER TABLE ks.t ADD st blob static;"
    );
    let t = parse(&text).tables.remove(0);
    assert_eq!(t.partition_key_names(), ["k"]);
    assert!(t.clustering.is_empty());
    assert_eq!(types(&t.regular_columns), ["v text", "reg3 int"]);
    assert_eq!(types(&t.static_columns), ["st blob"]);
    assert!(t.is_dropped_cell("reg3", 10000));
    assert!(!t.is_dropped_cell("reg3", 10001));
    let st = t.dropped("st").unwrap();
    assert!(st.is_static);
    assert_eq!(st.dropped_at, 20000);
}

#[test]
fn cassandra_3_11_layout_with_tabs_and_compact_storage() {
    // ColumnFamilyStoreCQLHelper (3.0/3.11): tab indentation, no IF NOT EXISTS on types,
    // `WITH ID = … AND COMPACT STORAGE`, dropped column listed in the CREATE.
    let text = "CREATE TYPE ks.pt(x int, y int);
CREATE TABLE IF NOT EXISTS ks.legacy (
\tpk text,
\tck text,
\tval blob,
\told frozen<pt>,
\tPRIMARY KEY (pk, ck))
\tWITH ID = 7b29b2a0-6ed7-11e6-8b77-86f30ca893d3
\tAND COMPACT STORAGE
\tAND CLUSTERING ORDER BY (ck DESC)
\tAND bloom_filter_fp_chance = 0.01
\tAND dclocal_read_repair_chance = 0.1
\tAND crc_check_chance = 1.0
\tAND default_time_to_live = 3600
\tAND gc_grace_seconds = 864000
\tAND min_index_interval = 128
\tAND max_index_interval = 2048
\tAND memtable_flush_period_in_ms = 0
\tAND read_repair_chance = 0.0
\tAND speculative_retry = '99PERCENTILE'
\tAND comment = 'it''s legacy'
\tAND caching = { 'keys': 'ALL', 'rows_per_partition': 'NONE' }
\tAND compaction = { 'max_threshold': '32', 'min_threshold': '4', 'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy' }
\tAND compression = { 'chunk_length_in_kb': '64', 'class': 'org.apache.cassandra.io.compress.LZ4Compressor' }
\tAND cdc = false
\tAND extensions = {  };
ALTER TABLE ks.legacy DROP old USING TIMESTAMP 1472733000000000;
";
    let file = parse(text);
    let t = file.table().unwrap();
    assert!(t.compact_storage && !t.is_static_compact());
    assert_eq!(t.clustering[0].order, ClusteringOrder::Desc);
    assert_eq!(types(&t.regular_columns), ["val blob"]);
    assert_eq!(t.dropped("old").unwrap().cql_type.as_ref().unwrap().to_string(), "frozen<pt>");
    assert_eq!(t.default_time_to_live(), 3600);
    assert_eq!(t.option("comment").unwrap().value, OptionValue::Str("it's legacy".into()));
    assert_eq!(file.user_types().next().unwrap().fields.len(), 2);
}

#[test]
fn static_compact_table_single_key_form() {
    let text = "CREATE TABLE IF NOT EXISTS legacy_tables.legacy_ma_simple_compact (
\tpk text PRIMARY KEY,
\tval text)
\tWITH ID = 8c5c1b6e-6ed7-11e6-8b77-86f30ca893d3
\tAND COMPACT STORAGE
\tAND comment = '';";
    let t = parse(text).tables.remove(0);
    assert!(t.is_static_compact());
    assert_eq!(types(&t.regular_columns), ["val text"]);
}

#[test]
fn compact_table_inside_cassandra_4_warning_comment_is_still_parsed() {
    let text = "/*
Warning: Table ks.dense omitted because it has constructs not compatible with CQL (was created via legacy API).
Approximate structure, for reference:
(this should not be used to reproduce this schema)

CREATE TABLE IF NOT EXISTS ks.dense (
    pk int,
    ck int,
    value 'org.apache.cassandra.db.marshal.EmptyType',
    PRIMARY KEY (pk, ck)
) WITH COMPACT STORAGE
    AND ID = 11111111-2222-3333-4444-555555555555
    AND CLUSTERING ORDER BY (ck ASC)
    AND comment = '';
ALTER TABLE ks.dense DROP x USING TIMESTAMP 5;
*/";
    let file = parse(text);
    let t = file.table().unwrap();
    assert!(t.legacy_warning && t.compact_storage);
    assert_eq!(t.regular_columns[0].cql_type, CqlType::Custom("org.apache.cassandra.db.marshal.EmptyType".into()));
    assert!(file.statements.iter().all(|s| s.in_warning_comment));
    assert_eq!(t.dropped("x").unwrap().dropped_at, 5);
    assert_eq!(t.dropped("x").unwrap().cql_type, None);
}

#[test]
fn counter_table_and_quoted_names() {
    let text = "CREATE TABLE IF NOT EXISTS \"KS\".\"Counts\" (
    \"Pk\" text,
    \"select\" int,
    c counter,
    PRIMARY KEY (\"Pk\", \"select\")
) WITH ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c18
    AND CLUSTERING ORDER BY (\"select\" ASC)
    AND comment = '';";
    let t = parse(text).tables.remove(0);
    assert_eq!((t.keyspace.as_str(), t.name.as_str()), ("KS", "Counts"));
    assert_eq!(t.qualified_name(), "\"KS\".\"Counts\"");
    assert_eq!(t.partition_key_names(), ["Pk"]);
    assert_eq!(t.clustering_names(), ["select"]);
    assert!(t.is_counter());
}

#[test]
fn masked_columns_keep_their_extra_text() {
    let text = "CREATE TABLE IF NOT EXISTS ks.m (
    k int PRIMARY KEY,
    ssn text MASKED WITH system.mask_inner(1, null),
    n int MASKED WITH DEFAULT
) WITH ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c18;";
    let t = parse(text).tables.remove(0);
    assert_eq!(t.regular_columns[0].extra.as_deref(), Some("MASKED WITH system.mask_inner(1, null)"));
    assert_eq!(t.regular_columns[1].extra.as_deref(), Some("MASKED WITH DEFAULT"));
}

#[test]
fn view_snapshot_has_no_table_but_keeps_the_view() {
    let text = "CREATE MATERIALIZED VIEW IF NOT EXISTS ks.by_v AS
    SELECT k, v
    FROM ks.t
    WHERE k IS NOT NULL AND v IS NOT NULL
    PRIMARY KEY (v, k)
 WITH ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c18
    AND CLUSTERING ORDER BY (k ASC)
    AND comment = '';";
    let file = parse(text);
    assert!(file.table().is_none());
    assert!(matches!(&file.statements[0].statement, Statement::CreateMaterializedView { base_table, .. } if base_table.name == "t"));
}

#[test]
fn errors_name_file_and_byte_offset() {
    let e = SchemaFile::parse("CREATE TABLE ks.t (\n    k int PRIMARY KEY,\n    v nosuch<int>\n);", "/d/schema.cql").unwrap_err();
    assert_eq!(e.file, Path::new("/d/schema.cql"));
    assert_eq!((e.line, e.column), (3, 13), "{e}");
    assert!(e.to_string().starts_with("/d/schema.cql: schema.cql at byte 55 (line 3, column 13): expected"), "{e}");

    let e = SchemaFile::parse("CREATE TABLE ks.t (k int PRIMARY KEY) WITH ID = 1;", "s").unwrap_err();
    assert!(e.message.contains("table id"), "{e}");

    let e = SchemaFile::parse("CREATE TABLE ks.t (k int, v int);", "s").unwrap_err();
    assert_eq!(e.offset, 12, "{e}");
    assert!(e.message.contains("primary key"), "{e}");

    let e = SchemaFile::parse("CREATE TABLE ks.t (k int PRIMARY KEY);\nALTER TABLE ks.t DROP v;", "s").unwrap_err();
    assert_eq!(e.offset, 39);
    assert!(e.message.contains("USING TIMESTAMP"), "{e}");

    let e = SchemaFile::parse("ALTER TABLE ks.u DROP v USING TIMESTAMP 1;", "s").unwrap_err();
    assert!(e.message.contains("no CREATE TABLE"), "{e}");

    let e = SchemaFile::parse("CREATE TABLE ks.t (k int PRIMARY KEY) garbage", "s").unwrap_err();
    assert_eq!(e.offset, 38, "{e}");

    let e = SchemaFile::parse_bytes(b"CREATE \xff", "s").unwrap_err();
    assert_eq!(e.offset, 7);
    assert!(SchemaFile::parse("/* never closed", "s").is_err());
    assert!(SchemaFile::parse("CREATE TABLE ks.t (k int PRIMARY KEY, 'x' int);", "s").is_err());
}

#[test]
fn empty_and_comment_only_files_have_no_statements() {
    assert!(parse("").statements.is_empty());
    assert!(parse("-- nothing\n/* plain comment */\n").tables.is_empty());
}
