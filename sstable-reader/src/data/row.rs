//! Rows and their cells, decoded from one unfiltered's bytes.
//!
//! Cassandra: `db.rows.UnfilteredSerializer` and `db.rows.Cell.Serializer`. A row is
//! `flags [extended flags] [clustering] size previous-size [liveness] [deletion] [columns]
//! column-data`. The row keeps its bytes (one zero-copy slice of the decompressed chunk) and
//! decodes cells only when iterated, so skipping or counting rows costs no cell work and
//! iterating cells allocates nothing.
//!
//! Column data, in the order of the header's columns present in the row: a simple column is
//! one cell; a complex column is `[deletion] count cell...`. A cell is
//! `flags [timestamp] [local deletion time] [ttl] [path] [value]` with the flags
//! `IS_DELETED 0x01`, `IS_EXPIRING 0x02`, `HAS_EMPTY_VALUE 0x04`, `USE_ROW_TIMESTAMP 0x08`,
//! `USE_ROW_TTL 0x10`.

use std::sync::Arc;

use bytes::Bytes;

use super::clustering::{skip_values, ClusteringValues};
use super::cursor::{Cursor, Parse, Stop};
use super::deletion::{DeletionTime, Expiration, LivenessInfo, RowDeletion, NO_DELETION_TIME};
use super::header::DataHeader;
use crate::{Error, Result};

pub(crate) const END_OF_PARTITION: u8 = 0x01;
pub(crate) const IS_MARKER: u8 = 0x02;
const HAS_TIMESTAMP: u8 = 0x04;
const HAS_TTL: u8 = 0x08;
const HAS_DELETION: u8 = 0x10;
const HAS_ALL_COLUMNS: u8 = 0x20;
const HAS_COMPLEX_DELETION: u8 = 0x40;
pub(crate) const EXTENSION_FLAG: u8 = 0x80;

pub(crate) const IS_STATIC: u8 = 0x01;
const HAS_SHADOWABLE_DELETION: u8 = 0x02;

const CELL_IS_DELETED: u8 = 0x01;
const CELL_IS_EXPIRING: u8 = 0x02;
const CELL_HAS_EMPTY_VALUE: u8 = 0x04;
const CELL_USE_ROW_TIMESTAMP: u8 = 0x08;
const CELL_USE_ROW_TTL: u8 = 0x10;

/// Which of the header's columns a row holds.
#[derive(Debug, Clone)]
enum Present {
    /// Every column.
    All,
    /// Fewer than 64 columns in the header: bit `i` set means column `i` is missing.
    Missing(u64),
    /// 64 or more columns: the indexes of the present ones.
    List(Arc<[u32]>),
}

/// A row: clustering, liveness, deletion and cells. Cheap to clone (shares its bytes).
#[derive(Debug, Clone)]
pub struct Row {
    raw: Bytes,
    position: u64,
    header: Arc<DataHeader>,
    flags: u8,
    extended: u8,
    clustering: (u32, u32),
    liveness: LivenessInfo,
    deletion: Option<RowDeletion>,
    present: Present,
    cells_start: u32,
}

/// The length of the unfiltered at the start of `c.buf` if its framing can be read from the
/// bytes buffered so far, with the offset where its clustering starts and ends.
pub(crate) struct Frame {
    pub total: usize,
    pub is_static: bool,
    pub clustering: (usize, usize),
    pub body_start: usize,
}

