//! Reading one work unit's token range back from the target:
//!
//! ```text
//! SELECT pk.., ck.., c, WRITETIME(c), TTL(c), .. FROM ks.t WHERE token(pk..) > ? AND token(pk..) <= ?
//! ```
//!
//! paged, every column taken as its raw bytes ([`RawRow`]), so values compare byte for byte
//! with the SSTable's serialized values whatever their type. WRITETIME/TTL are selected for
//! simple columns; for non-frozen collections and UDTs only when the target accepts them
//! (Cassandra 5.0 returns one list entry per element, CASSANDRA-8877; earlier versions and
//! Amazon Keyspaces refuse them), never for counters. A wrapping range is read as two
//! queries, `token <= end` first, so rows come in ring order as the merge yields them.

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use futures::{Stream, StreamExt, TryStreamExt};
use scylla::client::session::Session;
use scylla::deserialize::row::{ColumnIterator, DeserializeRow};
use scylla::deserialize::{DeserializationError, TypeCheckError};
use scylla::frame::response::result::ColumnSpec;
use scylla::statement::prepared::PreparedStatement;
use sstable_reader::partitioner::RandomToken;
use sstable_reader::{Token, TokenRange};

use super::collection::{number, parse_number_list, trim_udt, ShapeError};
use super::layout::TableLayout;
use super::{ReadFailure, VerifyError};
use crate::merge::model::Clustering;
use crate::write::error::{classify, ErrorClass, RetryCause};
use crate::write::mutation::quote_ident;
use crate::write::value::BoundValue;
use crate::write::ColumnKind;

/// A result row as raw column values (`None`: null), in selection order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow(pub Vec<Option<Bytes>>);

impl<'frame, 'metadata> DeserializeRow<'frame, 'metadata> for RawRow {
    fn type_check(_specs: &[ColumnSpec]) -> Result<(), TypeCheckError> {
        // Every type is taken as bytes.
        Ok(())
    }

    fn deserialize(row: ColumnIterator<'frame, 'metadata>) -> Result<Self, DeserializationError> {
        let mut out = Vec::with_capacity(row.columns_remaining());
        for column in row {
            out.push(column?.slice.map(|s| s.to_bytes()));
        }
        Ok(RawRow(out))
    }
}

/// One column as the target returned it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GotCell {
    /// The value (a non-frozen UDT without its trailing null fields).
    pub value: Option<Bytes>,
    /// Writetimes (µs) per cell, when selected: one for a simple column with a value, one
    /// per element or field for a multi-cell column, none for null.
    pub writetimes: Option<Vec<Option<i64>>>,
    /// TTLs (s) per cell, when selected (`None`: no TTL).
    pub ttls: Option<Vec<Option<i64>>>,
}

/// One row of the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    /// The token of its partition key, computed with the source's partitioner.
    pub token: Token,
    /// The serialized partition key (`CompositeType` form for several columns, as in SSTables).
    pub key: Bytes,
    /// Clustering values.
    pub clustering: Clustering,
    /// Static columns, then regular columns, as [`TableLayout::columns`].
    pub cells: Vec<GotCell>,
}

/// Whether WRITETIME/TTL of non-frozen collections and UDTs are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadMode {
    /// Select `WRITETIME(c)`/`TTL(c)` of multi-cell columns (Cassandra 5.0).
    pub multi_cell_meta: bool,
}

/// Where each column's value, writetime and TTL sit in the selection.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slots {
    value: usize,
    writetime: Option<usize>,
    ttl: Option<usize>,
}

/// The selected expressions and where each column's parts are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    expressions: Vec<String>,
    slots: Vec<Slots>,
}

impl Selection {
    /// What to select for `layout` in `mode`.
    pub fn new(layout: &TableLayout, mode: ReadMode) -> Selection {
        let target = &layout.target;
        let mut expressions: Vec<String> = target.partition_key.iter().chain(&target.clustering).map(|c| quote_ident(&c.name)).collect();
        let mut slots = Vec::with_capacity(target.columns.len());
        for c in &target.columns {
            let q = quote_ident(&c.name);
            let value = expressions.len();
            expressions.push(q.clone());
            let meta = match c.kind {
                ColumnKind::Counter => false,
                ColumnKind::Simple => true,
                _ => mode.multi_cell_meta,
            };
            let (writetime, ttl) = if meta {
                expressions.push(format!("WRITETIME({q})"));
                expressions.push(format!("TTL({q})"));
                (Some(value + 1), Some(value + 2))
            } else {
                (None, None)
            };
            slots.push(Slots { value, writetime, ttl });
        }
        Selection { expressions, slots }
    }

