//! Amazon Keyspaces: a table accepts `USING TIMESTAMP` only with client-side timestamps
//! enabled, and `USING TTL` only with TTL enabled; both show in the table's
//! `custom_properties` in `system_schema_mcs.tables` (`{'client_side_timestamps':
//! {'status': 'enabled'}, 'ttl': {'status': 'enabled'}, …}`). Preparing a statement does not
//! tell: Keyspaces refuses such writes only when they run.

use super::error::PreflightError;
use super::system::CustomProperties;

/// Whether `custom_properties[property]['status']` is `enabled`.
fn enabled(props: &CustomProperties, property: &str) -> bool {
    props.get(property).and_then(|p| p.get("status")).is_some_and(|s| s.eq_ignore_ascii_case("enabled"))
}

/// Checks one Keyspaces table: active, client-side timestamps on (unless it is a counter
/// table, whose writes carry no timestamp), TTL on when `ttls` says where the data has TTLs.
///
/// # Errors
/// [`PreflightError::NotActive`], [`PreflightError::ClientSideTimestampsOff`],
/// [`PreflightError::TtlOff`].
pub fn check_table(
    table: &str,
    status: &str,
    props: &CustomProperties,
    counter: bool,
    ttls: Option<&str>,
) -> Result<(), PreflightError> {
    if !status.is_empty() && !status.eq_ignore_ascii_case("ACTIVE") {
        return Err(PreflightError::NotActive { table: table.to_string(), status: status.to_string() });
    }
    if counter {
        return Ok(());
    }
    if !enabled(props, "client_side_timestamps") {
        return Err(PreflightError::ClientSideTimestampsOff { table: table.to_string() });
    }
    if let Some(why) = ttls {
        if !enabled(props, "ttl") {
            return Err(PreflightError::TtlOff { table: table.to_string(), why: why.to_string() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn props(entries: &[(&str, &str)]) -> CustomProperties {
        entries.iter().map(|(k, v)| (k.to_string(), BTreeMap::from([("status".to_string(), v.to_string())]))).collect()
    }

    #[test]
    fn timestamps_and_ttl_must_be_enabled() {
        let both = props(&[("client_side_timestamps", "enabled"), ("ttl", "enabled")]);
        check_table("ks.t", "ACTIVE", &both, false, Some("default_time_to_live = 60")).unwrap();
        let e = check_table("ks.t", "ACTIVE", &props(&[("ttl", "enabled")]), false, None).unwrap_err();
        assert!(e.to_string().starts_with("ks.t: client-side timestamps are not enabled, so writes USING TIMESTAMP are refused; run ALTER TABLE ks.t WITH custom_properties = {'client_side_timestamps': {'status': 'enabled'}}"), "{e}");
        let e = check_table("ks.t", "ACTIVE", &props(&[("client_side_timestamps", "enabled")]), false, Some("SSTables with TTL'd cells")).unwrap_err();
        assert!(e.to_string().starts_with("ks.t: the data has TTLs (SSTables with TTL'd cells) but TTL is not enabled"), "{e}");
        check_table("ks.t", "ACTIVE", &props(&[("client_side_timestamps", "enabled")]), false, None).unwrap();
    }

    #[test]
    fn counters_need_neither_and_creating_tables_are_not_ready() {
        check_table("ks.c", "ACTIVE", &BTreeMap::new(), true, None).unwrap();
        let e = check_table("ks.t", "CREATING", &BTreeMap::new(), false, None).unwrap_err();
        assert_eq!(e.to_string(), "ks.t: the Keyspaces table is CREATING, not ACTIVE; wait until it is");
    }
}
