//! Atomic replacement of a file: write a temp file beside it, fsync it, rename it over the
//! target, fsync the directory. A crash before the rename leaves the old file; after it, the
//! new one; the rename itself is atomic on POSIX file systems.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The steps of [`write_atomic`], for tests that fail between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Part of the temp file written.
    TempPartlyWritten,
    /// The temp file written (not yet synced).
    TempWritten,
    /// The temp file synced.
    TempSynced,
    /// Renamed over the target (directory not yet synced).
    Renamed,
}

/// Replaces `path` with `bytes` atomically.
///
/// # Errors
/// Any I/O error; then `path` holds either its old content or `bytes`, and a temp file may be
/// left beside it (overwritten by the next save).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_steps(path, bytes, &mut |_| Ok(()))
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(|| "manifest".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.tmp"))
}

/// [`write_atomic`] with a hook called after each step; an error from the hook stops there,
/// as a crash would.
pub(crate) fn write_atomic_steps(path: &Path, bytes: &[u8], after: &mut dyn FnMut(Step) -> std::io::Result<()>) -> std::io::Result<()> {
    let tmp = temp_path(path);
    let mut f = OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
    let half = bytes.len() / 2;
    f.write_all(&bytes[..half])?;
    after(Step::TempPartlyWritten)?;
    f.write_all(&bytes[half..])?;
    after(Step::TempWritten)?;
    f.sync_all()?;
    after(Step::TempSynced)?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    after(Step::Renamed)?;
    sync_dir(path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Directories cannot be opened for syncing on Windows; the rename is durable there.
    Ok(())
}