    /// `SELECT … FROM ks.t WHERE <token condition>`.
    pub fn cql(&self, layout: &TableLayout, condition: TokenCondition) -> String {
        let token = format!("token({})", layout.target.partition_key.iter().map(|c| quote_ident(&c.name)).collect::<Vec<_>>().join(", "));
        let condition = match condition {
            TokenCondition::Between => format!("{token} > ? AND {token} <= ?"),
            TokenCondition::Above => format!("{token} > ?"),
            TokenCondition::AtOrBelow => format!("{token} <= ?"),
        };
        format!("SELECT {} FROM {} WHERE {condition}", self.expressions.join(", "), layout.target.qualified_name())
    }

    /// Turns a raw row into a [`TargetRow`].
    ///
    /// # Errors
    /// [`VerifyError::TargetValue`] for a null key column or a malformed value.
    pub fn decode(&self, layout: &TableLayout, raw: RawRow) -> Result<TargetRow, VerifyError> {
        let shape = |column: &str, e: ShapeError| VerifyError::TargetValue { table: layout.target_name(), column: column.to_string(), what: e.0 };
        let mut values = raw.0;
        let pk = layout.target.partition_key.len();
        let ck = layout.target.clustering.len();
        if values.len() != self.expressions.len() {
            return Err(shape("*", ShapeError(format!("{} columns returned, {} selected", values.len(), self.expressions.len()))));
        }
        let mut parts = Vec::with_capacity(pk);
        for (i, column) in layout.target.partition_key.iter().enumerate() {
            parts.push(values[i].take().ok_or_else(|| shape(&column.name, ShapeError("null partition key column".into())))?);
        }
        let key = if pk == 1 { parts.pop().unwrap_or_default() } else { composite_key(&parts) };
        let clustering = values[pk..pk + ck].to_vec();
        let mut cells = Vec::with_capacity(self.slots.len());
        for (slot, column) in self.slots.iter().zip(layout.columns()) {
            let value = values[slot.value].take();
            let multi = column.kind.is_multi_cell();
            let mut cell = GotCell { value, writetimes: None, ttls: None };
            let read = |at: Option<usize>, width: usize, values: &[Option<Bytes>]| -> Result<Option<Vec<Option<i64>>>, ShapeError> {
                let Some(at) = at else { return Ok(None) };
                Ok(Some(match (&values[at], multi) {
                    (None, false) if cell.value.is_some() => vec![None],
                    (None, _) => Vec::new(),
                    (Some(b), false) => vec![Some(number(b, width)?)],
                    (Some(b), true) => parse_number_list(b, width)?,
                }))
            };
            let writetimes = read(slot.writetime, 8, &values).map_err(|e| shape(&column.name, e))?;
            let ttls = read(slot.ttl, 4, &values).map_err(|e| shape(&column.name, e))?;
            cell.writetimes = writetimes;
            cell.ttls = ttls;
            if matches!(column.kind, ColumnKind::Udt { .. }) {
                if let Some(v) = &cell.value {
                    let (trimmed, fields) = trim_udt(v).map_err(|e| shape(&column.name, e))?;
                    cell.value = (fields > 0).then_some(trimmed);
                    for list in [&mut cell.writetimes, &mut cell.ttls].into_iter().flatten() {
                        list.truncate(fields);
                    }
                }
            }
            cells.push(cell);
        }
        Ok(TargetRow { token: layout.partitioner.token(&key), key, clustering, cells })
    }
}

/// A multi-column partition key as SSTables store it (`CompositeType`): per component a
/// big-endian `u16` length, the bytes, and an end-of-component byte 0.
pub fn composite_key(parts: &[Bytes]) -> Bytes {
    let mut out = BytesMut::with_capacity(parts.iter().map(|p| p.len() + 3).sum());
    for p in parts {
        out.put_u16(p.len() as u16);
        out.put_slice(p);
        out.put_u8(0);
    }
    out.freeze()
}

