//! `CREATE KEYSPACE` for the target. Snapshot `schema.cql` files hold no keyspace
//! statement, so the replication usually comes from `--replication` or a default.
//!
//! Keyspaces: `replication = {'class': 'SingleRegionStrategy'}` (three copies across the
//! Region's availability zones, chosen by the service; Keyspaces developer guide,
//! *CREATE KEYSPACE*). Cassandra/ScyllaDB: `--replication`, else the source's own
//! `CREATE KEYSPACE` when a file has one, else three replicas per datacenter.

use sstable_reader::schema::{maybe_quote, TableOption};

use super::report::{Report, Severity};
use crate::cli::schema::TargetKind;

/// Replication of a Cassandra keyspace when neither `--replication` nor the schema files
/// say: three replicas in every datacenter (`replication_factor` with
/// NetworkTopologyStrategy is understood by Cassandra 4.0+ and ScyllaDB).
pub const DEFAULT_CASSANDRA_REPLICATION: &str = "{'class': 'NetworkTopologyStrategy', 'replication_factor': 3}";

/// The only replication Keyspaces takes for a single-Region keyspace.
pub const KEYSPACES_REPLICATION: &str = "{'class': 'SingleRegionStrategy'}";

/// The `CREATE KEYSPACE IF NOT EXISTS` statement of keyspace `name` (already renamed).
///
/// `source` holds the options of the source's `CREATE KEYSPACE`, when a schema file has it;
/// `replication` is the `--replication` flag.
pub(crate) fn create_keyspace(target: TargetKind, name: &str, source: Option<&[TableOption]>, replication: Option<&str>, report: &mut Report) -> String {
    let object = format!("keyspace {}", maybe_quote(name));
    let source_replication = source.and_then(|opts| opts.iter().find(|o| o.name == "replication"));
    let durable_writes = source.and_then(|opts| opts.iter().find(|o| o.name == "durable_writes"));
    let with = match target {
        TargetKind::Keyspaces => {
            if let Some(r) = source_replication {
                report.push(&object, Severity::DroppedOption, format!("replication = {}", r.raw), "Keyspaces keeps three copies in the Region itself (SingleRegionStrategy)");
            }
            if let Some(d) = durable_writes {
                report.push(&object, Severity::DroppedOption, format!("durable_writes = {}", d.raw), "Keyspaces writes are always durable");
            }
            if replication.is_some() {
                report.push(&object, Severity::Note, "--replication ignored", "Keyspaces takes SingleRegionStrategy only");
            }
            format!("replication = {KEYSPACES_REPLICATION}")
        }
        TargetKind::Cassandra => {
            let chosen = match (replication, source_replication) {
                (Some(flag), _) => flag.to_string(),
                (None, Some(r)) => {
                    report.push(&object, Severity::Note, format!("replication = {}", r.raw), "taken from the source; its datacenter names must exist on the target (override with --replication)");
                    r.raw.clone()
                }
                (None, None) => {
                    report.push(&object, Severity::Note, format!("replication = {DEFAULT_CASSANDRA_REPLICATION}"), "the schema files do not say; set --replication to choose");
                    DEFAULT_CASSANDRA_REPLICATION.to_string()
                }
            };
            match durable_writes {
                Some(d) => format!("replication = {chosen} AND durable_writes = {}", d.raw),
                None => format!("replication = {chosen}"),
            }
        }
    };
    format!("CREATE KEYSPACE IF NOT EXISTS {} WITH {with}", maybe_quote(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sstable_reader::schema::OptionValue;

    fn source() -> Vec<TableOption> {
        vec![
            TableOption {
                name: "replication".into(),
                raw: "{'class': 'NetworkTopologyStrategy', 'dc1': '3'}".into(),
                value: OptionValue::Map(vec![]),
            },
            TableOption { name: "durable_writes".into(), raw: "true".into(), value: OptionValue::Bool(true) },
        ]
    }

    #[test]
    fn keyspaces_always_single_region_and_reports_what_it_replaced() {
        let mut r = Report::default();
        let cql = create_keyspace(TargetKind::Keyspaces, "Ks", Some(&source()), None, &mut r);
        assert_eq!(cql, "CREATE KEYSPACE IF NOT EXISTS \"Ks\" WITH replication = {'class': 'SingleRegionStrategy'}");
        assert_eq!(r.items.len(), 2);
        assert!(r.items.iter().all(|i| i.severity == Severity::DroppedOption && i.object == "keyspace \"Ks\""));
    }

    #[test]
    fn cassandra_prefers_the_flag_then_the_source_then_the_default() {
        let mut r = Report::default();
        let flag = "{'class': 'SimpleStrategy', 'replication_factor': 1}";
        assert_eq!(
            create_keyspace(TargetKind::Cassandra, "ks", Some(&source()), Some(flag), &mut r),
            format!("CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {flag} AND durable_writes = true")
        );
        assert!(r.items.is_empty());
        assert_eq!(
            create_keyspace(TargetKind::Cassandra, "ks", Some(&source()), None, &mut r),
            "CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '3'} AND durable_writes = true"
        );
        assert_eq!(
            create_keyspace(TargetKind::Cassandra, "ks", None, None, &mut r),
            format!("CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {DEFAULT_CASSANDRA_REPLICATION}")
        );
        assert_eq!(r.items.len(), 2);
        assert!(r.items.iter().all(|i| i.severity == Severity::Note));
    }
}
