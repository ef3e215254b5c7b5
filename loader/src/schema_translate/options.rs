//! Which table options survive the move to each target, and the Keyspaces-only
//! `custom_properties` that make a bulk load possible there.
//!
//! Keyspaces: storage, caching, compaction, compression, repair and garbage-collection
//! settings do not apply to a serverless table ("ignored if specified", Keyspaces developer
//! guide, *Functional differences: Cluster configuration*) and options newer than its CQL
//! (`cdc`, `memtable`, `read_repair`, `additional_write_policy`, `extensions`, …) are
//! refused, so only `comment` and `default_time_to_live` are kept. `USING TIMESTAMP` needs
//! `custom_properties = {'client_side_timestamps': {'status': 'enabled'}}` and TTLs need
//! `{'ttl': {'status': 'enabled'}}` (both irreversible); `capacity_mode` chooses on-demand or
//! provisioned throughput (*CREATE TABLE*, *Client-side timestamps*, *Time to Live* pages).
//!
//! Cassandra/ScyllaDB: the options every Cassandra 3.11–5.0 and ScyllaDB accept are kept;
//! version-specific ones (removed in 4.0, added in 4.0/4.1/5.0) are dropped and reported.

use sstable_reader::schema::{OptionValue, TableOption};

use crate::cli::schema::{CapacityArg, TargetKind};

/// Throughput mode of a new Keyspaces table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// Pay per request (`PAY_PER_REQUEST`). A new on-demand table starts at about 4,000
    /// writes/s; pre-warm it or use provisioned capacity for a bulk load.
    OnDemand,
    /// Provisioned read and write capacity units.
    Provisioned {
        /// Read capacity units.
        read_units: u64,
        /// Write capacity units.
        write_units: u64,
    },
}

impl Capacity {
    /// From the `--capacity`, `--read-units` and `--write-units` flags.
    ///
    /// # Errors
    /// A message when provisioned capacity lacks its units.
    pub fn from_flags(mode: CapacityArg, read_units: Option<u64>, write_units: Option<u64>) -> Result<Capacity, String> {
        match mode {
            CapacityArg::OnDemand => Ok(Capacity::OnDemand),
            CapacityArg::Provisioned => match (read_units, write_units) {
                (Some(r), Some(w)) if r > 0 && w > 0 => Ok(Capacity::Provisioned { read_units: r, write_units: w }),
                _ => Err("--capacity provisioned needs --read-units N and --write-units N (both above 0)".into()),
            },
        }
    }

    /// The `capacity_mode` map of `custom_properties`.
    pub fn cql(self) -> String {
        match self {
            Capacity::OnDemand => "{'throughput_mode': 'PAY_PER_REQUEST'}".to_string(),
            Capacity::Provisioned { read_units, write_units } => format!(
                "{{'throughput_mode': 'PROVISIONED', 'read_capacity_units': {read_units}, 'write_capacity_units': {write_units}}}"
            ),
        }
    }
}

