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

use json::{key, JsonWriter};

use crate::data::{Cell, ClusteringValues, DataHeader, DeletionTime, PartitionReader, RangeTombstoneMarker, Row, RowItem, Unfiltered};
use crate::types::format;
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

/// Text is handed to the output in pieces of about this size.
const FLUSH_BYTES: usize = 1 << 16;

/// Writes the partitions of one or more SSTables as one sstabledump-style document (or JSON
/// lines).
///
/// Partitions, rows and cells are written as they are decoded, straight into one reused text
/// buffer that goes to the output every [`FLUSH_BYTES`]: memory stays flat whatever the size
/// of a partition. Only what may still be dropped stays in the buffer: with tombstones only, a
/// row without deletions, and a partition until something of it is kept.
pub struct JsonExporter<'w> {
    out: &'w mut dyn Write,
    options: DumpOptions,
    first: bool,
    summary: DumpSummary,
    w: JsonWriter,
    /// How much of `w.out` is final (can go to `out`).
    committed: usize,
    /// Where in `w.out` the last complete document ends.
    doc_end: usize,
    /// The partition key's text (`getString` of each component, joined by `:`) and where each
    /// component is in it.
    key_text: String,
    key_parts: Vec<std::ops::Range<usize>>,
    /// Room for a cell path's text before it is escaped.
    scratch: String,
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
        let w = JsonWriter::new(!options.json_lines, 1);
        Ok(JsonExporter {
            out,
            options,
            first: true,
            summary: DumpSummary::default(),
            w,
            committed: 0,
            doc_end: 0,
            key_text: String::new(),
            key_parts: Vec::new(),
            scratch: String::new(),
        })
    }

    /// Writes the selected partitions of one SSTable.
    ///
    /// # Errors
    /// Decoding errors (file, offset), values that do not decode as their type, write errors.
    pub fn write_sstable<I: DataInput>(&mut self, reader: &mut PartitionReader<I>) -> Result<()> {
        let written = self.write_partitions(reader);
        if written.is_err() {
            // Like a document writer that stops at the error: the partitions before it are
            // out, the one it interrupted is not (unless it was big enough to be partly out).
            let _ = self.out.write_all(&self.w.out.as_bytes()[..self.doc_end]);
            self.w.out.clear();
            self.committed = 0;
            self.doc_end = 0;
        }
        written
    }

    fn write_partitions<I: DataInput>(&mut self, reader: &mut PartitionReader<I>) -> Result<()> {
        let header = std::sync::Arc::clone(reader.header());
        let columns = Columns::new(&header);
        while let Some(partition) = reader.next_partition()? {
            self.key_text.clear();
            key_text_into(&header.key_type, &partition.key, &mut self.key_text, &mut self.key_parts)
                .map_err(|e| Error::in_data(&header.file, partition.position, ErrorKind::Malformed(format!("partition key: {e}"))))?;
            let key = self.key_text.as_str();
            if (!self.options.keys.is_empty() && !self.options.keys.iter().any(|k| k == key)) || self.options.exclude_keys.iter().any(|k| k == key) {
                continue;
            }
            let doc_start = (self.w.mark(), self.first);
            self.begin_doc();
            if self.options.keys_only {
                self.write_key();
                self.end_doc()?;
                continue;
            }
            let position = reader.position();
            let w = &mut self.w;
            w.begin_object(false);
            w.plain_field(key!("table kind"), "REGULAR");
            w.key(key!("partition"));
            w.begin_object(partition.deletion.is_none());
            w.key(key!("key"));
            self.write_key();
            let w = &mut self.w;
            w.key(key!("position"));
            format::push_int(&mut w.out, position);
            if let Some(d) = partition.deletion {
                w.key(key!("deletion_info"));
                write_deletion(w, d, &self.options);
            }
            w.end_object();
            w.key(key!("rows"));
            w.begin_array(false);
            // With tombstones only, a partition without a deletion is kept once one of its
            // rows or markers is.
            let mut kept = !self.options.tombstones_only || partition.deletion.is_some();
            self.commit_if(kept)?;
            if let Some(static_row) = partition.static_row.as_ref().filter(|r| !r.is_empty()) {
                kept |= self.write_row(static_row, position, &columns)?;
                self.commit_if(kept)?;
            }
            while let Some(unfiltered) = reader.next_unfiltered()? {
                match unfiltered {
                    Unfiltered::Row(row) if row.is_empty() => {}
                    Unfiltered::Row(row) => kept |= self.write_row(&row, row.position(), &columns)?,
                    Unfiltered::Marker(marker) => {
                        self.write_marker(&marker, &header)?;
                        kept = true;
                    }
                }
                self.commit_if(kept)?;
            }
            if !kept {
                self.w.rewind(doc_start.0);
                self.first = doc_start.1;
                continue;
            }
            self.w.end_array();
            self.w.end_object();
            self.end_doc()?;
        }
        Ok(())
    }

    /// Writes the separator before a document.
    fn begin_doc(&mut self) {
        if !self.options.json_lines {
            self.w.out.push_str(if self.first { "\n  " } else { ",\n  " });
        }
        self.first = false;
    }

    /// Ends a document that is kept.
    fn end_doc(&mut self) -> Result<()> {
        if self.options.json_lines {
            self.w.out.push('\n');
        }
        self.summary.partitions += 1;
        self.doc_end = self.w.out.len();
        self.commit_if(true)
    }

    /// Marks everything written so far as final when `kept`, and hands it to the output once
    /// there is enough of it.
    fn commit_if(&mut self, kept: bool) -> Result<()> {
        if !kept {
            return Ok(());
        }
        self.committed = self.w.out.len();
        if self.committed >= FLUSH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.out.write_all(&self.w.out.as_bytes()[..self.committed]).map_err(write_err)?;
        self.w.out.drain(..self.committed);
        self.doc_end = self.doc_end.saturating_sub(self.committed);
        self.committed = 0;
        Ok(())
    }

    /// The partition key as an array of its components' text.
    fn write_key(&mut self) {
        self.w.begin_array(true);
        for part in &self.key_parts {
            self.w.item();
            format::push_json_string(&mut self.w.out, &self.key_text[part.clone()]);
        }
        self.w.end_array();
    }

    /// Writes a row as an item of the `rows` array; `false` when tombstones-only leaves nothing
    /// of it (and nothing is written).
    fn write_row(&mut self, row: &Row, position: u64, columns: &Columns) -> Result<bool> {
        let mark = self.w.mark();
        // An object holding `liveness_info`, `deletion_info` or any cell goes on several
        // lines. Without the first two the cells decide, so write it that way and redo it on
        // one line in the (rare) case that no cell comes.
        let cells = self.write_row_as(row, position, columns, false)?;
        let bare = row.liveness().timestamp.is_none() && row.deletion().is_none();
        if cells == 0 && bare {
            self.w.rewind(mark);
            if self.options.tombstones_only {
                return Ok(false);
            }
            self.write_row_as(row, position, columns, true)?;
        } else if cells == 0 && self.options.tombstones_only && row.deletion().is_none() {
            self.w.rewind(mark);
            return Ok(false);
        }
        self.summary.rows += 1;
        self.summary.cells += cells;
        Ok(true)
    }

    /// Writes a row; returns how many cells (and complex deletions) it shows.
    fn write_row_as(&mut self, row: &Row, position: u64, columns: &Columns, inline: bool) -> Result<u64> {
        let header = row.header();
        let options = &self.options;
        let w = &mut self.w;
        w.item();
        w.begin_object(inline);
        w.plain_field(key!("type"), if row.is_static() { "static_block" } else { "row" });
        w.key(key!("position"));
        format::push_int(&mut w.out, position);
        if !row.is_static() && !header.clustering_types.is_empty() {
            w.key(key!("clustering"));
            write_clustering(w, &header.clustering_types, row.clustering()).map_err(|e| value_error(row, e))?;
        }
        let liveness = *row.liveness();
        if let Some(ts) = liveness.timestamp {
            w.key(key!("liveness_info"));
            w.begin_object(true);
            w.key(key!("tstamp"));
            push_micros(&mut w.out, ts, options);
            if let Some(e) = liveness.expiration {
                write_expiration(w, e.ttl, e.local_expiration_time, e.local_expiration_time < options.now, options);
            }
            w.end_object();
        }
        if let Some(d) = row.deletion() {
            w.key(key!("deletion_info"));
            write_deletion(w, d.time, options);
        }
        w.key(key!("cells"));
        w.begin_array(false);
        let names = columns.names(row.is_static());
        let mut count = 0;
        for item in row.items() {
            match item? {
                RowItem::ComplexDeletion { column, deletion } => {
                    w.item();
                    w.begin_object(false);
                    w.key(key!("name"));
                    w.out.push_str(&names[column]);
                    w.key(key!("deletion_info"));
                    write_deletion(w, deletion, options);
                    w.end_object();
                }
                RowItem::Cell(cell) => {
                    if options.tombstones_only && !cell.is_tombstone() {
                        continue;
                    }
                    write_cell(w, &mut self.scratch, row, &cell, columns, options)?;
                }
            }
            count += 1;
        }
        w.end_array();
        w.end_object();
        Ok(count)
    }

    /// Writes a range tombstone bound or boundary as an item of the `rows` array.
    fn write_marker(&mut self, marker: &RangeTombstoneMarker, header: &DataHeader) -> Result<()> {
        self.summary.markers += 1;
        let kind = marker.kind();
        let (start, end) = match (marker.is_boundary(), marker.open_deletion(), marker.close_deletion()) {
            (true, Some(open), Some(close)) => (Some((kind.is_inclusive(), open)), Some((kind.closes_inclusive(), close))),
            (true, _, _) => (None, None),
            (false, Some(open), _) => (Some((kind.is_inclusive(), open)), None),
            (false, None, close) => (None, close.map(|c| (kind.is_inclusive(), c))),
        };
        let w = &mut self.w;
        w.item();
        w.begin_object(start.is_none() && end.is_none());
        w.plain_field(key!("type"), if marker.is_boundary() { "range_tombstone_boundary" } else { "range_tombstone_bound" });
        for (name, bound) in [(key!("start"), start), (key!("end"), end)] {
            let Some((inclusive, deletion)) = bound else { continue };
            w.key(name);
            w.begin_object(false);
            w.plain_field(key!("type"), if inclusive { "inclusive" } else { "exclusive" });
            let values = marker.clustering();
            if !values.is_empty() {
                w.key(key!("clustering"));
                write_clustering(w, &header.clustering_types, values)
                    .map_err(|e| Error::in_data(&header.file, marker.position(), ErrorKind::Malformed(e.0)))?;
            }
            w.key(key!("deletion_info"));
            write_deletion(w, deletion, &self.options);
            w.end_object();
        }
        w.end_object();
        Ok(())
    }

    /// Ends the document and says what was written.
    ///
    /// # Errors
    /// Write errors.
    pub fn finish(mut self) -> Result<DumpSummary> {
        if !self.options.json_lines {
            self.w.out.push_str(if self.first { "]\n" } else { "\n]\n" });
        }
        self.committed = self.w.out.len();
        self.flush()?;
        self.out.flush().map_err(write_err)?;
        Ok(self.summary)
    }
}

