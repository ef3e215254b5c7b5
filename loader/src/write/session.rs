//! Building the `scylla` session from the connection flags: contact points, credentials
//! (password or SigV4), TLS, routing, consistency, timeouts, pool size. The flags are first
//! resolved ([`ConnArgs::resolve`]: the `keyspaces:<region>` preset, defaults, checks). The
//! driver's own retries are off (fallthrough policy): the write stage retries itself, so it
//! can count causes, back off and adapt the window.

use std::num::NonZeroUsize;
use std::sync::Arc;

use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::client::PoolSize;
use scylla::policies::load_balancing::DefaultPolicy;
use scylla::policies::retry::FallthroughRetryPolicy;
use scylla::statement::Consistency;

use super::auth::{default_credentials, CredentialsCache, SigV4Authenticator};
use super::tls::{self, TlsError};
use crate::cli::conn::{AuthSettings, ConnArgs, ConsistencyArg, ResolvedTarget, Routing, TargetError, TlsVerify};

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

/// Why no session could be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The connection flags contradict each other or Keyspaces' rules.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// TLS could not be set up (CA file, server name).
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The driver could not open a session: nothing answers, TLS handshake or login refused.
    // The driver's error is in the message, not `source()`: its own Display already
    // repeats its causes, and `{:#}` would print them all again.
    #[error("cannot connect to the target ({hosts}): {error}; {hint}")]
    Session {
        /// The contact points.
        hosts: String,
        /// Which flags to check, given the connection's settings.
        hint: &'static str,
        /// The driver's error.
        error: Box<scylla::errors::NewSessionError>,
    },
}

/// Connects to the target described by `conn` (no rate hint: a Keyspaces pool gets the
/// default size).
///
/// # Errors
/// [`ConnectError`] when the flags are inconsistent, TLS cannot be set up, no contact point
/// answers or authentication fails.
pub async fn connect(conn: &ConnArgs) -> Result<Arc<Session>, ConnectError> {
    connect_with(conn, |b| b).await
}

/// Like [`connect`], letting the caller adjust the session builder last (an address
/// translator for a fault-injection proxy).
///
/// # Errors
/// As [`connect`].
pub async fn connect_with(
    conn: &ConnArgs,
    customize: impl FnOnce(SessionBuilder) -> SessionBuilder,
) -> Result<Arc<Session>, ConnectError> {
    connect_resolved(&conn.resolve(None)?, customize).await
}

/// Connects to an already resolved target (see [`ConnArgs::resolve`], which takes the run's
/// rate to size a Keyspaces pool).
///
/// # Errors
/// As [`connect`].
pub async fn connect_resolved(
    target: &ResolvedTarget,
    customize: impl FnOnce(SessionBuilder) -> SessionBuilder,
) -> Result<Arc<Session>, ConnectError> {
    let mut policy = DefaultPolicy::builder().token_aware(target.routing == Routing::TokenAware);
    if let Some(dc) = &target.local_dc {
        policy = policy.prefer_datacenter(dc.clone()).permit_dc_failover(false);
    }
    let profile = ExecutionProfile::builder()
        .consistency(consistency(target.consistency))
        .load_balancing_policy(policy.build())
        .retry_policy(Arc::new(FallthroughRetryPolicy))
        .request_timeout(Some(target.request_timeout))
        .build();
    let hosts = &target.contact_points;
    let pool = NonZeroUsize::new(target.connections_per_host.max(1)).unwrap_or(NonZeroUsize::MIN);
    let mut builder = SessionBuilder::new()
        .known_nodes(hosts)
        .default_execution_profile_handle(profile.into_handle())
        .pool_size(PoolSize::PerHost(pool));
    match &target.auth {
        AuthSettings::None => {}
        AuthSettings::Password { username, password } => {
            builder = builder.user(username.clone(), password.expose().to_string());
        }
        AuthSettings::SigV4 { region } => {
            let credentials = Arc::new(CredentialsCache::new(default_credentials(region).await));
            builder = builder.authenticator_provider(Arc::new(SigV4Authenticator::new(region.clone(), credentials)));
        }
    }
    if let Some(settings) = &target.tls {
        if settings.verify == TlsVerify::Insecure {
            tracing::warn!(
                "--insecure-skip-verify: the server's TLS certificate is NOT checked; anyone on the network path \
                 can impersonate {} and read or change the data and credentials",
                hosts.join(",")
            );
        }
        builder = builder.tls_context(Some(tls::client_config(settings)?));
    }
    let session = customize(builder).build().await.map_err(|e| ConnectError::Session {
        hosts: hosts.join(","),
        hint: hint(target),
        error: Box::new(e),
    })?;
    Ok(Arc::new(session))
}

/// Which flags a failed connection points at.
fn hint(target: &ResolvedTarget) -> &'static str {
    match (&target.tls, &target.auth) {
        (Some(_), AuthSettings::SigV4 { .. }) => {
            "check --target, the TLS flags (--ca-file, --tls-server-name), the AWS credentials and region, and that the endpoint is reachable"
        }
        (Some(_), _) => {
            "check --target, --port, the TLS flags (--ca-file, --tls-server-name), --username/--password and that the server is up with TLS"
        }
        (None, AuthSettings::SigV4 { .. }) => {
            "check --target, the AWS credentials and region, and whether the server needs --tls"
        }
        (None, _) => "check --target, --port, --username/--password, and whether the server needs --tls",
    }
}
