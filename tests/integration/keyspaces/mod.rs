//! Keyspaces connection readiness against a real Cassandra 5.0 node with TLS and password
//! authentication (the second node `scripts/test` starts; see `ksbulk_tests::require_cassandra_tls`):
//! the session ksbulk builds from its flags connects only with the right CA, host name and
//! password, writes with `USING TIMESTAMP`, and no password reaches its output. SigV4 is
//! checked on the wire against a loopback stand-in for Keyspaces' authenticator (`sigv4`).

mod secrets;
mod sigv4;
mod tls;

use std::sync::Arc;

use ksbulk::cli::conn::ConnArgs;
use ksbulk::write::session::{connect, ConnectError};
use scylla::client::session::Session;

/// Connection flags as a user would type them.
pub fn conn_args(args: &[&str]) -> ConnArgs {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        conn: ConnArgs,
    }
    let mut argv = vec!["ksbulk"];
    argv.extend_from_slice(args);
    Flags::try_parse_from(argv).unwrap_or_else(|e| panic!("flags {args:?}: {e}")).conn
}

/// Flags for the TLS node with its CA and the superuser, plus `extra`.
pub fn good_flags(extra: &[&str]) -> Vec<String> {
    let (addr, ca) = ksbulk_tests::require_cassandra_tls();
    let (user, password) = ksbulk_tests::cassandra_tls_superuser();
    let mut v: Vec<String> =
        vec!["--target".into(), addr, "--ca-file".into(), ca.display().to_string(), "--username".into(), user, "--password".into(), password];
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

/// A session through ksbulk's own connection code.
pub async fn ksbulk_session(args: &[String]) -> Result<Arc<Session>, ConnectError> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    connect(&conn_args(&args)).await
}

/// The error of a connection that must fail, as the binary prints it.
pub async fn connect_error(args: &[String]) -> String {
    match ksbulk_session(args).await {
        Ok(_) => panic!("connecting with {args:?} must fail"),
        Err(e) => e.to_string(),
    }
}
