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
        // One more byte of room than expected, so that a frame one byte too long is told
        // apart from one that fits.
        let buf = sized(out, expected_len + 1);
        let n = zstd::bulk::decompress_to_buffer(input, buf).map_err(|e| ErrorKind::Decompress(format!("Zstd: {e}")))?;
        out.truncate(n);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn testdata(rel: &str) -> Vec<u8> {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata").join(rel);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn plain() -> Vec<u8> {
        testdata("cassandra-5.0.8/scalar_int-none/oa-1-big-Data.db")
    }

    #[test]
    fn deflate_decodes_zlib_output() {
        let mut out = vec![1, 2, 3];
        DeflateCodec.decompress(&testdata("codec-vectors/scalar_int-data.zlib"), 2522, &mut out).unwrap();
        assert_eq!(out, plain());
    }

    #[test]
    fn zstd_decodes_libzstd_output() {
        let mut out = Vec::new();
        ZstdCodec.decompress(&testdata("codec-vectors/scalar_int-data.zst"), 2522, &mut out).unwrap();
        assert_eq!(out, plain());
    }

    #[test]
    fn lz4_decodes_cassandras_empty_trailing_chunk() {
        let chunk = testdata("cassandra-5.0.8/wide-lz4-tail/last-chunk.bin");
        let (body, crc) = chunk.split_at(chunk.len() - 4);
        assert_eq!(crc32fast::hash(body).to_be_bytes(), crc);
        let mut out = vec![9];
        Lz4Codec.decompress(body, 0, &mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn wrong_lengths_and_garbage_are_errors_not_panics() {
        let zlib = testdata("codec-vectors/scalar_int-data.zlib");
        let zst = testdata("codec-vectors/scalar_int-data.zst");
        let mut out = Vec::new();
        for (codec, input) in [(&DeflateCodec as &dyn Codec, &zlib), (&ZstdCodec, &zst)] {
            for expected in [2521, 2523] {
                let err = codec.decompress(input, expected, &mut out).unwrap_err();
                assert!(matches!(err, ErrorKind::Decompress(_)), "{}: {err}", codec.name());
            }
            let err = codec.decompress(&input[..input.len() / 2], 2522, &mut out).unwrap_err();
            assert!(matches!(err, ErrorKind::Decompress(_)), "{}: {err}", codec.name());
        }
        let garbage = [0xffu8; 64];
        for codec in [&Lz4Codec as &dyn Codec, &SnappyCodec, &DeflateCodec, &ZstdCodec, &NoopCodec] {
            assert!(codec.decompress(&garbage, 100, &mut out).is_err(), "{}", codec.name());
            assert!(codec.decompress(&[], 100, &mut out).is_err(), "{}", codec.name());
        }
        let err = Lz4Codec.decompress(&[10, 0, 0, 0, 0x00], 10, &mut out).unwrap_err();
        assert!(err.to_string().contains("LZ4"), "{err}");
    }

    #[test]
    fn picks_codecs_by_class_name() {
        for (class, name) in [
            ("LZ4Compressor", "LZ4Compressor"),
            ("org.apache.cassandra.io.compress.SnappyCompressor", "SnappyCompressor"),
            ("org.apache.cassandra.io.compress.DeflateCompressor", "DeflateCompressor"),
            ("ZstdCompressor", "ZstdCompressor"),
            ("NoopCompressor", "NoopCompressor"),
        ] {
            assert_eq!(codec_for(class).unwrap().name(), name);
        }
        let err = codec_for("com.example.QatCompressor").err().unwrap();
        assert_eq!(err.to_string(), "unsupported compressor \"com.example.QatCompressor\"");
    }
}
