//! JSON export with the structure of Cassandra's `sstabledump` (`tools.JsonTransformer`), so
//! scripts written for it keep working and the output can be compared with it field by field.
//!
//! ```text
//! [ { "table kind" : "REGULAR",
//!     "partition" : { "key" : [ ... ], "position" : P, ["deletion_info" : {...}] },
//!     "rows" : [ { "type" : "static_block" | "row", "position" : P, ["clustering" : [...]],
//!                  ["liveness_info" : { "tstamp", ["ttl", "expires_at", "expired"] }],
//!                  ["deletion_info" : { "marked_deleted", "local_delete_time" }],
//!                  "cells" : [ { "name", ["path"], "value" | "deletion_info",
//!                                ["tstamp"], ["ttl", "expires_at", "expired"] } ] }
//!              | { "type" : "range_tombstone_bound" | "range_tombstone_boundary",
//!                  "start"/"end" : { "type" : "inclusive"|"exclusive", ["clustering"], "deletion_info" } } ] } ]
//! ```
//! Differences from sstabledump, on purpose: a counter cell's value is the counter's value
//! (the sum of its shards), where sstabledump prints the first 8 bytes of the stored context.
//! Positions follow sstabledump: a partition's is the offset just after its header and static
//! row, a row's is the offset of its first byte.

mod json;

use std::io::Write;

use json::Json;

use crate::data::{Cell, DeletionTime, PartitionReader, Row, RowItem, Unfiltered};
use crate::types::format::{self, hex};
use crate::types::CqlType;
use crate::{DataInput, Error, ErrorKind, Result};

/// What to export and how.
#[derive(Debug, Clone, Default)]
pub struct DumpOptions {
    /// Only these partition keys (sstabledump `-k`), in its text form: the key's `getString`,
    /// components of a composite key joined by `:`.
    pub keys: Vec<String>,
    /// Leave out these partition keys (`-x`).
    pub exclude_keys: Vec<String>,
    /// One partition per line, no enclosing array (`-l`).
    pub json_lines: bool,
    /// Only deletions: partition deletions, range tombstones, row deletions, cell tombstones
    /// and complex-column deletions.
    pub tombstones_only: bool,
    /// Only the partition keys (`-e`).
    pub keys_only: bool,
    /// Timestamps and deletion times as raw numbers (`-t`) instead of ISO-8601 instants.
    pub raw_timestamps: bool,
    /// "Now" in seconds since the epoch, for the `expired` flags.
    pub now: i64,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DumpSummary {
    /// Partitions written.
    pub partitions: u64,
    /// Rows written (static rows included).
    pub rows: u64,
    /// Range tombstone markers written.
    pub markers: u64,
    /// Cells written.
    pub cells: u64,
}

/// Writes every (selected) partition of `reader` to `out` as sstabledump-style JSON.
///
/// # Errors
/// Decoding errors (file, offset), values that do not decode as their type, write errors.
pub fn dump<I: DataInput>(reader: &mut PartitionReader<I>, options: &DumpOptions, out: &mut dyn Write) -> Result<DumpSummary> {
    let mut exporter = JsonExporter::new(out, options.clone())?;
    exporter.write_sstable(reader)?;
    exporter.finish()
}

fn write_err(e: std::io::Error) -> Error {
    Error::new("<output>", crate::Component::Data, 0, ErrorKind::Io(e))
}

/// Writes the partitions of one or more SSTables as one sstabledump-style document (or JSON
/// lines).
pub struct JsonExporter<'w> {
    out: &'w mut dyn Write,
    options: DumpOptions,
    first: bool,
    summary: DumpSummary,
}

