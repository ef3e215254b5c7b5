//! What verify found: counts per table and in total, the first differences with their keys
//! (hex and CQL text), notes on what could not be compared, errors. Written as JSON
//! (`--report`) and summed up on stdout. Holds no credentials: only the contact points.

use std::fmt::Write as _;
use std::path::Path;

use bytes::Bytes;
use serde::Serialize;
use sstable_reader::types::format::{display, hex, json};
use sstable_reader::types::CqlType;
use sstable_reader::Token;

use super::layout::TableLayout;
use super::VerifyError;
use crate::write::ColumnSpec;

/// Counters of one unit, table or run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Units verified.
    pub units: u64,
    /// Rows the source says the target should hold.
    pub rows_expected: u64,
    /// Rows the target returned.
    pub rows_read: u64,
    /// Rows found on both sides.
    pub rows_matched: u64,
    /// Source rows the target does not have.
    pub missing_rows: u64,
    /// Target rows the source does not have.
    pub extra_rows: u64,
    /// Cells compared (columns of matched rows).
    pub cells_compared: u64,
    /// Cells that differ in value, writetime or TTL (each counted once).
    pub cells_differing: u64,
    /// Of those, how many differ in value.
    pub value_differences: u64,
    /// … in writetime.
    pub writetime_differences: u64,
    /// … in TTL (outside the tolerance).
    pub ttl_differences: u64,
    /// Rows or cells that expired between the source read and the target read (not differences).
    pub expired_while_verifying: u64,
}

impl Counts {
    /// Missing rows + extra rows + differing cells.
    pub fn differences(&self) -> u64 {
        self.missing_rows + self.extra_rows + self.cells_differing
    }

    /// Adds `o` to these counts.
    pub fn add(&mut self, o: &Counts) {
        self.units += o.units;
        self.rows_expected += o.rows_expected;
        self.rows_read += o.rows_read;
        self.rows_matched += o.rows_matched;
        self.missing_rows += o.missing_rows;
        self.extra_rows += o.extra_rows;
        self.cells_compared += o.cells_compared;
        self.cells_differing += o.cells_differing;
        self.value_differences += o.value_differences;
        self.writetime_differences += o.writetime_differences;
        self.ttl_differences += o.ttl_differences;
        self.expired_while_verifying += o.expired_while_verifying;
    }
}

/// What kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DifferenceKind {
    /// The source has the row, the target does not.
    MissingRow,
    /// The target has a row the source does not.
    ExtraRow,
    /// Both have the row; one column differs.
    Cell,
}

/// One side of a differing cell, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellText {
    /// The value (CQL JSON form when its type is known, else `0x…`); `None` for null.
    pub value: Option<String>,
    /// Writetimes per cell (µs), when compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writetime: Option<Vec<Option<i64>>>,
    /// TTLs per cell (s; the source's is what remains at comparison time), when compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<Vec<Option<i64>>>,
}

/// One difference, with the row's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Source `keyspace.table`.
    pub table: String,
    /// Work unit id.
    pub unit: u32,
    /// What differs.
    pub kind: DifferenceKind,
    /// The partition's token.
    pub token: String,
    /// The serialized partition key, hex.
    pub key_hex: String,
    /// The partition key as CQL text, when it decodes.
    pub key: Option<String>,
    /// The clustering values as CQL text (`null` for a static-only row); none without
    /// clustering columns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clustering: Option<String>,
    /// The column, for a cell difference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Which of `value`, `writetime`, `ttl` differ.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differs: Vec<&'static str>,
    /// The source's cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<CellText>,
    /// The target's cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<CellText>,
}

impl Difference {
    /// A difference of `kind` at a row of `layout`.
    pub fn at(layout: &TableLayout, unit: u32, kind: DifferenceKind, token: &Token, key: &Bytes, clustering: &[Option<Bytes>]) -> Difference {
        let key_text = layout.key_type.as_ref().and_then(|t| sstable_reader::export::key_strings(t, key).ok()).map(|parts| format!("({})", parts.join(", ")));
        let clustering_text = (!layout.target.clustering.is_empty()).then(|| {
            let parts: Vec<String> = clustering
                .iter()
                .enumerate()
                .map(|(i, v)| match (v, layout.comparator.types().get(i)) {
                    (None, _) => "null".to_string(),
                    (Some(b), Some(t)) => display(t, b).unwrap_or_else(|_| format!("0x{}", hex(b))),
                    (Some(b), None) => format!("0x{}", hex(b)),
                })
                .collect();
            format!("({})", parts.join(", "))
        });
        Difference {
            table: layout.source.clone(),
            unit,
            kind,
            token: token.to_string(),
            key_hex: hex(key),
            key: key_text,
            clustering: clustering_text,
            column: None,
            differs: Vec::new(),
            source: None,
            target: None,
        }
    }

