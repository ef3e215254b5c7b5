//! `ksbulk inspect`: what an SSTable is, from its metadata alone (no Data.db scan).

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use sstable_reader::metadata::stats::StatsMetadata;
use sstable_reader::types::CqlType;
use sstable_reader::{find_sstables, Component, SSTable};

use crate::cli::InspectArgs;

/// Prints a description of every SSTable under the given paths. Exits 1 when one cannot be
/// opened (after describing the others).
pub fn run(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let mut failed = 0;
    let mut first = true;
    for path in &args.paths {
        let found = find_sstables(path).with_context(|| format!("listing SSTables under {}", path.display()))?;
        if found.is_empty() {
            eprintln!("ksbulk: no SSTables under {}", path.display());
            failed += 1;
        }
        for descriptor in found {
            if !first {
                println!();
            }
            first = false;
            match SSTable::open_with(descriptor.clone(), std::sync::Arc::new(sstable_reader::LocalOpener)).and_then(|t| describe(&t)) {
                Ok(text) => print!("{text}"),
                Err(e) => {
                    eprintln!("ksbulk: {e}");
                    failed += 1;
                }
            }
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The description of one SSTable, as printed.
///
/// # Errors
/// When a component listed in the TOC cannot be opened.
pub fn describe(t: &SSTable) -> sstable_reader::Result<String> {
    let d = t.descriptor();
    let stats = t.statistics();
    let s = &stats.stats;
    let mut out = String::new();
    let data = d.path(Component::Data);
    // `write!` into a String cannot fail.
    let _ = writeln!(out, "{}", data.display());
    let _ = writeln!(out, "  format:          {} ({}), generation {}", d.version, d.format, d.generation);
    let _ = writeln!(out, "  partitioner:     {}", stats.partitioner().unwrap_or("(not recorded)"));
    let sizes = t.component_sizes()?;
    let stored = sizes.get(&Component::Data).copied().unwrap_or(0);
    match t.compression_info() {
        Some(c) => {
            let _ = writeln!(
                out,
                "  compression:     {}, chunk {} KiB, {} chunks{}",
                c.compressor_short_name(),
                c.chunk_length / 1024,
                c.chunk_count(),
                if c.options.is_empty() { String::new() } else { format!(", options {:?}", c.options) }
            );
            let _ = writeln!(out, "  Data.db:         {} bytes stored, {} uncompressed (ratio {:.3})", stored, c.data_length, s.compression_ratio);
        }
        None => {
            let check = if t.toc().contains(Component::Crc) { "CRC.db checksums" } else { "no checksums" };
            let _ = writeln!(out, "  compression:     none ({check})");
            let _ = writeln!(out, "  Data.db:         {stored} bytes");
        }
    }
    let list: Vec<String> = sizes.iter().map(|(c, n)| format!("{c} {n}")).collect();
    let _ = writeln!(out, "  components:      {}", list.join(", "));
    let _ = writeln!(out, "  partitions:      ~{} (estimated), rows {}, cells {}", s.estimated_partitions(), s.total_rows, s.total_columns_set);
    let _ = writeln!(out, "  timestamps:      {} .. {}", timestamp(s.min_timestamp), timestamp(s.max_timestamp));
    let _ = writeln!(out, "  TTL:             {}", ttl(s));
    let _ = writeln!(out, "  deletion times:  {}", deletion_times(s));
    let h = &stats.header;
    let _ = writeln!(out, "  partition key:   {}", type_name(&h.key_type));
    if !h.clustering_types.is_empty() {
        let c: Vec<String> = h.clustering_types.iter().map(|t| type_name(t)).collect();
        let _ = writeln!(out, "  clustering:      {}", c.join(", "));
    }
    for (kind, cols) in [("static", &h.static_columns), ("regular", &h.regular_columns)] {
        for col in cols.iter() {
            let _ = writeln!(out, "  {kind:<8} column: {} {}", col.name_str(), type_name(&col.type_name));
        }
    }
    if s.repaired_at != 0 {
        let _ = writeln!(out, "  repaired at:     {}", timestamp(s.repaired_at.saturating_mul(1000)));
    }
    let _ = writeln!(out, "  token range:     {}", token_range(t));
    Ok(out)
}

/// `[first, last]` tokens from the partition index, or why they are not available.
fn token_range(t: &SSTable) -> String {
    match t.open_index() {
        Ok(index) => format!("[{}, {}]", index.first_token(), index.last_token()),
        Err(e) => format!("unavailable ({})", e.kind),
    }
}

fn ttl(s: &StatsMetadata) -> String {
    if !s.has_ttls() {
        return "none".into();
    }
    let some = if s.min_ttl == 0 { " (some cells without TTL)" } else { "" };
    format!("{}s .. {}s{some}", s.min_ttl.max(0), s.max_ttl)
}

fn deletion_times(s: &StatsMetadata) -> String {
    match (s.min_local_deletion_time, s.max_local_deletion_time) {
        (None, None) => "none (no tombstones or expiring cells)".into(),
        (min, max) => {
            let show = |v: Option<i64>| v.map_or("none".to_string(), |v| format!("{} ({v})", utc(v.saturating_mul(1_000_000))));
            let negative = if min.is_some_and(|v| v < 0) { " [negative: overflowed TTL or corrupt deletion]" } else { "" };
            format!("{} .. {}{negative}", show(min), show(max))
        }
    }
}

/// The CQL name of a stored `AbstractType` string (`DESC` marked), or the raw name without
/// its `org.apache.cassandra.db.marshal.` prefixes when it does not parse.
fn type_name(raw: &str) -> String {
    match CqlType::parse(raw) {
        Ok(t @ CqlType::Reversed(_)) => format!("{} DESC", t.cql_name()),
        Ok(t) => t.cql_name(),
        Err(_) => raw.replace("org.apache.cassandra.db.marshal.", ""),
    }
}

/// Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ (raw)`.
fn timestamp(micros: i64) -> String {
    format!("{} ({micros})", utc(micros))
}

/// Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC).
fn utc(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}Z", tod / 3600, tod % 3600 / 60, tod % 60)
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> std::path::PathBuf {
        let root = std::env::var_os("KSBULK_FIXTURES")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/sstables"));
        root.join(rel)
    }

    #[test]
    fn formats_timestamps_in_utc() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000000Z (0)");
        assert_eq!(timestamp(1_442_880_000_000_001), "2015-09-22T00:00:00.000001Z (1442880000000001)");
        assert_eq!(timestamp(-1_000_000), "1969-12-31T23:59:59.000000Z (-1000000)");
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn names_types_in_cql() {
        assert_eq!(type_name("org.apache.cassandra.db.marshal.ReversedType(org.apache.cassandra.db.marshal.Int32Type)"), "int DESC");
        assert_eq!(type_name("org.apache.cassandra.db.marshal.CounterColumnType"), "counter");
        assert_eq!(type_name("org.apache.cassandra.db.marshal.Nope("), "Nope(");
    }

    #[test]
    fn describes_a_legacy_table() {
        let t = SSTable::open(fixture("cassandra/legacy/oa/legacy_tables/legacy_oa_clust/oa-1-big-Data.db")).unwrap();
        let text = describe(&t).unwrap();
        for line in [
            "  format:          oa (big), generation 1",
            "  partitioner:     org.apache.cassandra.dht.ByteOrderedPartitioner",
            "  compression:     LZ4Compressor, chunk 16 KiB, 21 chunks",
            "  partitions:      ~5 (estimated), rows 250, cells 250",
            "  TTL:             none",
            "  deletion times:  none (no tombstones or expiring cells)",
            "  partition key:   text",
            "  clustering:      text",
            "  regular  column: val text",
            "  token range:     [30, 34]",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
    }

    #[test]
    fn reports_ttls_and_negative_deletion_times() {
        let t = SSTable::open(fixture("cassandra/negative-local-expiration/table1/mc-1-big-Data.db")).unwrap();
        let text = describe(&t).unwrap();
        assert!(text.contains("  TTL:             630720000s .. 630720000s\n"), "{text}");
        assert!(text.contains("  deletion times:  1901-12-22T22:19:59.000000Z (-2146700401) .. 1901-12-22T22:19:59.000000Z (-2146700401) [negative"), "{text}");
        assert!(text.contains("  partitioner:     org.apache.cassandra.dht.Murmur3Partitioner\n"), "{text}");
    }
}
