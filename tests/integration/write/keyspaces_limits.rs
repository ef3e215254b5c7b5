//! Under `--keyspaces-limits`, a row wider than 225 columns is written as several statements
//! and still lands with every cell's own writetime.

use std::sync::Arc;

use ksbulk::write::statement::PlanOptions;
use ksbulk::write::{Cell, CellValue, ColumnKind, ColumnSpec, Liveness, Mutation, RowOutcome, TargetTable, WriterConfig};
use scylla::client::session::Session;
use scylla::value::{CqlValue, Row};

use super::*;

const COLUMNS: usize = 300;

fn table() -> Arc<TargetTable> {
    let columns = (0..COLUMNS).map(|i| ColumnSpec::new(format!("c{i}"), ColumnKind::Simple)).collect();
    Arc::new(TargetTable::new(KEYSPACE, "wide300", vec![ColumnSpec::key("pk")], vec![ColumnSpec::key("ck")], columns))
}

/// A row of `wide300` at `ck` with `c_i = i` written at `timestamp(i)`, and a row marker at
/// `timestamp(0)`.
fn wide_row(t: &Arc<TargetTable>, ck: i32, timestamp: impl Fn(usize) -> i64) -> Mutation {
    let mut m = Mutation::new(t.clone(), vec![int(1)], vec![int(ck)]);
    m.liveness = Some(Liveness { timestamp: timestamp(0), expiry: None });
    m.cells = (0..COLUMNS)
        .map(|i| Cell { column: i, timestamp: timestamp(i), expiry: None, value: CellValue::Simple(int(i as i32)) })
        .collect();
    m
}

/// Values and writetimes of every column of the row at `ck`.
async fn read_back(s: &Session, ck: i32) -> (Vec<i32>, Vec<i64>) {
    let columns: Vec<String> = (0..COLUMNS).map(|i| format!("c{i}")).collect();
    let writetimes: Vec<String> = (0..COLUMNS).map(|i| format!("WRITETIME(c{i})")).collect();
    let cql = format!("SELECT {}, {} FROM {KEYSPACE}.wide300 WHERE pk = 1 AND ck = {ck}", columns.join(", "), writetimes.join(", "));
    let row = s.query_unpaged(cql, &[]).await.unwrap().into_rows_result().unwrap().single_row::<Row>().unwrap();
    let values = row.columns[..COLUMNS]
        .iter()
        .map(|v| match v {
            Some(CqlValue::Int(v)) => *v,
            other => panic!("ck {ck}: value {other:?}"),
        })
        .collect();
    let writetimes = row.columns[COLUMNS..]
        .iter()
        .map(|v| match v {
            Some(CqlValue::BigInt(v)) => *v,
            other => panic!("ck {ck}: writetime {other:?}"),
        })
        .collect();
    (values, writetimes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_300_column_row_keeps_every_writetime_under_keyspaces_limits() {
    let s = session().await;
    let columns: Vec<String> = (0..COLUMNS).map(|i| format!("c{i} int")).collect();
    fresh_table(&s, "wide300", &format!("pk int, ck int, {}, PRIMARY KEY (pk, ck)", columns.join(", "))).await;
    let dir = temp_dir("keyspaces-limits");
    let cfg = WriterConfig { plan: PlanOptions { keyspaces_limits: true, ..PlanOptions::default() }, ..WriterConfig::default() };
    let w = writer(cfg, &dir.join("rejects.jsonl")).await;
    let t = table();
    let expected: Vec<i32> = (0..COLUMNS as i32).collect();

    // 300 columns, 300 timestamps: one statement per timestamp.
    let ts = |i: usize| 1_000_000 + 1000 * i as i64;
    assert_eq!(w.write(wide_row(&t, 1, ts)).await.unwrap(), RowOutcome::Written);
    let after_first = w.summary().statements;
    assert!(after_first >= 2, "the row took {after_first} statements");
    assert_eq!(after_first, COLUMNS as u64);

    // 300 columns at one timestamp: an INSERT of 225 (with the row marker) and an UPDATE of 75.
    assert_eq!(w.write(wide_row(&t, 2, |_| 5_000_000)).await.unwrap(), RowOutcome::Written);

    let summary = w.finish().await.unwrap();
    assert_eq!(summary.rows_written, 2);
    assert_eq!(summary.statements - after_first, 2, "one group of 300 columns is two statements");

    let (values, writetimes) = read_back(&s, 1).await;
    assert_eq!(values, expected);
    assert_eq!(writetimes, (0..COLUMNS).map(ts).collect::<Vec<_>>(), "every column keeps its own writetime");
    let (values, writetimes) = read_back(&s, 2).await;
    assert_eq!(values, expected);
    assert_eq!(writetimes, vec![5_000_000; COLUMNS]);

    // The row marker came with the INSERT: with every cell deleted, the row is still there.
    let all: Vec<String> = (0..COLUMNS).map(|i| format!("c{i}")).collect();
    s.query_unpaged(format!("DELETE {} FROM {KEYSPACE}.wide300 USING TIMESTAMP 9000000 WHERE pk = 1 AND ck = 2", all.join(", ")), &[])
        .await
        .unwrap();
    let left = s
        .query_unpaged(format!("SELECT ck FROM {KEYSPACE}.wide300 WHERE pk = 1 AND ck = 2"), &[])
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .rows_num();
    assert_eq!(left, 1, "the INSERT's row marker survives");
    std::fs::remove_dir_all(dir).ok();
}