    /// One line for the terminal.
    pub fn line(&self) -> String {
        let mut out = String::new();
        let what = match self.kind {
            DifferenceKind::MissingRow => "missing row",
            DifferenceKind::ExtraRow => "extra row",
            DifferenceKind::Cell => "differs",
        };
        let _ = write!(out, "{} unit {} {what}: key {}", self.table, self.unit, self.key.as_deref().unwrap_or(&format!("0x{}", self.key_hex)));
        if let Some(c) = &self.clustering {
            let _ = write!(out, " clustering {c}");
        }
        let _ = write!(out, " (token {})", self.token);
        if let Some(col) = &self.column {
            let _ = write!(out, " column {col} [{}]", self.differs.join(", "));
            let side = |t: &Option<CellText>| t.as_ref().map_or("-".to_string(), CellText::short);
            let _ = write!(out, ": source {} / target {}", side(&self.source), side(&self.target));
        }
        out
    }
}

impl CellText {
    /// `value @writetime ttl=…`.
    fn short(&self) -> String {
        let mut out = self.value.clone().unwrap_or_else(|| "null".into());
        let list = |l: &[Option<i64>]| l.iter().map(|v| v.map_or("null".into(), |v| v.to_string())).collect::<Vec<_>>().join(",");
        if let Some(w) = self.writetime.as_ref().filter(|w| !w.is_empty()) {
            let _ = write!(out, " writetime={}", list(w));
        }
        if let Some(t) = self.ttl.as_ref().filter(|t| t.iter().any(Option::is_some)) {
            let _ = write!(out, " ttl={}", list(t));
        }
        out
    }
}

/// A value as text for a report: the CQL JSON form when the column's type `ty` is known.
pub fn value_text(column: &ColumnSpec, ty: Option<&CqlType>, value: Option<&Bytes>) -> Option<String> {
    let v = value?;
    if TableLayout::is_counter(column) {
        return Some(super::collection::number(v, 8).map_or_else(|_| format!("0x{}", hex(v)), |n| n.to_string()));
    }
    let mut out = String::new();
    match ty.map(|t| json(t, v, &mut out)) {
        Some(Ok(())) => Some(out),
        _ => Some(format!("0x{}", hex(v))),
    }
}

/// Counts and the first differences of one unit.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// The counts.
    pub counts: Counts,
    /// The first `cap` differences.
    pub differences: Vec<Difference>,
    cap: usize,
}

impl Tally {
    /// An empty tally keeping at most `cap` differences.
    pub fn new(cap: usize) -> Tally {
        Tally { counts: Counts::default(), differences: Vec::new(), cap }
    }

    /// Keeps `make()` if there is room (it is only built then).
    pub fn keep(&mut self, make: impl FnOnce() -> Difference) {
        if self.differences.len() < self.cap {
            self.differences.push(make());
        }
    }

    /// Adds `other`'s counts and as many of its differences as there is room for.
    pub fn absorb(&mut self, other: Tally) {
        self.counts.add(&other.counts);
        let room = self.cap.saturating_sub(self.differences.len());
        self.differences.extend(other.differences.into_iter().take(room));
    }
}

/// What verify found for one table.
#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    /// Source `keyspace.table`.
    pub table: String,
    /// Target `keyspace.table`.
    pub target: String,
    /// Units in the manifest.
    pub units_total: usize,
    /// Ids of the units verified.
    pub units_verified: Vec<u32>,
    /// Whether WRITETIME/TTL of non-frozen collections and UDTs were compared.
    pub multi_cell_writetime_ttl: bool,
    /// The counts.
    pub counts: Counts,
    /// What could not be compared, and why.
    pub notes: Vec<String>,
    /// Units or the table that could not be verified.
    pub errors: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The manifest verified.
    pub manifest: String,
    /// When verify started and ended (ms since the epoch).
    pub started_at_ms: i64,
    /// When it ended.
    pub finished_at_ms: i64,
    /// Fraction of units verified (`--sample`).
    pub sample: f64,
    /// A target TTL may be this many seconds below the source's remaining TTL.
    pub ttl_tolerance_secs: i64,
    /// Sum over the tables.
    pub totals: Counts,
    /// Per table.
    pub tables: Vec<TableReport>,
    /// The first differences (all are counted in `totals`).
    pub differences: Vec<Difference>,
}

impl VerifyReport {
    /// Missing + extra rows + differing cells.
    pub fn differences(&self) -> u64 {
        self.totals.differences()
    }

