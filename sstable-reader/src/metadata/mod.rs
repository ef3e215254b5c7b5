//! The metadata components of an SSTable: `TOC.txt`, `Statistics.db` (validation, compaction,
//! stats, serialization header) and `CompressionInfo.db`. Each is small and read whole.

pub mod compression_info;
pub(crate) mod cursor;
pub mod serialization_header;
pub mod statistics;
pub mod stats;
pub mod toc;

pub use compression_info::CompressionInfo;
pub use serialization_header::{ColumnSpec, EncodingStats, SerializationHeader};
pub use statistics::{CompactionMetadata, Statistics, ValidationMetadata};
pub use stats::StatsMetadata;
pub use toc::Toc;
