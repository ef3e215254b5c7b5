//! Rows that cannot be written go to the rejects file with their key and reason, and are
//! counted; the rest of the run goes on.

use std::sync::Arc;

use bytes::Bytes;
use ksbulk::write::rejects::RejectReason;
use ksbulk::write::{Cell, CellValue, ColumnKind, ColumnSpec, Liveness, Mutation, RowOutcome, TargetTable, WriterConfig};

use super::*;

fn row(t: &Arc<TargetTable>, pk: i32, value: Bytes) -> Mutation {
    let mut m = Mutation::new(t.clone(), vec![int(pk)], vec![]);
    m.liveness = Some(Liveness { timestamp: 10, expiry: None });
    m.cells = vec![Cell { column: 0, timestamp: 10, expiry: None, value: CellValue::Simple(value) }];
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_invalid_rows_are_rejected_with_key_and_reason() {
    let s = session().await;
    fresh_table(&s, "rejects", "pk int PRIMARY KEY, v blob, n int").await;
    let t = Arc::new(TargetTable::new(
        KEYSPACE,
        "rejects",
        vec![ColumnSpec::key("pk")],
        vec![],
        vec![ColumnSpec::new("v", ColumnKind::Simple), ColumnSpec::new("n", ColumnKind::Simple)],
    ));
    let dir = temp_dir("rejects");
    let path = dir.join("rejects.jsonl");
    let w = writer(WriterConfig::default(), &path).await;

    assert_eq!(w.write(row(&t, 1, Bytes::from(vec![0u8; 1_100_000]))).await.unwrap(), RowOutcome::Rejected(RejectReason::TooLarge));
    assert_eq!(w.write(row(&t, 2, Bytes::from_static(b"small"))).await.unwrap(), RowOutcome::Written);
    // 3 bytes for an int column: the server refuses it (Invalid), the row is rejected
    let mut bad = Mutation::new(t.clone(), vec![int(3)], vec![]);
    bad.cells = vec![Cell { column: 1, timestamp: 10, expiry: None, value: CellValue::Simple(Bytes::from_static(&[1, 2, 3])) }];
    assert_eq!(w.write(bad).await.unwrap(), RowOutcome::Rejected(RejectReason::Invalid));

    let summary = w.finish().await.unwrap();
    assert_eq!(summary.rows_written, 1);
    assert_eq!(summary.rows_rejected, 2);
    assert_eq!(summary.rejects["too_large"], 1);
    assert_eq!(summary.rejects["invalid"], 1);

    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["table"], format!("{KEYSPACE}.rejects"));
    assert_eq!(lines[0]["key"]["pk"], "0x00000001");
    assert_eq!(lines[0]["reason"], "too_large");
    assert!(lines[0]["details"].as_str().unwrap().contains("1048576"), "{}", lines[0]["details"]);
    assert_eq!(lines[1]["key"]["pk"], "0x00000003");
    assert_eq!(lines[1]["reason"], "invalid");

    let pks: Vec<i32> = s
        .query_unpaged(format!("SELECT pk FROM {KEYSPACE}.rejects"), &[])
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .rows::<(i32,)>()
        .unwrap()
        .map(|r| r.unwrap().0)
        .collect();
    assert_eq!(pks, vec![2], "rejected rows are not on the target");
    std::fs::remove_dir_all(dir).ok();
}