    /// Units or tables that could not be verified.
    pub fn errors(&self) -> usize {
        self.tables.iter().map(|t| t.errors.len()).sum()
    }

    /// Whether everything verified showed no difference.
    pub fn is_clean(&self) -> bool {
        self.differences() == 0 && self.errors() == 0
    }

    /// The summary printed at the end.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for t in &self.tables {
            let c = &t.counts;
            let _ = writeln!(
                out,
                "{} → {}: {}/{} units, {} rows expected, {} read, {} missing, {} extra, {} of {} cells differ (value {}, writetime {}, ttl {}){}",
                t.table,
                t.target,
                t.units_verified.len(),
                t.units_total,
                c.rows_expected,
                c.rows_read,
                c.missing_rows,
                c.extra_rows,
                c.cells_differing,
                c.cells_compared,
                c.value_differences,
                c.writetime_differences,
                c.ttl_differences,
                if c.expired_while_verifying > 0 { format!(", {} expired while verifying", c.expired_while_verifying) } else { String::new() }
            );
            for n in &t.notes {
                let _ = writeln!(out, "  note: {n}");
            }
            for e in &t.errors {
                let _ = writeln!(out, "  error: {e}");
            }
        }
        for d in &self.differences {
            let _ = writeln!(out, "  {}", d.line());
        }
        let shown = self.differences.len() as u64;
        if self.differences() > shown {
            let _ = writeln!(out, "  … and {} more differences (counted, not listed)", self.differences() - shown);
        }
        let verdict = if self.errors() > 0 {
            format!("INCOMPLETE: {} errors", self.errors())
        } else if self.differences() > 0 {
            format!("DIFFERENT: {} differences", self.differences())
        } else {
            "OK: no differences".to_string()
        };
        let _ = writeln!(out, "verify {verdict} ({} rows compared)", self.totals.rows_matched);
        out
    }

    /// Writes the report as JSON to `path` (atomically).
    ///
    /// # Errors
    /// [`VerifyError::Report`].
    pub fn write(&self, path: &Path) -> Result<(), VerifyError> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| VerifyError::Report { path: path.to_path_buf(), source: e.into() })?;
        crate::checkpoint::write_atomic(path, &json).map_err(|source| VerifyError::Report { path: path.to_path_buf(), source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::layout::tests::{header, layout};

    const M: &str = "org.apache.cassandra.db.marshal.";

    #[test]
    fn differences_name_the_row_in_hex_and_cql_text() {
        let h = header(&format!("{M}Int32Type"), &[&format!("{M}UTF8Type")], &[], &[("v", &format!("{M}UTF8Type"))]);
        let l = layout("CREATE TABLE ks.t (pk int, ck text, v text, PRIMARY KEY (pk, ck));", &h);
        let key = Bytes::from_static(&[0, 0, 0, 7]);
        let mut d = Difference::at(&l, 3, DifferenceKind::Cell, &Token::Murmur3(42), &key, &[Some(Bytes::from_static(b"a"))]);
        d.column = Some("v".into());
        d.differs = vec!["value"];
        d.source = Some(CellText { value: value_text(&l.columns()[0], l.types[0].as_ref(), Some(&Bytes::from_static(b"x"))), writetime: Some(vec![Some(5)]), ttl: Some(vec![None]) });
        d.target = Some(CellText { value: None, writetime: Some(vec![]), ttl: Some(vec![]) });
        assert_eq!(d.key_hex, "00000007");
        assert_eq!(d.key.as_deref(), Some("(7)"));
        assert_eq!(d.clustering.as_deref(), Some("(a)"));
        assert_eq!(d.line(), "ks.t unit 3 differs: key (7) clustering (a) (token 42) column v [value]: source \"x\" writetime=5 / target null");
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["kind"], "cell");
        assert_eq!(json["source"]["value"], "\"x\"");
    }

    #[test]
    fn tallies_keep_the_first_differences_and_count_all() {
        let h = header(&format!("{M}Int32Type"), &[], &[], &[]);
        let l = layout("CREATE TABLE ks.t (pk int PRIMARY KEY, v int);", &h);
        let mk = || Difference::at(&l, 0, DifferenceKind::MissingRow, &Token::Murmur3(1), &Bytes::from_static(&[0, 0, 0, 1]), &[]);
        let mut unit = Tally::new(2);
        for _ in 0..3 {
            unit.counts.missing_rows += 1;
            unit.keep(mk);
        }
        assert_eq!(unit.differences.len(), 2);
        let mut table = Tally::new(3);
        table.absorb(unit.clone());
        table.absorb(unit);
        assert_eq!((table.counts.missing_rows, table.differences.len()), (6, 3));
        assert_eq!(table.differences[0].clustering, None, "no clustering columns");
    }
}
