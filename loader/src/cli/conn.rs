//! Flags shared by every command that talks to the CQL target: where it is, how to log in
//! (password or SigV4), TLS, how to route and how long to wait; and [`ConnArgs::resolve`],
//! which turns them (and the `keyspaces:<region>` preset) into a checked [`ResolvedTarget`].
//! Keyspaces facts used here: DESIGN.md, "Amazon Keyspaces facts".

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

/// A secret taken from a flag or the environment; never printed (`Debug` shows `***`).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the authenticator only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_string()))
    }
}

/// How requests pick a coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Routing {
    /// Send each write to a replica of its partition (Cassandra, ScyllaDB).
    TokenAware,
    /// Spread requests over the contact points in turn (Amazon Keyspaces, whose
    /// `system.peers` lists load-balancer endpoints, not replicas).
    RoundRobin,
}

/// Write consistency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConsistencyArg {
    /// ONE.
    One,
    /// LOCAL_ONE.
    LocalOne,
    /// QUORUM.
    Quorum,
    /// LOCAL_QUORUM (the only level Keyspaces accepts for writes).
    LocalQuorum,
    /// EACH_QUORUM.
    EachQuorum,
    /// ALL.
    All,
}

impl fmt::Display for ConsistencyArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConsistencyArg::One => "ONE",
            ConsistencyArg::LocalOne => "LOCAL_ONE",
            ConsistencyArg::Quorum => "QUORUM",
            ConsistencyArg::LocalQuorum => "LOCAL_QUORUM",
            ConsistencyArg::EachQuorum => "EACH_QUORUM",
            ConsistencyArg::All => "ALL",
        })
    }
}

/// A duration written as `500ms`, `10s` or `2m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s.find(|c: char| !c.is_ascii_digit() && c != '.').map(|i| s.split_at(i)).unwrap_or((s, "s"));
    let n: f64 = num.parse().map_err(|_| format!("not a duration: {s:?} (use e.g. 500ms, 10s, 2m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" | "" => n,
        "m" => n * 60.0,
        _ => return Err(format!("unknown duration unit in {s:?} (use ms, s or m)")),
    };
    Ok(Duration::from_secs_f64(secs))
}

/// How the client logs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMethod {
    /// No authentication.
    None,
    /// Username and password (Cassandra PasswordAuthenticator, Keyspaces service-specific
    /// credentials).
    Password,
    /// AWS SigV4 with credentials from the AWS default chain (Amazon Keyspaces only).
    Sigv4,
}

/// Port of every Amazon Keyspaces endpoint (TLS only).
pub const KEYSPACES_PORT: u16 = 9142;

/// Requests per second one connection is planned for: Keyspaces serves at most 3,000 per
/// connection, so a third is left as headroom for retries and uneven spreading.
pub const KEYSPACES_REQUESTS_PER_CONNECTION: u64 = 2000;

/// Connections per Keyspaces endpoint when no fixed rate is given (`--rate auto` or
/// unlimited): room for 4 × 2,000 requests/s on each of the endpoints `system.peers` lists.
pub const KEYSPACES_DEFAULT_CONNECTIONS: usize = 4;

/// Connections per host for other targets unless `--connections-per-host` says otherwise.
pub const DEFAULT_CONNECTIONS_PER_HOST: usize = 2;

/// The Keyspaces endpoint of a region.
pub fn keyspaces_host(region: &str) -> String {
    format!("cassandra.{region}.amazonaws.com")
}

