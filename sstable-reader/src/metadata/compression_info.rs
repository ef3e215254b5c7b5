//! `CompressionInfo.db`: the compressor, its options, the chunk length and where each
//! compressed chunk of Data.db starts.
//!
//! Layout (`CompressionMetadata` in Cassandra,
//! <https://github.com/apache/cassandra/blob/cassandra-5.0/src/java/org/apache/cassandra/io/compress/CompressionMetadata.java>):
//!
//! ```text
//! UTF compressor class; int option count; count × (UTF key, UTF value)
//! int chunkLength; [na+] int maxCompressedLength; long uncompressed data length
//! int chunk count; count × long offset of the chunk in Data.db
//! ```

use std::collections::BTreeMap;

use crate::descriptor::Version;
use crate::io::ByteSource;
use crate::metadata::cursor::Cursor;
use crate::{ErrorKind, Result};

/// The largest chunk length this reader accepts. Cassandra's default is 16 KiB (64 KiB
/// before 4.0); anything this large is a corrupt file, and accepting it would let one bad
/// int allocate gigabytes.
pub const MAX_CHUNK_LENGTH: u32 = 64 << 20;

/// The decoded CompressionInfo.db.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompressionInfo {
    /// The compressor class, as stored (`LZ4Compressor` or a fully qualified name).
    pub compressor: String,
    /// Compressor options (e.g. `compression_level`).
    pub options: BTreeMap<String, String>,
    /// Uncompressed bytes per chunk (the last chunk may be shorter).
    pub chunk_length: u32,
    /// Chunks whose compressed length would reach this are stored uncompressed (`na`+);
    /// `i32::MAX` before.
    pub max_compressed_length: u32,
    /// Length of the uncompressed Data.db stream.
    pub data_length: u64,
    /// Offset of each chunk in the stored Data.db. Chunk `i` holds uncompressed bytes
    /// `i*chunk_length ..`; it runs to the next offset (or the end of the file), its last
    /// four bytes being its CRC32. There may be one more chunk than the data needs, empty.
    pub chunk_offsets: Vec<u64>,
}

impl CompressionInfo {
    /// Reads and decodes a CompressionInfo.db written by `version`.
    ///
    /// # Errors
    /// [`ErrorKind::Truncated`]/[`ErrorKind::Malformed`] at the offending byte: a chunk
    /// length that is zero or over [`MAX_CHUNK_LENGTH`], a chunk count that does not match
    /// the data length, offsets that go backwards.
    pub fn read(src: &dyn ByteSource, version: Version) -> Result<CompressionInfo> {
        let bytes = src.read_all()?;
        let mut c = Cursor::new(&bytes, 0, src.path(), src.component());
        let compressor = c.utf()?;
        let n = c.count(4, "compressor option")?;
        let mut options = BTreeMap::new();
        for _ in 0..n {
            let k = c.utf()?;
            let v = c.utf()?;
            options.insert(k, v);
        }
        let at = c.offset();
        let chunk_length = c.i32()?;
        let chunk_length = u32::try_from(chunk_length)
            .ok()
            .filter(|&l| l > 0 && l <= MAX_CHUNK_LENGTH)
            .ok_or_else(|| c.malformed_at(at, format!("chunk length {chunk_length} outside 1..={MAX_CHUNK_LENGTH}")))?;
        let max_compressed_length = if version.has_max_compressed_length() {
            let at = c.offset();
            let m = c.i32()?;
            u32::try_from(m).ok().filter(|&m| m > 0).ok_or_else(|| c.malformed_at(at, format!("max compressed length {m}")))?
        } else {
            i32::MAX as u32
        };
        let at = c.offset();
        let data_length = c.i64()?;
        let data_length = u64::try_from(data_length).map_err(|_| c.malformed_at(at, format!("negative data length {data_length}")))?;
        let at = c.offset();
        let count = c.count(8, "chunk offset")?;
        let expected = data_length.div_ceil(u64::from(chunk_length));
        // Cassandra 5.0 can end the file with one extra chunk that holds no data (an empty
        // compressed block written by the final flush); readers never ask for it.
        if count as u64 != expected && count as u64 != expected + 1 {
            return Err(c.malformed_at(at, format!("{count} chunks for {data_length} bytes in chunks of {chunk_length} (expected {expected})")));
        }
        let mut chunk_offsets = Vec::with_capacity(count);
        for _ in 0..count {
            let at = c.offset();
            let o = c.i64()?;
            let o = u64::try_from(o).ok().filter(|&o| chunk_offsets.last().is_none_or(|&prev| o >= prev + 4));
            chunk_offsets.push(o.ok_or_else(|| c.malformed_at(at, "chunk offset negative or not after the previous chunk and its CRC"))?);
        }
        c.finish("chunk offsets")?;
        Ok(CompressionInfo { compressor, options, chunk_length, max_compressed_length, data_length, chunk_offsets })
    }

    /// Number of chunks.
    pub fn chunk_count(&self) -> usize {
        self.chunk_offsets.len()
    }

    /// The compressor's short name (`LZ4Compressor` for `org.apache.cassandra.io.compress.LZ4Compressor`).
    pub fn compressor_short_name(&self) -> &str {
        self.compressor.rsplit('.').next().unwrap_or(&self.compressor)
    }

    /// The stored byte range of chunk `i` (compressed bytes followed by the 4-byte CRC),
    /// given the stored Data.db length.
    pub fn chunk_span(&self, i: usize, data_file_len: u64) -> Option<(u64, u64)> {
        let start = *self.chunk_offsets.get(i)?;
        let end = self.chunk_offsets.get(i + 1).copied().unwrap_or(data_file_len);
        Some((start, end))
    }

    /// Uncompressed length of chunk `i`.
    pub fn chunk_uncompressed_len(&self, i: usize) -> u64 {
        let start = i as u64 * u64::from(self.chunk_length);
        self.data_length.saturating_sub(start).min(u64::from(self.chunk_length))
    }

    /// Checks that every chunk lies within a Data.db of `data_file_len` stored bytes.
    ///
    /// # Errors
    /// [`ErrorKind::Truncated`] located in `data` at the first chunk that goes past the end.
    pub fn check_data_length(&self, data: &dyn ByteSource) -> Result<()> {
        let len = data.len();
        if let Some(&last) = self.chunk_offsets.last() {
            if last.saturating_add(4) > len {
                let first_bad = self.chunk_offsets.iter().position(|&o| o.saturating_add(4) > len).unwrap_or(0);
                let at = self.chunk_offsets[first_bad];
                return Err(data.error(at, ErrorKind::Truncated { expected: at.saturating_add(4), available: len }));
            }
        } else if len != 0 {
            return Err(data.error(0, ErrorKind::Malformed(format!("CompressionInfo lists no chunks but Data.db has {len} bytes"))));
        }
        Ok(())
    }
}
