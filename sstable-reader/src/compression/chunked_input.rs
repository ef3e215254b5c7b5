//! [`ChunkedInput`]: the uncompressed Data.db stream, read one chunk at a time.
//!
//! Three layouts, all checked:
//! * compressed (CompressionInfo.db present): chunk `i` is stored at `chunk_offsets[i]`, its
//!   compressed bytes followed by a big-endian CRC32 *of the stored (compressed) bytes*
//!   (`CompressedSequentialWriter.flushData`, `CompressedChunkReader`). From `na`, a chunk
//!   whose compressed form would be `>= maxCompressedLength` is stored uncompressed, CRC'd
//!   the same way. The CRC is checked before the codec sees the bytes.
//! * uncompressed with `CRC.db` (`ChecksumWriter`): an int chunk size, then one big-endian
//!   CRC32 per chunk of Data.db.
//! * uncompressed without checksums (a bare Data.db): read as is.
//!
//! Memory: the current chunk (or a spill buffer when a value straddles chunks), one
//! reusable decompression buffer, and the stored chunk while it is checked.

use std::sync::Arc;

use bytes::Bytes;

use crate::compression::Codec;
use crate::io::ByteSource;
use crate::metadata::CompressionInfo;
use crate::{DataInput, Error, ErrorKind, Result};

/// Chunk size used to read a Data.db that has neither compression nor CRC.db.
const PLAIN_CHUNK: u32 = 64 << 10;

/// The per-chunk CRC32s of an uncompressed Data.db, from its `CRC.db`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrcChunks {
    /// Bytes of Data.db covered by each CRC (the last chunk may be shorter).
    pub chunk_length: u32,
    /// One CRC32 per chunk.
    pub crcs: Vec<u32>,
}

impl CrcChunks {
    /// Reads a CRC.db.
    ///
    /// # Errors
    /// Truncated or malformed files (a zero chunk size, a trailing partial CRC).
    pub fn read(src: &dyn ByteSource) -> Result<CrcChunks> {
        let bytes = src.read_all()?;
        if bytes.len() < 4 {
            return Err(src.error(0, ErrorKind::Truncated { expected: 4, available: bytes.len() as u64 }));
        }
        let chunk_length = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        if chunk_length == 0 || chunk_length > crate::metadata::compression_info::MAX_CHUNK_LENGTH {
            return Err(src.error(0, ErrorKind::Malformed(format!("CRC chunk size {chunk_length}"))));
        }
        let body = &bytes[4..];
        if body.len() % 4 != 0 {
            let at = 4 + (body.len() / 4 * 4) as u64;
            return Err(src.error(at, ErrorKind::Truncated { expected: 4, available: (body.len() % 4) as u64 }));
        }
        let crcs = body.chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect();
        Ok(CrcChunks { chunk_length, crcs })
    }
}

/// How the stored Data.db maps to the uncompressed stream.
pub enum ChunkLayout {
    /// Compressed chunks described by CompressionInfo.db, decoded by `codec`.
    Compressed {
        /// The decoded CompressionInfo.db.
        info: Arc<CompressionInfo>,
        /// The codec named by `info.compressor`.
        codec: Box<dyn Codec>,
    },
    /// Uncompressed, with CRC.db checksums.
    Checksummed(CrcChunks),
    /// Uncompressed, without checksums.
    Plain,
}

impl std::fmt::Debug for ChunkLayout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChunkLayout::Compressed { info, codec } => {
                write!(f, "Compressed({}, {} chunks of {})", codec.name(), info.chunk_count(), info.chunk_length)
            }
            ChunkLayout::Checksummed(c) => write!(f, "Checksummed({} chunks of {})", c.crcs.len(), c.chunk_length),
            ChunkLayout::Plain => f.write_str("Plain"),
        }
    }
}

/// A [`DataInput`] over a chunked Data.db read through a [`ByteSource`].
pub struct ChunkedInput<S: ByteSource> {
    source: S,
    layout: ChunkLayout,
    chunk_length: u64,
    len: u64,
    /// Contiguous uncompressed bytes starting at `view_start`; it always ends on a chunk
    /// boundary or at the end of the stream, unless empty.
    view: Bytes,
    view_start: u64,
    off: usize,
    /// Reused decompression buffer.
    scratch: Vec<u8>,
}

impl<S: ByteSource> std::fmt::Debug for ChunkedInput<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkedInput").field("file", &self.source.path()).field("layout", &self.layout).field("position", &self.position()).finish()
    }
}