/// What becomes of one option on a target.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Disposition {
    /// Written as it was.
    Keep,
    /// Written with a changed value (text), with why.
    Rewrite(String, &'static str),
    /// Left out, with why.
    Drop(&'static str),
}

/// Options Cassandra 3.11–5.0 and ScyllaDB all accept with the same meaning.
const PORTABLE: [&str; 12] = [
    "bloom_filter_fp_chance",
    "caching",
    "comment",
    "compaction",
    "compression",
    "crc_check_chance",
    "default_time_to_live",
    "gc_grace_seconds",
    "max_index_interval",
    "memtable_flush_period_in_ms",
    "min_index_interval",
    "speculative_retry",
];

/// Compaction strategies every Cassandra 3.11+ and ScyllaDB know (by class suffix).
const PORTABLE_COMPACTION: [&str; 3] = ["SizeTieredCompactionStrategy", "LeveledCompactionStrategy", "TimeWindowCompactionStrategy"];

/// Decides the fate of `opt` on `target`.
pub(crate) fn disposition(target: TargetKind, opt: &TableOption) -> Disposition {
    match target {
        TargetKind::Keyspaces => keyspaces(opt),
        TargetKind::Cassandra => cassandra(opt),
    }
}

fn keyspaces(opt: &TableOption) -> Disposition {
    match opt.name.as_str() {
        "comment" | "default_time_to_live" => Disposition::Keep,
        "custom_properties" => Disposition::Drop("replaced by the custom_properties ksbulk writes for the load"),
        "bloom_filter_fp_chance" | "caching" | "compaction" | "compression" | "crc_check_chance" | "gc_grace_seconds"
        | "max_index_interval" | "min_index_interval" | "memtable_flush_period_in_ms" | "speculative_retry" => {
            Disposition::Drop("Keyspaces manages storage, caching and garbage collection itself; the option does not apply")
        }
        "dclocal_read_repair_chance" | "read_repair_chance" | "read_repair" | "additional_write_policy" => {
            Disposition::Drop("Keyspaces manages replication and repair itself; the option does not apply")
        }
        "cdc" => Disposition::Drop("Keyspaces change data capture is set through its own CDC streams, not this option"),
        _ => Disposition::Drop("not a Keyspaces table option"),
    }
}

fn cassandra(opt: &TableOption) -> Disposition {
    match opt.name.as_str() {
        "compaction" => compaction(opt),
        n if PORTABLE.contains(&n) => Disposition::Keep,
        "dclocal_read_repair_chance" | "read_repair_chance" => Disposition::Drop("removed in Cassandra 4.0"),
        "read_repair" | "additional_write_policy" => Disposition::Drop("Cassandra 4.0+ only; ScyllaDB refuses it"),
        "allow_auto_snapshot" | "incremental_backups" => Disposition::Drop("Cassandra 4.1+ only; ScyllaDB refuses it"),
        "memtable" => Disposition::Drop("Cassandra 5.0 only (memtable configurations are named per node)"),
        "cdc" => Disposition::Drop("change data capture is configured per target cluster (ScyllaDB's option differs)"),
        "extensions" => Disposition::Drop("internal to the source cluster"),
        "custom_properties" => Disposition::Drop("Amazon Keyspaces only"),
        _ => Disposition::Drop("not portable across Cassandra and ScyllaDB versions"),
    }
}

/// Compaction is kept, except a strategy not every target has, and `'enabled': 'false'`
/// (a source with autocompaction off would leave the target's off too).
fn compaction(opt: &TableOption) -> Disposition {
    let OptionValue::Map(entries) = &opt.value else { return Disposition::Keep };
    let class = opt.value.get("class").and_then(OptionValue::as_str).unwrap_or("");
    if !class.is_empty() && !PORTABLE_COMPACTION.iter().any(|c| class.ends_with(c)) {
        return Disposition::Drop("compaction class not available on every Cassandra/ScyllaDB version; the target's default applies");
    }
    let disabled = opt.value.get("enabled").and_then(OptionValue::as_str).is_some_and(|v| v.eq_ignore_ascii_case("false"));
    if !disabled {
        return Disposition::Keep;
    }
    let kept: Vec<(OptionValue, OptionValue)> = entries.iter().filter(|(k, _)| k.as_str() != Some("enabled")).cloned().collect();
    Disposition::Rewrite(render(&OptionValue::Map(kept)), "'enabled': 'false' removed: autocompaction would stay off on the target")
}

/// CQL text of an option value.
pub(crate) fn render(v: &OptionValue) -> String {
    match v {
        OptionValue::Str(s) => format!("'{}'", s.replace('\'', "''")),
        OptionValue::Number(n) | OptionValue::Ident(n) => n.clone(),
        OptionValue::Bool(b) => b.to_string(),
        OptionValue::Blob(hex) => format!("0x{hex}"),
        OptionValue::Map(entries) => {
            let parts: Vec<String> = entries.iter().map(|(k, v)| format!("{}: {}", render(k), render(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        OptionValue::List(items) => {
            let parts: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

/// The `custom_properties` of a Keyspaces table made for a bulk load.
pub(crate) fn keyspaces_custom_properties(capacity: Capacity, client_side_timestamps: bool, ttl: bool) -> String {
    let mut parts = vec![format!("'capacity_mode': {}", capacity.cql())];
    if client_side_timestamps {
        parts.push("'client_side_timestamps': {'status': 'enabled'}".to_string());
    }
    if ttl {
        parts.push("'ttl': {'status': 'enabled'}".to_string());
    }
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(name: &str, value: OptionValue, raw: &str) -> TableOption {
        TableOption { name: name.into(), raw: raw.into(), value }
    }

    fn s(v: &str) -> OptionValue {
        OptionValue::Str(v.into())
    }

    #[test]
    fn keyspaces_keeps_only_comment_and_default_ttl() {
        for name in ["comment", "default_time_to_live"] {
            assert_eq!(keyspaces(&opt(name, s(""), "''")), Disposition::Keep, "{name}");
        }
        for name in [
            "compaction", "caching", "compression", "speculative_retry", "bloom_filter_fp_chance", "crc_check_chance",
            "dclocal_read_repair_chance", "read_repair", "memtable_flush_period_in_ms", "min_index_interval",
            "max_index_interval", "gc_grace_seconds", "cdc", "additional_write_policy", "extensions", "memtable",
            "allow_auto_snapshot", "incremental_backups",
        ] {
            assert!(matches!(keyspaces(&opt(name, s(""), "''")), Disposition::Drop(_)), "{name}");
        }
    }

    #[test]
    fn cassandra_keeps_portable_options_and_drops_version_specific_ones() {
        for name in PORTABLE.iter().filter(|n| **n != "compaction") {
            assert_eq!(cassandra(&opt(name, s("x"), "'x'")), Disposition::Keep, "{name}");
        }
        for name in ["read_repair", "additional_write_policy", "memtable", "cdc", "extensions", "dclocal_read_repair_chance", "incremental_backups"] {
            assert!(matches!(cassandra(&opt(name, s("x"), "'x'")), Disposition::Drop(_)), "{name}");
        }
    }

    #[test]
    fn compaction_loses_enabled_false_and_unportable_classes() {
        let stcs = OptionValue::Map(vec![
            (s("class"), s("org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy")),
            (s("enabled"), s("false")),
            (s("max_threshold"), s("32")),
        ]);
        assert_eq!(
            cassandra(&opt("compaction", stcs, "…")),
            Disposition::Rewrite(
                "{'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'max_threshold': '32'}".into(),
                "'enabled': 'false' removed: autocompaction would stay off on the target"
            )
        );
        let ucs = OptionValue::Map(vec![(s("class"), s("org.apache.cassandra.db.compaction.UnifiedCompactionStrategy"))]);
        assert!(matches!(cassandra(&opt("compaction", ucs, "…")), Disposition::Drop(_)));
        let lcs = OptionValue::Map(vec![(s("class"), s("LeveledCompactionStrategy"))]);
        assert_eq!(cassandra(&opt("compaction", lcs, "…")), Disposition::Keep);
    }

    #[test]
    fn values_render_as_cql() {
        let v = OptionValue::Map(vec![(s("it's"), OptionValue::Number("1.5".into())), (s("b"), OptionValue::Bool(true))]);
        assert_eq!(render(&v), "{'it''s': 1.5, 'b': true}");
        assert_eq!(render(&OptionValue::Blob("0a".into())), "0x0a");
        assert_eq!(render(&OptionValue::List(vec![s("a")])), "['a']");
    }

    #[test]
    fn capacity_flags_and_custom_properties() {
        assert_eq!(Capacity::from_flags(CapacityArg::OnDemand, None, None), Ok(Capacity::OnDemand));
        assert!(Capacity::from_flags(CapacityArg::Provisioned, Some(10), None).is_err());
        let p = Capacity::from_flags(CapacityArg::Provisioned, Some(10), Some(20)).unwrap();
        assert_eq!(
            keyspaces_custom_properties(p, true, true),
            "{'capacity_mode': {'throughput_mode': 'PROVISIONED', 'read_capacity_units': 10, 'write_capacity_units': 20}, \
             'client_side_timestamps': {'status': 'enabled'}, 'ttl': {'status': 'enabled'}}"
        );
        assert_eq!(keyspaces_custom_properties(Capacity::OnDemand, false, false), "{'capacity_mode': {'throughput_mode': 'PAY_PER_REQUEST'}}");
    }
}
