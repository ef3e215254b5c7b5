//! `ksbulk dump -t` of every SSTable of the corpus (every format and compression, and the
//! three-node layout) equals the `sstabledump -t` JSON kept beside it, compared as JSON values:
//! formatting (indentation, line breaks) may differ, nothing else.
//!
//! The one difference on purpose is a counter cell's `value`: sstabledump prints the first
//! 8 bytes of the stored counter context, ksbulk the counter's value. There the comparison
//! leaves `value` out (the rest of the cell must still be equal) and checks ksbulk's value
//! against the counter Cassandra's SELECT returned for that row (`select.json`).
//!
//! The `expired` flags of TTLs depend on when each dump ran (the oracle's when the corpus was
//! made, ksbulk's now): ksbulk's is checked against its own time, and the two may differ only
//! by a TTL that has ended since (see [`check_expired`]).
//!
//! Numbers are compared by their text, not as floats: a decimal or varint beyond 2^53 (the
//! corpus has `123456789012345678901234567890.123456789`) and decimal scales (`1.0` against
//! `1.00`) would otherwise compare equal when they are not. So the test has its own small JSON
//! reader that keeps each number's literal text.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use clap::Parser as _;
use ksbulk::cli::{Cli, Command};
use ksbulk::commands::dump::dump_to;
use ksbulk_tests::corpus::{corpus_dir, dump_path, Index, Select};

/// Mismatches printed in the failure message (all are counted).
const SHOWN: usize = 20;

// ---------------------------------------------------------------------------------------------
// JSON with numbers kept as text

