//! A bounds-checked big-endian reader over one metadata component held in memory, in the
//! encodings of Cassandra's `DataOutputPlus`: fixed-width big-endian integers, `writeUTF`
//! strings (u16 length + modified UTF-8) and unsigned vints (`VIntCoding`: the count of
//! leading 1-bits of the first byte is the number of extra bytes, big-endian).
//!
//! Every read failure becomes an [`Error`] naming the file, component and absolute offset.

use std::path::Path;

use crate::{Component, Error, ErrorKind, Result};

/// Reads `bytes`, which start at `base` in `file`.
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: u64,
    file: &'a Path,
    component: Component,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8], base: u64, file: &'a Path, component: Component) -> Cursor<'a> {
        Cursor { bytes, pos: 0, base, file, component }
    }

    /// Absolute offset of the next byte in the file.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// An error at the current offset.
    pub(crate) fn error(&self, kind: ErrorKind) -> Error {
        Error::new(self.file, self.component, self.offset(), kind)
    }

    pub(crate) fn malformed(&self, what: impl Into<String>) -> Error {
        self.error(ErrorKind::Malformed(what.into()))
    }

    pub(crate) fn malformed_at(&self, at: u64, what: impl Into<String>) -> Error {
        Error::malformed(self.file, self.component, at, what)
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(self.error(ErrorKind::Truncated { expected: n as u64, available: self.remaining() as u64 }));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn bool(&mut self) -> Result<bool> {
        Ok(self.u8()? != 0)
    }

    pub(crate) fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    pub(crate) fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_be_bytes(self.array()?))
    }

    /// A count stored as a Java int, which must be non-negative and, at `min_bytes` bytes per
    /// element, fit in what is left (so corrupt counts cannot trigger huge allocations).
    pub(crate) fn count(&mut self, min_bytes: usize, what: &str) -> Result<usize> {
        let at = self.offset();
        let n = self.i32()?;
        let n = usize::try_from(n).map_err(|_| Error::malformed(self.file, self.component, at, format!("negative {what} count {n}")))?;
        if n.saturating_mul(min_bytes) > self.remaining() {
            return Err(Error::malformed(self.file, self.component, at, format!("{what} count {n} exceeds the {} bytes left", self.remaining())));
        }
        Ok(n)
    }

    /// A `writeUTF` string: u16 length, then modified UTF-8 (plain UTF-8 for the ASCII class
    /// names and options stored here).
    pub(crate) fn utf(&mut self) -> Result<String> {
        let at = self.offset();
        let len = self.u16()? as usize;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Error::malformed(self.file, self.component, at, "string is not UTF-8"))
    }

    /// An unsigned vint (`VIntCoding.readUnsignedVInt`).
    pub(crate) fn uvint(&mut self) -> Result<u64> {
        let first = self.u8()?;
        let extra = first.leading_ones() as usize;
        if extra == 0 {
            return Ok(u64::from(first));
        }
        let rest = self.take(extra)?;
        // With 8 extra bytes the first byte carries no value bits.
        let mut value = if extra >= 8 { 0 } else { u64::from(first & (0xff >> extra)) };
        for &b in rest {
            value = (value << 8) | u64::from(b);
        }
        Ok(value)
    }

    /// An unsigned vint that must fit in a `usize` length bounded by the bytes left.
    pub(crate) fn uvint_len(&mut self, what: &str) -> Result<usize> {
        let at = self.offset();
        let n = self.uvint()?;
        match usize::try_from(n) {
            Ok(n) if n <= self.remaining() => Ok(n),
            _ => Err(Error::malformed(self.file, self.component, at, format!("{what} length {n} exceeds the {} bytes left", self.remaining()))),
        }
    }

    /// Bytes with an unsigned-vint length (`ByteBufferUtil.writeWithVIntLength`).
    pub(crate) fn vint_bytes(&mut self, what: &str) -> Result<&'a [u8]> {
        let n = self.uvint_len(what)?;
        self.take(n)
    }

    /// Bytes with a u16 length (`ByteBufferUtil.writeWithShortLength`).
    pub(crate) fn short_bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u16()? as usize;
        self.take(n)
    }

    /// A UTF-8 string with an unsigned-vint length.
    pub(crate) fn vint_string(&mut self, what: &str) -> Result<String> {
        let at = self.offset();
        let bytes = self.vint_bytes(what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Error::malformed(self.file, self.component, at, format!("{what} is not UTF-8")))
    }

    /// Fails unless every byte was consumed.
    pub(crate) fn finish(&self, what: &str) -> Result<()> {
        if self.remaining() != 0 {
            return Err(self.malformed(format!("{} unexpected bytes after the {what}", self.remaining())));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(bytes: &[u8]) -> Cursor<'_> {
        Cursor::new(bytes, 100, Path::new("f"), Component::Statistics)
    }

    #[test]
    fn reads_vints_as_cassandra_encodes_them() {
        // 0x7f: one byte; 0x80 0x80: 128 in two bytes; 0xc0 ...: three bytes;
        // 0xff + 8 bytes: the full 64-bit range.
        let bytes = [0x7f, 0x80, 0x80, 0xc1, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe];
        let mut c = cursor(&bytes);
        assert_eq!(c.uvint().unwrap(), 127);
        assert_eq!(c.uvint().unwrap(), 128);
        assert_eq!(c.uvint().unwrap(), 0x1_0000);
        assert_eq!(c.uvint().unwrap(), u64::MAX - 1);
        c.finish("test").unwrap();
    }

    #[test]
    fn truncation_and_bad_counts_name_the_offset() {
        let mut c = cursor(&[0, 0, 0, 9, 1]);
        let err = c.count(1, "entry").unwrap_err();
        assert_eq!(err.offset, 100);
        assert!(err.to_string().contains("entry count 9 exceeds the 1 bytes left"), "{err}");
        let mut c = cursor(&[0, 5, b'a']);
        let err = c.utf().unwrap_err();
        assert_eq!(err.offset, 102);
        assert!(matches!(err.kind, ErrorKind::Truncated { expected: 5, available: 1 }));
    }
}
