//! Byte cursors for the index components, which are read as they are stored (Index.db,
//! Summary.db, Partitions.db and Rows.db are never compressed).
//!
//! [`Cursor`] decodes big-endian integers and Cassandra's variable-length integers from bytes
//! already in memory, locating every error at its byte offset in the component file.
//! [`Window`] streams a large component (Index.db can be gigabytes) through a bounded buffer.
//!
//! Varints: `org.apache.cassandra.utils.vint.VIntCoding` — the count of leading 1 bits of
//! the first byte is the number of extra bytes, the value is big-endian, signed values are
//! zigzag encoded.

use bytes::Bytes;

use crate::io::ByteSource;
use crate::{Error, ErrorKind, Result};

/// A read position in bytes loaded from offset `base` of a component.
pub(crate) struct Cursor<'a> {
    src: &'a dyn ByteSource,
    buf: Bytes,
    base: u64,
    pos: usize,
    /// Whether `buf` reaches the end of the file: only then is running out a real truncation.
    at_eof: bool,
}

impl<'a> Cursor<'a> {
    /// A cursor over `buf`, which holds the bytes of `src` from offset `base`.
    pub(crate) fn new(src: &'a dyn ByteSource, base: u64, buf: Bytes) -> Cursor<'a> {
        let at_eof = base + buf.len() as u64 >= src.len();
        Cursor { src, buf, base, pos: 0, at_eof }
    }

    /// Reads `len` bytes of `src` at `offset` (fewer if the file ends first) into a cursor.
    pub(crate) fn load(src: &'a dyn ByteSource, offset: u64, len: usize) -> Result<Cursor<'a>> {
        let avail = src.len().saturating_sub(offset).min(len as u64) as usize;
        let buf = src.read_at(offset, avail)?;
        Ok(Cursor::new(src, offset, buf))
    }

    /// File offset of the next byte.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Bytes left in the buffer.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether the buffer ends where the file ends.
    pub(crate) fn at_eof(&self) -> bool {
        self.at_eof
    }

    /// An error at the current offset.
    pub(crate) fn error(&self, kind: ErrorKind) -> Error {
        self.src.error(self.offset(), kind)
    }

    /// A [`ErrorKind::Malformed`] error at `offset`.
    pub(crate) fn malformed_at(&self, offset: u64, what: impl Into<String>) -> Error {
        self.src.error(offset, ErrorKind::Malformed(what.into()))
    }

    fn need(&self, n: usize) -> Result<()> {
        if self.remaining() < n {
            // Count what the file holds, not what was buffered, so the message is true.
            let available = self.src.len().saturating_sub(self.offset());
            return Err(self.error(ErrorKind::Truncated { expected: n as u64, available }));
        }
        Ok(())
    }

    /// Moves to file offset `offset` within the buffer.
    pub(crate) fn seek(&mut self, offset: u64) -> Result<()> {
        match offset.checked_sub(self.base).and_then(|p| usize::try_from(p).ok()).filter(|p| *p <= self.buf.len()) {
            Some(p) => {
                self.pos = p;
                Ok(())
            }
            None => Err(self.src.error(offset, ErrorKind::Truncated { expected: 1, available: self.src.len().saturating_sub(offset) })),
        }
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        self.need(1)?;
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(b)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        self.need(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.buf[self.pos..self.pos + N]);
        self.pos += N;
        Ok(out)
    }

    pub(crate) fn u16(&mut self) -> Result<u16> {
        self.array().map(u16::from_be_bytes)
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        self.array().map(u32::from_be_bytes)
    }

    pub(crate) fn u32_le(&mut self) -> Result<u32> {
        self.array().map(u32::from_le_bytes)
    }

    pub(crate) fn i64(&mut self) -> Result<i64> {
        self.array().map(i64::from_be_bytes)
    }

    pub(crate) fn u64(&mut self) -> Result<u64> {
        self.array().map(u64::from_be_bytes)
    }

    /// `n` bytes, as a zero-copy slice.
    pub(crate) fn bytes(&mut self, n: usize) -> Result<Bytes> {
        self.need(n)?;
        let out = self.buf.slice(self.pos..self.pos + n);
        self.pos += n;
        Ok(out)
    }

    /// A `short`-length-prefixed byte string (`ByteBufferUtil.readWithShortLength`).
    pub(crate) fn short_bytes(&mut self) -> Result<Bytes> {
        let n = self.u16()? as usize;
        self.bytes(n)
    }

    /// An `int`-length-prefixed byte string (`ByteBufferUtil.readWithLength`).
    pub(crate) fn int_bytes(&mut self) -> Result<Bytes> {
        let at = self.offset();
        let n = self.u32()?;
        if n > i32::MAX as u32 {
            return Err(self.malformed_at(at, format!("negative length {}", n as i32)));
        }
        self.bytes(n as usize)
    }

    /// An unsigned vint.
    pub(crate) fn uvint(&mut self) -> Result<u64> {
        let first = self.u8()?;
        let extra = first.leading_ones() as usize;
        if extra == 0 {
            return Ok(first as u64);
        }
        self.need(extra)?;
        // With 8 extra bytes the first byte carries no value bits (0xff >> 8 == 0).
        let mut value = if extra >= 8 { 0 } else { (first & (0xff >> extra)) as u64 };
        for &b in &self.buf[self.pos..self.pos + extra] {
            value = (value << 8) | b as u64;
        }
        self.pos += extra;
        Ok(value)
    }

    /// An unsigned vint that must fit an `int` (`readUnsignedVInt32`).
    pub(crate) fn uvint32(&mut self) -> Result<u32> {
        let at = self.offset();
        let v = self.uvint()?;
        u32::try_from(v).map_err(|_| self.malformed_at(at, format!("vint {v} does not fit 32 bits")))
    }

    /// A signed (zigzag) vint.
    pub(crate) fn vint(&mut self) -> Result<i64> {
        let n = self.uvint()?;
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    /// A big-endian, sign-extended integer of `n` (1..=8) bytes (`SizedInts.read`).
    pub(crate) fn sized_int(&mut self, n: usize) -> Result<i64> {
        if !(1..=8).contains(&n) {
            return Err(self.malformed_at(self.offset(), format!("integer of {n} bytes")));
        }
        self.need(n)?;
        let mut v: i64 = if self.buf[self.pos] & 0x80 != 0 { -1 } else { 0 };
        for &b in &self.buf[self.pos..self.pos + n] {
            v = (v << 8) | b as i64;
        }
        self.pos += n;
        Ok(v)
    }
}

/// Streams a component front to back through a bounded buffer, handing out [`Cursor`]s
/// that hold at least the bytes asked for.
pub(crate) struct Window<'a> {
    src: &'a dyn ByteSource,
    chunk: usize,
    start: u64,
    buf: Bytes,
}

impl<'a> Window<'a> {
    pub(crate) fn new(src: &'a dyn ByteSource, chunk: usize) -> Window<'a> {
        Window { src, chunk, start: 0, buf: Bytes::new() }
    }

    /// A cursor at `offset` holding at least `min` bytes (or up to the end of the file).
    pub(crate) fn at(&mut self, offset: u64, min: usize) -> Result<Cursor<'a>> {
        let end = self.start + self.buf.len() as u64;
        let file_end = self.src.len();
        if offset >= file_end {
            return Ok(Cursor::new(self.src, offset, Bytes::new()));
        }
        let have_enough = offset >= self.start && (offset.saturating_add(min as u64) <= end || end == file_end) && offset <= end;
        if !have_enough {
            let want = min.max(self.chunk) as u64;
            let len = file_end.saturating_sub(offset).min(want) as usize;
            self.buf = self.src.read_at(offset, len)?;
            self.start = offset;
        }
        let from = (offset - self.start) as usize;
        Ok(Cursor::new(self.src, offset, self.buf.slice(from..)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::BytesSource;
    use crate::Component;

    #[test]
    fn vints_decode_like_cassandra() {
        // 0x7f, 0x80 0x80 (=128), 0xc0 0x40 0x00 (=16384), 0xff + 8 bytes, zigzag -1 and 1.
        let bytes = vec![0x7f, 0x80, 0x80, 0xc0, 0x40, 0x00, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 0x01, 0x02];
        let src = BytesSource::new(bytes.clone(), "x", Component::PrimaryIndex);
        let mut c = Cursor::new(&src, 0, Bytes::from(bytes));
        assert_eq!(c.uvint().unwrap(), 0x7f);
        assert_eq!(c.uvint().unwrap(), 128);
        assert_eq!(c.uvint().unwrap(), 16384);
        assert_eq!(c.uvint().unwrap(), 0x0102_0304_0506_0708);
        assert_eq!(c.vint().unwrap(), -1);
        assert_eq!(c.vint().unwrap(), 1);
        let err = c.u8().unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Truncated { expected: 1, available: 0 }));
        assert_eq!(err.offset, 17);
    }

    #[test]
    fn sized_ints_sign_extend() {
        let bytes = vec![0xff, 0x00, 0xe9, 0x01, 0x00];
        let src = BytesSource::new(bytes.clone(), "x", Component::Partitions);
        let mut c = Cursor::new(&src, 0, Bytes::from(bytes));
        assert_eq!(c.sized_int(1).unwrap(), -1);
        assert_eq!(c.sized_int(2).unwrap(), 0xe9);
        assert_eq!(c.sized_int(2).unwrap(), 0x0100);
        assert!(c.sized_int(9).is_err());
    }

    #[test]
    fn window_refills_and_reports_true_truncation() {
        let data: Vec<u8> = (0..100u8).collect();
        let src = BytesSource::new(data, "x", Component::PrimaryIndex);
        let mut w = Window::new(&src, 16);
        let mut c = w.at(90, 4).unwrap();
        assert_eq!(c.u32().unwrap(), u32::from_be_bytes([90, 91, 92, 93]));
        let mut c = w.at(10, 40).unwrap();
        assert_eq!(c.bytes(40).unwrap()[39], 49);
        let mut c = w.at(98, 4).unwrap();
        let err = c.u32().unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Truncated { expected: 4, available: 2 }), "{err}");
        assert_eq!(err.offset, 98);
    }
}
