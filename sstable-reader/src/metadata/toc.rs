//! `TOC.txt`: the list of an SSTable's components, one file-name suffix per line
//! (`TOCComponent` in Cassandra,
//! <https://github.com/apache/cassandra/blob/cassandra-5.0/src/java/org/apache/cassandra/io/sstable/format/TOCComponent.java>).

use crate::io::ByteSource;
use crate::{Component, Result};

/// The components an SSTable says it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toc {
    /// Components this reader knows, in file order.
    pub components: Vec<Component>,
    /// Lines naming components this reader does not know (secondary-index files, custom
    /// components); they are kept, not checked.
    pub other: Vec<String>,
}

impl Toc {
    /// Reads and parses a TOC.txt.
    ///
    /// # Errors
    /// Read errors; a TOC that is not UTF-8 text or lists no Data.db ([`crate::ErrorKind::Malformed`]).
    pub fn read(src: &dyn ByteSource) -> Result<Toc> {
        let bytes = src.read_all()?;
        let text = std::str::from_utf8(&bytes).map_err(|e| src.error(e.valid_up_to() as u64, crate::ErrorKind::Malformed("TOC.txt is not UTF-8 text".into())))?;
        let mut toc = Toc { components: Vec::new(), other: Vec::new() };
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match Component::from_suffix(line) {
                Some(c) if !toc.components.contains(&c) => toc.components.push(c),
                Some(_) => {}
                None => toc.other.push(line.to_string()),
            }
        }
        if !toc.contains(Component::Data) {
            return Err(src.error(0, crate::ErrorKind::Malformed("TOC.txt does not list Data.db".into())));
        }
        Ok(toc)
    }

    /// Whether the TOC lists `component`.
    pub fn contains(&self, component: Component) -> bool {
        self.components.contains(&component)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::BytesSource;
    use crate::ErrorKind;

    #[test]
    fn parses_lines_and_keeps_unknown_ones() {
        let src = BytesSource::new(&b"CompressionInfo.db\nData.db\r\nSAI+aa+idx+Meta.db\n\nTOC.txt\nData.db\n"[..], "nb-1-big-TOC.txt", Component::Toc);
        let toc = Toc::read(&src).unwrap();
        assert_eq!(toc.components, [Component::CompressionInfo, Component::Data, Component::Toc]);
        assert_eq!(toc.other, ["SAI+aa+idx+Meta.db"]);
        assert!(toc.contains(Component::Data) && !toc.contains(Component::Crc));
    }

    #[test]
    fn rejects_binary_and_data_less_tocs() {
        let src = BytesSource::new(&b"Data.db\n\xff"[..], "t", Component::Toc);
        let err = Toc::read(&src).unwrap_err();
        assert_eq!(err.offset, 8);
        let src = BytesSource::new(&b"Index.db\n"[..], "t", Component::Toc);
        assert!(matches!(Toc::read(&src).unwrap_err().kind, ErrorKind::Malformed(_)));
    }
}