impl<S: ByteSource> ChunkedInput<S> {
    /// Reads `source` (the stored Data.db) as laid out by `layout`.
    ///
    /// # Errors
    /// [`ErrorKind::Truncated`] when Data.db is shorter than the chunks CompressionInfo
    /// lists; [`ErrorKind::Malformed`] when CRC.db has the wrong number of CRCs.
    pub fn new(source: S, layout: ChunkLayout) -> Result<ChunkedInput<S>> {
        let (chunk_length, len) = match &layout {
            ChunkLayout::Compressed { info, .. } => {
                info.check_data_length(&source)?;
                (u64::from(info.chunk_length), info.data_length)
            }
            ChunkLayout::Checksummed(c) => {
                let expected = source.len().div_ceil(u64::from(c.chunk_length));
                if c.crcs.len() as u64 != expected {
                    return Err(source.error(
                        0,
                        ErrorKind::Malformed(format!(
                            "CRC.db has {} CRCs but Data.db of {} bytes needs {expected} chunks of {}",
                            c.crcs.len(),
                            source.len(),
                            c.chunk_length
                        )),
                    ));
                }
                (u64::from(c.chunk_length), source.len())
            }
            ChunkLayout::Plain => (u64::from(PLAIN_CHUNK), source.len()),
        };
        Ok(ChunkedInput { source, layout, chunk_length, len, view: Bytes::new(), view_start: 0, off: 0, scratch: Vec::new() })
    }

    /// Number of stored chunks (for compressed files, including a trailing empty one).
    pub fn chunk_count(&self) -> usize {
        match &self.layout {
            ChunkLayout::Compressed { info, .. } => info.chunk_count(),
            _ => self.len.div_ceil(self.chunk_length) as usize,
        }
    }

    /// The stored Data.db.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// The layout being read.
    pub fn layout(&self) -> &ChunkLayout {
        &self.layout
    }

    /// Reads, checks and decompresses every chunk, calling `on_error` for each bad one
    /// (and carrying on), and returns the number of uncompressed bytes of good chunks.
    /// The stream position is left at the start.
    pub fn check_all_chunks(&mut self, mut on_error: impl FnMut(Error)) -> u64 {
        let mut good = 0;
        for i in 0..self.chunk_count() {
            match self.load_chunk(i) {
                Ok(chunk) => {
                    good += chunk.len() as u64;
                    self.recycle(chunk);
                }
                Err(e) => on_error(e),
            }
        }
        self.view = Bytes::new();
        self.view_start = 0;
        self.off = 0;
        good
    }

    /// Reads, checks and decodes chunk `i`.
    fn load_chunk(&mut self, i: usize) -> Result<Bytes> {
        let start = i as u64 * self.chunk_length;
        let expected = self.len.saturating_sub(start).min(self.chunk_length) as usize;
        match &self.layout {
            ChunkLayout::Compressed { info, codec } => {
                let (disk_start, disk_end) = info
                    .chunk_span(i, self.source.len())
                    .ok_or_else(|| self.source.error(0, ErrorKind::Malformed(format!("no chunk {i} in CompressionInfo"))))?;
                let disk_len = usize::try_from(disk_end.saturating_sub(disk_start)).unwrap_or(usize::MAX);
                if disk_len < 4 {
                    return Err(self.source.error(disk_start, ErrorKind::Truncated { expected: 4, available: disk_len as u64 }));
                }
                // No codec expands a chunk by half (LZ4 adds n/255 + 16, Snappy n/6 + 32,
                // Deflate and Zstd less): a longer span means corrupt offsets, which must not
                // make us read (and allocate) the rest of a multi-GB file as one chunk.
                let max_stored = 2 * self.chunk_length + 1024;
                if disk_len as u64 > max_stored {
                    return Err(self.source.error(
                        disk_start,
                        ErrorKind::Malformed(format!("chunk {i} spans {disk_len} stored bytes, more than a {}-byte chunk can take", self.chunk_length)),
                    ));
                }
                let stored = self.source.read_at(disk_start, disk_len)?;
                let body_len = disk_len - 4;
                let crc = u32::from_be_bytes([stored[body_len], stored[body_len + 1], stored[body_len + 2], stored[body_len + 3]]);
                let got = crc32fast::hash(&stored[..body_len]);
                if got != crc {
                    return Err(self.source.error(disk_start, ErrorKind::ChecksumMismatch { expected: crc, got }));
                }
                if body_len as u64 >= u64::from(info.max_compressed_length) {
                    // Stored uncompressed (na+): it did not compress enough.
                    if body_len != expected {
                        return Err(self.source.error(
                            disk_start,
                            ErrorKind::Malformed(format!("uncompressed chunk {i} has {body_len} bytes, expected {expected}")),
                        ));
                    }
                    return Ok(stored.slice(..body_len));
                }
                let mut out = std::mem::take(&mut self.scratch);
                if let Err(kind) = codec.decompress(&stored[..body_len], expected, &mut out) {
                    self.scratch = out;
                    return Err(self.source.error(disk_start, kind));
                }
                Ok(Bytes::from(out))
            }
            ChunkLayout::Checksummed(c) => {
                let stored = self.source.read_at(start, expected)?;
                let crc = *c.crcs.get(i).ok_or_else(|| self.source.error(start, ErrorKind::Malformed(format!("CRC.db has no CRC for chunk {i}"))))?;
                let got = crc32fast::hash(&stored);
                if got != crc {
                    return Err(self.source.error(start, ErrorKind::ChecksumMismatch { expected: crc, got }));
                }
                Ok(stored)
            }
            ChunkLayout::Plain => self.source.read_at(start, expected),
        }
    }

