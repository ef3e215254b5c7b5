//! Flags of `ksbulk plan`.

use std::path::PathBuf;

use clap::Args;

/// The flags of `ksbulk plan` (its help text is on [`crate::cli::Command::Plan`]).
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// A directory to take SSTables from: a Cassandra data directory, a keyspace or table
    /// directory, a `snapshots/<tag>` directory, or a directory holding several nodes' copies
    /// side by side (node1/, node2/, …). Repeat for several.
    #[arg(long = "source", required = true, value_name = "DIR")]
    pub sources: Vec<PathBuf>,

    /// Only this keyspace (repeatable). Default: every non-system keyspace found.
    #[arg(long = "keyspace", value_name = "K")]
    pub keyspaces: Vec<String>,

    /// Only this table, as `table` or `keyspace.table` (repeatable). Default: every table.
    #[arg(long = "table", value_name = "T")]
    pub tables: Vec<String>,

    /// Where to write the manifest (JSON).
    #[arg(long, value_name = "FILE")]
    pub manifest: PathBuf,

    /// Load the snapshot with this tag (`<table dir>/snapshots/<TAG>/`) instead of the live
    /// SSTables of data directories.
    #[arg(long, value_name = "TAG")]
    pub snapshot: Option<String>,

    /// Also load incremental backups (`<table dir>/backups/`).
    #[arg(long)]
    pub include_backups: bool,

    /// Number of work units per table (overrides --unit-size).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub units: Option<u32>,

    /// Target Data.db bytes per work unit, e.g. `256MiB`, `1GiB`, `1000000`.
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = parse_size)]
    pub unit_size: u64,

    /// How many copies of each row the sources hold (the replication factor when every
    /// node's copy is given). Used for the write-unit estimate of distinct rows. Default:
    /// the number of nodes the table was found on.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub replicas: Option<u32>,

    /// Overwrite an existing manifest (its progress is lost).
    #[arg(long)]
    pub force: bool,
}

/// Parses `123`, `64KiB`, `256MiB`, `1GiB`, `2TiB` (also `KB`/`MB`/`GB`/`TB` as powers of 1000).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("{s:?} is not a size (e.g. 256MiB)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" | "k" => 1 << 10,
        "mib" | "m" => 1 << 20,
        "gib" | "g" => 1 << 30,
        "tib" | "t" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        other => return Err(format!("unknown size unit {other:?} in {s:?} (use KiB, MiB, GiB, TiB)")),
    };
    let v = n.checked_mul(mult).ok_or_else(|| format!("{s:?} is too large"))?;
    if v == 0 {
        return Err("size must be more than 0".into());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn plan(args: &[&str]) -> Result<PlanArgs, clap::Error> {
        let mut all = vec!["ksbulk", "plan"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).map(|c| match c.command {
            Command::Plan(p) => p,
            #[allow(unreachable_patterns)]
            _ => panic!("not plan"),
        })
    }

    #[test]
    fn test_sources_keyspaces_tables_repeat() {
        let p = plan(&["--source", "/a", "--source", "/b", "--keyspace", "k1", "--table", "k1.t", "--table", "u", "--manifest", "m.json"]).unwrap();
        assert_eq!(p.sources, [PathBuf::from("/a"), PathBuf::from("/b")]);
        assert_eq!(p.keyspaces, ["k1"]);
        assert_eq!(p.tables, ["k1.t", "u"]);
        assert_eq!(p.manifest, PathBuf::from("m.json"));
    }

    #[test]
    fn test_source_and_manifest_are_required() {
        assert!(plan(&["--manifest", "m"]).is_err());
        assert!(plan(&["--source", "/a"]).is_err());
    }

    #[test]
    fn test_unit_size_units_replicas() {
        let p = plan(&["--source", "/a", "--manifest", "m"]).unwrap();
        assert_eq!((p.unit_size, p.units, p.replicas, p.snapshot, p.include_backups, p.force), (256 << 20, None, None, None, false, false));
        let p = plan(&["--source", "/a", "--manifest", "m", "--unit-size", "1GiB", "--units", "8", "--replicas", "3", "--snapshot", "s1", "--include-backups", "--force"]).unwrap();
        assert_eq!((p.unit_size, p.units, p.replicas, p.snapshot.as_deref(), p.include_backups, p.force), (1 << 30, Some(8), Some(3), Some("s1"), true, true));
        assert!(plan(&["--source", "/a", "--manifest", "m", "--units", "0"]).is_err());
        assert!(plan(&["--source", "/a", "--manifest", "m", "--unit-size", "12XB"]).is_err());
    }

    #[test]
    fn test_parse_size() {
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert_eq!(parse_size("64KiB").unwrap(), 65536);
        assert_eq!(parse_size("2 MB").unwrap(), 2_000_000);
        assert!(parse_size("0").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("99999999999TiB").is_err());
    }
}
