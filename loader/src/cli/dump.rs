//! Flags of `ksbulk dump`.

use std::path::PathBuf;

use clap::Args;

/// `ksbulk dump`: an SSTable's partitions as JSON with the structure of Cassandra's
/// sstabledump (counters show their value; see `sstable_reader::export`).
#[derive(Debug, Clone, Args)]
pub struct DumpArgs {
    /// A Data.db file, or a directory of SSTables (each is dumped, in generation order).
    pub path: PathBuf,
    /// Only this partition key (repeatable); composite keys as `a:b`, like sstabledump -k.
    #[arg(short = 'k', long = "key", value_name = "KEY")]
    pub keys: Vec<String>,
    /// Leave out this partition key (repeatable), like sstabledump -x.
    #[arg(short = 'x', long = "exclude-key", value_name = "KEY")]
    pub exclude_keys: Vec<String>,
    /// Only list the partition keys (sstabledump -e).
    #[arg(short = 'e', long)]
    pub keys_only: bool,
    /// JSON lines: one partition per line, no enclosing array (sstabledump -l).
    #[arg(short = 'l', long)]
    pub lines: bool,
    /// Timestamps and deletion times as raw numbers (sstabledump -t); default ISO-8601.
    #[arg(short = 't', long)]
    pub raw_timestamps: bool,
    /// Only deletions: partition and row deletions, range tombstones, cell tombstones and
    /// collection deletions.
    #[arg(short = 'o', long)]
    pub tombstones_only: bool,
    /// Print negative local deletion times (pre-5.0 TTL overflow, corruption) instead of
    /// stopping at the first one.
    #[arg(long)]
    pub allow_invalid_deletion_times: bool,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> super::DumpArgs {
        match Cli::try_parse_from(args).unwrap().command {
            Command::Dump(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn flags_parse_like_sstabledump() {
        let a = parse(&["ksbulk", "dump", "x-Data.db", "-k", "a", "-k", "b:c", "-x", "d", "-l", "-t", "-o"]);
        assert_eq!(a.path, std::path::PathBuf::from("x-Data.db"));
        assert_eq!(a.keys, ["a", "b:c"]);
        assert_eq!(a.exclude_keys, ["d"]);
        assert!(a.lines && a.raw_timestamps && a.tombstones_only && !a.keys_only && !a.allow_invalid_deletion_times);
        let a = parse(&["ksbulk", "dump", "dir", "-e", "--allow-invalid-deletion-times"]);
        assert!(a.keys_only && a.allow_invalid_deletion_times && !a.lines);
    }
}
