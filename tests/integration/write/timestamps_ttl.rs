//! Writetimes and remaining TTLs survive the write stage; INSERT recreates the row marker and
//! UPDATE does not; collections are written element by element.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use ksbulk::write::{Cell, CellValue, ColumnKind, ColumnSpec, Expiry, Liveness, Mutation, RowOutcome, TargetTable, WriterConfig};

use super::*;

fn table() -> Arc<TargetTable> {
    Arc::new(TargetTable::new(
        KEYSPACE,
        "ts_ttl",
        vec![ColumnSpec::key("pk")],
        vec![ColumnSpec::key("ck")],
        vec![
            ColumnSpec::new("a", ColumnKind::Simple),
            ColumnSpec::new("b", ColumnKind::Simple),
            ColumnSpec::new("c", ColumnKind::Simple),
            ColumnSpec::new("m", ColumnKind::Map),
            ColumnSpec::new("s", ColumnKind::Set),
            ColumnSpec::new("l", ColumnKind::List),
        ],
    ))
}

fn simple(column: usize, timestamp: i64, expiry: Option<Expiry>, v: Bytes) -> Cell {
    Cell { column, timestamp, expiry, value: CellValue::Simple(v) }
}

fn element(column: usize, timestamp: i64, path: Bytes, value: Bytes) -> Cell {
    Cell { column, timestamp, expiry: None, value: CellValue::Element { path, value } }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writetime_ttl_insert_update_and_collections_land_as_in_the_source() {
    let s = session().await;
    fresh_table(&s, "ts_ttl", "pk int, ck text, a text, b int, c int, m map<text, int>, s set<int>, l list<text>, PRIMARY KEY (pk, ck)").await;
    let dir = temp_dir("ts-ttl");
    let w = writer(WriterConfig::default(), &dir.join("rejects.jsonl")).await;
    let t = table();
    let now = now_secs();
    let in_an_hour = Some(Expiry { ttl: 7200, local_expiration_time: now + 3600 });

    // Row 1: inserted at ts 1000 (row marker), b updated at 2000 with a TTL, c expired,
    // map entries at 3000, set element and list elements at 4000.
    let mut r1 = Mutation::new(t.clone(), vec![int(1)], vec![text("x")]);
    r1.liveness = Some(Liveness { timestamp: 1000, expiry: None });
    r1.cells = vec![
        simple(0, 1000, None, text("alpha")),
        simple(1, 2000, in_an_hour, int(42)),
        simple(2, 1500, Some(Expiry { ttl: 10, local_expiration_time: now - 5 }), int(7)),
        element(3, 3000, text("k1"), int(1)),
        element(3, 3000, text("k2"), int(2)),
        element(4, 4000, int(9), Bytes::new()),
        element(5, 4000, Bytes::from_static(&[1; 16]), text("first")),
        element(5, 4000, Bytes::from_static(&[2; 16]), text("second")),
    ];
    assert_eq!(w.write(r1).await.unwrap(), RowOutcome::Written);

    // Row 2: no liveness, only an UPDATE of a.
    let mut r2 = Mutation::new(t.clone(), vec![int(1)], vec![text("y")]);
    r2.cells = vec![simple(0, 5000, None, text("beta"))];
    assert_eq!(w.write(r2).await.unwrap(), RowOutcome::Written);

    // Row 3: everything expired: nothing written, counted.
    let mut r3 = Mutation::new(t.clone(), vec![int(1)], vec![text("z")]);
    r3.liveness = Some(Liveness { timestamp: 1, expiry: Some(Expiry { ttl: 1, local_expiration_time: now - 100 }) });
    r3.cells = vec![simple(0, 1, Some(Expiry { ttl: 1, local_expiration_time: now - 100 }), text("gone"))];
    assert_eq!(w.write(r3).await.unwrap(), RowOutcome::Empty);

    let summary = w.finish().await.unwrap();
    assert_eq!(summary.rows_written, 2);
    assert_eq!(summary.rows_empty, 1);
    assert_eq!(summary.expired, 3, "c of row 1, marker and a of row 3");
    // row 1: INSERT(a) + UPDATE(b, TTL) + UPDATE(m) + UPDATE(s, l); row 2: UPDATE(a)
    assert_eq!(summary.statements, 5);

    let row = s
        .query_unpaged(
            format!("SELECT a, WRITETIME(a), b, WRITETIME(b), TTL(b), c, m, WRITETIME(m), s, l FROM {KEYSPACE}.ts_ttl WHERE pk = 1 AND ck = 'x'"),
            &[],
        )
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .single_row::<(String, i64, i32, i64, i32, Option<i32>, BTreeMap<String, i32>, Vec<i64>, Vec<i32>, Vec<String>)>()
        .unwrap();
    assert_eq!(row.0, "alpha");
    assert_eq!(row.1, 1000);
    assert_eq!(row.2, 42);
    assert_eq!(row.3, 2000);
    assert!(row.4 > 3590 && row.4 <= 3600, "remaining TTL counts down from the source expiry: {}", row.4);
    assert_eq!(row.5, None, "expired cell not written");
    assert_eq!(row.6, BTreeMap::from([("k1".to_string(), 1), ("k2".to_string(), 2)]));
    assert_eq!(row.7, vec![3000, 3000], "each map entry keeps its writetime");
    assert_eq!(row.8, vec![9]);
    assert_eq!(row.9, vec!["first".to_string(), "second".to_string()], "list order kept");

    // The row marker: deleting every cell of row 1 keeps the row (INSERT wrote a marker);
    // deleting a of row 2 removes it (UPDATE wrote none).
    s.query_unpaged(format!("DELETE a, b, m, s, l FROM {KEYSPACE}.ts_ttl USING TIMESTAMP 10000 WHERE pk = 1 AND ck = 'x'"), &[]).await.unwrap();
    s.query_unpaged(format!("DELETE a FROM {KEYSPACE}.ts_ttl USING TIMESTAMP 10000 WHERE pk = 1 AND ck = 'y'"), &[]).await.unwrap();
    let cks: Vec<String> = s
        .query_unpaged(format!("SELECT ck FROM {KEYSPACE}.ts_ttl WHERE pk = 1"), &[])
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .rows::<(String,)>()
        .unwrap()
        .map(|r| r.unwrap().0)
        .collect();
    assert_eq!(cks, vec!["x".to_string()], "only the INSERTed row has a primary-key liveness");
    std::fs::remove_dir_all(dir).ok();
}
