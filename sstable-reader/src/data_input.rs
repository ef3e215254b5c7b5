//! The uncompressed Data.db byte stream, as the partition decoder sees it.
//!
//! Data.db is stored in chunks (compressed or not). Decoders want contiguous bytes and cheap
//! zero-copy slices; [`DataInput`] gives both: `ensure(n)` guarantees `n` contiguous bytes
//! at the current position (joining across a chunk boundary into a small spill buffer only
//! when a value straddles it), and `read_bytes(n)` hands out a [`Bytes`] slice of the chunk.
//! Memory stays bounded by a chunk or two, whatever the file size.

use bytes::Bytes;

use crate::{Error, ErrorKind, Result};

/// A forward cursor over the uncompressed bytes of a Data.db, with seeking.
pub trait DataInput {
    /// Position of the next byte in the uncompressed stream.
    fn position(&self) -> u64;

    /// Total uncompressed length of the stream.
    fn len(&self) -> u64;

    /// Returns at least `n` contiguous bytes starting at [`DataInput::position`] (possibly
    /// more) without consuming them.
    ///
    /// # Errors
    /// [`ErrorKind::Truncated`] when fewer than `n` bytes remain; chunk read, checksum and
    /// decompression errors.
    fn ensure(&mut self, n: usize) -> Result<&[u8]>;

    /// Consumes `n` bytes. `n` must not exceed what the last `ensure` returned.
    fn advance(&mut self, n: usize);

    /// Consumes and returns `n` bytes: a zero-copy slice when they lie in one chunk.
    ///
    /// # Errors
    /// As [`DataInput::ensure`].
    fn read_bytes(&mut self, n: usize) -> Result<Bytes>;

    /// Moves to `position` in the uncompressed stream.
    ///
    /// # Errors
    /// When `position` is past the end, or the chunk holding it cannot be read.
    fn seek(&mut self, position: u64) -> Result<()>;

    /// An error located at the current position of this stream (file, Data.db, offset).
    fn error(&self, kind: ErrorKind) -> Error;

    /// Whether every byte has been consumed.
    fn is_eof(&self) -> bool {
        self.position() >= self.len()
    }

    /// Skips `n` bytes.
    ///
    /// # Errors
    /// When fewer than `n` bytes remain.
    fn skip(&mut self, n: u64) -> Result<()> {
        let target = self.position().checked_add(n).filter(|&t| t <= self.len());
        match target {
            Some(t) => self.seek(t),
            None => Err(self.error(ErrorKind::Truncated { expected: n, available: self.len() - self.position() })),
        }
    }
}

/// A [`DataInput`] over bytes already in memory: an uncompressed Data.db read whole, a
/// decompressed test buffer, fuzzer input.
#[derive(Debug, Clone)]
pub struct SliceInput {
    bytes: Bytes,
    pos: usize,
    file: std::path::PathBuf,
}

impl SliceInput {
    /// Wraps the uncompressed stream `bytes` of Data.db file `file`.
    pub fn new(bytes: impl Into<Bytes>, file: impl Into<std::path::PathBuf>) -> SliceInput {
        SliceInput { bytes: bytes.into(), pos: 0, file: file.into() }
    }

    fn truncated(&self, n: usize) -> Error {
        self.error(ErrorKind::Truncated { expected: n as u64, available: (self.bytes.len() - self.pos) as u64 })
    }
}

impl DataInput for SliceInput {
    fn position(&self) -> u64 {
        self.pos as u64
    }

    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn ensure(&mut self, n: usize) -> Result<&[u8]> {
        if self.bytes.len() - self.pos < n {
            return Err(self.truncated(n));
        }
        Ok(&self.bytes[self.pos..])
    }

    fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.bytes.len());
    }

    fn read_bytes(&mut self, n: usize) -> Result<Bytes> {
        if self.bytes.len() - self.pos < n {
            return Err(self.truncated(n));
        }
        let out = self.bytes.slice(self.pos..self.pos + n);
        self.pos += n;
        Ok(out)
    }

    fn seek(&mut self, position: u64) -> Result<()> {
        match usize::try_from(position) {
            Ok(p) if p <= self.bytes.len() => {
                self.pos = p;
                Ok(())
            }
            _ => Err(self.error(ErrorKind::Truncated { expected: position, available: self.bytes.len() as u64 })),
        }
    }

    fn error(&self, kind: ErrorKind) -> Error {
        Error::in_data(&self.file, self.pos as u64, kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_input_reads_seeks_and_reports_offsets() {
        let mut input = SliceInput::new(&b"abcdef"[..], "Data.db");
        assert_eq!(&input.ensure(2).unwrap()[..2], b"ab");
        input.advance(2);
        assert_eq!(&input.read_bytes(3).unwrap()[..], b"cde");
        assert_eq!(input.position(), 5);
        let err = input.ensure(2).unwrap_err();
        assert_eq!(err.offset, 5);
        assert!(matches!(err.kind, ErrorKind::Truncated { expected: 2, available: 1 }));
        input.seek(1).unwrap();
        input.skip(4).unwrap();
        assert!(!input.is_eof());
        assert!(input.skip(2).is_err());
        assert!(input.seek(7).is_err());
    }
}
