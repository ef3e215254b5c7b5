//! What the load costs on Amazon Keyspaces and how long it takes, from the manifest's
//! estimates: distinct rows (rows read ÷ copies) and write units (1 per started KB of row).
//!
//! On-demand capacity bills write request units (WRU) per million; provisioned capacity
//! bills write capacity units (WCU) per hour, and a load at R rows/s needs R × (write units
//! per row) WCU for (rows ÷ R) seconds. Prices differ by Region and change: the defaults
//! are the us-east-1 list prices ksbulk was written against; pass the current ones
//! (<https://aws.amazon.com/keyspaces/pricing/>).

use std::fmt;

use crate::plan::manifest::Manifest;

/// Default on-demand price: US dollars per million write request units (us-east-1).
pub const DEFAULT_PRICE_PER_MILLION_WRU: f64 = 1.25;
/// Default provisioned price: US dollars per write capacity unit-hour (us-east-1).
pub const DEFAULT_PRICE_PER_WCU_HOUR: f64 = 0.00075;
/// Writes/s a new on-demand table serves before it scales (DESIGN.md, Keyspaces facts).
pub const ON_DEMAND_INITIAL_WRITES_PER_SECOND: u64 = 4_000;

/// Prices and the planned rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostInputs {
    /// US dollars per million WRU.
    pub price_per_million_wru: f64,
    /// US dollars per WCU-hour.
    pub price_per_wcu_hour: f64,
    /// Rows per second the load will run at, when known.
    pub rate: Option<u64>,
}

/// The load at a given rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AtRate {
    /// Rows per second.
    pub rate: u64,
    /// How long the load takes, in seconds.
    pub seconds: f64,
    /// Write capacity units that rate needs.
    pub wcu: u64,
    /// Provisioned cost of those units for that time.
    pub provisioned_cost: f64,
}

/// The estimate preflight prints.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostEstimate {
    /// Distinct rows to write.
    pub rows: u64,
    /// Write units of those rows.
    pub write_units: u64,
    /// On-demand cost in US dollars.
    pub on_demand_cost: f64,
    /// Provisioned cost when the units are used fully the whole time (write units ÷ 3600
    /// WCU-hours).
    pub provisioned_floor_cost: f64,
    /// At the planned rate.
    pub at_rate: Option<AtRate>,
    /// The prices used.
    pub inputs: CostInputs,
}

/// Estimates the cost and duration of loading `manifest`.
pub fn estimate(manifest: &Manifest, inputs: CostInputs) -> CostEstimate {
    // The plan's row counts include every replica's copy; its write units are for distinct rows.
    let rows: u64 = manifest.tables.iter().map(|t| t.estimate.rows / (t.nodes.len().max(1) as u64)).sum();
    let write_units = manifest.estimate.write_units;
    let on_demand_cost = write_units as f64 / 1e6 * inputs.price_per_million_wru;
    let provisioned_floor_cost = write_units as f64 / 3600.0 * inputs.price_per_wcu_hour;
    let at_rate = inputs.rate.filter(|r| *r > 0).map(|rate| {
        let seconds = rows as f64 / rate as f64;
        let units_per_row = if rows == 0 { 1.0 } else { write_units as f64 / rows as f64 };
        let wcu = (rate as f64 * units_per_row).ceil() as u64;
        AtRate { rate, seconds, wcu, provisioned_cost: wcu as f64 * seconds / 3600.0 * inputs.price_per_wcu_hour }
    });
    CostEstimate { rows, write_units, on_demand_cost, provisioned_floor_cost, at_rate, inputs }
}

/// `1h 02m 03s`, `4m 05s`, `12s`.
pub fn human_duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    let (h, m, s) = (s / 3600, s % 3600 / 60, s % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s:02}s"),
        _ => format!("{h}h {m:02}m {s:02}s"),
    }
}

impl fmt::Display for CostEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "estimate: ~{} distinct rows, ~{} Keyspaces write units", self.rows, self.write_units)?;
        writeln!(
            f,
            "  on-demand:   ${:.2} ({} WRU at ${} per million)",
            self.on_demand_cost, self.write_units, self.inputs.price_per_million_wru
        )?;
        writeln!(
            f,
            "  provisioned: ${:.2} at least ({:.1} WCU-hours at ${} per WCU-hour, units fully used)",
            self.provisioned_floor_cost,
            self.write_units as f64 / 3600.0,
            self.inputs.price_per_wcu_hour
        )?;
        match &self.at_rate {
            Some(r) => {
                writeln!(f, "  at {} rows/s: {} ({} WCU provisioned for that time: ${:.2})", r.rate, human_duration(r.seconds), r.wcu, r.provisioned_cost)?;
                if r.rate > ON_DEMAND_INITIAL_WRITES_PER_SECOND {
                    writeln!(
                        f,
                        "  note: a new on-demand table starts at about {ON_DEMAND_INITIAL_WRITES_PER_SECOND} writes/s; pre-warm it or use provisioned capacity"
                    )?;
                }
            }
            None => writeln!(f, "  pass --rate ROWS_PER_SECOND for the load's duration")?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::manifest::{Estimate, PlanOptions, ToolInfo};

    fn manifest(rows: u64, write_units: u64, nodes: usize) -> Manifest {
        let estimate = Estimate { bytes: 0, rows, write_units };
        let tables = vec![crate::preflight::tests::plan(nodes, estimate)];
        Manifest { format: 1, tool: ToolInfo::current(), created_at_ms: 0, options: PlanOptions::default(), tables, estimate }
    }

    const PRICES: CostInputs = CostInputs { price_per_million_wru: 1.25, price_per_wcu_hour: 0.00075, rate: Some(10_000) };

    #[test]
    fn on_demand_provisioned_and_duration() {
        // 3 copies of 36M rows, 2 write units each.
        let e = estimate(&manifest(108_000_000, 72_000_000, 3), PRICES);
        assert_eq!(e.rows, 36_000_000);
        assert!((e.on_demand_cost - 90.0).abs() < 1e-9);
        assert!((e.provisioned_floor_cost - 15.0).abs() < 1e-9);
        let r = e.at_rate.unwrap();
        assert_eq!((r.wcu, r.seconds as u64), (20_000, 3600));
        assert!((r.provisioned_cost - 15.0).abs() < 1e-9);
        let text = e.to_string();
        assert!(text.contains("on-demand:   $90.00 (72000000 WRU at $1.25 per million)"), "{text}");
        assert!(text.contains("at 10000 rows/s: 1h 00m 00s (20000 WCU provisioned for that time: $15.00)"), "{text}");
        assert!(text.contains("pre-warm"), "{text}");
    }

    #[test]
    fn without_a_rate_the_duration_is_asked_for() {
        let e = estimate(&manifest(10, 10, 1), CostInputs { rate: None, ..PRICES });
        assert!(e.at_rate.is_none());
        assert!(e.to_string().contains("pass --rate"));
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(12.4), "12s");
        assert_eq!(human_duration(245.0), "4m 05s");
        assert_eq!(human_duration(3723.0), "1h 02m 03s");
    }
}