/// Connection to the CQL target.
#[derive(Debug, Clone, Args)]
pub struct ConnArgs {
    /// Contact points of the target: host or host:port, comma-separated; or
    /// `keyspaces:<region>` for Amazon Keyspaces (endpoint cassandra.<region>.amazonaws.com:9142,
    /// TLS with the Amazon roots shipped with ksbulk, round-robin routing, LOCAL_QUORUM,
    /// connections sized from --rate, SigV4 unless --username is given).
    #[arg(long = "target", value_delimiter = ',', required = true)]
    pub target: Vec<String>,
    /// Native protocol port for contact points given without one.
    #[arg(long, default_value_t = 9042)]
    pub port: u16,
    /// Local datacenter: coordinators are chosen there.
    #[arg(long)]
    pub local_dc: Option<String>,
    /// Write consistency level.
    #[arg(long, value_enum, default_value_t = ConsistencyArg::LocalQuorum)]
    pub consistency: ConsistencyArg,
    /// How to log in. Default: password when --username is given, sigv4 for a
    /// keyspaces:<region> target, none otherwise.
    #[arg(long, value_enum)]
    pub auth: Option<AuthMethod>,
    /// User name (Cassandra PasswordAuthenticator, Keyspaces service-specific credentials).
    #[arg(long, env = "KSBULK_USERNAME")]
    pub username: Option<String>,
    /// Password; prefer the KSBULK_PASSWORD environment variable to keep it out of `ps`.
    #[arg(long, env = "KSBULK_PASSWORD", hide_env_values = true)]
    pub password: Option<Secret>,
    /// AWS region SigV4 signs for (default: the region of a keyspaces:<region> target, else
    /// AWS_REGION or AWS_DEFAULT_REGION). Credentials come from the AWS default chain:
    /// environment, profile (AWS_PROFILE), web identity, container and instance roles.
    #[arg(long)]
    pub aws_region: Option<String>,
    /// Encrypt with TLS (always on for keyspaces:<region>; implied by the other TLS flags).
    /// The server's certificate must chain to --ca-file, or to the Amazon roots shipped with
    /// ksbulk when there is none, and name the host.
    #[arg(long)]
    pub tls: bool,
    /// PEM file of the CA certificates that may sign the server's certificate (replaces the
    /// shipped Amazon roots).
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Accept any server certificate (no chain or name check). For tests only: anyone on
    /// the path can read and change the data.
    #[arg(long)]
    pub insecure_skip_verify: bool,
    /// The name the server's certificate must hold. Default: the connected address, or any
    /// host name given in --target (for Keyspaces, cassandra.<region>.amazonaws.com).
    #[arg(long)]
    pub tls_server_name: Option<String>,
    /// How requests pick a coordinator (keyspaces:<region> targets always use round-robin).
    #[arg(long, value_enum, default_value_t = Routing::TokenAware)]
    pub routing: Routing,
    /// Client-side timeout of one request (counts as pushback when it fires).
    #[arg(long, value_parser = parse_duration, default_value = "12s")]
    pub request_timeout: Duration,
    /// Connections per host (Keyspaces serves at most 3,000 requests/s per connection).
    /// Default: 2; for keyspaces:<region>, one per 2,000 rows/s of --rate (4 without a
    /// fixed rate).
    #[arg(long)]
    pub connections_per_host: Option<usize>,
}

/// What makes the connection flags unusable; found before any connection is tried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// `keyspaces:` without a valid region.
    #[error("--target {given:?}: expected keyspaces:<region>, e.g. keyspaces:us-east-1")]
    BadRegion {
        /// The target as given.
        given: String,
    },
    /// `keyspaces:<region>` among other contact points.
    #[error("--target keyspaces:<region> names the whole endpoint; give it alone, without other hosts")]
    KeyspacesWithOtherHosts,
    /// A consistency Keyspaces refuses for writes.
    #[error("Amazon Keyspaces accepts only LOCAL_QUORUM writes, not {given}; drop --consistency")]
    KeyspacesConsistency {
        /// The level asked for.
        given: ConsistencyArg,
    },
    /// `--connections-per-host 0`.
    #[error("--connections-per-host must be at least 1")]
    ZeroConnections,
    /// `--auth password` without a user name.
    #[error("--auth password needs --username (or KSBULK_USERNAME)")]
    MissingUsername,
    /// Credentials given for another method than the one chosen.
    #[error("--username/--password are not used with --auth {method}; drop them or use --auth password")]
    UnusedCredentials {
        /// The method chosen.
        method: &'static str,
    },
    /// SigV4 without a region to sign for.
    #[error("--auth sigv4 needs an AWS region: --aws-region, AWS_REGION, or --target keyspaces:<region>")]
    MissingRegion,
    /// `--aws-region` that differs from the Keyspaces target's region.
    #[error("--aws-region {flag} differs from the region of --target keyspaces:{target}; SigV4 must sign for the endpoint's region")]
    RegionConflict {
        /// `--aws-region`.
        flag: String,
        /// The target's region.
        target: String,
    },
}

