//! The error of schema.cql parsing: which file, which byte, what was expected.

use std::path::{Path, PathBuf};

/// An error parsing a `schema.cql` file, located by file and byte offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: schema.cql at byte {offset} (line {line}, column {column}): {message}", file.display())]
pub struct SchemaError {
    /// The file being parsed.
    pub file: PathBuf,
    /// Byte offset of the problem in the file.
    pub offset: u64,
    /// 1-based line of `offset`.
    pub line: u32,
    /// 1-based column (in characters) of `offset`.
    pub column: u32,
    /// What was expected and what was found.
    pub message: String,
}

impl SchemaError {
    /// An error at byte `offset` of `text`, the content of `file`.
    pub fn at(file: &Path, text: &str, offset: usize, message: impl Into<String>) -> SchemaError {
        let offset = offset.min(text.len());
        // Offsets always come from slices of `text`, so they sit on char boundaries; guard anyway.
        let before = text.get(..offset).unwrap_or(text);
        let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
        let line_start = before.rfind('\n').map_or(0, |n| n + 1);
        let column = before[line_start..].chars().count() as u32 + 1;
        SchemaError { file: file.to_path_buf(), offset: offset as u64, line, column, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_file_offset_line_and_column() {
        let e = SchemaError::at(Path::new("/s/schema.cql"), "ab\ncd", 4, "expected `;`");
        assert_eq!(e.to_string(), "/s/schema.cql: schema.cql at byte 4 (line 2, column 2): expected `;`");
    }
}