/// What cells need of their column, worked out once per SSTable: the name as sstabledump
/// prints it (a JSON string, `ColumnIdentifier.toCQLString`) and the type of cell paths.
struct Columns {
    regular: Vec<String>,
    statics: Vec<String>,
    regular_path_types: Vec<Option<CqlType>>,
    static_path_types: Vec<Option<CqlType>>,
}

impl Columns {
    fn new(header: &DataHeader) -> Columns {
        let names = |is_static| {
            header
                .columns(is_static)
                .iter()
                .map(|spec| {
                    let mut name = String::new();
                    format::push_json_string(&mut name, &format::cql_identifier(&spec.name_str()));
                    name
                })
                .collect()
        };
        let path_types = |is_static| header.columns(is_static).iter().map(|spec| spec.ty.cell_path_type()).collect();
        Columns { regular: names(false), statics: names(true), regular_path_types: path_types(false), static_path_types: path_types(true) }
    }

    fn names(&self, is_static: bool) -> &[String] {
        if is_static {
            &self.statics
        } else {
            &self.regular
        }
    }

    fn path_type(&self, is_static: bool, column: usize) -> &CqlType {
        let types = if is_static { &self.static_path_types } else { &self.regular_path_types };
        types[column].as_ref().unwrap_or(&CqlType::Blob)
    }
}

