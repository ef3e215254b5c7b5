//! Flags of `ksbulk verify`.

use std::path::PathBuf;

use clap::Args;

use super::conn::ConnArgs;

/// Compare the target with the source, row by row: values, writetimes and TTLs.
///
/// Reads each work unit's token range back from the target (with WRITETIME and TTL) and
/// compares it with the unit's SSTables merged as `ksbulk run` merges them. Prints a summary
/// and writes a JSON report; exits 0 when nothing differs, 1 when something does, 2 when no
/// difference was found but some unit could not be verified.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// The manifest written by `ksbulk plan`.
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    /// Verify this fraction of each table's work units (0 < F ≤ 1), spread evenly over the
    /// ring, at least one unit per table; the same units every time.
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = parse_fraction)]
    pub sample: f64,
    /// Read the tables from this keyspace of the target (default: the source keyspace).
    #[arg(long, value_name = "K")]
    pub target_keyspace: Option<String>,
    /// Where to write the JSON report.
    #[arg(long, value_name = "PATH", default_value = "ksbulk-verify.json")]
    pub report: PathBuf,
    /// Differences printed and kept in the report (all are counted).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_differences: usize,
    /// Rows per page when reading the target.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(i32).range(1..))]
    pub page_size: i32,
    /// Seconds a target TTL may be below the source's remaining TTL. Default: the time since
    /// the plan was made, at least 5.
    #[arg(long, value_name = "SECS")]
    pub ttl_tolerance: Option<u32>,
    /// The target.
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// A fraction in (0, 1].
pub fn parse_fraction(s: &str) -> Result<f64, String> {
    let f: f64 = s.trim().parse().map_err(|_| format!("{s:?} is not a number (e.g. 0.1)"))?;
    if f > 0.0 && f <= 1.0 {
        Ok(f)
    } else {
        Err(format!("{s} is not in (0, 1]"))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        args: VerifyArgs,
    }

    fn parse(args: &[&str]) -> Result<VerifyArgs, clap::Error> {
        let mut all = vec!["ksbulk"];
        all.extend_from_slice(args);
        T::try_parse_from(all).map(|t| t.args)
    }

    #[test]
    fn defaults() {
        let a = parse(&["m.json", "--target", "h"]).unwrap();
        assert_eq!(a.manifest, PathBuf::from("m.json"));
        assert_eq!(a.sample, 1.0);
        assert_eq!(a.report, PathBuf::from("ksbulk-verify.json"));
        assert_eq!(a.max_differences, 100);
        assert_eq!(a.page_size, 1000);
        assert_eq!((a.target_keyspace, a.ttl_tolerance), (None, None));
    }

    #[test]
    fn sample_must_be_a_fraction() {
        assert_eq!(parse(&["m.json", "--target", "h", "--sample", "0.25"]).unwrap().sample, 0.25);
        for bad in ["0", "1.5", "-0.1", "x"] {
            assert!(parse(&["m.json", "--target", "h", "--sample", bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn target_keyspace_report_and_limits() {
        let a = parse(&["m.json", "--target", "h", "--target-keyspace", "copy", "--report", "r.json", "--max-differences", "5", "--page-size", "50", "--ttl-tolerance", "30"]).unwrap();
        assert_eq!(a.target_keyspace.as_deref(), Some("copy"));
        assert_eq!(a.report, PathBuf::from("r.json"));
        assert_eq!((a.max_differences, a.page_size, a.ttl_tolerance), (5, 50, Some(30)));
        assert!(parse(&["m.json", "--target", "h", "--page-size", "0"]).is_err());
    }

    #[test]
    fn manifest_and_target_are_required() {
        assert!(parse(&["--target", "h"]).is_err());
        assert!(parse(&["m.json"]).is_err());
    }
}
