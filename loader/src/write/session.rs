//! Building the `scylla` session from the connection flags: contact points, credentials,
//! routing, consistency, timeouts. The driver's own retries are off (fallthrough policy):
//! the write stage retries itself, so it can count causes, back off and adapt the window.

use std::num::NonZeroUsize;
use std::sync::Arc;

use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::client::PoolSize;
use scylla::policies::load_balancing::DefaultPolicy;
use scylla::policies::retry::FallthroughRetryPolicy;
use scylla::statement::Consistency;

use super::error::WriteError;
use crate::cli::conn::{ConnArgs, ConsistencyArg, Routing};

/// The driver's consistency for a flag value.
pub fn consistency(c: ConsistencyArg) -> Consistency {
    match c {
        ConsistencyArg::One => Consistency::One,
        ConsistencyArg::LocalOne => Consistency::LocalOne,
        ConsistencyArg::Quorum => Consistency::Quorum,
        ConsistencyArg::LocalQuorum => Consistency::LocalQuorum,
        ConsistencyArg::EachQuorum => Consistency::EachQuorum,
        ConsistencyArg::All => Consistency::All,
    }
}

/// Connects to the target described by `conn`.
///
/// # Errors
/// [`WriteError::Connect`] when no contact point answers or authentication fails.
pub async fn connect(conn: &ConnArgs) -> Result<Arc<Session>, WriteError> {
    connect_with(conn, |b| b).await
}

/// Like [`connect`], letting the caller adjust the session builder last (an address
/// translator for a fault-injection proxy, TLS in a later step).
///
/// # Errors
/// [`WriteError::Connect`] when no contact point answers or authentication fails.
pub async fn connect_with(
    conn: &ConnArgs,
    customize: impl FnOnce(SessionBuilder) -> SessionBuilder,
) -> Result<Arc<Session>, WriteError> {
    let mut policy = DefaultPolicy::builder().token_aware(conn.routing == Routing::TokenAware);
    if let Some(dc) = &conn.local_dc {
        policy = policy.prefer_datacenter(dc.clone()).permit_dc_failover(false);
    }
    let profile = ExecutionProfile::builder()
        .consistency(consistency(conn.consistency))
        .load_balancing_policy(policy.build())
        .retry_policy(Arc::new(FallthroughRetryPolicy))
        .request_timeout(Some(conn.request_timeout))
        .build();
    let hosts = conn.contact_points();
    let mut builder = SessionBuilder::new()
        .known_nodes(&hosts)
        .default_execution_profile_handle(profile.into_handle())
        .pool_size(PoolSize::PerHost(NonZeroUsize::new(conn.connections_per_host.max(1)).unwrap_or(NonZeroUsize::MIN)));
    if let Some(user) = &conn.username {
        let password = conn.password.as_ref().map(|p| p.expose().to_string()).unwrap_or_default();
        builder = builder.user(user.clone(), password);
    }
    let session = customize(builder)
        .build()
        .await
        .map_err(|e| WriteError::Connect { hosts: hosts.join(","), source: Box::new(e) })?;
    Ok(Arc::new(session))
}
