//! The reader's one error type: what went wrong, in which file and component, at which byte.

use std::path::{Path, PathBuf};

use crate::Component;

/// `Result` with the reader's [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error decoding an SSTable, located by file, component and byte offset.
///
/// The offset is into the component's *stored* bytes, except for Data.db content errors where
/// `uncompressed` says the offset is a position in the uncompressed stream.
#[derive(Debug, thiserror::Error)]
#[error("{}: {component} at {}byte {offset}: {kind}", file.display(), if *uncompressed { "uncompressed " } else { "" })]
pub struct Error {
    /// The file being read (full path or object key).
    pub file: PathBuf,
    /// Which SSTable component the file is.
    pub component: Component,
    /// Byte offset of the problem.
    pub offset: u64,
    /// Whether `offset` is in the uncompressed Data.db stream rather than the stored file.
    pub uncompressed: bool,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What went wrong, without the location.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The operating system or object store failed to read.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Fewer bytes than the structure needs.
    #[error("truncated: needed {expected} bytes, {available} available")]
    Truncated {
        /// Bytes needed.
        expected: u64,
        /// Bytes there.
        available: u64,
    },
    /// A stored checksum does not match the bytes.
    #[error("checksum mismatch: stored {expected:#010x}, computed {got:#010x}")]
    ChecksumMismatch {
        /// The checksum stored in the file.
        expected: u32,
        /// The checksum of the bytes read.
        got: u32,
    },
    /// An SSTable version this reader does not know.
    #[error("unsupported SSTable version {0:?}")]
    UnsupportedVersion(String),
    /// A component the TOC lists, or the reader needs, is not there.
    #[error("missing component {0}")]
    MissingComponent(Component),
    /// A partitioner the caller cannot use.
    #[error("unsupported partitioner {0:?}")]
    UnsupportedPartitioner(String),
    /// A compressor this reader does not know.
    #[error("unsupported compressor {0:?}")]
    UnsupportedCompressor(String),
    /// The codec failed on a chunk.
    #[error("decompression failed: {0}")]
    Decompress(String),
    /// Bytes that do not decode as the format says they should.
    #[error("malformed: {0}")]
    Malformed(String),
    /// A type name from the serialization header that the reader does not know.
    #[error("unsupported type {0:?}")]
    UnsupportedType(String),
    /// A negative local deletion or expiration time: a pre-5.0 32-bit overflow (TTLs expiring
    /// after 2038, CASSANDRA-14092) or corruption. Decoding with
    /// `InvalidDeletionTimes::Report` keeps such values instead.
    #[error("invalid (negative) local deletion time {0}")]
    InvalidDeletionTime(i64),
}

impl Error {
    /// An error at `offset` of the stored bytes of `file`.
    pub fn new(file: impl AsRef<Path>, component: Component, offset: u64, kind: ErrorKind) -> Error {
        Error { file: file.as_ref().to_path_buf(), component, offset, uncompressed: false, kind }
    }

    /// An error at `offset` of the uncompressed Data.db stream of `file`.
    pub fn in_data(file: impl AsRef<Path>, offset: u64, kind: ErrorKind) -> Error {
        Error { uncompressed: true, ..Error::new(file, Component::Data, offset, kind) }
    }

    /// Shorthand for a [`ErrorKind::Malformed`] error.
    pub fn malformed(file: impl AsRef<Path>, component: Component, offset: u64, what: impl Into<String>) -> Error {
        Error::new(file, component, offset, ErrorKind::Malformed(what.into()))
    }

    /// Shorthand for a [`ErrorKind::Truncated`] error.
    pub fn truncated(file: impl AsRef<Path>, component: Component, offset: u64, expected: u64, available: u64) -> Error {
        Error::new(file, component, offset, ErrorKind::Truncated { expected, available })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_file_component_and_offset() {
        let e = Error::new("/d/nb-1-big-Data.db", Component::Data, 4096, ErrorKind::ChecksumMismatch { expected: 1, got: 2 });
        assert_eq!(
            e.to_string(),
            "/d/nb-1-big-Data.db: Data.db at byte 4096: checksum mismatch: stored 0x00000001, computed 0x00000002"
        );
        let e = Error::in_data("/d/nb-1-big-Data.db", 7, ErrorKind::Malformed("bad flags".into()));
        assert_eq!(e.to_string(), "/d/nb-1-big-Data.db: Data.db at uncompressed byte 7: malformed: bad flags");
    }
}
