//! Flags shared by every command that talks to the CQL target: where it is, how to log in,
//! how to route and how long to wait. TLS and SigV4 flags join this group later.

use std::fmt;
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

/// Connection to the CQL target.
#[derive(Debug, Clone, Args)]
pub struct ConnArgs {
    /// Contact points of the target: host or host:port, comma-separated.
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
    /// User name (Cassandra PasswordAuthenticator, Keyspaces service-specific credentials).
    #[arg(long, env = "KSBULK_USERNAME")]
    pub username: Option<String>,
    /// Password; prefer the KSBULK_PASSWORD environment variable to keep it out of `ps`.
    #[arg(long, env = "KSBULK_PASSWORD", hide_env_values = true)]
    pub password: Option<Secret>,
    /// How requests pick a coordinator.
    #[arg(long, value_enum, default_value_t = Routing::TokenAware)]
    pub routing: Routing,
    /// Client-side timeout of one request (counts as pushback when it fires).
    #[arg(long, value_parser = parse_duration, default_value = "12s")]
    pub request_timeout: Duration,
    /// Connections per host (Keyspaces serves at most 3,000 requests/s per connection).
    #[arg(long, default_value_t = 2)]
    pub connections_per_host: usize,
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

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert!(parse_duration("3h").is_err());
    }
}
