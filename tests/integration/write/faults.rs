//! Faults injected with `scylla-proxy` between the driver and the real Cassandra: forged
//! WriteTimeout and Overloaded answers, dropped connections and delays past the client
//! timeout on a share of writes. Every row must land, the retries must be counted by cause
//! and the in-flight window must shrink.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ksbulk::write::backoff::Backoff;
use ksbulk::write::rejects::RejectsFile;
use ksbulk::write::{Cell, CellValue, ColumnKind, ColumnSpec, Liveness, Mutation, TargetTable, Writer, WriterConfig};
use scylla::client::session_builder::SessionBuilder;
use scylla_proxy::{
    Condition, Node, Proxy, Reaction, RequestOpcode, RequestReaction, RequestRule, ShardAwareness,
};

use super::*;

fn on_execute(p: f64) -> Condition {
    Condition::RequestOpcode(RequestOpcode::Execute).and(Condition::RandomWithProbability(p))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_lands_through_timeouts_overload_and_dropped_connections() {
    let s = session().await;
    fresh_table(&s, "faults", "pk int, ck int, v text, PRIMARY KEY (pk, ck)").await;

    let real: SocketAddr = cassandra_addr().parse().expect("KSBULK_CASSANDRA is ip:port");
    let proxy_addr = SocketAddr::new(scylla_proxy::get_exclusive_local_address(), real.port());
    let rules = vec![
        RequestRule(on_execute(0.05), RequestReaction::forge().write_timeout()),
        RequestRule(on_execute(0.03), RequestReaction::forge().overloaded()),
        RequestRule(on_execute(0.003), RequestReaction::drop_connection()),
        // answered after the client gave up: a client timeout
        RequestRule(on_execute(0.01), RequestReaction::delay(Duration::from_millis(1500))),
    ];
    let proxy = Proxy::builder()
        .with_node(
            Node::builder()
                .real_address(real)
                .proxy_address(proxy_addr)
                .shard_awareness(ShardAwareness::Unaware)
                .request_rules(rules)
                .build(),
        )
        .build();
    let translation: HashMap<SocketAddr, SocketAddr> = proxy.translation_map();
    let running = proxy.run().await.expect("proxy starts");

    let mut conn = conn_args();
    conn.target = vec![proxy_addr.to_string()];
    conn.request_timeout = Duration::from_millis(1000);
    let session = ksbulk::write::session::connect_with(&conn, |b: SessionBuilder| b.address_translator(Arc::new(translation)))
        .await
        .expect("connect through the proxy");
    let dir = temp_dir("faults");
    let cfg = WriterConfig {
        concurrency: 64,
        backoff: Backoff { base: Duration::from_millis(5), max: Duration::from_millis(200), max_retries: 20 },
        ..WriterConfig::default()
    };
    let w = Writer::new(session, cfg, RejectsFile::create(&dir.join("rejects.jsonl")).unwrap());
    let t = Arc::new(TargetTable::new(
        KEYSPACE,
        "faults",
        vec![ColumnSpec::key("pk")],
        vec![ColumnSpec::key("ck")],
        vec![ColumnSpec::new("v", ColumnKind::Simple)],
    ));
    const ROWS: i32 = 1500;
    for i in 0..ROWS {
        let mut m = Mutation::new(t.clone(), vec![int(i % 100)], vec![int(i)]);
        m.liveness = Some(Liveness { timestamp: 1_000 + i as i64, expiry: None });
        m.cells = vec![Cell { column: 0, timestamp: 1_000 + i as i64, expiry: None, value: CellValue::Simple(text(&format!("row {i}"))) }];
        w.submit(m).await.expect("writer keeps going");
    }
    let summary = w.finish().await.expect("no fatal error");
    // Not `running.finish()`: scylla-proxy 0.0.8 can panic there ("Worker await logic bug!")
    // when a worker is still winding down a dropped connection. The proxy's tasks end with
    // this test's runtime.
    drop(running);

    eprintln!("{summary}");
    assert_eq!(summary.rows_written, ROWS as u64, "{summary}");
    assert_eq!(summary.rows_rejected, 0, "{summary}");
    assert!(summary.retries["write_timeout"] > 0, "{summary}");
    assert!(summary.retries["overloaded"] > 0, "{summary}");
    assert!(summary.retries["client_timeout"] > 0, "{summary}");
    assert!(summary.retries["connection"] > 0, "dropped connections are retried: {summary}");
    assert!(summary.retries_total >= summary.retries["write_timeout"] + summary.retries["overloaded"]);
    assert!(summary.in_flight.min < 64, "window shrank under pushback: {summary}");
    assert_eq!(summary.in_flight.max, 64);

    let rows: Vec<(i32, i64)> = s
        .query_unpaged(format!("SELECT ck, WRITETIME(v) FROM {KEYSPACE}.faults"), &[])
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .rows::<(i32, i64)>()
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len(), ROWS as usize, "every row is on the target");
    assert!(rows.iter().all(|(ck, wt)| *wt == 1_000 + *ck as i64), "retries keep the source writetime");
    std::fs::remove_dir_all(dir).ok();
}
