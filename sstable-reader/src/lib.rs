//! Reads Apache Cassandra SSTables (formats `ma`..`me`, `na`, `nb`, `oa` "big" and `da` BTI)
//! directly from their component files, without a running node.
//!
//! ```text
//!  TOC.txt ──> which components exist
//!  Statistics.db ──> partitioner, timestamps, serialization header (column names + types)
//!  CompressionInfo.db ─┐
//!  Data.db ────────────┴─> chunk reader (CRC checked) ──> partitions ──> rows ──> cells
//!  Index.db + Summary.db (big) / Partitions.db + Rows.db (BTI) ──> seek by token or key
//! ```
//!
//! The library is synchronous and never opens files itself: every component is read through
//! [`io::ByteSource`] (read at an offset), so a local file and an S3 object look the same.
//! Errors name the file, the component and the byte offset ([`Error`]).
//!
//! Format facts come from Cassandra's serializers (`org.apache.cassandra.db.rows`,
//! `io.sstable.format.big`, `io.sstable.format.bti`), <https://github.com/apache/cassandra>.
#![warn(missing_docs)]

pub mod component;
pub mod compression;
pub mod data;
pub mod data_input;
pub mod descriptor;
pub mod digest;
pub mod error;
pub mod export;
pub mod index;
pub mod io;
pub mod metadata;
pub mod partitioner;
pub mod schema;
pub mod sstable;

#[cfg(test)]
mod test_fixtures;
pub mod types;

pub use component::Component;
pub use data_input::{DataInput, SliceInput};
pub use descriptor::{Descriptor, Format, Version};
pub use error::{Error, ErrorKind, Result};
pub use index::{IndexEntry, KeyBound, PartitionIndex};
pub use partitioner::{DecoratedKey, Partitioner, Token, TokenRange};
pub use sstable::{find_sstables, list_sstables, LocalOpener, Opener, SSTable};
