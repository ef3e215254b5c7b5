//! The component files of one SSTable (`<version>-<generation>-<format>-<Component>`).

use std::fmt;

/// One file of an SSTable. Names as in Cassandra's `Components` and `TOC.txt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Component {
    /// `Data.db`: the partitions.
    Data,
    /// `Index.db` (big): partition index with row index entries.
    PrimaryIndex,
    /// `Summary.db` (big): sampled Index.db positions.
    Summary,
    /// `Partitions.db` (BTI): trie of partition keys.
    Partitions,
    /// `Rows.db` (BTI): row index tries of wide partitions.
    Rows,
    /// `Statistics.db`: metadata and serialization header.
    Statistics,
    /// `CompressionInfo.db`: codec, chunk length and chunk offsets.
    CompressionInfo,
    /// `Filter.db`: the bloom filter.
    Filter,
    /// `Digest.crc32` (or `Digest.adler32`/`Digest.sha1`): whole-file checksum of Data.db.
    Digest,
    /// `CRC.db`: per-chunk checksums of an uncompressed Data.db.
    Crc,
    /// `TOC.txt`: list of components.
    Toc,
}

impl Component {
    /// Every component, in the order Cassandra lists them.
    pub const ALL: [Component; 11] = [
        Component::Data,
        Component::PrimaryIndex,
        Component::Summary,
        Component::Partitions,
        Component::Rows,
        Component::Statistics,
        Component::CompressionInfo,
        Component::Filter,
        Component::Digest,
        Component::Crc,
        Component::Toc,
    ];

    /// The file-name suffix of this component, e.g. `Data.db`.
    pub fn file_suffix(self) -> &'static str {
        match self {
            Component::Data => "Data.db",
            Component::PrimaryIndex => "Index.db",
            Component::Summary => "Summary.db",
            Component::Partitions => "Partitions.db",
            Component::Rows => "Rows.db",
            Component::Statistics => "Statistics.db",
            Component::CompressionInfo => "CompressionInfo.db",
            Component::Filter => "Filter.db",
            Component::Digest => "Digest.crc32",
            Component::Crc => "CRC.db",
            Component::Toc => "TOC.txt",
        }
    }

    /// Parses a component from its `TOC.txt` line or file-name suffix.
    pub fn from_suffix(s: &str) -> Option<Component> {
        match s {
            "Digest.adler32" | "Digest.sha1" => Some(Component::Digest),
            _ => Component::ALL.into_iter().find(|c| c.file_suffix() == s),
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_suffix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_round_trips() {
        for c in Component::ALL {
            assert_eq!(Component::from_suffix(c.file_suffix()), Some(c));
        }
        assert_eq!(Component::from_suffix("Data.db"), Some(Component::Data));
        assert_eq!(Component::from_suffix("Nope.db"), None);
    }
}