/// Reads the framing of a row or marker: flags, clustering, and the size that follows it.
pub(crate) fn frame(c: &mut Cursor<'_>, header: &DataHeader) -> Parse<Frame> {
    let flags = c.u8()?;
    if flags & IS_MARKER != 0 {
        let at = c.pos;
        let kind = c.u8()?;
        if super::clustering::BoundKind::from_byte(kind).is_none() {
            return Err(Stop::bad(at, format!("range tombstone marker with kind {kind}, not a bound")));
        }
        let at = c.pos;
        let count = c.be_u16()? as usize;
        if count > header.clustering_types.len() {
            return Err(Stop::bad(at, format!("bound of {count} values, table has {} clustering columns", header.clustering_types.len())));
        }
        let start = c.pos;
        skip_values(c, header, count)?;
        let end = c.pos;
        let size = c.length(c.remaining_limit())?;
        return Ok(Frame { total: c.pos + size, is_static: false, clustering: (start, end), body_start: c.pos });
    }
    let mut is_static = false;
    if flags & EXTENSION_FLAG != 0 {
        let at = c.pos;
        let extended = c.u8()?;
        if extended & !(IS_STATIC | HAS_SHADOWABLE_DELETION) != 0 {
            return Err(Stop::bad(at, format!("unknown extended row flags {extended:#04x}")));
        }
        is_static = extended & IS_STATIC != 0;
    }
    let start = c.pos;
    if !is_static {
        skip_values(c, header, header.clustering_types.len())?;
    }
    let end = c.pos;
    let size = c.length(c.remaining_limit())?;
    Ok(Frame { total: c.pos + size, is_static, clustering: (start, end), body_start: c.pos })
}

impl Row {
    /// Decodes a row from its complete bytes `raw` (flags to end of body), found at `position`.
    pub(crate) fn parse(raw: Bytes, position: u64, header: Arc<DataHeader>, frame: &Frame) -> Result<Row> {
        let parsed = Row::parse_body(&raw, &header, frame);
        match parsed {
            Ok((flags, extended, liveness, deletion, present, cells_start)) => Ok(Row {
                clustering: (frame.clustering.0 as u32, frame.clustering.1 as u32),
                raw,
                position,
                header,
                flags,
                extended,
                liveness,
                deletion,
                present,
                cells_start: cells_start as u32,
            }),
            Err(stop) => Err(stop.into_error(&header, position, raw.len())),
        }
    }

    #[allow(clippy::type_complexity)]
    fn parse_body(raw: &[u8], header: &DataHeader, frame: &Frame) -> Parse<(u8, u8, LivenessInfo, Option<RowDeletion>, Present, usize)> {
        let flags = raw[0];
        let extended = if flags & EXTENSION_FLAG != 0 { raw[1] } else { 0 };
        let is_static = extended & IS_STATIC != 0;
        let mut c = Cursor::new(raw, frame.body_start);
        c.vint()?; // size of the previous unfiltered
        let mut liveness = LivenessInfo::default();
        if flags & HAS_TIMESTAMP != 0 {
            liveness.timestamp = Some(header.read_timestamp(&mut c)?);
            if flags & HAS_TTL != 0 {
                let ttl = header.read_ttl(&mut c)?;
                let local_expiration_time = header.read_local_deletion_time(&mut c)?;
                liveness.expiration = Some(Expiration { ttl, local_expiration_time });
            }
        }
        let deletion = if flags & HAS_DELETION != 0 {
            let at = c.pos;
            let time = header.read_deletion_time(&mut c)?;
            if time.marked_for_delete_at == i64::MIN {
                return Err(Stop::bad(at, "row deletion flagged but live"));
            }
            Some(RowDeletion { time, shadowable: extended & HAS_SHADOWABLE_DELETION != 0 })
        } else {
            None
        };
        let columns = header.columns(is_static).len();
        let present = if flags & HAS_ALL_COLUMNS != 0 { Present::All } else { read_subset(&mut c, columns)? };
        Ok((flags, extended, liveness, deletion, present, c.pos))
    }

    /// Offset of the row's first byte in the uncompressed Data.db (what `sstabledump` prints as
    /// `position`).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Bytes the row takes in the uncompressed Data.db.
    pub fn serialized_size(&self) -> usize {
        self.raw.len()
    }

    /// Whether this is the partition's static row.
    pub fn is_static(&self) -> bool {
        self.extended & IS_STATIC != 0
    }