/// Where and how TLS verifies the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsVerify {
    /// No verification at all (`--insecure-skip-verify`).
    Insecure,
    /// The certificate must chain to the trusted roots and hold one of `names` (or the
    /// connected IP address, when `accept_ip`).
    Names {
        /// Host names the certificate may hold.
        names: Vec<String>,
        /// Whether the connected address itself is also accepted (not with
        /// `--tls-server-name`, which names exactly what the certificate must hold).
        accept_ip: bool,
    },
}

/// TLS settings of a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// `--ca-file`, or `None` for the Amazon roots shipped with ksbulk.
    pub ca_file: Option<PathBuf>,
    /// How the server's certificate is checked.
    pub verify: TlsVerify,
}

/// How the client logs in, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthSettings {
    /// No authentication.
    None,
    /// Username and password.
    Password {
        /// User name.
        username: String,
        /// Password (Debug shows `***`).
        password: Secret,
    },
    /// SigV4 for `region`.
    SigV4 {
        /// Region the signature is scoped to.
        region: String,
    },
}

/// The connection flags after the `keyspaces:` preset and defaults are applied: what the
/// session builder uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTarget {
    /// `host:port` contact points.
    pub contact_points: Vec<String>,
    /// The region, for a `keyspaces:<region>` target.
    pub keyspaces_region: Option<String>,
    /// Local datacenter.
    pub local_dc: Option<String>,
    /// Write consistency.
    pub consistency: ConsistencyArg,
    /// Coordinator choice.
    pub routing: Routing,
    /// Client-side request timeout.
    pub request_timeout: Duration,
    /// Connections per host.
    pub connections_per_host: usize,
    /// TLS, when on.
    pub tls: Option<TlsSettings>,
    /// How to log in.
    pub auth: AuthSettings,
}

impl ConnArgs {
    /// Contact points with the default port added where missing.
    pub fn contact_points(&self) -> Vec<String> {
        self.target
            .iter()
            .map(|h| {
                let has_port = if let Some(rest) = h.strip_prefix('[') {
                    rest.contains("]:")
                } else {
                    h.matches(':').count() == 1
                };
                if has_port { h.clone() } else { format!("{h}:{}", self.port) }
            })
            .collect()
    }

    /// Applies the `keyspaces:<region>` preset and the defaults, and checks the flags
    /// together. `rate` is the fixed rows/s of the run, if any: for Keyspaces, it sizes the
    /// connection pool.
    ///
    /// # Errors
    /// [`TargetError`] for flags that contradict each other or Keyspaces' rules.
    pub fn resolve(&self, rate: Option<u64>) -> Result<ResolvedTarget, TargetError> {
        self.resolve_with_env(rate, |name| std::env::var(name).ok())
    }

    fn resolve_with_env(&self, rate: Option<u64>, env: impl Fn(&str) -> Option<String>) -> Result<ResolvedTarget, TargetError> {
        let keyspaces_region = self.keyspaces_region()?;
        let contact_points = match &keyspaces_region {
            Some(region) => vec![format!("{}:{KEYSPACES_PORT}", keyspaces_host(region))],
            None => self.contact_points(),
        };
        if keyspaces_region.is_some() && self.consistency != ConsistencyArg::LocalQuorum {
            return Err(TargetError::KeyspacesConsistency { given: self.consistency });
        }
        let connections_per_host = match (self.connections_per_host, &keyspaces_region) {
            (Some(0), _) => return Err(TargetError::ZeroConnections),
            (Some(n), _) => n,
            (None, Some(_)) => keyspaces_connections(rate),
            (None, None) => DEFAULT_CONNECTIONS_PER_HOST,
        };
        let tls_on = self.tls
            || keyspaces_region.is_some()
            || self.ca_file.is_some()
            || self.insecure_skip_verify
            || self.tls_server_name.is_some();
        let tls = tls_on.then(|| TlsSettings {
            ca_file: self.ca_file.clone(),
            verify: if self.insecure_skip_verify {
                TlsVerify::Insecure
            } else if let Some(name) = &self.tls_server_name {
                TlsVerify::Names { names: vec![name.clone()], accept_ip: false }
            } else {
                TlsVerify::Names { names: host_names(&contact_points), accept_ip: true }
            },
        });
        Ok(ResolvedTarget {
            auth: self.auth_settings(keyspaces_region.as_deref(), env)?,
            routing: if keyspaces_region.is_some() { Routing::RoundRobin } else { self.routing },
            contact_points,
            keyspaces_region,
            local_dc: self.local_dc.clone(),
            consistency: self.consistency,
            request_timeout: self.request_timeout,
            connections_per_host,
            tls,
        })
    }