/// Which token bounds a query has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCondition {
    /// `token > ? AND token <= ?`.
    Between,
    /// `token > ?`.
    Above,
    /// `token <= ?`.
    AtOrBelow,
}

/// A token as a bound value of the type CQL's `token()` has for the partitioner: `bigint`
/// (Murmur3), `varint` (Random), `blob` (ByteOrdered).
pub fn token_value(token: &Token) -> BoundValue {
    match token {
        Token::Murmur3(t) => BoundValue::BigInt(*t),
        Token::Random(RandomToken::Minimum) => BoundValue::Raw(Bytes::from_static(&[0xff])),
        Token::Random(RandomToken::Value(v)) => {
            // Minimal two's complement, big-endian: a 0 byte first when the top bit is set.
            let bytes = v.to_be_bytes();
            let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len() - 1);
            let mut out = Vec::with_capacity(17);
            if bytes[first] & 0x80 != 0 {
                out.push(0);
            }
            out.extend_from_slice(&bytes[first..]);
            BoundValue::Raw(Bytes::from(out))
        }
        Token::ByteOrdered(b) => BoundValue::Raw(b.clone()),
    }
}

/// The token conditions and bound tokens that read `range` in ring order: one query for
/// `(start, end]`; for a range wrapping past the end of the ring, `token <= end` (the start
/// of the ring) and then `token > start`.
pub fn range_queries(range: &TokenRange) -> Vec<(TokenCondition, Vec<BoundValue>)> {
    if range.is_wrapping() {
        vec![(TokenCondition::AtOrBelow, vec![token_value(&range.end)]), (TokenCondition::Above, vec![token_value(&range.start)])]
    } else {
        vec![(TokenCondition::Between, vec![token_value(&range.start), token_value(&range.end)])]
    }
}

/// Prepared reads of one table.
pub struct TargetReader {
    layout: Arc<TableLayout>,
    selection: Selection,
    between: PreparedStatement,
    above: PreparedStatement,
    at_or_below: PreparedStatement,
    /// The mode the statements were prepared in.
    pub mode: ReadMode,
}

impl TargetReader {
    /// Prepares the reads of `layout` in `mode`, `page_size` rows a page.
    ///
    /// # Errors
    /// [`VerifyError::Prepare`] (missing table or column, a refused WRITETIME/TTL).
    pub async fn prepare(session: &Session, layout: Arc<TableLayout>, mode: ReadMode, page_size: i32) -> Result<TargetReader, VerifyError> {
        let selection = Selection::new(&layout, mode);
        let between = prepare_one(session, &layout, &selection, TokenCondition::Between, page_size).await?;
        let above = prepare_one(session, &layout, &selection, TokenCondition::Above, page_size).await?;
        let at_or_below = prepare_one(session, &layout, &selection, TokenCondition::AtOrBelow, page_size).await?;
        Ok(TargetReader { layout: Arc::clone(&layout), selection, between, above, at_or_below, mode })
    }

    /// The queries that read `range`, in ring order.
    fn queries(&self, range: &TokenRange) -> Vec<(PreparedStatement, Vec<BoundValue>)> {
        range_queries(range)
            .into_iter()
            .map(|(condition, values)| {
                let statement = match condition {
                    TokenCondition::Between => &self.between,
                    TokenCondition::Above => &self.above,
                    TokenCondition::AtOrBelow => &self.at_or_below,
                };
                (statement.clone(), values)
            })
            .collect()
    }

    /// The target's rows of `range`, in the order the target returns them.
    pub fn rows<'a>(&'a self, session: &'a Session, range: &TokenRange) -> impl Stream<Item = Result<TargetRow, VerifyError>> + 'a {
        let table = self.layout.target_name();
        futures::stream::iter(self.queries(range))
            .then(move |(statement, values)| {
                let table = table.clone();
                async move {
                    let pager = session.execute_iter(statement, values).await.map_err(|e| read_error(&table, failure_of_pager(&e), e))?;
                    let rows = pager.rows_stream::<RawRow>().map_err(|e| read_error(&table, ReadFailure::Other, e))?;
                    Ok::<_, VerifyError>(rows.map(move |r| match r {
                        Ok(raw) => self.selection.decode(&self.layout, raw),
                        Err(e) => Err(read_error(&self.layout.target_name(), failure_of_row(&e), e)),
                    }))
                }
            })
            .try_flatten()
    }
}

