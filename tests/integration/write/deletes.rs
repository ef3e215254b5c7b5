//! Tombstones become timestamped DELETEs only with `--write-deletes`: partition, row, range,
//! cell and collection element deletions, each shadowing only older data.

use std::collections::BTreeMap;
use std::sync::Arc;

use ksbulk::write::rejects::RejectReason;
use ksbulk::write::statement::PlanOptions;
use ksbulk::write::{ColumnKind, ColumnSpec, Deletion, Mutation, RangeBound, RowOutcome, TargetTable, WriterConfig};

use super::*;

fn table() -> Arc<TargetTable> {
    Arc::new(TargetTable::new(
        KEYSPACE,
        "dels",
        vec![ColumnSpec::key("pk")],
        vec![ColumnSpec::key("c1"), ColumnSpec::key("c2")],
        vec![ColumnSpec::new("v", ColumnKind::Simple), ColumnSpec::new("m", ColumnKind::Map), ColumnSpec::new("l", ColumnKind::List)],
    ))
}

fn bound(prefix: &[i32], inclusive: bool) -> Option<RangeBound> {
    Some(RangeBound { prefix: prefix.iter().map(|v| int(*v)).collect(), inclusive })
}

async fn remaining(s: &scylla::client::session::Session, pk: i32) -> Vec<(i32, i32, Option<i32>, Option<BTreeMap<i32, i32>>)> {
    s.query_unpaged(format!("SELECT c1, c2, v, m FROM {KEYSPACE}.dels WHERE pk = {pk}"), &[])
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .rows::<(i32, i32, Option<i32>, Option<BTreeMap<i32, i32>>)>()
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_are_written_with_their_timestamps_only_when_asked() {
    let s = session().await;
    fresh_table(&s, "dels", "pk int, c1 int, c2 int, v int, m map<int, int>, l list<int>, PRIMARY KEY (pk, c1, c2)").await;
    for (pk, c1, c2) in [(1, 1, 1), (1, 1, 2), (1, 1, 3), (1, 1, 4), (1, 1, 5), (1, 1, 6), (1, 2, 1), (1, 3, 1), (2, 1, 1)] {
        s.query_unpaged(
            format!("INSERT INTO {KEYSPACE}.dels (pk, c1, c2, v, m) VALUES ({pk}, {c1}, {c2}, {c2}, {{1: 1, 2: 2}}) USING TIMESTAMP 100"),
            &[],
        )
        .await
        .unwrap();
    }
    let t = table();
    let dir = temp_dir("deletes");

    // Without --write-deletes: counted, not written.
    let w = writer(WriterConfig::default(), &dir.join("rejects-off.jsonl")).await;
    let mut m = Mutation::new(t.clone(), vec![int(1)], vec![int(1), int(1)]);
    m.deletions = vec![Deletion::Row { timestamp: 200 }];
    assert_eq!(w.write(m).await.unwrap(), RowOutcome::Empty);
    let summary = w.finish().await.unwrap();
    assert_eq!(summary.deletions_skipped, 1);
    assert_eq!(remaining(&s, 1).await.len(), 8);

    // With --write-deletes.
    let cfg = WriterConfig { plan: PlanOptions { write_deletes: true, ..PlanOptions::default() }, ..WriterConfig::default() };
    let w = writer(cfg, &dir.join("rejects.jsonl")).await;
    let mut part1 = Mutation::new(t.clone(), vec![int(1)], vec![]);
    part1.deletions = vec![
        // c1 = 1 AND c2 >= 2 AND c2 < 4
        Deletion::Range { start: bound(&[1, 2], true), end: bound(&[1, 4], false), timestamp: 200 },
        // c1 = 2
        Deletion::Range { start: bound(&[2], true), end: bound(&[2], true), timestamp: 200 },
        // (c1, c2) >= (1, 6) AND (c1) < (2): bounds of different lengths use tuples
        Deletion::Range { start: bound(&[1, 6], true), end: bound(&[2], false), timestamp: 200 },
    ];
    let mut row15 = Mutation::new(t.clone(), vec![int(1)], vec![int(1), int(5)]);
    row15.deletions = vec![Deletion::Row { timestamp: 200 }];
    let mut row11 = Mutation::new(t.clone(), vec![int(1)], vec![int(1), int(1)]);
    row11.deletions = vec![
        Deletion::Column { column: 0, timestamp: 200 },
        Deletion::Element { column: 1, path: int(1), timestamp: 200 },
        // a list element tombstone has no CQL form: reported, the rest is written
        Deletion::Element { column: 2, path: bytes::Bytes::from_static(&[1; 16]), timestamp: 200 },
    ];
    // older than the data: shadows nothing
    let mut row31 = Mutation::new(t.clone(), vec![int(1)], vec![int(3), int(1)]);
    row31.deletions = vec![Deletion::Row { timestamp: 50 }];
    let mut part2 = Mutation::new(t.clone(), vec![int(2)], vec![]);
    part2.deletions = vec![Deletion::Partition { timestamp: 200 }];
    for m in [part1, row15, row11, row31, part2] {
        assert_eq!(w.write(m).await.unwrap(), RowOutcome::Written);
    }
    let summary = w.finish().await.unwrap();
    assert_eq!(summary.rejects["unsupported_delete"], 1);
    assert_eq!(summary.rows_rejected, 0);

    let left = remaining(&s, 1).await;
    assert_eq!(
        left,
        vec![
            (1, 1, None, Some(BTreeMap::from([(2, 2)]))),
            (1, 4, Some(4), Some(BTreeMap::from([(1, 1), (2, 2)]))),
            (3, 1, Some(1), Some(BTreeMap::from([(1, 1), (2, 2)]))),
        ]
    );
    assert!(remaining(&s, 2).await.is_empty(), "partition deleted");
    let rejects = std::fs::read_to_string(dir.join("rejects.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(rejects.lines().next().unwrap()).unwrap();
    assert_eq!(line["reason"], RejectReason::UnsupportedDelete.as_str());
    assert_eq!(line["key"]["c2"], "0x00000001");
    std::fs::remove_dir_all(dir).ok();
}
