//! TLS and password authentication: the right CA, host name and password connect, run a
//! query and a timestamped write; each wrong one fails with a message naming what to fix.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn right_ca_and_password_connect_query_and_write_with_timestamp() {
    let s = ksbulk_session(&good_flags(&[])).await.unwrap_or_else(|e| panic!("TLS + password connect: {e}"));
    let (version,): (String,) = s
        .query_unpaged("SELECT release_version FROM system.local", &[])
        .await
        .expect("query over TLS")
        .into_rows_result()
        .expect("rows")
        .single_row()
        .expect("one row");
    assert!(version.starts_with("5.0"), "{version}");

    let ks = ksbulk_tests::unique_name("ks_tls");
    for cql in [
        format!("CREATE KEYSPACE {ks} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"),
        format!("CREATE TABLE {ks}.t (k int PRIMARY KEY, v text)"),
    ] {
        s.query_unpaged(cql.as_str(), &[]).await.unwrap_or_else(|e| panic!("{cql}: {e}"));
    }
    s.await_schema_agreement().await.expect("schema agreement");
    s.query_unpaged(format!("INSERT INTO {ks}.t (k, v) VALUES (?, ?) USING TIMESTAMP 1234567890123"), (7, "over tls"))
        .await
        .expect("timestamped insert");
    let (v, wt): (String, i64) = s
        .query_unpaged(format!("SELECT v, WRITETIME(v) FROM {ks}.t WHERE k = 7"), &[])
        .await
        .expect("read back")
        .into_rows_result()
        .expect("rows")
        .single_row()
        .expect("one row");
    assert_eq!((v.as_str(), wt), ("over tls", 1_234_567_890_123));
    s.query_unpaged(format!("DROP KEYSPACE {ks}"), &[]).await.expect("drop keyspace");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_name_is_checked() {
    // The node's certificate holds IP:127.0.0.1 and DNS:localhost.
    ksbulk_session(&good_flags(&["--tls-server-name", "localhost"])).await.expect("the certificate names localhost");
    let msg = connect_error(&good_flags(&["--tls-server-name", "db.example.com"])).await;
    assert!(msg.contains("not valid for db.example.com") && msg.contains("--tls-server-name"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_ca_fails_clearly() {
    // --tls without --ca-file trusts only the Amazon roots shipped with ksbulk, which did
    // not sign the test node's certificate.
    let (addr, _) = ksbulk_tests::require_cassandra_tls();
    let (user, password) = ksbulk_tests::cassandra_tls_superuser();
    let args: Vec<String> = ["--target", &addr, "--tls", "--username", &user, "--password", &password].map(String::from).to_vec();
    let msg = connect_error(&args).await;
    assert!(msg.contains("certificate is not trusted") && msg.contains("Amazon roots") && msg.contains("--ca-file"), "{msg}");
    assert!(!msg.contains(&format!("{password},")) && !msg.contains(&format!("={password}")), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_skip_verify_connects_without_the_ca() {
    let (addr, _) = ksbulk_tests::require_cassandra_tls();
    let (user, password) = ksbulk_tests::cassandra_tls_superuser();
    let args: Vec<String> =
        ["--target", &addr, "--insecure-skip-verify", "--username", &user, "--password", &password].map(String::from).to_vec();
    ksbulk_session(&args).await.expect("no verification asked for");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_fails_clearly() {
    let (addr, ca) = ksbulk_tests::require_cassandra_tls();
    let wrong = "Wr0ng-pa55word-7d1c";
    let args: Vec<String> =
        ["--target", &addr, "--ca-file", &ca.display().to_string(), "--username", "cassandra", "--password", wrong]
            .map(String::from)
            .to_vec();
    let msg = connect_error(&args).await;
    assert!(msg.to_lowercase().contains("password") && msg.contains("--username/--password"), "{msg}");
    assert!(!msg.contains(wrong), "the password leaked into the error: {msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_connection_to_a_tls_node_points_at_tls() {
    let (addr, _) = ksbulk_tests::require_cassandra_tls();
    let args: Vec<String> = ["--target", &addr, "--request-timeout", "3s"].map(String::from).to_vec();
    let msg = connect_error(&args).await;
    assert!(msg.contains("--tls"), "{msg}");
}
