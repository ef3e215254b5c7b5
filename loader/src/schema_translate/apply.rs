//! `ksbulk schema --apply`: runs the DDL on the target and waits until it is usable.
//!
//! Cassandra/ScyllaDB: each statement, then schema agreement (every node on one schema
//! version) so the next statement and the load see it. Keyspaces creates keyspaces, types
//! and tables asynchronously: after each statement the object is polled in
//! `system_schema_mcs` until it is there (keyspace) or `ACTIVE` (type, table) — the pattern
//! the Keyspaces developer guide recommends (*Check table creation status*).

use std::time::{Duration, Instant};

use scylla::client::session::Session;

use super::{Ddl, DdlKind, Translation};
use crate::cli::schema::TargetKind;
use crate::preflight::system::{select_rows, QueryFailed};

/// How long one Keyspaces object may take to become active.
const KEYSPACES_CREATE_TIMEOUT: Duration = Duration::from_secs(600);
/// Pause between two status polls.
const POLL_EVERY: Duration = Duration::from_secs(2);

/// Why the DDL could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The target refused a statement.
    #[error("the target refused:\n{cql}\n: {source}")]
    Refused {
        /// The statement.
        cql: String,
        /// The driver's error.
        source: Box<scylla::errors::ExecutionError>,
    },
    /// The nodes did not agree on the schema.
    #[error("waiting for schema agreement after the DDL: {0}")]
    Agreement(#[from] scylla::errors::SchemaAgreementError),
    /// A status query failed.
    #[error(transparent)]
    Status(#[from] QueryFailed),
    /// A Keyspaces object did not become active in time.
    #[error("{what} did not become ACTIVE within {secs} s (last status: {status}); check it in the Keyspaces console")]
    NotActive {
        /// `table ks.t`.
        what: String,
        /// The wait.
        secs: u64,
        /// The last status seen.
        status: String,
    },
}

/// Runs every statement of `t` on `session` in order, waiting after each one.
///
/// # Errors
/// [`ApplyError`] on the first statement refused or object not ready in time.
pub async fn apply(session: &Session, t: &Translation, target: TargetKind) -> Result<(), ApplyError> {
    for ddl in &t.statements {
        session
            .query_unpaged(ddl.cql.as_str(), &[])
            .await
            .map_err(|e| ApplyError::Refused { cql: ddl.cql.clone(), source: Box::new(e) })?;
        match target {
            TargetKind::Cassandra => {
                session.await_schema_agreement().await?;
            }
            TargetKind::Keyspaces => wait_active(session, ddl).await?,
        }
    }
    Ok(())
}

/// Polls `system_schema_mcs` until the object of `ddl` is ready.
async fn wait_active(session: &Session, ddl: &Ddl) -> Result<(), ApplyError> {
    let (what, cql) = match ddl.kind {
        DdlKind::Keyspace => (format!("keyspace {}", ddl.keyspace), "SELECT keyspace_name FROM system_schema_mcs.keyspaces WHERE keyspace_name = ?"),
        DdlKind::Type => (format!("type {}.{}", ddl.keyspace, ddl.name), "SELECT status FROM system_schema_mcs.types WHERE keyspace_name = ? AND type_name = ?"),
        DdlKind::Table => (format!("table {}.{}", ddl.keyspace, ddl.name), "SELECT status FROM system_schema_mcs.tables WHERE keyspace_name = ? AND table_name = ?"),
        DdlKind::Index => return Ok(()),
    };
    let started = Instant::now();
    let mut status = "absent".to_string();
    loop {
        let found: Option<String> = if ddl.kind == DdlKind::Keyspace {
            let rows: Vec<(String,)> = select_rows(session, cql, (ddl.keyspace.as_str(),)).await?;
            rows.into_iter().next().map(|_| "ACTIVE".to_string())
        } else {
            let rows: Vec<(String,)> = select_rows(session, cql, (ddl.keyspace.as_str(), ddl.name.as_str())).await?;
            rows.into_iter().next().map(|(s,)| s)
        };
        match found {
            Some(s) if s.eq_ignore_ascii_case("ACTIVE") => return Ok(()),
            Some(s) => status = s,
            None => {}
        }
        if started.elapsed() > KEYSPACES_CREATE_TIMEOUT {
            return Err(ApplyError::NotActive { what, secs: KEYSPACES_CREATE_TIMEOUT.as_secs(), status });
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}