/// The partition key as sstabledump prints it: one `getString` per component.
///
/// # Errors
/// When the key does not decode as its type.
pub fn key_strings(key_type: &CqlType, key: &[u8]) -> std::result::Result<Vec<String>, crate::types::ValueError> {
    let (mut text, mut parts) = (String::new(), Vec::new());
    key_text_into(key_type, key, &mut text, &mut parts)?;
    Ok(parts.into_iter().map(|p| text[p].to_string()).collect())
}

/// Appends the key's components' text to `text`, separated by `:`, and sets `parts` to where
/// each one is.
fn key_text_into(
    key_type: &CqlType,
    key: &[u8],
    text: &mut String,
    parts: &mut Vec<std::ops::Range<usize>>,
) -> std::result::Result<(), crate::types::ValueError> {
    parts.clear();
    let mut push = |ty: &CqlType, bytes: &[u8], text: &mut String| {
        if !parts.is_empty() {
            text.push(':');
        }
        let start = text.len();
        format::display_into(ty, bytes, text)?;
        parts.push(start..text.len());
        Ok(())
    };
    match key_type {
        CqlType::Composite(types) => {
            let components = composite_parts(key)?;
            if components.len() > types.len() {
                return Err(crate::types::ValueError(format!("{} key components, {} types", components.len(), types.len())));
            }
            components.into_iter().zip(types).try_for_each(|(b, t)| push(t, b, text))
        }
        other => push(other, key, text),
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

/// A clustering prefix: one value per clustering column, `*` past the prefix's end.
fn write_clustering(w: &mut JsonWriter, types: &[CqlType], values: ClusteringValues<'_>) -> std::result::Result<(), crate::types::ValueError> {
    w.begin_array(true);
    let mut values = values.iter();
    for ty in types {
        w.item();
        match values.next() {
            None => w.out.push_str("\"*\""),
            Some(None) => w.out.push_str("null"),
            Some(Some(v)) => format::json(ty, v, &mut w.out)?,
        }
    }
    w.end_array();
    Ok(())
}

/// A timestamp in microseconds, as a string: raw, or `Instant.toString()` of
/// `Instant.ofEpochSecond(MICROSECONDS.toSeconds(t), floorMod(MICROSECONDS.toNanos(t), 1e9))`.
fn push_micros(out: &mut String, micros: i64, options: &DumpOptions) {
    out.push('"');
    if options.raw_timestamps {
        format::push_int(out, micros);
    } else {
        let nanos = (micros.wrapping_mul(1000)).rem_euclid(1_000_000_000);
        push_instant(out, micros / 1_000_000, nanos);
    }
    out.push('"');
}

/// A time in seconds, as a string: raw or an instant.
fn push_seconds(out: &mut String, secs: i64, options: &DumpOptions) {
    out.push('"');
    if options.raw_timestamps {
        format::push_int(out, secs);
    } else {
        push_instant(out, secs, 0);
    }
    out.push('"');
}

/// `java.time.Instant.toString()` of `ofEpochSecond(secs, nanos)`: ISO-8601 UTC with 0, 3, 6
/// or 9 fraction digits.
fn push_instant(out: &mut String, secs: i64, nanos: i64) {
    let total = secs as i128 * 1_000_000_000 + nanos as i128;
    let secs = total.div_euclid(1_000_000_000) as i64;
    let nanos = total.rem_euclid(1_000_000_000) as u32;
    format::push_iso_date(out, secs.div_euclid(86_400));
    out.push('T');
    format::push_hms(out, secs.rem_euclid(86_400));
    let (frac, digits) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1000 == 0 => (n / 1000, 6),
        n => (n, 9),
    };
    if digits > 0 {
        out.push('.');
        let mut buf = itoa::Buffer::new();
        let text = buf.format(frac);
        for _ in text.len()..digits {
            out.push('0');
        }
        out.push_str(text);
    }
    out.push('Z');
}

#[cfg(test)]
fn instant_string(secs: i64, nanos: i64) -> String {
    let mut out = String::new();
    push_instant(&mut out, secs, nanos);
    out
}

fn write_deletion(w: &mut JsonWriter, d: DeletionTime, options: &DumpOptions) {
    w.begin_object(true);
    w.key(key!("marked_deleted"));
    push_micros(&mut w.out, d.marked_for_delete_at, options);
    w.key(key!("local_delete_time"));
    push_seconds(&mut w.out, d.local_deletion_time, options);
    w.end_object();
}

/// The `ttl`, `expires_at` and `expired` fields.
fn write_expiration(w: &mut JsonWriter, ttl: i32, expires_at: i64, expired: bool, options: &DumpOptions) {
    w.key(key!("ttl"));
    format::push_int(&mut w.out, ttl);
    w.key(key!("expires_at"));
    push_seconds(&mut w.out, expires_at, options);
    w.key(key!("expired"));
    w.out.push_str(if expired { "true" } else { "false" });
}

fn value_error(row: &Row, e: crate::types::ValueError) -> Error {
    Error::in_data(&row.header().file, row.position(), ErrorKind::Malformed(e.0))
}

fn write_cell(w: &mut JsonWriter, scratch: &mut String, row: &Row, cell: &Cell<'_>, columns: &Columns, options: &DumpOptions) -> Result<()> {
    let spec = &row.column_specs()[cell.column];
    let liveness = row.liveness();
    w.item();
    w.begin_object(!cell.is_tombstone());
    w.key(key!("name"));
    w.out.push_str(&columns.names(row.is_static())[cell.column]);
    let value_type = match cell.path {
        Some(path) => {
            w.key(key!("path"));
            w.begin_array(true);
            w.item();
            match spec.ty.base() {
                CqlType::Udt(udt) => {
                    let index = if path.len() == 2 { u16::from_be_bytes([path[0], path[1]]) as usize } else { usize::MAX };
                    match udt.fields.get(index) {
                        Some((name, _)) => format::push_json_string(&mut w.out, name),
                        None => {
                            w.out.push('"');
                            format::push_hex(&mut w.out, path);
                            w.out.push('"');
                        }
                    }
                }
                _ => {
                    scratch.clear();
                    format::display_into(columns.path_type(row.is_static(), cell.column), path, scratch).map_err(|e| value_error(row, e))?;
                    format::push_json_string(&mut w.out, scratch);
                }
            }
            w.end_array();
            spec.ty.cell_value_type(path).unwrap_or(&CqlType::Blob)
        }
        None => &spec.ty,
    };
    if cell.is_tombstone() {
        w.key(key!("deletion_info"));
        w.begin_object(true);
        w.key(key!("local_delete_time"));
        push_seconds(&mut w.out, cell.local_deletion_time, options);
        w.end_object();
    } else {
        w.key(key!("value"));
        format::json(value_type, cell.value, &mut w.out).map_err(|e| value_error(row, e))?;
    }
    if liveness.timestamp != Some(cell.timestamp) {
        w.key(key!("tstamp"));
        push_micros(&mut w.out, cell.timestamp, options);
    }
    if let Some(e) = cell.expiration() {
        if liveness.expiration.map(|l| l.ttl) != Some(e.ttl) || liveness.timestamp.is_none() {
            write_expiration(w, e.ttl, e.local_expiration_time, e.local_expiration_time <= options.now, options);
        }
    }
    w.end_object();
    Ok(())
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
