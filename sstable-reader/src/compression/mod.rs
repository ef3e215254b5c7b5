//! Data.db chunks: the codecs Cassandra compresses them with, and [`ChunkedInput`], the
//! [`crate::DataInput`] that reads a chunked Data.db checking every chunk's CRC32 before
//! decompressing it.
//!
//! Codec facts: `org.apache.cassandra.io.compress.{LZ4,Snappy,Deflate,Zstd,Noop}Compressor`
//! (<https://github.com/apache/cassandra/tree/cassandra-5.0/src/java/org/apache/cassandra/io/compress>).

mod chunked_input;
mod codecs;

pub use chunked_input::{ChunkLayout, ChunkedInput, CrcChunks};
pub use codecs::{codec_for, Codec, DeflateCodec, Lz4Codec, NoopCodec, SnappyCodec, ZstdCodec};