    /// The clustering values (none for the static row).
    pub fn clustering(&self) -> ClusteringValues<'_> {
        let (s, e) = self.clustering;
        let count = if self.is_static() { 0 } else { self.header.clustering_types.len() };
        ClusteringValues::new(&self.raw[s as usize..e as usize], &self.header.clustering_fixed, count)
    }

    /// The clustering values as owned byte slices (`None` for null values).
    pub fn clustering_owned(&self) -> Vec<Option<Bytes>> {
        self.clustering().to_owned_in(&self.raw)
    }

    /// The primary-key liveness (row marker).
    pub fn liveness(&self) -> &LivenessInfo {
        &self.liveness
    }

    /// The row deletion, if any.
    pub fn deletion(&self) -> Option<&RowDeletion> {
        self.deletion.as_ref()
    }

    /// Whether the row has any complex-column deletion (then [`Row::items`] yields them).
    pub fn has_complex_deletion(&self) -> bool {
        self.flags & HAS_COMPLEX_DELETION != 0
    }

    /// The header of the SSTable this row came from (column names and types).
    pub fn header(&self) -> &Arc<DataHeader> {
        &self.header
    }

    /// The static or regular column specs that cell column indexes refer to.
    pub fn column_specs(&self) -> &[crate::data::ColumnSpec] {
        self.header.columns(self.is_static())
    }

    /// Whether the row holds nothing: no liveness, no deletion, no column data. Cassandra's
    /// readers skip such rows (they arise from dropped columns).
    pub fn is_empty(&self) -> bool {
        self.liveness.is_empty() && self.deletion.is_none() && self.cells_start as usize == self.raw.len()
    }

    /// Cells and complex deletions in storage order.
    pub fn items(&self) -> RowItems<'_> {
        RowItems {
            row: self,
            cursor: Cursor::new(&self.raw, self.cells_start as usize),
            columns: self.header.columns(self.is_static()),
            next_column: 0,
            present_index: 0,
            complex: None,
            failed: false,
        }
    }

    /// The cells only, in storage order (complex deletions skipped).
    pub fn cells(&self) -> impl Iterator<Item = Result<Cell<'_>>> + '_ {
        self.items().filter_map(|item| match item {
            Ok(RowItem::Cell(cell)) => Some(Ok(cell)),
            Ok(RowItem::ComplexDeletion { .. }) => None,
            Err(e) => Some(Err(e)),
        })
    }

    /// An owned slice of this row's bytes for a value or path borrowed from one of its cells
    /// (no copy).
    ///
    /// # Panics
    /// When `part` does not point into this row's bytes.
    pub fn bytes_of(&self, part: &[u8]) -> Bytes {
        if part.is_empty() {
            return Bytes::new();
        }
        self.raw.slice_ref(part)
    }

    fn error_at(&self, offset: usize, stop: Stop) -> Error {
        match stop {
            Stop::NeedMore => Stop::bad(offset, "cell data runs past the end of the row").into_error(&self.header, self.position, self.raw.len()),
            other => other.into_error(&self.header, self.position, self.raw.len()),
        }
    }
}

fn read_subset(c: &mut Cursor<'_>, columns: usize) -> Parse<Present> {
    let at = c.pos;
    let encoded = c.vint()?;
    if encoded == 0 {
        return Ok(Present::All);
    }
    if columns < 64 {
        if encoded >> columns != 0 {
            return Err(Stop::bad(at, format!("column bitmap {encoded:#x} marks columns past the header's {columns}")));
        }
        return Ok(Present::Missing(encoded));
    }
    let missing = usize::try_from(encoded).ok().filter(|&m| m <= columns).ok_or_else(|| Stop::bad(at, format!("{encoded} missing columns of {columns}")))?;
    let present_count = columns - missing;
    let mut present = Vec::with_capacity(present_count);
    if present_count < columns / 2 {
        let mut last: Option<u32> = None;
        for _ in 0..present_count {
            let at = c.pos;
            let idx = c.vint()?;
            let idx = u32::try_from(idx)
                .ok()
                .filter(|&i| (i as usize) < columns && last.is_none_or(|l| i > l))
                .ok_or_else(|| Stop::bad(at, format!("column index {idx} out of order or range")))?;
            present.push(idx);
            last = Some(idx);
        }
    } else {
        let mut next = 0u32;
        for _ in 0..missing {
            let at = c.pos;
            let idx = c.vint()?;
            let idx = u32::try_from(idx)
                .ok()
                .filter(|&i| (i as usize) < columns && i >= next)
                .ok_or_else(|| Stop::bad(at, format!("missing column index {idx} out of order or range")))?;
            present.extend(next..idx);
            next = idx + 1;
        }
        present.extend(next..columns as u32);
    }
    Ok(Present::List(present.into()))
}