    /// The region of a `keyspaces:<region>` target.
    fn keyspaces_region(&self) -> Result<Option<String>, TargetError> {
        let Some(given) = self.target.iter().find(|t| t.starts_with("keyspaces:")) else {
            return Ok(None);
        };
        if self.target.len() > 1 {
            return Err(TargetError::KeyspacesWithOtherHosts);
        }
        let region = &given["keyspaces:".len()..];
        let valid = region.starts_with(|c: char| c.is_ascii_lowercase())
            && region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !region.ends_with('-');
        if !valid {
            return Err(TargetError::BadRegion { given: given.clone() });
        }
        Ok(Some(region.to_string()))
    }

    fn auth_settings(&self, keyspaces_region: Option<&str>, env: impl Fn(&str) -> Option<String>) -> Result<AuthSettings, TargetError> {
        let method = self.auth.unwrap_or(if self.username.is_some() {
            AuthMethod::Password
        } else if keyspaces_region.is_some() {
            AuthMethod::Sigv4
        } else {
            AuthMethod::None
        });
        let has_credentials = self.username.is_some() || self.password.is_some();
        match method {
            AuthMethod::None if has_credentials => Err(TargetError::UnusedCredentials { method: "none" }),
            AuthMethod::None => Ok(AuthSettings::None),
            AuthMethod::Password => Ok(AuthSettings::Password {
                username: self.username.clone().ok_or(TargetError::MissingUsername)?,
                password: self.password.clone().unwrap_or_else(|| Secret(String::new())),
            }),
            AuthMethod::Sigv4 if has_credentials => Err(TargetError::UnusedCredentials { method: "sigv4" }),
            AuthMethod::Sigv4 => {
                let region = match (&self.aws_region, keyspaces_region) {
                    (Some(flag), Some(target)) if flag != target => {
                        return Err(TargetError::RegionConflict { flag: flag.clone(), target: target.to_string() })
                    }
                    (_, Some(target)) => target.to_string(),
                    (Some(flag), None) => flag.clone(),
                    (None, None) => ["AWS_REGION", "AWS_DEFAULT_REGION"]
                        .into_iter()
                        .find_map(|v| env(v).filter(|r| !r.trim().is_empty()))
                        .ok_or(TargetError::MissingRegion)?,
                };
                Ok(AuthSettings::SigV4 { region })
            }
        }
    }
}

/// Connections per Keyspaces endpoint for a fixed rate of `rate` rows/s (at least one).
pub fn keyspaces_connections(rate: Option<u64>) -> usize {
    match rate {
        Some(r) => usize::try_from(r.div_ceil(KEYSPACES_REQUESTS_PER_CONNECTION)).unwrap_or(usize::MAX).max(1),
        None => KEYSPACES_DEFAULT_CONNECTIONS,
    }
}

