//! Cassandra: schema, writes with explicit timestamps and TTL, and reads through `scylla`.

use ksbulk_tests::{cassandra_credentials, require_cassandra, unique_name};
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;

async fn connect() -> Session {
    let addr = require_cassandra();
    let mut builder = SessionBuilder::new().known_node(&addr);
    if let Some((user, password)) = cassandra_credentials() {
        builder = builder.user(user, password);
    }
    builder
        .build()
        .await
        .unwrap_or_else(|e| panic!("Cassandra listens at {addr} but the driver cannot connect: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cassandra_round_trips_rows_with_writetime_and_ttl() {
    let session = connect().await;
    let ks = unique_name("stack_it");
    session
        .query_unpaged(
            format!("CREATE KEYSPACE {ks} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"),
            &[],
        )
        .await
        .expect("create keyspace");
    session
        .query_unpaged(format!("CREATE TABLE {ks}.t (k int, c text, v bigint, PRIMARY KEY (k, c))"), &[])
        .await
        .expect("create table");

    let insert = session
        .prepare(format!("INSERT INTO {ks}.t (k, c, v) VALUES (?, ?, ?) USING TIMESTAMP ? AND TTL ?"))
        .await
        .expect("prepare insert");
    let rows: [(i32, &str, i64, i64, i32); 3] = [
        (1, "a", 10, 1_000_001, 0),
        (1, "b", 20, 1_000_002, 3600),
        (2, "a", 30, 1_000_003, 0),
    ];
    for (k, c, v, ts, ttl) in rows {
        session.execute_unpaged(&insert, (k, c, v, ts, ttl)).await.expect("insert");
    }

    let result = session
        .query_unpaged(format!("SELECT c, v, WRITETIME(v), TTL(v) FROM {ks}.t WHERE k = ?"), (1,))
        .await
        .expect("select")
        .into_rows_result()
        .expect("rows result");
    let got: Vec<(String, i64, i64, Option<i32>)> = result
        .rows::<(String, i64, i64, Option<i32>)>()
        .expect("row types")
        .collect::<Result<_, _>>()
        .expect("decode rows");

    assert_eq!(got.len(), 2, "partition 1 has two rows: {got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1, got[0].2, got[0].3), ("a", 10, 1_000_001, None));
    assert_eq!((got[1].0.as_str(), got[1].1, got[1].2), ("b", 20, 1_000_002));
    let ttl = got[1].3.expect("row b was written with a TTL");
    assert!((3500..=3600).contains(&ttl), "remaining TTL {ttl} should be just under 3600");

    session.query_unpaged(format!("DROP KEYSPACE {ks}"), &[]).await.expect("drop keyspace");
}
