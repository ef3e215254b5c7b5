//! Shared helpers for the integration tests: where the servers, the stack dir and the corpus are.
//!
//! The servers are the real ones started by `scripts/stack start` (or `scripts/cassandra`,
//! `scripts/kafka`, `scripts/s3` one by one; see README, "Test stack"). Addresses come from
//! the environment, with the same defaults as the scripts:
//!
//! | variable            | default                         | falls back to                  |
//! |---------------------|---------------------------------|--------------------------------|
//! | `KSBULK_CASSANDRA`  | `127.0.0.1:9042`                | `127.0.0.1:$CASSANDRA_NATIVE_PORT` |
//! | `KSBULK_KAFKA`      | `127.0.0.1:9092`                | `127.0.0.1:$KAFKA_PORT`        |
//! | `KSBULK_S3`         | `http://127.0.0.1:9000`         | `http://127.0.0.1:$S3_PORT`    |
//! | `KSBULK_S3_BUCKET`  | `ksbulk-test`                   | `$S3_BUCKET`                   |
//! | `KSBULK_STACK_DIR`  | `<repo>/target/stack`           |                                |
//! | `KSBULK_CASSANDRA_TLS` | `127.0.0.1:9142`             | (second node: TLS + password)  |
//! | `KSBULK_CASSANDRA_TLS_CA` | `<repo>/target/stack-tls/cassandra/tls/ca.pem` |       |
//!
//! The TLS node is the one `scripts/test` starts after the others, with its own stack dir
//! (`target/stack-tls`, `CASSANDRA_TLS=1 CASSANDRA_AUTH=1`, superuser cassandra/cassandra).
//!
//! A test that needs a server calls one of the `require_*` functions first: a missing
//! server is a failure that says how to start it, never a silent skip.

pub mod corpus;

use std::env;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a reachability check waits for a TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Reads `primary`, else `127.0.0.1:$port_var`, else `127.0.0.1:default_port`.
fn host_port(primary: &str, port_var: &str, default_port: u16) -> String {
    if let Some(v) = non_empty_var(primary) {
        return v;
    }
    let port = non_empty_var(port_var).unwrap_or_else(|| default_port.to_string());
    format!("127.0.0.1:{port}")
}

fn non_empty_var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// CQL address of the test Cassandra node (`host:port`).
pub fn cassandra_addr() -> String {
    host_port("KSBULK_CASSANDRA", "CASSANDRA_NATIVE_PORT", 9042)
}

/// Username and password for the test node when it runs with `CASSANDRA_AUTH=1`
/// (`KSBULK_CASSANDRA_USER` / `KSBULK_CASSANDRA_PASSWORD`; none when unset).
pub fn cassandra_credentials() -> Option<(String, String)> {
    let user = non_empty_var("KSBULK_CASSANDRA_USER")?;
    let password = non_empty_var("KSBULK_CASSANDRA_PASSWORD").unwrap_or_default();
    Some((user, password))
}

/// Bootstrap address of the test Kafka broker (`host:port`).
pub fn kafka_addr() -> String {
    host_port("KSBULK_KAFKA", "KAFKA_PORT", 9092)
}

/// Endpoint URL of the test S3 server.
pub fn s3_endpoint() -> String {
    if let Some(v) = non_empty_var("KSBULK_S3") {
        return v;
    }
    let port = non_empty_var("S3_PORT").unwrap_or_else(|| "9000".to_string());
    format!("http://127.0.0.1:{port}")
}

/// Bucket that `scripts/s3 start` creates.
pub fn s3_bucket() -> String {
    non_empty_var("KSBULK_S3_BUCKET")
        .or_else(|| non_empty_var("S3_BUCKET"))
        .unwrap_or_else(|| "ksbulk-test".to_string())
}

/// Directory where the scripts keep server data, logs and TLS material.
pub fn stack_dir() -> PathBuf {
    match non_empty_var("KSBULK_STACK_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => repo_root().join("target").join("stack"),
    }
}

/// The repository's root (the workspace directory).
pub fn repo_root() -> PathBuf {
    // This crate lives in <repo>/tests.
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Fails the test unless something accepts TCP connections at `addr`.
///
/// # Panics
/// When `addr` does not resolve or nothing listens there; the message names the server,
/// the address, the variable that sets it and the script that starts it.
fn require_listening(server: &str, addr: &str, variable: &str, script: &str) {
    let resolved: Vec<SocketAddr> = match addr.to_socket_addrs() {
        Ok(addrs) => addrs.collect(),
        Err(e) => panic!("{server} address {addr:?} (from {variable}) does not resolve: {e}"),
    };
    let mut last_error = None;
    for a in &resolved {
        match TcpStream::connect_timeout(a, CONNECT_TIMEOUT) {
            Ok(_) => return,
            Err(e) => last_error = Some(e),
        }
    }
    panic!(
        "{server} not reachable at {addr} ({variable}): {}; start it with {script}",
        last_error.map_or_else(|| "no address".to_string(), |e| e.to_string())
    );
}

/// Checks the test Cassandra listens and returns its CQL address.
///
/// # Panics
/// When nothing listens there ("Cassandra not reachable at …; start it with scripts/cassandra start").
pub fn require_cassandra() -> String {
    let addr = cassandra_addr();
    require_listening("Cassandra", &addr, "KSBULK_CASSANDRA", "scripts/cassandra start");
    addr
}

/// CQL address of the second test node, the one with TLS and password authentication.
pub fn cassandra_tls_addr() -> String {
    non_empty_var("KSBULK_CASSANDRA_TLS").unwrap_or_else(|| "127.0.0.1:9142".to_string())
}

/// PEM file of the CA that signed the TLS node's certificate.
pub fn cassandra_tls_ca() -> PathBuf {
    match non_empty_var("KSBULK_CASSANDRA_TLS_CA") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("target").join("stack-tls").join("cassandra").join("tls").join("ca.pem"),
    }
}

