//! Where component bytes come from. The reader only ever asks "give me `len` bytes at
//! `offset`", so a local file, a memory buffer and an S3 object are interchangeable.

use std::fs::File;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::{Component, Error, ErrorKind, Result};

/// Random-access, read-only bytes of one component file.
///
/// Implementations must be cheap to call for small ranges (the reader asks for one
/// compressed chunk or one index entry at a time) and safe to share between threads.
pub trait ByteSource: Send + Sync {
    /// Total length in bytes.
    fn len(&self) -> u64;

    /// Whether the source holds no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads exactly `len` bytes at `offset`.
    ///
    /// # Errors
    /// An [`ErrorKind::Truncated`] error when the range goes past the end, or
    /// [`ErrorKind::Io`] when the read fails.
    fn read_at(&self, offset: u64, len: usize) -> Result<Bytes>;

    /// The path or object key, for error messages.
    fn path(&self) -> &Path;

    /// Which component this is, for error messages.
    fn component(&self) -> Component;

    /// Reads the whole source.
    ///
    /// # Errors
    /// As [`ByteSource::read_at`]; also when the length does not fit in memory.
    fn read_all(&self) -> Result<Bytes> {
        let len = usize::try_from(self.len()).map_err(|_| self.error(0, ErrorKind::Malformed("file too large to read whole".into())))?;
        self.read_at(0, len)
    }

    /// An error located in this source.
    fn error(&self, offset: u64, kind: ErrorKind) -> Error {
        Error::new(self.path(), self.component(), offset, kind)
    }
}

/// Smart pointers to a source are sources (so `Box<dyn ByteSource>` plugs into generic readers).
macro_rules! forward_byte_source {
    ($($ptr:ident)::+) => {
        impl<T: ByteSource + ?Sized> ByteSource for $($ptr)::+<T> {
            fn len(&self) -> u64 {
                (**self).len()
            }

            fn read_at(&self, offset: u64, len: usize) -> Result<Bytes> {
                (**self).read_at(offset, len)
            }

            fn path(&self) -> &Path {
                (**self).path()
            }

            fn component(&self) -> Component {
                (**self).component()
            }
        }
    };
}

forward_byte_source!(Box);
forward_byte_source!(std::sync::Arc);

/// Checks that `offset..offset+len` lies within `total`, else a [`ErrorKind::Truncated`] error.
fn check_range(src: &dyn ByteSource, offset: u64, len: usize) -> Result<()> {
    let total = src.len();
    if offset.checked_add(len as u64).is_none_or(|end| end > total) {
        return Err(src.error(offset, ErrorKind::Truncated { expected: len as u64, available: total.saturating_sub(offset) }));
    }
    Ok(())
}

/// A component file on local disk, read with positioned reads (no shared cursor).
#[derive(Debug)]
pub struct FileSource {
    file: File,
    len: u64,
    path: PathBuf,
    component: Component,
}

impl FileSource {
    /// Opens `path` as `component`.
    ///
    /// # Errors
    /// [`ErrorKind::MissingComponent`] when the file does not exist, [`ErrorKind::Io`] otherwise.
    pub fn open(path: impl AsRef<Path>, component: Component) -> Result<FileSource> {
        let path = path.as_ref().to_path_buf();
        let file = File::open(&path).map_err(|e| {
            let kind = if e.kind() == std::io::ErrorKind::NotFound { ErrorKind::MissingComponent(component) } else { ErrorKind::Io(e) };
            Error::new(&path, component, 0, kind)
        })?;
        let len = file.metadata().map_err(|e| Error::new(&path, component, 0, ErrorKind::Io(e)))?.len();
        Ok(FileSource { file, len, path, component })
    }
}

impl ByteSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Bytes> {
        check_range(self, offset, len)?;
        let mut buf = vec![0u8; len];
        read_exact_at(&self.file, &mut buf, offset).map_err(|e| self.error(offset, ErrorKind::Io(e)))?;
        Ok(Bytes::from(buf))
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn component(&self) -> Component {
        self.component
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A component held in memory (tests, fuzzing, objects fetched whole).
#[derive(Debug, Clone)]
pub struct BytesSource {
    bytes: Bytes,
    path: PathBuf,
    component: Component,
}

impl BytesSource {
    /// Wraps `bytes` as the content of `path`.
    pub fn new(bytes: impl Into<Bytes>, path: impl AsRef<Path>, component: Component) -> BytesSource {
        BytesSource { bytes: bytes.into(), path: path.as_ref().to_path_buf(), component }
    }
}

impl ByteSource for BytesSource {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Bytes> {
        check_range(self, offset, len)?;
        let start = offset as usize;
        Ok(self.bytes.slice(start..start + len))
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn component(&self) -> Component {
        self.component
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_source_reads_ranges_and_reports_truncation() {
        let src = BytesSource::new(&b"0123456789"[..], "mem", Component::Data);
        assert_eq!(&src.read_at(2, 3).unwrap()[..], b"234");
        let err = src.read_at(8, 5).unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Truncated { expected: 5, available: 2 }), "{err}");
        assert_eq!(err.offset, 8);
        assert!(src.read_at(u64::MAX, 1).is_err());
    }

    #[test]
    fn missing_file_is_a_missing_component() {
        let err = FileSource::open("/nonexistent/nb-1-big-Data.db", Component::Data).unwrap_err();
        assert!(matches!(err.kind, ErrorKind::MissingComponent(Component::Data)), "{err}");
    }
}