    /// Takes back a chunk's allocation for the next decompression when nothing else holds it.
    fn recycle(&mut self, chunk: Bytes) {
        if let Ok(m) = chunk.try_into_mut() {
            if m.capacity() >= self.scratch.capacity() {
                self.scratch = m.into();
            }
        }
    }

    /// Makes the chunk holding `pos` the view.
    fn load_view_at(&mut self, pos: u64) -> Result<()> {
        let i = (pos / self.chunk_length) as usize;
        let chunk = self.load_chunk(i)?;
        let old = std::mem::replace(&mut self.view, chunk);
        self.recycle(old);
        self.view_start = i as u64 * self.chunk_length;
        self.off = (pos - self.view_start) as usize;
        Ok(())
    }

    /// Makes at least `n` bytes from the current position contiguous in the view.
    fn fill(&mut self, n: usize) -> Result<()> {
        let pos = self.position();
        let left = self.len - pos;
        if n as u64 > left {
            return Err(self.error(ErrorKind::Truncated { expected: n as u64, available: left }));
        }
        if self.off == self.view.len() {
            self.load_view_at(pos)?;
            if self.view.len() - self.off >= n {
                return Ok(());
            }
        }
        // The value straddles chunks: join the rest of this chunk with the next ones.
        let mut spill = Vec::with_capacity(n + self.chunk_length as usize);
        spill.extend_from_slice(&self.view[self.off..]);
        let mut next = self.view_start + self.view.len() as u64;
        while spill.len() < n {
            let chunk = self.load_chunk((next / self.chunk_length) as usize)?;
            if chunk.is_empty() {
                return Err(self.error(ErrorKind::Malformed("empty chunk inside the stream".into())));
            }
            spill.extend_from_slice(&chunk);
            next += chunk.len() as u64;
            self.recycle(chunk);
        }
        self.view = Bytes::from(spill);
        self.view_start = pos;
        self.off = 0;
        Ok(())
    }
}

impl<S: ByteSource> DataInput for ChunkedInput<S> {
    fn position(&self) -> u64 {
        self.view_start + self.off as u64
    }

    fn len(&self) -> u64 {
        self.len
    }

    fn ensure(&mut self, n: usize) -> Result<&[u8]> {
        if self.view.len() - self.off < n {
            self.fill(n)?;
        }
        Ok(&self.view[self.off..])
    }

    fn advance(&mut self, n: usize) {
        self.off = (self.off + n).min(self.view.len());
    }

    fn read_bytes(&mut self, n: usize) -> Result<Bytes> {
        if self.view.len() - self.off < n {
            self.fill(n)?;
        }
        let out = self.view.slice(self.off..self.off + n);
        self.off += n;
        Ok(out)
    }

    fn seek(&mut self, position: u64) -> Result<()> {
        if position > self.len {
            return Err(self.error(ErrorKind::Truncated { expected: position, available: self.len }));
        }
        let view_end = self.view_start + self.view.len() as u64;
        if (self.view_start..=view_end).contains(&position) && !self.view.is_empty() {
            self.off = (position - self.view_start) as usize;
        } else {
            // Load lazily: the next ensure reads the chunk holding `position`.
            let old = std::mem::take(&mut self.view);
            self.recycle(old);
            self.view_start = position;
            self.off = 0;
        }
        Ok(())
    }

    fn error(&self, kind: ErrorKind) -> Error {
        Error::in_data(self.source.path(), self.position(), kind)
    }
}
