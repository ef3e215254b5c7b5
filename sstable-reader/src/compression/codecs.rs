//! The chunk codecs, one per Cassandra compressor class.
//!
//! * `LZ4Compressor`: a 4-byte little-endian uncompressed length, then an LZ4 block.
//! * `SnappyCompressor`: a raw Snappy block (no framing).
//! * `DeflateCompressor`: a zlib stream (`java.util.zip.Deflater` with its default header).
//! * `ZstdCompressor`: a Zstandard frame.
//! * `NoopCompressor`: the bytes as they are.

use crate::{ErrorKind, Result};

/// Decompresses one chunk.
pub trait Codec: Send + Sync {
    /// The Cassandra class short name, e.g. `LZ4Compressor`.
    fn name(&self) -> &'static str;

    /// Decompresses `input` into `out` (cleared first, capacity reused), which must come to
    /// exactly `expected_len` bytes.
    ///
    /// # Errors
    /// [`ErrorKind::Decompress`] when the bytes are not valid for the codec or do not come
    /// to `expected_len` bytes. The caller adds the location.
    fn decompress(&self, input: &[u8], expected_len: usize, out: &mut Vec<u8>) -> Result<(), ErrorKind>;
}

/// The codec for a CompressionInfo compressor class name (short or fully qualified).
///
/// # Errors
/// [`ErrorKind::UnsupportedCompressor`] for any other class.
pub fn codec_for(class_name: &str) -> Result<Box<dyn Codec>, ErrorKind> {
    let short = class_name.rsplit('.').next().unwrap_or(class_name);
    Ok(match short {
        "LZ4Compressor" => Box::new(Lz4Codec),
        "SnappyCompressor" => Box::new(SnappyCodec),
        "DeflateCompressor" => Box::new(DeflateCodec),
        "ZstdCompressor" => Box::new(ZstdCodec),
        "NoopCompressor" => Box::new(NoopCodec),
        _ => return Err(ErrorKind::UnsupportedCompressor(class_name.to_string())),
    })
}

fn wrong_length(codec: &str, got: usize, expected: usize) -> ErrorKind {
    ErrorKind::Decompress(format!("{codec} chunk decompressed to {got} bytes, expected {expected}"))
}

/// Prepares `out` as a zeroed buffer of `len` bytes, reusing its allocation.
fn sized(out: &mut Vec<u8>, len: usize) -> &mut [u8] {
    out.clear();
    out.resize(len, 0);
    out.as_mut_slice()
}

/// Cassandra's `LZ4Compressor`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lz4Codec;

impl Codec for Lz4Codec {
    fn name(&self) -> &'static str {
        "LZ4Compressor"
    }

    fn decompress(&self, input: &[u8], expected_len: usize, out: &mut Vec<u8>) -> Result<(), ErrorKind> {
        let Some((len, block)) = input.split_first_chunk::<4>() else {
            return Err(ErrorKind::Decompress(format!("LZ4 chunk of {} bytes has no length prefix", input.len())));
        };
        let stated = u32::from_le_bytes(*len) as usize;
        if stated != expected_len {
            return Err(wrong_length("LZ4", stated, expected_len));
        }
        let buf = sized(out, expected_len);
        let n = lz4_flex::block::decompress_into(block, buf).map_err(|e| ErrorKind::Decompress(format!("LZ4: {e}")))?;
        if n != expected_len {
            return Err(wrong_length("LZ4", n, expected_len));
        }
        Ok(())
    }
}

/// Cassandra's `SnappyCompressor`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SnappyCodec;

impl Codec for SnappyCodec {
    fn name(&self) -> &'static str {
        "SnappyCompressor"
    }

    fn decompress(&self, input: &[u8], expected_len: usize, out: &mut Vec<u8>) -> Result<(), ErrorKind> {
        let stated = snap::raw::decompress_len(input).map_err(|e| ErrorKind::Decompress(format!("Snappy: {e}")))?;
        if stated != expected_len {
            return Err(wrong_length("Snappy", stated, expected_len));
        }
        let buf = sized(out, expected_len);
        let n = snap::raw::Decoder::new().decompress(input, buf).map_err(|e| ErrorKind::Decompress(format!("Snappy: {e}")))?;
        if n != expected_len {
            return Err(wrong_length("Snappy", n, expected_len));
        }
        Ok(())
    }
}

/// Cassandra's `DeflateCompressor` (zlib format).
#[derive(Debug, Clone, Copy, Default)]
pub struct DeflateCodec;

impl Codec for DeflateCodec {
    fn name(&self) -> &'static str {
        "DeflateCompressor"
    }

    fn decompress(&self, input: &[u8], expected_len: usize, out: &mut Vec<u8>) -> Result<(), ErrorKind> {
        let buf = sized(out, expected_len);
        let mut inflater = flate2::Decompress::new(true);
        let status = inflater
            .decompress(input, buf, flate2::FlushDecompress::Finish)
            .map_err(|e| ErrorKind::Decompress(format!("Deflate: {e}")))?;
        let n = inflater.total_out() as usize;
        if status != flate2::Status::StreamEnd || n != expected_len {
            // Either the stream is longer than the chunk should be, or it ended short.
            let more = if status == flate2::Status::StreamEnd { n } else { n + 1 };
            return Err(wrong_length("Deflate", more, expected_len));
        }
        Ok(())
    }
}

/// Cassandra's `ZstdCompressor`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ZstdCodec;

impl Codec for ZstdCodec {
    fn name(&self) -> &'static str {
        "ZstdCompressor"
    }

    fn decompress(&self, input: &[u8], expected_len: usize, out: &mut Vec<u8>) -> Result<(), ErrorKind> {
        out.clear();
        // One more byte of room than expected, so an over-long frame is reported as such
        // rather than as a generic "destination too small".
        out.reserve(expected_len + 1);
        let n = zstd::bulk::decompress_to_buffer(input, out).map_err(|e| ErrorKind::Decompress(format!("Zstd: {e}")))?;
        if n != expected_len {
            return Err(wrong_length("Zstd", n, expected_len));
        }
        Ok(())
    }
}

/// Cassandra's `NoopCompressor`: chunks are stored as they are.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopCodec;

impl Codec for NoopCodec {
    fn name(&self) -> &'static str {
        "NoopCompressor"
    }

    fn decompress(&self, input: &[u8], expected_len: usize, out: &mut Vec<u8>) -> Result<(), ErrorKind> {
        if input.len() != expected_len {
            return Err(wrong_length("Noop", input.len(), expected_len));
        }
        out.clear();
        out.extend_from_slice(input);
        Ok(())
    }
}