/// Superuser of the TLS node (`KSBULK_CASSANDRA_TLS_USER` / `KSBULK_CASSANDRA_TLS_PASSWORD`,
/// default cassandra/cassandra as `CASSANDRA_AUTH=1` makes it).
pub fn cassandra_tls_superuser() -> (String, String) {
    (
        non_empty_var("KSBULK_CASSANDRA_TLS_USER").unwrap_or_else(|| "cassandra".to_string()),
        non_empty_var("KSBULK_CASSANDRA_TLS_PASSWORD").unwrap_or_else(|| "cassandra".to_string()),
    )
}

/// How the TLS node is started by hand, for failure messages.
const TLS_NODE_START: &str = "KSBULK_STACK_DIR=target/stack-tls CASSANDRA_TLS=1 CASSANDRA_AUTH=1 \
     CASSANDRA_NATIVE_PORT=9142 CASSANDRA_STORAGE_PORT=7100 CASSANDRA_JMX_PORT=7299 CASSANDRA_HEAP=512M \
     scripts/cassandra start (scripts/test does)";

/// Checks the TLS node listens and its CA file exists; returns (address, CA path).
///
/// # Panics
/// When the CA file is missing or nothing listens at the address.
pub fn require_cassandra_tls() -> (String, PathBuf) {
    let addr = cassandra_tls_addr();
    let ca = cassandra_tls_ca();
    assert!(ca.is_file(), "no CA certificate of the TLS Cassandra node at {} (KSBULK_CASSANDRA_TLS_CA); start it with {TLS_NODE_START}", ca.display());
    require_listening("TLS Cassandra node", &addr, "KSBULK_CASSANDRA_TLS", TLS_NODE_START);
    (addr, ca)
}

/// The `ksbulk` binary of this build (`target/<profile>/ksbulk`, beside the test binary's
/// `deps/` directory).
///
/// # Panics
/// When it has not been built (`cargo build -p ksbulk`; `scripts/test` builds every target).
pub fn ksbulk_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the test binary");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("test binary lives in target/<profile>/deps");
    let bin = profile_dir.join(format!("ksbulk{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.is_file(), "the ksbulk binary is not built at {}; run cargo build -p ksbulk", bin.display());
    bin
}

/// Checks the test Kafka broker listens and returns its bootstrap address.
///
/// # Panics
/// When nothing listens there.
pub fn require_kafka() -> String {
    let addr = kafka_addr();
    require_listening("Kafka", &addr, "KSBULK_KAFKA", "scripts/kafka start");
    addr
}

/// Checks the test S3 server listens and returns its endpoint URL.
///
/// # Panics
/// When the endpoint is not an `http://host:port` URL or nothing listens there.
pub fn require_s3() -> String {
    let endpoint = s3_endpoint();
    let host_port = endpoint
        .strip_prefix("http://")
        .or_else(|| endpoint.strip_prefix("https://"))
        .unwrap_or_else(|| panic!("KSBULK_S3 must be an http(s)://host:port URL, got {endpoint:?}"))
        .trim_end_matches('/');
    require_listening("S3 server", host_port, "KSBULK_S3", "scripts/s3 start");
    endpoint
}

/// A name no other test run uses at the same time (tests of several clones may share a
/// server): `prefix` + process id + a counter + time, lower case, valid as a CQL
/// identifier, Kafka topic and S3 key.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() % 100_000_000);
    format!("{prefix}_{}_{n}_{millis}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_differ_and_are_cql_identifiers() {
        let a = unique_name("ks");
        let b = unique_name("ks");
        assert_ne!(a, b);
        assert!(a.starts_with("ks_"));
        assert!(a.len() <= 48, "CQL keyspace names are at most 48 characters: {a}");
        assert!(a.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
    }

    #[test]
    fn require_listening_names_the_server_and_the_script() {
        // Port 1 on loopback: nothing listens there on a test machine.
        let err = std::panic::catch_unwind(|| {
            require_listening("Cassandra", "127.0.0.1:1", "KSBULK_CASSANDRA", "scripts/cassandra start")
        })
        .expect_err("connecting to port 1 must fail");
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.starts_with("Cassandra not reachable at 127.0.0.1:1"), "{msg}");
        assert!(msg.ends_with("start it with scripts/cassandra start"), "{msg}");
    }

    #[test]
    fn repo_root_holds_the_scripts() {
        assert!(repo_root().join("scripts").join("cassandra").is_file());
    }
}
