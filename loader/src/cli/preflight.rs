//! Flags of `ksbulk preflight`.

use std::path::PathBuf;

use clap::Args;

use super::conn::ConnArgs;
use super::schema::TargetKind;
use crate::preflight::cost::{DEFAULT_PRICE_PER_MILLION_WRU, DEFAULT_PRICE_PER_WCU_HOUR};

/// The flags of `ksbulk preflight` (its help text is on [`crate::cli::Command::Preflight`]).
#[derive(Debug, Args)]
pub struct PreflightArgs {
    /// The manifest written by `ksbulk plan`.
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,

    /// The kind of target. Default: found out (Amazon Keyspaces has system_schema_mcs).
    #[arg(long = "for", value_enum, value_name = "KIND")]
    pub target_kind: Option<TargetKind>,
    /// The keyspace the tables are loaded into, when not their source keyspace (as
    /// `ksbulk run --target-keyspace`).
    #[arg(long)]
    pub target_keyspace: Option<String>,

    /// Rows per second the load will run at: how long it takes and the provisioned
    /// capacity it needs.
    #[arg(long, value_name = "ROWS_PER_SECOND", value_parser = clap::value_parser!(u64).range(1..))]
    pub rate: Option<u64>,

    /// On-demand price in US dollars per million write request units (default: us-east-1
    /// list price; see aws.amazon.com/keyspaces/pricing for your Region).
    #[arg(long, value_name = "USD", default_value_t = DEFAULT_PRICE_PER_MILLION_WRU)]
    pub price_per_million_wru: f64,

    /// Provisioned price in US dollars per write capacity unit-hour (default: us-east-1
    /// list price).
    #[arg(long, value_name = "USD", default_value_t = DEFAULT_PRICE_PER_WCU_HOUR)]
    pub price_per_wcu_hour: f64,

    /// Connection to the target.
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        args: PreflightArgs,
    }

    #[test]
    fn defaults_and_prices() {
        let t = T::try_parse_from(["x", "m.json", "--target", "h"]).unwrap();
        assert_eq!(t.args.manifest, PathBuf::from("m.json"));
        assert_eq!(t.args.target_kind, None);
        assert_eq!(t.args.rate, None);
        assert_eq!(t.args.price_per_million_wru, DEFAULT_PRICE_PER_MILLION_WRU);
        let t = T::try_parse_from(["x", "m.json", "--target", "h", "--rate", "5000", "--price-per-wcu-hour", "0.001", "--for", "keyspaces"]).unwrap();
        assert_eq!((t.args.rate, t.args.price_per_wcu_hour, t.args.target_kind), (Some(5000), 0.001, Some(TargetKind::Keyspaces)));
    }

    #[test]
    fn target_and_a_positive_rate_are_required() {
        assert!(T::try_parse_from(["x", "m.json"]).is_err());
        assert!(T::try_parse_from(["x", "m.json", "--target", "h", "--rate", "0"]).is_err());
    }
}