/// The host names (not IP literals) among `host:port` contact points.
fn host_names(contact_points: &[String]) -> Vec<String> {
    let mut names = Vec::new();
    for cp in contact_points {
        let host = match cp.rsplit_once(':') {
            Some((h, _)) => h.trim_start_matches('[').trim_end_matches(']'),
            None => cp.as_str(),
        };
        if host.parse::<IpAddr>().is_err() && !names.iter().any(|n| n == host) {
            names.push(host.to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        conn: ConnArgs,
    }

    #[test]
    fn defaults_and_contact_points() {
        let t = T::try_parse_from(["x", "--target", "a,b:9043", "--port", "29042"]).unwrap();
        assert_eq!(t.conn.contact_points(), vec!["a:29042", "b:9043"]);
        assert_eq!(t.conn.consistency, ConsistencyArg::LocalQuorum);
        assert_eq!(t.conn.routing, Routing::TokenAware);
        assert_eq!(t.conn.request_timeout, Duration::from_secs(12));
    }

    #[test]
    fn password_is_never_printed() {
        let t = T::try_parse_from(["x", "--target", "h", "--username", "u", "--password", "hunter2"]).unwrap();
        assert_eq!(t.conn.password.as_ref().unwrap().expose(), "hunter2");
        assert!(!format!("{:?}", t.conn).contains("hunter2"));
    }

    #[test]
    fn routing_flag() {
        let t = T::try_parse_from(["x", "--target", "h", "--routing", "round-robin"]).unwrap();
        assert_eq!(t.conn.routing, Routing::RoundRobin);
    }

    fn parse(args: &[&str]) -> ConnArgs {
        let mut argv = vec!["x"];
        argv.extend_from_slice(args);
        T::try_parse_from(argv).unwrap().conn
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn plain_targets_keep_their_behaviour() {
        let r = parse(&["--target", "a,b:9043", "--port", "29042"]).resolve_with_env(Some(50_000), no_env).unwrap();
        assert_eq!(r.contact_points, vec!["a:29042", "b:9043"]);
        assert_eq!(r.routing, Routing::TokenAware);
        assert_eq!(r.consistency, ConsistencyArg::LocalQuorum);
        assert_eq!(r.connections_per_host, DEFAULT_CONNECTIONS_PER_HOST);
        assert_eq!(r.tls, None);
        assert_eq!(r.auth, AuthSettings::None);
        assert_eq!(r.keyspaces_region, None);
    }

    #[test]
    fn keyspaces_preset() {
        let r = parse(&["--target", "keyspaces:us-east-1"]).resolve_with_env(Some(10_000), no_env).unwrap();
        assert_eq!(r.contact_points, vec!["cassandra.us-east-1.amazonaws.com:9142"]);
        assert_eq!(r.keyspaces_region.as_deref(), Some("us-east-1"));
        assert_eq!(r.routing, Routing::RoundRobin);
        assert_eq!(r.consistency, ConsistencyArg::LocalQuorum);
        assert_eq!(r.connections_per_host, 5);
        assert_eq!(
            r.tls,
            Some(TlsSettings {
                ca_file: None,
                verify: TlsVerify::Names { names: vec!["cassandra.us-east-1.amazonaws.com".into()], accept_ip: true }
            })
        );
        assert_eq!(r.auth, AuthSettings::SigV4 { region: "us-east-1".into() });
    }

    #[test]
    fn keyspaces_routing_is_round_robin_even_when_asked_otherwise() {
        let r = parse(&["--target", "keyspaces:eu-west-1", "--routing", "token-aware"]).resolve_with_env(None, no_env).unwrap();
        assert_eq!(r.routing, Routing::RoundRobin);
    }

    #[test]
    fn keyspaces_connections_follow_the_rate() {
        assert_eq!(keyspaces_connections(Some(1)), 1);
        assert_eq!(keyspaces_connections(Some(2000)), 1);
        assert_eq!(keyspaces_connections(Some(2001)), 2);
        assert_eq!(keyspaces_connections(Some(100_000)), 50);
        assert_eq!(keyspaces_connections(Some(0)), 1);
        assert_eq!(keyspaces_connections(None), KEYSPACES_DEFAULT_CONNECTIONS);
        // The explicit flag wins.
        let r = parse(&["--target", "keyspaces:us-east-1", "--connections-per-host", "7"]).resolve_with_env(Some(100_000), no_env);
        assert_eq!(r.unwrap().connections_per_host, 7);
        let r = parse(&["--target", "h", "--connections-per-host", "0"]).resolve_with_env(None, no_env);
        assert_eq!(r.unwrap_err(), TargetError::ZeroConnections);
    }

    #[test]
    fn keyspaces_with_service_specific_credentials() {
        let r = parse(&["--target", "keyspaces:us-west-2", "--username", "alice-at-1234", "--password", "pw"])
            .resolve_with_env(None, no_env)
            .unwrap();
        assert_eq!(r.auth, AuthSettings::Password { username: "alice-at-1234".into(), password: Secret("pw".into()) });
        assert!(!format!("{r:?}").contains("pw\""), "{r:?}");
    }

    #[test]
    fn keyspaces_errors() {
        let err = |args: &[&str]| parse(args).resolve_with_env(None, no_env).unwrap_err();
        assert_eq!(err(&["--target", "keyspaces:"]), TargetError::BadRegion { given: "keyspaces:".into() });
        assert_eq!(err(&["--target", "keyspaces:US_EAST"]), TargetError::BadRegion { given: "keyspaces:US_EAST".into() });
        assert_eq!(err(&["--target", "keyspaces:us-east-1,h2"]), TargetError::KeyspacesWithOtherHosts);
        assert_eq!(
            err(&["--target", "keyspaces:us-east-1", "--consistency", "one"]),
            TargetError::KeyspacesConsistency { given: ConsistencyArg::One }
        );
        assert_eq!(
            err(&["--target", "keyspaces:us-east-1", "--aws-region", "eu-west-1"]),
            TargetError::RegionConflict { flag: "eu-west-1".into(), target: "us-east-1".into() }
        );
        let msg = err(&["--target", "keyspaces:us-east-1", "--consistency", "local-one"]).to_string();
        assert!(msg.contains("LOCAL_ONE"), "{msg}");
    }

    #[test]
    fn auth_flag() {
        let resolve = |args: &[&str], env: &dyn Fn(&str) -> Option<String>| parse(args).resolve_with_env(None, env);
        let r = resolve(&["--target", "h", "--username", "u", "--password", "p"], &no_env).unwrap();
        assert_eq!(r.auth, AuthSettings::Password { username: "u".into(), password: Secret("p".into()) });
        assert_eq!(resolve(&["--target", "h", "--auth", "password"], &no_env).unwrap_err(), TargetError::MissingUsername);
        assert_eq!(
            resolve(&["--target", "h", "--auth", "none", "--username", "u"], &no_env).unwrap_err(),
            TargetError::UnusedCredentials { method: "none" }
        );
        assert_eq!(
            resolve(&["--target", "keyspaces:us-east-1", "--auth", "sigv4", "--username", "u"], &no_env).unwrap_err(),
            TargetError::UnusedCredentials { method: "sigv4" }
        );
        assert_eq!(resolve(&["--target", "h", "--auth", "sigv4"], &no_env).unwrap_err(), TargetError::MissingRegion);
        let r = resolve(&["--target", "h", "--auth", "sigv4", "--aws-region", "ap-south-1"], &no_env).unwrap();
        assert_eq!(r.auth, AuthSettings::SigV4 { region: "ap-south-1".into() });
        let env = |k: &str| (k == "AWS_DEFAULT_REGION").then(|| "ca-central-1".to_string());
        let r = resolve(&["--target", "h", "--auth", "sigv4"], &env).unwrap();
        assert_eq!(r.auth, AuthSettings::SigV4 { region: "ca-central-1".into() });
        // The Keyspaces target's region wins over the environment.
        let r = resolve(&["--target", "keyspaces:us-east-2"], &env).unwrap();
        assert_eq!(r.auth, AuthSettings::SigV4 { region: "us-east-2".into() });
    }

    #[test]
    fn tls_flags() {
        let resolve = |args: &[&str]| parse(args).resolve_with_env(None, no_env).unwrap().tls;
        assert_eq!(resolve(&["--target", "h"]), None);
        assert_eq!(
            resolve(&["--target", "db1.example.com,10.0.0.2,[::1]:9042,db1.example.com:9043", "--tls"]),
            Some(TlsSettings { ca_file: None, verify: TlsVerify::Names { names: vec!["db1.example.com".into()], accept_ip: true } })
        );
        assert_eq!(
            resolve(&["--target", "10.0.0.1", "--ca-file", "/ca.pem"]),
            Some(TlsSettings { ca_file: Some("/ca.pem".into()), verify: TlsVerify::Names { names: vec![], accept_ip: true } })
        );
        assert_eq!(
            resolve(&["--target", "10.0.0.1", "--tls-server-name", "db.internal"]),
            Some(TlsSettings { ca_file: None, verify: TlsVerify::Names { names: vec!["db.internal".into()], accept_ip: false } })
        );
        assert_eq!(
            resolve(&["--target", "h", "--insecure-skip-verify"]),
            Some(TlsSettings { ca_file: None, verify: TlsVerify::Insecure })
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert!(parse_duration("3h").is_err());
    }
}