/// One cell of a row. Borrows the row's bytes; [`Row::bytes_of`] turns `value` or `path` into
/// owned [`Bytes`] without copying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell<'a> {
    /// Index of the column in [`Row::column_specs`].
    pub column: usize,
    /// Write timestamp (microseconds by convention).
    pub timestamp: i64,
    /// TTL in seconds if the cell is expiring, else 0.
    pub ttl: i32,
    /// For a tombstone: when it was written; for an expiring cell: when it expires (seconds);
    /// else [`NO_DELETION_TIME`].
    pub local_deletion_time: i64,
    /// The cell path of a complex column's cell (list: timeuuid; set: element; map: key; UDT:
    /// 16-bit field index).
    pub path: Option<&'a [u8]>,
    /// The serialized value (empty for tombstones and set elements).
    pub value: &'a [u8],
    flags: u8,
}

impl Cell<'_> {
    /// Whether this is a tombstone (a deleted cell).
    pub fn is_tombstone(&self) -> bool {
        self.flags & CELL_IS_DELETED != 0
    }

    /// Whether the cell has a TTL.
    pub fn is_expiring(&self) -> bool {
        self.flags & CELL_IS_EXPIRING != 0
    }

    /// Expiration of an expiring cell.
    pub fn expiration(&self) -> Option<Expiration> {
        self.is_expiring().then_some(Expiration { ttl: self.ttl, local_expiration_time: self.local_deletion_time })
    }

    /// The deletion time of a tombstone.
    pub fn deletion(&self) -> Option<DeletionTime> {
        self.is_tombstone().then_some(DeletionTime { marked_for_delete_at: self.timestamp, local_deletion_time: self.local_deletion_time })
    }

    /// Whether the cell is live at `now` (seconds): not a tombstone, not expired.
    pub fn is_live(&self, now: i64) -> bool {
        !self.is_tombstone() && (!self.is_expiring() || self.local_deletion_time > now)
    }

    /// Whether the local deletion/expiration time is valid (not negative).
    pub fn has_valid_local_deletion_time(&self) -> bool {
        self.local_deletion_time >= 0
    }
}

/// What [`Row::items`] yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowItem<'a> {
    /// A cell of a simple or complex column.
    Cell(Cell<'a>),
    /// The deletion of a whole complex column (e.g. a collection overwritten or deleted); comes
    /// before that column's cells.
    ComplexDeletion {
        /// Index of the column in [`Row::column_specs`].
        column: usize,
        /// When and what it deletes.
        deletion: DeletionTime,
    },
}

/// Iterator over a row's cells and complex deletions; see [`Row::items`].
#[derive(Debug)]
pub struct RowItems<'a> {
    row: &'a Row,
    cursor: Cursor<'a>,
    columns: &'a [crate::data::ColumnSpec],
    next_column: usize,
    present_index: usize,
    /// Current complex column and its cells left.
    complex: Option<(usize, u64)>,
    failed: bool,
}