async fn prepare_one(session: &Session, layout: &TableLayout, selection: &Selection, condition: TokenCondition, page_size: i32) -> Result<PreparedStatement, VerifyError> {
    let cql = selection.cql(layout, condition);
    let mut prepared = session.prepare(cql.as_str()).await.map_err(|e| VerifyError::Prepare { table: layout.target_name(), cql: cql.clone(), source: Box::new(e) })?;
    prepared.set_page_size(page_size);
    Ok(prepared)
}

fn read_error(table: &str, failure: ReadFailure, e: impl std::error::Error + Send + Sync + 'static) -> VerifyError {
    VerifyError::Read { table: table.to_string(), failure, source: Box::new(e) }
}

fn failure_of_request(e: &scylla::errors::RequestError) -> ReadFailure {
    match classify(&e.clone().into_execution_error()) {
        ErrorClass::Retry { cause: RetryCause::ServerError, .. } => ReadFailure::ServerError,
        ErrorClass::Retry { .. } => ReadFailure::Transient,
        ErrorClass::Reject => ReadFailure::Refused,
        ErrorClass::Fatal => ReadFailure::Other,
    }
}

fn failure_of_page(e: &scylla::errors::NextPageError) -> ReadFailure {
    match e {
        scylla::errors::NextPageError::RequestFailure(r) => failure_of_request(r),
        _ => ReadFailure::Other,
    }
}

fn failure_of_pager(e: &scylla::errors::PagerExecutionError) -> ReadFailure {
    match e {
        scylla::errors::PagerExecutionError::NextPageError(p) => failure_of_page(p),
        _ => ReadFailure::Other,
    }
}

