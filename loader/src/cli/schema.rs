//! Flags of `ksbulk schema`.

use std::path::PathBuf;

use clap::{Args, FromArgMatches, ValueEnum};

use super::conn::ConnArgs;

/// The kind of database written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetKind {
    /// Amazon Keyspaces.
    Keyspaces,
    /// Apache Cassandra or ScyllaDB.
    Cassandra,
}

/// Keyspaces throughput mode of the tables created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CapacityArg {
    /// Pay per request (a new table starts at about 4,000 writes/s).
    OnDemand,
    /// Provisioned read and write capacity units (--read-units, --write-units).
    Provisioned,
}

/// Whether Keyspaces tables get TTL enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TtlArg {
    /// When the table has a default_time_to_live or the SSTables beside its schema.cql hold
    /// TTL'd cells (Statistics.db).
    Auto,
    /// Always.
    On,
    /// Never (writes with TTLs will be refused).
    Off,
}

/// The flags of `ksbulk schema` (its help text is on [`crate::cli::Command::Schema`]).
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// schema.cql files, or snapshot directories holding one.
    #[arg(required = true, value_name = "SCHEMA_CQL")]
    pub files: Vec<PathBuf>,

    /// The database the DDL is for.
    #[arg(long = "for", value_enum, value_name = "KIND")]
    pub target_kind: TargetKind,

    /// Keyspaces throughput mode.
    #[arg(long, value_enum, default_value_t = CapacityArg::OnDemand)]
    pub capacity: CapacityArg,

    /// Provisioned read capacity units per table (with --capacity provisioned).
    #[arg(long, value_name = "N")]
    pub read_units: Option<u64>,

    /// Provisioned write capacity units per table (with --capacity provisioned).
    #[arg(long, value_name = "N")]
    pub write_units: Option<u64>,

    /// Keyspaces TTL setting of the tables.
    #[arg(long, value_enum, default_value_t = TtlArg::Auto)]
    pub ttl: TtlArg,

    /// Replication of Cassandra keyspaces, as CQL, e.g.
    /// "{'class': 'NetworkTopologyStrategy', 'dc1': 3}". Default: the source's CREATE
    /// KEYSPACE when a file has one, else three replicas per datacenter.
    #[arg(long, value_name = "MAP")]
    pub replication: Option<String>,

    /// Create keyspace FROM under the name TO (repeatable).
    #[arg(long = "rename-keyspace", value_name = "FROM=TO", value_parser = parse_rename)]
    pub rename: Vec<(String, String)>,

    /// Write the DDL here instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 (and apply nothing) when something cannot be carried to the target: secondary
    /// indexes, materialized views, triggers, functions, unsupported column types.
    #[arg(long)]
    pub strict: bool,

    /// Run the DDL against the target given by the connection flags and wait until the
    /// schema is in place everywhere.
    #[arg(long, requires = "target")]
    pub apply: bool,

    /// Connection to the target (with --apply).
    #[command(flatten)]
    pub conn: OptionalConn,
}

/// The connection flags, optional: `--target` is required only by `--apply`.
///
// clap's `Option<Args>` flatten keeps `required = true` of the inner `--target`, so the
// group is wrapped by hand: the same flags, with `--target` made optional.
#[derive(Debug, Clone, Default)]
pub struct OptionalConn(pub Option<ConnArgs>);

impl FromArgMatches for OptionalConn {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        if m.get_raw("target").is_some() {
            ConnArgs::from_arg_matches(m).map(|c| OptionalConn(Some(c)))
        } else {
            Ok(OptionalConn(None))
        }
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl Args for OptionalConn {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        ConnArgs::augment_args(cmd).mut_arg("target", |a| a.required(false))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        ConnArgs::augment_args_for_update(cmd).mut_arg("target", |a| a.required(false))
    }
}

/// Parses `FROM=TO`.
fn parse_rename(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((from, to)) if !from.is_empty() && !to.is_empty() => Ok((from.to_string(), to.to_string())),
        _ => Err(format!("{s:?}: expected FROM=TO, e.g. prod_ks=prod_ks_copy")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        args: SchemaArgs,
    }

    fn parse(args: &[&str]) -> Result<SchemaArgs, clap::Error> {
        T::try_parse_from(std::iter::once("x").chain(args.iter().copied())).map(|t| t.args)
    }

    #[test]
    fn defaults_need_no_connection() {
        let a = parse(&["s.cql", "--for", "keyspaces"]).unwrap();
        assert_eq!(a.target_kind, TargetKind::Keyspaces);
        assert_eq!(a.capacity, CapacityArg::OnDemand);
        assert_eq!(a.ttl, TtlArg::Auto);
        assert!(!a.apply && !a.strict && a.conn.0.is_none());
    }

    #[test]
    fn for_is_required() {
        assert!(parse(&["s.cql"]).is_err());
        assert!(parse(&["s.cql", "--for", "mysql"]).is_err());
    }

    #[test]
    fn apply_needs_a_target() {
        assert!(parse(&["s.cql", "--for", "cassandra", "--apply"]).is_err());
        let a = parse(&["s.cql", "--for", "cassandra", "--apply", "--target", "h:9042"]).unwrap();
        assert!(a.apply);
        assert_eq!(a.conn.0.unwrap().contact_points(), ["h:9042"]);
    }

    #[test]
    fn provisioned_units_ttl_strict_and_renames() {
        let a = parse(&[
            "a", "b", "--for", "keyspaces", "--capacity", "provisioned", "--read-units", "5", "--write-units", "9", "--ttl", "off", "--strict",
            "--rename-keyspace", "x=y",
        ])
        .unwrap();
        assert_eq!(a.files.len(), 2);
        assert_eq!((a.capacity, a.read_units, a.write_units, a.ttl), (CapacityArg::Provisioned, Some(5), Some(9), TtlArg::Off));
        assert!(a.strict);
        assert_eq!(a.rename, [("x".to_string(), "y".to_string())]);
        assert!(parse(&["a", "--for", "keyspaces", "--rename-keyspace", "x"]).is_err());
    }
}