impl<'a> RowItems<'a> {
    fn next_present_column(&mut self) -> Option<usize> {
        let n = self.columns.len();
        match &self.row.present {
            Present::All => {
                let i = self.next_column;
                (i < n).then(|| {
                    self.next_column += 1;
                    i
                })
            }
            Present::Missing(missing) => {
                let mut i = self.next_column;
                while i < n && missing & (1 << i) != 0 {
                    i += 1;
                }
                (i < n).then(|| {
                    self.next_column = i + 1;
                    i
                })
            }
            Present::List(list) => {
                let i = *list.get(self.present_index)? as usize;
                self.present_index += 1;
                Some(i)
            }
        }
    }

    fn read_cell(&mut self, column: usize, complex: bool) -> Parse<Cell<'a>> {
        let header = &*self.row.header;
        let c = &mut self.cursor;
        let at = c.pos;
        let flags = c.u8()?;
        if flags & 0xe0 != 0 {
            return Err(Stop::bad(at, format!("unknown cell flags {flags:#04x}")));
        }
        let liveness = &self.row.liveness;
        let timestamp = if flags & CELL_USE_ROW_TIMESTAMP != 0 {
            liveness.timestamp.ok_or_else(|| Stop::bad(at, "cell uses the row timestamp but the row has none"))?
        } else {
            header.read_timestamp(c)?
        };
        let deleted = flags & CELL_IS_DELETED != 0;
        let expiring = flags & CELL_IS_EXPIRING != 0;
        let (local_deletion_time, ttl) = if flags & CELL_USE_ROW_TTL != 0 {
            let e = liveness.expiration.ok_or_else(|| Stop::bad(at, "cell uses the row TTL but the row has none"))?;
            (e.local_expiration_time, e.ttl)
        } else {
            let ldt = if deleted || expiring { header.read_local_deletion_time(c)? } else { NO_DELETION_TIME };
            let ttl = if expiring { header.read_ttl(c)? } else { 0 };
            (ldt, ttl)
        };
        let path = if complex {
            let n = c.length(c.remaining_limit())?;
            Some(c.bytes(n)?)
        } else {
            None
        };
        let value = if flags & CELL_HAS_EMPTY_VALUE == 0 { c.value(self.columns[column].fixed_length)? } else { &[][..] };
        Ok(Cell { column, timestamp, ttl, local_deletion_time, path, value, flags })
    }

    fn step(&mut self) -> Parse<Option<RowItem<'a>>> {
        loop {
            if let Some((column, left)) = self.complex {
                if left > 0 {
                    self.complex = Some((column, left - 1));
                    return self.read_cell(column, true).map(|c| Some(RowItem::Cell(c)));
                }
                self.complex = None;
            }
            let Some(column) = self.next_present_column() else {
                if self.cursor.pos != self.cursor.buf.len() {
                    return Err(Stop::bad(self.cursor.pos, format!("{} bytes after the row's last column", self.cursor.buf.len() - self.cursor.pos)));
                }
                return Ok(None);
            };
            if !self.columns[column].complex {
                return self.read_cell(column, false).map(|c| Some(RowItem::Cell(c)));
            }
            let deletion = if self.row.has_complex_deletion() { Some(self.row.header.read_deletion_time(&mut self.cursor)?) } else { None };
            let at = self.cursor.pos;
            let count = self.cursor.vint()?;
            // Each cell takes at least one byte: a larger count is corruption.
            if count > (self.cursor.buf.len() - self.cursor.pos) as u64 {
                return Err(Stop::bad(at, format!("{count} cells in a complex column with fewer bytes left")));
            }
            self.complex = Some((column, count));
            if let Some(deletion) = deletion.filter(|d| d.marked_for_delete_at != i64::MIN) {
                return Ok(Some(RowItem::ComplexDeletion { column, deletion }));
            }
        }
    }
}

impl<'a> Iterator for RowItems<'a> {
    type Item = Result<RowItem<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.step() {
            Ok(item) => item.map(Ok),
            Err(stop) => {
                self.failed = true;
                let at = self.cursor.pos;
                Some(Err(self.row.error_at(at, stop)))
            }
        }
    }
}