fn failure_of_row(e: &scylla::errors::NextRowError) -> ReadFailure {
    match e {
        scylla::errors::NextRowError::NextPageError(p) => failure_of_page(p),
        _ => ReadFailure::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::collection::udt_value;
    use crate::verify::layout::tests::{header, layout};

    const M: &str = "org.apache.cassandra.db.marshal.";

    fn table() -> TableLayout {
        let h = header(&format!("{M}CompositeType({M}Int32Type,{M}UTF8Type)"), &[&format!("{M}Int32Type")], &[], &[]);
        layout("CREATE TYPE ks.a (x int, y text);\nCREATE TABLE ks.t (p1 int, p2 text, ck int, s text static, v text, u a, n frozen<list<int>>, PRIMARY KEY ((p1, p2), ck));", &h)
    }

    fn b(v: &[u8]) -> Option<Bytes> {
        Some(Bytes::copy_from_slice(v))
    }

    #[test]
    fn selects_writetime_and_ttl_of_simple_columns_and_of_multi_cell_ones_on_request() {
        let t = table();
        let s = Selection::new(&t, ReadMode { multi_cell_meta: false });
        assert_eq!(
            s.cql(&t, TokenCondition::Between),
            "SELECT \"p1\", \"p2\", \"ck\", \"s\", WRITETIME(\"s\"), TTL(\"s\"), \"v\", WRITETIME(\"v\"), TTL(\"v\"), \"u\", \"n\", WRITETIME(\"n\"), TTL(\"n\") \
             FROM \"ks\".\"t\" WHERE token(\"p1\", \"p2\") > ? AND token(\"p1\", \"p2\") <= ?"
        );
        let s = Selection::new(&t, ReadMode { multi_cell_meta: true });
        assert!(s.cql(&t, TokenCondition::Above).contains("\"u\", WRITETIME(\"u\"), TTL(\"u\")"));
        assert!(s.cql(&t, TokenCondition::AtOrBelow).ends_with("WHERE token(\"p1\", \"p2\") <= ?"));
    }

    #[test]
    fn decodes_keys_values_writetimes_and_ttls() {
        let t = table();
        let s = Selection::new(&t, ReadMode { multi_cell_meta: true });
        let wt = |v: i64| b(&v.to_be_bytes());
        // Cassandra 5.0 lists every UDT field; the trailing unset one is dropped.
        let u = udt_value(&[Some(&[0, 0, 0, 1]), None]);
        let u_wt = [0, 0, 0, 2, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff];
        let u_ttl = [0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        let raw = RawRow(vec![
            b(&[0, 0, 0, 1]),
            b(b"x"),
            b(&[0, 0, 0, 5]),
            None,
            None,
            None,
            b(b"v"),
            wt(9),
            b(&100i32.to_be_bytes()),
            Some(u.clone()),
            b(&u_wt),
            b(&u_ttl),
            b(&[0, 0, 0, 0]),
            wt(3),
            None,
        ]);
        let row = s.decode(&t, raw).unwrap();
        let key = composite_key(&[Bytes::from_static(&[0, 0, 0, 1]), Bytes::from_static(b"x")]);
        assert_eq!(&key[..], &[0, 4, 0, 0, 0, 1, 0, 0, 1, b'x', 0]);
        assert_eq!(row.key, key);
        assert_eq!(row.token, sstable_reader::Partitioner::Murmur3.token(&key));
        assert_eq!(row.clustering, vec![b(&[0, 0, 0, 5])]);
        assert_eq!(row.cells[0], GotCell { value: None, writetimes: Some(vec![]), ttls: Some(vec![]) });
        assert_eq!(row.cells[1], GotCell { value: b(b"v"), writetimes: Some(vec![Some(9)]), ttls: Some(vec![Some(100)]) });
        assert_eq!(row.cells[2], GotCell { value: Some(udt_value(&[Some(&[0, 0, 0, 1])])), writetimes: Some(vec![Some(7)]), ttls: Some(vec![None]) });
        assert_eq!(row.cells[3], GotCell { value: b(&[0, 0, 0, 0]), writetimes: Some(vec![Some(3)]), ttls: Some(vec![None]) });
    }

    #[test]
    fn a_null_key_or_a_short_row_is_an_error() {
        let t = table();
        let s = Selection::new(&t, ReadMode { multi_cell_meta: false });
        assert!(matches!(s.decode(&t, RawRow(vec![None; 13])), Err(VerifyError::TargetValue { .. })));
        assert!(matches!(s.decode(&t, RawRow(vec![None; 2])), Err(VerifyError::TargetValue { .. })));
    }

    #[test]
    fn wrapping_ranges_read_the_start_of_the_ring_first() {
        let (a, b) = (Token::Murmur3(-10), Token::Murmur3(10));
        assert_eq!(range_queries(&TokenRange::new(a.clone(), b.clone())), vec![(TokenCondition::Between, vec![BoundValue::BigInt(-10), BoundValue::BigInt(10)])]);
        assert_eq!(
            range_queries(&TokenRange::new(b, a)),
            vec![(TokenCondition::AtOrBelow, vec![BoundValue::BigInt(-10)]), (TokenCondition::Above, vec![BoundValue::BigInt(10)])]
        );
        let ring = sstable_reader::Partitioner::ByteOrdered.full_ring();
        assert_eq!(range_queries(&ring).len(), 2, "(min, min] is the whole ring");
    }

    #[test]
    fn tokens_bind_as_bigint_varint_or_blob() {
        assert_eq!(token_value(&Token::Murmur3(-5)), BoundValue::BigInt(-5));
        assert_eq!(token_value(&Token::Random(RandomToken::Minimum)), BoundValue::Raw(Bytes::from_static(&[0xff])));
        assert_eq!(token_value(&Token::Random(RandomToken::Value(0))), BoundValue::Raw(Bytes::from_static(&[0])));
        assert_eq!(token_value(&Token::Random(RandomToken::Value(0x7f))), BoundValue::Raw(Bytes::from_static(&[0x7f])));
        assert_eq!(token_value(&Token::Random(RandomToken::Value(0x80))), BoundValue::Raw(Bytes::from_static(&[0, 0x80])));
        let max = token_value(&Token::Random(RandomToken::Value(1 << 127)));
        let mut want = vec![0u8, 0x80];
        want.extend_from_slice(&[0; 15]);
        assert_eq!(max, BoundValue::Raw(Bytes::from(want)));
        assert_eq!(token_value(&Token::ByteOrdered(Bytes::from_static(b"k"))), BoundValue::Raw(Bytes::from_static(b"k")));
    }
}