impl<'w> JsonExporter<'w> {
    /// Starts the document.
    ///
    /// # Errors
    /// Write errors.
    pub fn new(out: &'w mut dyn Write, options: DumpOptions) -> Result<JsonExporter<'w>> {
        if !options.json_lines {
            out.write_all(b"[").map_err(write_err)?;
        }
        Ok(JsonExporter { out, options, first: true, summary: DumpSummary::default() })
    }

    /// Writes the selected partitions of one SSTable.
    ///
    /// # Errors
    /// Decoding errors (file, offset), values that do not decode as their type, write errors.
    pub fn write_sstable<I: DataInput>(&mut self, reader: &mut PartitionReader<I>) -> Result<()> {
        let header = std::sync::Arc::clone(reader.header());
        let file = header.file.clone();
        while let Some(partition) = reader.next_partition()? {
            let key_parts = key_strings(&header.key_type, &partition.key)
                .map_err(|e| Error::in_data(&file, partition.position, ErrorKind::Malformed(format!("partition key: {e}"))))?;
            let key_text = key_parts.join(":");
            if (!self.options.keys.is_empty() && !self.options.keys.contains(&key_text)) || self.options.exclude_keys.contains(&key_text) {
                continue;
            }
            if self.options.keys_only {
                self.summary.partitions += 1;
                self.write_doc(&Json::Arr(key_parts.into_iter().map(Json::Str).collect()))?;
                continue;
            }
            let position = reader.position();
            let mut rows = Vec::new();
            if let Some(static_row) = partition.static_row.as_ref().filter(|r| !r.is_empty()) {
                if let Some(j) = row_json(static_row, position, &self.options, &mut self.summary)? {
                    rows.push(j);
                }
            }
            while let Some(unfiltered) = reader.next_unfiltered()? {
                match unfiltered {
                    Unfiltered::Row(row) if row.is_empty() => {}
                    Unfiltered::Row(row) => {
                        if let Some(j) = row_json(&row, row.position(), &self.options, &mut self.summary)? {
                            rows.push(j);
                        }
                    }
                    Unfiltered::Marker(marker) => {
                        self.summary.markers += 1;
                        let clustering = |values: Vec<Option<&[u8]>>| clustering_json(&header.clustering_types, &values);
                        let values: Vec<Option<&[u8]>> = marker.clustering().iter().collect();
                        let bound = |start: bool, inclusive: bool, deletion: DeletionTime| -> Result<Json> {
                            let mut fields = vec![("type", Json::Str(if inclusive { "inclusive" } else { "exclusive" }.into()))];
                            if !values.is_empty() {
                                fields.push((
                                    "clustering",
                                    clustering(values.clone()).map_err(|e| Error::in_data(&file, marker.position(), ErrorKind::Malformed(e.0)))?,
                                ));
                            }
                            fields.push(("deletion_info", deletion_json(deletion, &self.options)));
                            let _ = start;
                            Ok(Json::Obj(fields))
                        };
                        let kind = marker.kind();
                        let mut fields = Vec::new();
                        if marker.is_boundary() {
                            fields.push(("type", Json::Str("range_tombstone_boundary".into())));
                            if let (Some(open), Some(close)) = (marker.open_deletion(), marker.close_deletion()) {
                                fields.push(("start", bound(true, kind.is_inclusive(), open)?));
                                fields.push(("end", bound(false, kind.closes_inclusive(), close)?));
                            }
                        } else {
                            fields.push(("type", Json::Str("range_tombstone_bound".into())));
                            if let Some(open) = marker.open_deletion() {
                                fields.push(("start", bound(true, kind.is_inclusive(), open)?));
                            } else if let Some(close) = marker.close_deletion() {
                                fields.push(("end", bound(false, kind.is_inclusive(), close)?));
                            }
                        }
                        rows.push(Json::Obj(fields));
                    }
                }
            }
            if self.options.tombstones_only && partition.deletion.is_none() && rows.is_empty() {
                continue;
            }
            let mut pfields = vec![("key", Json::Arr(key_parts.into_iter().map(Json::Str).collect())), ("position", Json::Int(position as i64))];
            if let Some(d) = partition.deletion {
                pfields.push(("deletion_info", deletion_json(d, &self.options)));
            }
            let doc = Json::Obj(vec![("table kind", Json::Str("REGULAR".into())), ("partition", Json::Obj(pfields)), ("rows", Json::Arr(rows))]);
            self.summary.partitions += 1;
            self.write_doc(&doc)?;
        }
        Ok(())
    }

    /// Writes one partition (or key) document: a line, or an element of the array.
    fn write_doc(&mut self, doc: &Json) -> Result<()> {
        let mut text = String::new();
        if self.options.json_lines {
            doc.write_compact(&mut text);
            text.push('\n');
        } else {
            text.push_str(if self.first { "\n  " } else { ",\n  " });
            doc.write_pretty(&mut text, 1);
        }
        self.first = false;
        self.out.write_all(text.as_bytes()).map_err(write_err)
    }

    /// Ends the document and says what was written.
    ///
    /// # Errors
    /// Write errors.
    pub fn finish(self) -> Result<DumpSummary> {
        if !self.options.json_lines {
            self.out.write_all(if self.first { b"]\n" } else { b"\n]\n" }).map_err(write_err)?;
        }
        self.out.flush().map_err(write_err)?;
        Ok(self.summary)
    }
}

/// The partition key as sstabledump prints it: one `getString` per component.
///
/// # Errors
/// When the key does not decode as its type.
pub fn key_strings(key_type: &CqlType, key: &[u8]) -> std::result::Result<Vec<String>, crate::types::ValueError> {
    match key_type {
        CqlType::Composite(types) => {
            let parts = composite_parts(key)?;
            if parts.len() > types.len() {
                return Err(crate::types::ValueError(format!("{} key components, {} types", parts.len(), types.len())));
            }
            parts.into_iter().zip(types).map(|(b, t)| format::display(t, b)).collect()
        }
        other => Ok(vec![format::display(other, key)?]),
    }
}

fn composite_parts(key: &[u8]) -> std::result::Result<Vec<&[u8]>, crate::types::ValueError> {
    let mut out = Vec::new();
    let mut pos = if key.len() >= 2 && key[0] == 0xff && key[1] == 0xff { 2 } else { 0 };
    while pos < key.len() {
        let len = key
            .get(pos..pos + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
            .ok_or_else(|| crate::types::ValueError("truncated composite key".into()))?;
        let end = pos + 2 + len;
        out.push(key.get(pos + 2..end).ok_or_else(|| crate::types::ValueError("truncated composite key".into()))?);
        pos = end + 1;
    }
    Ok(out)
}

fn clustering_json(types: &[CqlType], values: &[Option<&[u8]>]) -> std::result::Result<Json, crate::types::ValueError> {
    let mut out = Vec::with_capacity(types.len());
    for (i, ty) in types.iter().enumerate() {
        out.push(match values.get(i) {
            None => Json::Str("*".into()),
            Some(None) => Json::Raw("null".into()),
            Some(Some(v)) => {
                let mut s = String::new();
                format::json(ty, v, &mut s)?;
                Json::Raw(s)
            }
        });
    }
    Ok(Json::Arr(out))
}

fn micros_string(micros: i64, options: &DumpOptions) -> Json {
    if options.raw_timestamps {
        return Json::Str(micros.to_string());
    }
    // Java: Instant.ofEpochSecond(MICROSECONDS.toSeconds(t), floorMod(MICROSECONDS.toNanos(t), 1e9)).
    let secs = micros / 1_000_000;
    let nanos = (micros.wrapping_mul(1000)).rem_euclid(1_000_000_000);
    Json::Str(instant_string(secs, nanos))
}

fn seconds_string(secs: i64, options: &DumpOptions) -> Json {
    if options.raw_timestamps {
        return Json::Str(secs.to_string());
    }
    Json::Str(instant_string(secs, 0))
}

/// `java.time.Instant.toString()`: ISO-8601 UTC with 0, 3, 6 or 9 fraction digits.
fn instant_string(secs: i64, nanos: i64) -> String {
    let total = secs as i128 * 1_000_000_000 + nanos as i128;
    let secs = total.div_euclid(1_000_000_000) as i64;
    let nanos = total.rem_euclid(1_000_000_000) as i64;
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    let date = format::iso_date(days);
    let frac = if nanos == 0 {
        String::new()
    } else if nanos % 1_000_000 == 0 {
        format!(".{:03}", nanos / 1_000_000)
    } else if nanos % 1000 == 0 {
        format!(".{:06}", nanos / 1000)
    } else {
        format!(".{nanos:09}")
    };
    format!("{date}T{:02}:{:02}:{:02}{frac}Z", tod / 3600, tod / 60 % 60, tod % 60)
}

fn deletion_json(d: DeletionTime, options: &DumpOptions) -> Json {
    Json::Obj(vec![("marked_deleted", micros_string(d.marked_for_delete_at, options)), ("local_delete_time", seconds_string(d.local_deletion_time, options))])
}

fn value_error(row: &Row, e: crate::types::ValueError) -> Error {
    Error::in_data(&row.header().file, row.position(), ErrorKind::Malformed(e.0))
}

/// The JSON of one row, or `None` when tombstones-only leaves nothing of it.
fn row_json(row: &Row, position: u64, options: &DumpOptions, summary: &mut DumpSummary) -> Result<Option<Json>> {
    let header = row.header();
    let specs = row.column_specs();
    let mut fields = vec![("type", Json::Str(if row.is_static() { "static_block" } else { "row" }.into())), ("position", Json::Int(position as i64))];
    if !row.is_static() && !header.clustering_types.is_empty() {
        let values: Vec<Option<&[u8]>> = row.clustering().iter().collect();
        fields.push(("clustering", clustering_json(&header.clustering_types, &values).map_err(|e| value_error(row, e))?));
    }
    let liveness = *row.liveness();
    if let Some(ts) = liveness.timestamp {
        let mut l = vec![("tstamp", micros_string(ts, options))];
        if let Some(e) = liveness.expiration {
            l.push(("ttl", Json::Int(e.ttl as i64)));
            l.push(("expires_at", seconds_string(e.local_expiration_time, options)));
            l.push(("expired", Json::Bool(e.local_expiration_time < options.now)));
        }
        fields.push(("liveness_info", Json::Obj(l)));
    }
    if let Some(d) = row.deletion() {
        fields.push(("deletion_info", deletion_json(d.time, options)));
    }
    let mut cells = Vec::new();
    for item in row.items() {
        match item? {
            RowItem::ComplexDeletion { column, deletion } => {
                cells.push(Json::Obj(vec![
                    ("name", Json::Str(format::cql_identifier(&specs[column].name_str()))),
                    ("deletion_info", deletion_json(deletion, options)),
                ]));
            }
            RowItem::Cell(cell) => {
                if options.tombstones_only && !cell.is_tombstone() {
                    continue;
                }
                cells.push(cell_json(row, &cell, options)?);
            }
        }
    }
    if options.tombstones_only && row.deletion().is_none() && cells.is_empty() {
        return Ok(None);
    }
    summary.rows += 1;
    summary.cells += cells.len() as u64;
    fields.push(("cells", Json::Arr(cells)));
    Ok(Some(Json::Obj(fields)))
}

fn cell_json(row: &Row, cell: &Cell<'_>, options: &DumpOptions) -> Result<Json> {
    let spec = &row.column_specs()[cell.column];
    let liveness = row.liveness();
    let mut fields = vec![("name", Json::Str(format::cql_identifier(&spec.name_str())))];
    let value_type: CqlType = match cell.path {
        Some(path) => {
            let shown = match spec.ty.base() {
                CqlType::Udt(udt) => {
                    let index = if path.len() == 2 { u16::from_be_bytes([path[0], path[1]]) as usize } else { usize::MAX };
                    udt.fields.get(index).map(|(n, _)| n.clone()).unwrap_or_else(|| hex(path))
                }
                _ => {
                    let path_type = spec.ty.cell_path_type().unwrap_or(CqlType::Blob);
                    format::display(&path_type, path).map_err(|e| value_error(row, e))?
                }
            };
            fields.push(("path", Json::Arr(vec![Json::Str(shown)])));
            spec.ty.cell_value_type(path).cloned().unwrap_or(CqlType::Blob)
        }
        None => spec.ty.clone(),
    };
    if cell.is_tombstone() {
        fields.push(("deletion_info", Json::Obj(vec![("local_delete_time", seconds_string(cell.local_deletion_time, options))])));
    } else {
        let mut s = String::new();
        format::json(&value_type, cell.value, &mut s).map_err(|e| value_error(row, e))?;
        fields.push(("value", Json::Raw(s)));
    }
    if liveness.timestamp != Some(cell.timestamp) {
        fields.push(("tstamp", micros_string(cell.timestamp, options)));
    }
    if let Some(e) = cell.expiration() {
        if liveness.expiration.map(|l| l.ttl) != Some(e.ttl) || liveness.timestamp.is_none() {
            fields.push(("ttl", Json::Int(e.ttl as i64)));
            fields.push(("expires_at", seconds_string(e.local_expiration_time, options)));
            fields.push(("expired", Json::Bool(e.local_expiration_time <= options.now)));
        }
    }
    Ok(Json::Obj(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_print_like_java() {
        assert_eq!(instant_string(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(instant_string(1, 500_000_000), "1970-01-01T00:00:01.500Z");
        assert_eq!(instant_string(1, 1000), "1970-01-01T00:00:01.000001Z");
        assert_eq!(instant_string(-1, 0), "1969-12-31T23:59:59Z");
    }
}