/// A JSON value; strings borrow from the text when they have no escapes.
#[derive(Debug, Clone, PartialEq)]
enum Json<'a> {
    Null,
    Bool(bool),
    /// The number's literal text (also `NaN`/`Infinity`, which Jackson may write bare).
    Num(&'a str),
    Str(Cow<'a, str>),
    Arr(Vec<Json<'a>>),
    /// Members in document order (sstabledump writes no duplicate keys).
    Obj(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_arr(&self) -> &[Json<'a>] {
        match self {
            Json::Arr(items) => items,
            _ => &[],
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Json<'a>> {
        match self {
            Json::Obj(members) => members.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Removes and returns member `key` of an object.
    fn take(&mut self, key: &str) -> Option<Json<'a>> {
        match self {
            Json::Obj(members) => members.iter().position(|(k, _)| k == key).map(|i| members.remove(i).1),
            _ => None,
        }
    }
}

impl std::fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => write!(f, "{b}"),
            Json::Num(n) => f.write_str(n),
            Json::Str(s) => write!(f, "{s:?}"),
            Json::Arr(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    write!(f, "{}{v}", if i == 0 { "" } else { ", " })?;
                }
                f.write_str("]")
            }
            Json::Obj(members) => {
                f.write_str("{")?;
                for (i, (k, v)) in members.iter().enumerate() {
                    write!(f, "{}{k:?}: {v}", if i == 0 { "" } else { ", " })?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A value shortened for a message.
fn short(v: &Json<'_>) -> String {
    let text = v.to_string();
    if text.chars().count() <= 160 {
        return text;
    }
    format!("{}... ({} chars)", text.chars().take(160).collect::<String>(), text.chars().count())
}

fn parse(text: &str) -> Result<Json<'_>, String> {
    let mut p = Parser { text, bytes: text.as_bytes(), pos: 0 };
    let v = p.value()?;
    p.ws();
    if p.pos != p.bytes.len() {
        return Err(p.error("text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.pos)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), String> {
        self.ws();
        if self.bytes.get(self.pos) != Some(&b) {
            return Err(self.error(&format!("expected '{}'", b as char)));
        }
        self.pos += 1;
        Ok(())
    }

    /// After an item: `true` when another follows (a comma), `false` at `close`.
    fn next_item(&mut self, close: u8) -> Result<bool, String> {
        self.ws();
        match self.bytes.get(self.pos) {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(&b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            _ => Err(self.error(&format!("expected ',' or '{}'", close as char))),
        }
    }

    /// The items of an array or object, from its opening bracket to `close`.
    fn items<T>(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Result<T, String>) -> Result<Vec<T>, String> {
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.bytes.get(self.pos) == Some(&close) {
            self.pos += 1;
            return Ok(items);
        }
        loop {
            items.push(item(self)?);
            if !self.next_item(close)? {
                return Ok(items);
            }
        }
    }

    fn value(&mut self) -> Result<Json<'a>, String> {
        self.ws();
        match self.bytes.get(self.pos) {
            None => Err(self.error("unexpected end")),
            Some(b'{') => Ok(Json::Obj(self.items(b'}', |p| {
                p.ws();
                let key = p.string()?;
                p.expect(b':')?;
                Ok((key, p.value()?))
            })?)),
            Some(b'[') => Ok(Json::Arr(self.items(b']', Self::value)?)),
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(_) => {
                let start = self.pos;
                while let Some(b) = self.bytes.get(self.pos) {
                    if matches!(b, b',' | b']' | b'}' | b':' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.pos += 1;
                }
                match &self.text[start..self.pos] {
                    "null" => Ok(Json::Null),
                    "true" => Ok(Json::Bool(true)),
                    "false" => Ok(Json::Bool(false)),
                    n if n.starts_with(|c: char| c == '-' || c.is_ascii_digit() || c == 'N' || c == 'I') => Ok(Json::Num(n)),
                    _ => {
                        self.pos = start;
                        Err(self.error("unexpected token"))
                    }
                }
            }
        }
    }

    fn string(&mut self) -> Result<Cow<'a, str>, String> {
        if self.bytes.get(self.pos) != Some(&b'"') {
            return Err(self.error("expected a string"));
        }
        self.pos += 1;
        let start = self.pos;
        // The common case: no escape before the closing quote.
        let end = self.quote_or_backslash(start)?;
        if self.bytes[end] == b'"' {
            self.pos = end + 1;
            return Ok(Cow::Borrowed(&self.text[start..end]));
        }
        let mut out = String::from(&self.text[start..end]);
        self.pos = end;
        loop {
            let end = self.quote_or_backslash(self.pos)?;
            out.push_str(&self.text[self.pos..end]);
            self.pos = end;
            if self.bytes[self.pos] == b'"' {
                self.pos += 1;
                return Ok(Cow::Owned(out));
            }
            let esc = *self.bytes.get(self.pos + 1).ok_or_else(|| self.error("unterminated escape"))?;
            self.pos += 2;
            match esc {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let hi = self.hex4()?;
                    let code = if (0xd800..0xdc00).contains(&hi) && self.text[self.pos..].starts_with("\\u") {
                        self.pos += 2;
                        let lo = self.hex4()?;
                        0x10000 + ((hi - 0xd800) << 10) + (lo.wrapping_sub(0xdc00) & 0x3ff)
                    } else {
                        hi
                    };
                    out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                }
                _ => return Err(self.error("bad escape")),
            }
        }
    }

    /// Where the next `"` or `\\` is from `from`. Eight bytes at a time: the test runs
    /// unoptimized, and sstabledump's dumps of the wide partition are 100 MB of hex strings.
    fn quote_or_backslash(&self, from: usize) -> Result<usize, String> {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS != 0;
        let mut i = from;
        while let Some(chunk) = self.bytes.get(i..i + 8) {
            let v = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            if has_zero(v ^ (ONES * b'"' as u64)) || has_zero(v ^ (ONES * b'\\' as u64)) {
                break;
            }
            i += 8;
        }
        while let Some(&b) = self.bytes.get(i) {
            if b == b'"' || b == b'\\' {
                return Ok(i);
            }
            i += 1;
        }
        Err(self.error("unterminated string"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.text.get(self.pos..self.pos + 4).ok_or_else(|| self.error("short \\u escape"))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error("bad \\u escape"))
    }
}

// ---------------------------------------------------------------------------------------------
// Comparison

/// One step of a path in a dump document.
enum Seg<'a> {
    Index(usize),
    Key(&'a str),
}

fn path_text(path: &[Seg<'_>]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
            Seg::Key(k) => s.push_str(&format!(".{k}")),
        }
    }
    if s.is_empty() {
        s.push('$');
    }
    s
}

/// When ksbulk's dump ran: "now" for its `expired` flags is between these (seconds).
#[derive(Clone, Copy)]
struct DumpTime {
    from: i64,
    to: i64,
}

fn unix_seconds() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Appends each difference between `ours` (ksbulk) and `theirs` (sstabledump) to `out`.
fn diff<'a>(ours: &'a Json<'_>, theirs: &'a Json<'_>, time: DumpTime, path: &mut Vec<Seg<'a>>, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Json::Arr(a), Json::Arr(b)) => {
            if a.len() != b.len() {
                out.push(format!("{}: {} items in ksbulk's, {} in sstabledump's", path_text(path), a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                path.push(Seg::Index(i));
                diff(x, y, time, path, out);
                path.pop();
            }
        }
        (Json::Obj(a), Json::Obj(b)) => {
            let expiry = match (ours.get("expires_at"), theirs.get("expires_at")) {
                (Some(Json::Str(x)), Some(Json::Str(y))) if x == y => x.parse::<i64>().ok(),
                _ => None,
            };
            let in_liveness = matches!(path.last(), Some(Seg::Key("liveness_info")));
            for (k, x) in a {
                path.push(Seg::Key(k));
                match (theirs.get(k), expiry) {
                    (Some(y), Some(expires_at)) if k == "expired" => {
                        check_expired(x, y, expires_at, in_liveness, time, path, out)
                    }
                    (Some(y), _) => diff(x, y, time, path, out),
                    (None, _) => out.push(format!("{}: ksbulk {}, sstabledump has no such key", path_text(path), short(x))),
                }
                path.pop();
            }
            for (k, y) in b {
                if ours.get(k).is_none() {
                    path.push(Seg::Key(k));
                    out.push(format!("{}: ksbulk has no such key, sstabledump {}", path_text(path), short(y)));
                    path.pop();
                }
            }
        }
        (x, y) if x == y => {}
        (x, y) => out.push(format!("{}: ksbulk {}, sstabledump {}", path_text(path), short(x), short(y))),
    }
}

/// `expired` says whether `expires_at` had passed when the dump ran, so the oracle's (made when
/// the corpus was) and ksbulk's (made now) differ once a TTL ends in between; the corpus has
/// TTLs of a day. So ksbulk's flag is checked against the time it ran, as sstabledump computes
/// it (a row's liveness: `expires_at < now`; a cell: `!isLive(now)`, i.e. `expires_at <= now`),
/// and the two may differ only as time allows: expired now, not yet when the oracle was made.
fn check_expired(ours: &Json<'_>, theirs: &Json<'_>, expires_at: i64, in_liveness: bool, time: DumpTime, path: &[Seg<'_>], out: &mut Vec<String>) {
    let expired_at = |now: i64| if in_liveness { expires_at < now } else { expires_at <= now };
    let (Json::Bool(o), Json::Bool(t)) = (ours, theirs) else {
        out.push(format!("{}: ksbulk {}, sstabledump {}, expected booleans", path_text(path), short(ours), short(theirs)));
        return;
    };
    if *o != expired_at(time.from) && *o != expired_at(time.to) {
        out.push(format!("{}: ksbulk {o} for expires_at {expires_at} at {}..{}", path_text(path), time.from, time.to));
    } else if *t && !*o {
        // Expired when the oracle was made, not now: time does not go back.
        out.push(format!("{}: ksbulk {o}, sstabledump {t} (made earlier) for expires_at {expires_at}", path_text(path)));
    }
}

// ---------------------------------------------------------------------------------------------
// Counters

/// What a table's schema says about its counters, from `schema.cql`.
#[derive(Debug, Default)]
struct CounterSchema {
    /// Counter columns, as the dump names them.
    columns: Vec<String>,
    partition_key: Vec<String>,
    clustering: Vec<String>,
}

/// Reads the counter columns and, if there are any, the primary key from a `schema.cql` as
/// Cassandra writes it (one column per line, then `PRIMARY KEY (...)`).
fn counter_schema(schema_cql: &Path) -> CounterSchema {
    let text = std::fs::read_to_string(schema_cql).unwrap_or_else(|e| panic!("{}: {e}", schema_cql.display()));
    let mut schema = CounterSchema::default();
    let mut inline_key = None;
    for line in text.lines() {
        let words: Vec<&str> = line.trim().trim_end_matches(',').split_whitespace().collect();
        if words.len() >= 2 && words[1] == "counter" {
            schema.columns.push(words[0].to_string());
        }
        if words.len() == 4 && words[2..] == ["PRIMARY", "KEY"] {
            inline_key = Some(words[0].to_string());
        }
    }
    if schema.columns.is_empty() {
        return schema;
    }
    if let Some(k) = inline_key {
        schema.partition_key = vec![k];
        return schema;
    }
    let start = text.find("PRIMARY KEY (").unwrap_or_else(|| panic!("{}: no PRIMARY KEY", schema_cql.display())) + "PRIMARY KEY (".len();
    let body = &text[start..];
    let names = |s: &str| s.split(',').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect::<Vec<_>>();
    if let Some(inner) = body.strip_prefix('(') {
        let close = inner.find(')').expect("composite partition key");
        schema.partition_key = names(&inner[..close]);
        let end = inner[close + 1..].find(')').expect("PRIMARY KEY end");
        schema.clustering = names(&inner[close + 1..close + 1 + end]);
    } else {
        let all = names(&body[..body.find(')').expect("PRIMARY KEY end")]);
        schema.partition_key = all[..1].to_vec();
        schema.clustering = all[1..].to_vec();
    }
    schema
}

/// A counter cell as ksbulk dumped it.
struct CounterCell {
    file: String,
    /// The partition key's components (sstabledump's text form).
    key: Vec<String>,
    /// The row's clustering (`None` in the static row).
    clustering: Option<Vec<String>>,
    column: String,
    tstamp: i64,
    value: String,
}

/// Takes `value` out of every counter cell of both documents (so that the rest of each cell is
/// still compared) and returns ksbulk's cells, with mismatches when the two sides do not both
/// hold a counter value at the same place.
fn take_counter_values(
    file: &str,
    columns: &[String],
    ours: &mut Json<'_>,
    theirs: &mut Json<'_>,
    mismatches: &mut Vec<String>,
) -> Vec<CounterCell> {
    let mut cells = Vec::new();
    let (Json::Arr(our_parts), Json::Arr(their_parts)) = (ours, theirs) else { return cells };
    for (pi, (op, tp)) in our_parts.iter_mut().zip(their_parts.iter_mut()).enumerate() {
        let key = key_texts(op.get("partition").and_then(|p| p.get("key")));
        let (Some(Json::Arr(our_rows)), Some(Json::Arr(their_rows))) = (op.get_mut("rows"), tp.get_mut("rows")) else { continue };
        for (ri, (orow, trow)) in our_rows.iter_mut().zip(their_rows.iter_mut()).enumerate() {
            let clustering = match orow.get("type").and_then(Json::as_str) {
                Some("row") => Some(key_texts(orow.get("clustering"))),
                Some("static_block") => None,
                _ => continue,
            };
            let row_tstamp = orow.get("liveness_info").and_then(|l| l.get("tstamp")).and_then(Json::as_str).map(str::to_owned);
            let (Some(Json::Arr(our_cells)), Some(Json::Arr(their_cells))) = (orow.get_mut("cells"), trow.get_mut("cells")) else { continue };
            for (ci, (oc, tc)) in our_cells.iter_mut().zip(their_cells.iter_mut()).enumerate() {
                let Some(column) = oc.get("name").and_then(Json::as_str).filter(|n| columns.iter().any(|c| c == n)) else { continue };
                let column = column.to_string();
                if oc.get("value").is_none() && tc.get("value").is_none() {
                    continue; // a counter tombstone: compared as it is
                }
                let at = format!("{file}: [{pi}].rows[{ri}].cells[{ci}] (counter {column})");
                let (ov, tv) = (oc.take("value"), tc.take("value"));
                let (Some(Json::Num(v)), Some(Json::Num(t))) = (&ov, &tv) else {
                    let show = |v: &Option<Json<'_>>| v.as_ref().map_or("<none>".into(), short);
                    mismatches.push(format!("{at}: value: ksbulk {}, sstabledump {}, expected numbers", show(&ov), show(&tv)));
                    continue;
                };
                if t.parse::<i64>().is_err() {
                    mismatches.push(format!("{at}: sstabledump's value {t} is not the 8-byte integer it prints for counters"));
                }
                let tstamp = oc.get("tstamp").and_then(Json::as_str).or(row_tstamp.as_deref());
                match tstamp.map(str::parse::<i64>) {
                    Some(Ok(tstamp)) => cells.push(CounterCell {
                        file: file.to_string(),
                        key: key.clone(),
                        clustering: clustering.clone(),
                        column,
                        tstamp,
                        value: v.to_string(),
                    }),
                    _ => mismatches.push(format!("{at}: no usable tstamp ({tstamp:?})")),
                }
            }
        }
    }
    cells
}

/// A partition key or clustering (an array) as the text of each component.
fn key_texts(v: Option<&Json<'_>>) -> Vec<String> {
    v.map(|k| k.as_arr().iter().map(json_key_text).collect()).unwrap_or_default()
}

/// A key or clustering component as text: a string as it is, anything else as its JSON.
fn json_key_text(v: &Json<'_>) -> String {
    match v {
        Json::Str(s) => s.to_string(),
        other => other.to_string(),
    }
}

/// Partition deletions (`marked_deleted`) of a document, by partition key.
fn partition_deletions(doc: &Json<'_>, out: &mut BTreeMap<Vec<String>, i64>) {
    for p in doc.as_arr() {
        let Some(part) = p.get("partition") else { continue };
        let key = key_texts(part.get("key"));
        if let Some(at) = part.get("deletion_info").and_then(|d| d.get("marked_deleted")).and_then(Json::as_str) {
            let at: i64 = at.parse().unwrap_or(i64::MIN);
            let e = out.entry(key).or_insert(at);
            *e = (*e).max(at);
        }
    }
}

/// Checks one table's counter cells (from all of its SSTables) against its `select.json`:
/// the newest version of each cell must be the value and writetime SELECT returned; a cell
/// SELECT does not return must be under a newer partition deletion; every counter SELECT
/// returned must have a cell. Returns how many cells were checked against SELECT.
fn check_counters(
    label: &str,
    schema: &CounterSchema,
    select: &Select,
    cells: &[CounterCell],
    deletions: &BTreeMap<Vec<String>, i64>,
    mismatches: &mut Vec<String>,
) -> usize {
    let rows: Vec<Json<'_>> = select.rows.iter().map(|r| parse(r).unwrap_or_else(|e| panic!("{label}: select.json row: {e}"))).collect();
    let matches = |row: &Json<'_>, names: &[String], values: &[String]| {
        names.len() == values.len() && names.iter().zip(values).all(|(n, v)| row.get(n).map(json_key_text).as_deref() == Some(v))
    };
    // The newest version of each counter cell.
    type CellKey<'c> = (&'c [String], Option<&'c [String]>, &'c str);
    let mut newest: BTreeMap<CellKey<'_>, &CounterCell> = BTreeMap::new();
    for c in cells {
        let e = newest.entry((&c.key, c.clustering.as_deref(), &c.column)).or_insert(c);
        if c.tstamp > e.tstamp {
            *e = c;
        }
    }
    let mut checked = 0;
    for c in newest.values() {
        let row = rows.iter().find(|r| {
            matches(r, &schema.partition_key, &c.key) && c.clustering.as_ref().is_none_or(|ck| matches(r, &schema.clustering, ck))
        });
        let selected = row.and_then(|r| r.get(&c.column)).filter(|v| **v != Json::Null);
        let at = format!("{}: counter {} of key {:?} clustering {:?}", c.file, c.column, c.key, c.clustering);
        match selected {
            Some(v) => {
                checked += 1;
                if v.to_string() != c.value {
                    mismatches.push(format!("{at}: ksbulk value {}, SELECT returned {v}", c.value));
                }
                let writetime = row.and_then(|r| r.get(&format!("writetime({})", c.column))).map(|w| w.to_string());
                if writetime.as_deref() != Some(c.tstamp.to_string().as_str()) {
                    mismatches.push(format!("{at}: newest cell's tstamp {}, SELECT's writetime {writetime:?}", c.tstamp));
                }
            }
            None => match deletions.get(&c.key) {
                Some(&at_ts) if at_ts >= c.tstamp => {}
                _ => mismatches.push(format!("{at}: ksbulk has {} (tstamp {}), SELECT returned none and no partition deletion covers it", c.value, c.tstamp)),
            },
        }
    }
    // Every counter value SELECT returned has a cell in the dumps.
    for row in &rows {
        for column in &schema.columns {
            if row.get(column).is_none_or(|v| *v == Json::Null) {
                continue;
            }
            let found = cells.iter().any(|c| {
                &c.column == column
                    && matches(row, &schema.partition_key, &c.key)
                    && c.clustering.as_ref().is_none_or(|ck| matches(row, &schema.clustering, ck))
            });
            if !found {
                mismatches.push(format!("{label}: SELECT row {} has counter {column} but no SSTable has its cell", short(row)));
            }
        }
    }
    checked
}

// ---------------------------------------------------------------------------------------------
// The test

/// One table's SSTables (a corpus entry or one node of a three-node layout).
struct Table {
    label: String,
    format: String,
    compression: String,
    data_files: Vec<PathBuf>,
    schema_cql: PathBuf,
    select: PathBuf,
}

#[derive(Default)]
struct Outcome {
    sstables: usize,
    counter_cells_checked: usize,
    counter_tables: usize,
    mismatches: Vec<String>,
}

/// `ksbulk dump -t <data>` into memory: `-t` as scripts/corpus-gen made the oracles
/// (`sstabledump-batch -t`, which writes what `sstabledump -t` does).
fn ksbulk_dump(data: &Path) -> Result<Vec<u8>, String> {
    let cli = Cli::try_parse_from([OsStr::new("ksbulk"), OsStr::new("dump"), OsStr::new("-t"), data.as_os_str()])
        .map_err(|e| e.to_string())?;
    let Command::Dump(args) = cli.command else { return Err("not parsed as ksbulk dump".into()) };
    let mut out = Vec::new();
    dump_to(&args, &mut out).map_err(|e| format!("{e:#}"))?;
    Ok(out)
}

fn compare_table(corpus: &Path, table: &Table) -> Outcome {
    let mut outcome = Outcome::default();
    let schema = counter_schema(&table.schema_cql);
    let mut counter_cells = Vec::new();
    let mut deletions = BTreeMap::new();
    for data in &table.data_files {
        let file = data.strip_prefix(corpus).unwrap_or(data).display().to_string();
        outcome.sstables += 1;
        let from = unix_seconds();
        let ours = match ksbulk_dump(data).and_then(|b| String::from_utf8(b).map_err(|e| e.to_string())) {
            Ok(t) => t,
            Err(e) => {
                outcome.mismatches.push(format!("{file}: ksbulk dump failed: {e}"));
                continue;
            }
        };
        let time = DumpTime { from, to: unix_seconds() };
        let oracle = dump_path(data);
        let theirs = std::fs::read_to_string(&oracle).unwrap_or_else(|e| panic!("{}: {e}", oracle.display()));
        let mut our_doc = match parse(&ours) {
            Ok(d) => d,
            Err(e) => {
                outcome.mismatches.push(format!("{file}: ksbulk's dump is not JSON: {e}"));
                continue;
            }
        };
        let mut their_doc = parse(&theirs).unwrap_or_else(|e| panic!("{}: {e}", oracle.display()));
        if !schema.columns.is_empty() {
            partition_deletions(&our_doc, &mut deletions);
            counter_cells.extend(take_counter_values(&file, &schema.columns, &mut our_doc, &mut their_doc, &mut outcome.mismatches));
        }
        let mut found = Vec::new();
        diff(&our_doc, &their_doc, time, &mut Vec::new(), &mut found);
        outcome.mismatches.extend(found.into_iter().map(|m| format!("{file}: {m}")));
    }
    if !schema.columns.is_empty() {
        let select = Select::load(&table.select).unwrap_or_else(|e| panic!("{e}"));
        outcome.counter_tables = 1;
        outcome.counter_cells_checked =
            check_counters(&table.label, &schema, &select, &counter_cells, &deletions, &mut outcome.mismatches);
        if outcome.counter_cells_checked == 0 {
            outcome.mismatches.push(format!("{}: no counter cell could be checked against select.json", table.label));
        }
    }
    outcome
}

fn tables(corpus: &Path, index: &Index) -> Vec<Table> {
    let mut out: Vec<Table> = index
        .entries
        .iter()
        .map(|e| Table {
            label: e.dir.clone(),
            format: e.format.clone(),
            compression: e.compression.clone(),
            data_files: e.data_files(corpus),
            schema_cql: e.snapshot_dir(corpus).join("schema.cql"),
            select: e.select_path(corpus),
        })
        .collect();
    for t in &index.threenode {
        for (node, sstables) in &t.nodes {
            let node_dir = corpus.join(&t.dir).join(node);
            out.push(Table {
                label: format!("{}/{node}", t.dir),
                format: t.format.clone(),
                compression: "threenode".into(),
                data_files: sstables.iter().map(|s| corpus.join(s)).collect(),
                schema_cql: node_dir.join("schema.cql"),
                select: corpus.join(&t.expected),
            });
        }
    }
    // The biggest first, so that the workers finish together.
    out.sort_by_cached_key(|t| std::cmp::Reverse(t.data_files.iter().map(|d| std::fs::metadata(d).map_or(0, |m| m.len())).sum::<u64>()));
    out
}

#[test]
fn dump_vs_sstabledump_every_corpus_sstable() {
    let corpus = corpus_dir();
    let index = Index::load(&corpus).unwrap_or_else(|e| panic!("{e}"));
    let tables = tables(&corpus, &index);
    let listed: usize = tables.iter().map(|t| t.data_files.len()).sum();

    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(t) = tables.get(i) else { break };
                let outcome = compare_table(&corpus, t);
                results.lock().unwrap().push((i, outcome));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);

    let mut total = Outcome::default();
    let mut per_kind: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, o) in results {
        *per_kind.entry((tables[i].format.clone(), tables[i].compression.clone())).or_default() += o.sstables;
        total.sstables += o.sstables;
        total.counter_cells_checked += o.counter_cells_checked;
        total.counter_tables += o.counter_tables;
        total.mismatches.extend(o.mismatches);
    }
    eprintln!(
        "compared {} SSTables ({} counter cells checked against SELECT in {} tables); by format/compression: {per_kind:?}",
        total.sstables, total.counter_cells_checked, total.counter_tables
    );

    // Everything listed was compared, and the corpus is the whole one: every format and
    // compression, and the three-node layouts.
    assert_eq!(total.sstables, listed, "SSTables compared, of those the index lists");
    for format in ["nb", "oa", "da"] {
        for compression in ["none", "lz4", "snappy", "deflate", "zstd"] {
            let n = per_kind.get(&(format.to_string(), compression.to_string())).copied().unwrap_or(0);
            assert!(n >= 32, "{format}/{compression}: {n} SSTables compared, expected one or more per table (32 tables)");
        }
    }
    for format in ["nb", "oa"] {
        let n = per_kind.get(&(format.to_string(), "threenode".to_string())).copied().unwrap_or(0);
        assert!(n >= 6, "{format}/threenode: {n} SSTables compared, expected 2 per node");
    }
    assert!(total.counter_tables >= 15, "{} tables with counters, expected one per format and compression", total.counter_tables);

    // Every mismatch starts with its file (or table): how many each has, then the first few.
    let mut by_file: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &total.mismatches {
        *by_file.entry(m.split(':').next().unwrap_or_default()).or_default() += 1;
    }
    let files: Vec<String> = by_file.iter().take(SHOWN).map(|(f, n)| format!("  {f}: {n}")).collect();
    // A few of each file, so that one file with many does not hide the others.
    let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
    let shown: Vec<&str> = total
        .mismatches
        .iter()
        .filter(|m| {
            let n = per_file.entry(m.split(':').next().unwrap_or_default()).or_default();
            *n += 1;
            *n <= 3
        })
        .take(SHOWN)
        .map(String::as_str)
        .collect();
    assert!(
        total.mismatches.is_empty(),
        "{} mismatches between ksbulk dump -t and sstabledump -t over {} SSTables, in {} files:\n{}\n{} of them:\n{}",
        total.mismatches.len(),
        total.sstables,
        by_file.len(),
        files.join("\n"),
        shown.len(),
        shown.join("\n")
    );
}
