//! Counter mutations become `c = c + total` and are not retried blindly.

use std::sync::Arc;

use ksbulk::write::{Cell, CellValue, ColumnKind, ColumnSpec, Mutation, RowOutcome, TargetTable, WriterConfig};

use scylla::value::Counter;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_are_added() {
    let s = session().await;
    fresh_table(&s, "counters", "pk int, ck int, hits counter, misses counter, PRIMARY KEY (pk, ck)").await;
    let dir = temp_dir("counters");
    let w = writer(WriterConfig::default(), &dir.join("rejects.jsonl")).await;
    let t = Arc::new(TargetTable::new(
        KEYSPACE,
        "counters",
        vec![ColumnSpec::key("pk")],
        vec![ColumnSpec::key("ck")],
        vec![ColumnSpec::new("hits", ColumnKind::Counter), ColumnSpec::new("misses", ColumnKind::Counter)],
    ));
    for (ck, hits, misses) in [(1, 5i64, -2i64), (2, 100, 0)] {
        let mut m = Mutation::new(t.clone(), vec![int(7)], vec![int(ck)]);
        m.cells = vec![
            Cell { column: 0, timestamp: 1, expiry: None, value: CellValue::Counter(hits) },
            Cell { column: 1, timestamp: 1, expiry: None, value: CellValue::Counter(misses) },
        ];
        assert_eq!(w.write(m).await.unwrap(), RowOutcome::Written);
    }
    let summary = w.finish().await.unwrap();
    assert_eq!(summary.rows_written, 2);
    let rows: Vec<(i32, i64, i64)> = s
        .query_unpaged(format!("SELECT ck, hits, misses FROM {KEYSPACE}.counters WHERE pk = 7"), &[])
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .rows::<(i32, Counter, Counter)>()
        .unwrap()
        .map(|r| r.map(|(ck, h, m)| (ck, h.0, m.0)).unwrap())
        .collect();
    assert_eq!(rows, vec![(1, 5, -2), (2, 100, 0)]);
    std::fs::remove_dir_all(dir).ok();
}
