//! SSTable identity: the format version (`ma` … `oa`, `da`), the format (`big` or `bti`), the
//! generation, and the component file names built from them.
//!
//! File names are `<version>-<generation>-<format>-<Component>`, e.g. `nb-1-big-Data.db`,
//! `da-3gdk_0xyz_…-bti-Partitions.db` (4.1+ may use time-UUID based generations). A
//! `<keyspace>-<table>-` prefix (pre-3.0 style, still produced by some tools) is accepted and
//! kept. What each version adds comes from the comments and flags of `BigFormat.BigVersion`
//! and `BtiFormat.BtiVersion` in Cassandra
//! (<https://github.com/apache/cassandra/blob/cassandra-5.0/src/java/org/apache/cassandra/io/sstable/format/big/BigFormat.java>).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::{Component, Error, ErrorKind, Result};

/// The on-disk layout family: `big` (Index.db + Summary.db) or `bti` (trie indexes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// The "big table" format, Cassandra 3.0 – 5.0.
    Big,
    /// The trie-indexed format of Cassandra 5.0 (`Partitions.db`, `Rows.db`).
    Bti,
}

impl Format {
    /// The name used in file names.
    pub fn name(self) -> &'static str {
        match self {
            Format::Big => "big",
            Format::Bti => "bti",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A known SSTable format version. Ordered oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// `ma`: Cassandra 3.0.0, rows stored natively.
    Ma,
    /// `mb`: 3.0.7 / 3.7, commit log lower bound in Statistics.
    Mb,
    /// `mc`: 3.0.8 / 3.9, commit log intervals in Statistics.
    Mc,
    /// `md`: 3.0.18 / 3.11.4, corrected min/max clustering values.
    Md,
    /// `me`: 3.0.25 / 3.11.11, originating host id.
    Me,
    /// `na`: 4.0-rc1, uncompressed chunks (maxCompressedLength), pending repair, isTransient,
    /// checksummed Statistics.db, new bloom filter layout.
    Na,
    /// `nb`: 4.0.0, originating host id.
    Nb,
    /// `nc`: a Cassandra 5.0 development version (never released): improved min/max,
    /// partition-level deletion marker and key range, still with 32-bit deletion times.
    Nc,
    /// `oa`: 5.0 big format: improved min/max, partition-level deletion marker, key range,
    /// unsigned-int deletion times, token space coverage.
    Oa,
    /// `da`: 5.0 BTI format (same metadata features as `oa`).
    Da,
}

impl Version {
    /// Every known version, oldest first.
    pub const ALL: [Version; 10] =
        [Version::Ma, Version::Mb, Version::Mc, Version::Md, Version::Me, Version::Na, Version::Nb, Version::Nc, Version::Oa, Version::Da];

    /// Parses a two-letter version.
    pub fn parse(s: &str) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The two-letter version string.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Ma => "ma",
            Version::Mb => "mb",
            Version::Mc => "mc",
            Version::Md => "md",
            Version::Me => "me",
            Version::Na => "na",
            Version::Nb => "nb",
            Version::Nc => "nc",
            Version::Oa => "oa",
            Version::Da => "da",
        }
    }

    /// The format a version belongs to (`da` is BTI, the others big).
    pub fn format(self) -> Format {
        if self == Version::Da {
            Format::Bti
        } else {
            Format::Big
        }
    }

    /// Whether this is one of the 5.0-era versions (`nc`, `oa`, `da`).
    fn is_5x(self) -> bool {
        matches!(self, Version::Nc | Version::Oa | Version::Da)
    }

    /// Statistics stores the commit log lower bound (`mb`+).
    pub fn has_commit_log_lower_bound(self) -> bool {
        self >= Version::Mb
    }

    /// Statistics stores the commit log intervals (`mc`+).
    pub fn has_commit_log_intervals(self) -> bool {
        self >= Version::Mc
    }

    /// The legacy min/max clustering values are trustworthy (`md` … `nc`; CASSANDRA-14861).
    pub fn has_accurate_min_max(self) -> bool {
        (Version::Md..=Version::Nc).contains(&self)
    }

    /// Statistics stores the legacy min/max clustering value lists (`m*` and `n*`).
    pub fn has_legacy_min_max(self) -> bool {
        self <= Version::Nc
    }

    /// Statistics stores the covered clustering slice with its types (`nc`, `oa`, `da`).
    pub fn has_improved_min_max(self) -> bool {
        self.is_5x()
    }

    /// Statistics stores the originating host id (`me`, `nb`+).
    pub fn has_originating_host_id(self) -> bool {
        self == Version::Me || self >= Version::Nb
    }

    /// CompressionInfo stores maxCompressedLength; chunks that would not shrink below it are
    /// stored uncompressed (`na`+).
    pub fn has_max_compressed_length(self) -> bool {
        self >= Version::Na
    }

    /// Statistics stores the pending repair session (`na`+).
    pub fn has_pending_repair(self) -> bool {
        self >= Version::Na
    }

    /// Statistics stores isTransient (`na`+).
    pub fn has_is_transient(self) -> bool {
        self >= Version::Na
    }

    /// Statistics.db carries CRC32s of its table of contents and of each component (`na`+).
    pub fn has_metadata_checksum(self) -> bool {
        self >= Version::Na
    }

    /// Filter.db uses the pre-4.0 bloom filter layout (`m*`).
    pub fn has_old_bf_format(self) -> bool {
        self < Version::Na
    }

    /// Statistics stores the partition-level deletion presence marker (`nc`, `oa`, `da`).
    pub fn has_partition_level_deletions_presence_marker(self) -> bool {
        self.is_5x()
    }

    /// Statistics stores the first and last partition keys (`nc`, `oa`, `da`).
    pub fn has_key_range(self) -> bool {
        self.is_5x()
    }

    /// Local deletion times are unsigned 32-bit (good until 2106) rather than signed
    /// (CASSANDRA-18648; `oa`, `da`). Affects Statistics and Data.db deletion times.
    pub fn has_uint_deletion_time(self) -> bool {
        self >= Version::Oa
    }

    /// Statistics stores the token space coverage (`oa`, `da`).
    pub fn has_token_space_coverage(self) -> bool {
        self >= Version::Oa
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One SSTable: where it lives and what its component files are called.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Descriptor {
    /// The directory holding the components (or the object-key prefix).
    pub directory: PathBuf,
    /// Format version.
    pub version: Version,
    /// The generation as written: a decimal number, or a time-UUID based id in 4.1+.
    pub generation: String,
    /// `big` or `bti`.
    pub format: Format,
    /// Everything before the component suffix, e.g. `nb-1-big-` or `ks-tbl-ma-1-big-`.
    prefix: String,
}

impl Descriptor {
    /// Parses a component file name or path such as `/d/nb-1-big-Data.db`, returning the
    /// descriptor and the component.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedVersion`] for a well-formed name with an unknown version;
    /// [`ErrorKind::Malformed`] for a name that is not an SSTable component name.
    pub fn from_path(path: impl AsRef<Path>) -> Result<(Descriptor, Component)> {
        let path = path.as_ref();
        let malformed = |what: &str| Error::malformed(path, Component::Data, 0, format!("not an SSTable component file name: {what}"));
        let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| malformed("no UTF-8 file name"))?;
        let parts: Vec<&str> = name.split('-').collect();
        if parts.len() < 4 {
            return Err(malformed(name));
        }
        let n = parts.len();
        let (ver, generation, format, suffix) = (parts[n - 4], parts[n - 3], parts[n - 2], parts[n - 1]);
        let component = Component::from_suffix(suffix).ok_or_else(|| malformed(name))?;
        let format = match format {
            "big" => Format::Big,
            "bti" => Format::Bti,
            _ => return Err(malformed(name)),
        };
        if generation.is_empty() || !generation.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(malformed(name));
        }
        if ver.len() != 2 || !ver.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(malformed(name));
        }
        let version = Version::parse(ver)
            .ok_or_else(|| Error::new(path, component, 0, ErrorKind::UnsupportedVersion(format!("{ver} ({format} format)"))))?;
        if version.format() != format {
            return Err(Error::new(path, component, 0, ErrorKind::UnsupportedVersion(format!("{ver} in the {format} format"))));
        }
        let prefix = name[..name.len() - suffix.len()].to_string();
        let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok((Descriptor { directory, version, generation: generation.to_string(), format, prefix }, component))
    }

    /// The file name of `component`, e.g. `nb-1-big-Data.db`.
    pub fn file_name(&self, component: Component) -> String {
        format!("{}{}", self.prefix, component.file_suffix())
    }

    /// The full path of `component`.
    pub fn path(&self, component: Component) -> PathBuf {
        self.directory.join(self.file_name(component))
    }

    /// The generation as a number, when it is one (pre-4.1 style).
    pub fn numeric_generation(&self) -> Option<u64> {
        self.generation.parse().ok()
    }
}

impl fmt::Display for Descriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.directory.join(self.prefix.trim_end_matches('-')).display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_new_style_names() {
        let (d, c) = Descriptor::from_path("/data/ks/t-1234/nb-12-big-Data.db").unwrap();
        assert_eq!((d.version, d.format, d.generation.as_str(), c), (Version::Nb, Format::Big, "12", Component::Data));
        assert_eq!(d.numeric_generation(), Some(12));
        assert_eq!(d.path(Component::Statistics), Path::new("/data/ks/t-1234/nb-12-big-Statistics.db"));
        let (d, c) = Descriptor::from_path("da-3gdk_0a1b_2c3d4e5f6g7h8i9j0k-bti-Partitions.db").unwrap();
        assert_eq!((d.version, d.format, c), (Version::Da, Format::Bti, Component::Partitions));
        assert_eq!(d.numeric_generation(), None);
        assert_eq!(d.file_name(Component::Toc), "da-3gdk_0a1b_2c3d4e5f6g7h8i9j0k-bti-TOC.txt");
    }

    #[test]
    fn keeps_a_keyspace_table_prefix() {
        let (d, c) = Descriptor::from_path("/x/ks-tbl-ma-1-big-Index.db").unwrap();
        assert_eq!((d.version, c), (Version::Ma, Component::PrimaryIndex));
        assert_eq!(d.file_name(Component::Data), "ks-tbl-ma-1-big-Data.db");
    }

    #[test]
    fn unknown_version_is_unsupported() {
        let err = Descriptor::from_path("/d/zz-1-big-Data.db").unwrap_err();
        assert!(matches!(err.kind, ErrorKind::UnsupportedVersion(ref v) if v.starts_with("zz")), "{err}");
        assert_eq!(err.to_string(), "/d/zz-1-big-Data.db: Data.db at byte 0: unsupported SSTable version \"zz (big format)\"");
        // `ka` (2.1) and `la` (2.2) are real but older than this reader.
        assert!(matches!(Descriptor::from_path("la-1-big-Data.db").unwrap_err().kind, ErrorKind::UnsupportedVersion(_)));
        assert!(matches!(Descriptor::from_path("oa-1-bti-Data.db").unwrap_err().kind, ErrorKind::UnsupportedVersion(_)));
    }

    #[test]
    fn rejects_non_sstable_names() {
        for name in ["manifest.json", "schema.cql", "nb-1-big-Nope.db", "nb-1-xyz-Data.db", "nb--big-Data.db"] {
            assert!(matches!(Descriptor::from_path(name).unwrap_err().kind, ErrorKind::Malformed(_)), "{name}");
        }
    }

    #[test]
    fn version_features_follow_cassandra() {
        use Version::*;
        assert!(!Ma.has_commit_log_lower_bound() && Mb.has_commit_log_lower_bound());
        assert!(!Mb.has_commit_log_intervals() && Mc.has_commit_log_intervals());
        assert!(!Mc.has_accurate_min_max() && Md.has_accurate_min_max() && !Oa.has_accurate_min_max());
        let host: Vec<_> = Version::ALL.into_iter().filter(|v| v.has_originating_host_id()).collect();
        assert_eq!(host, [Me, Nb, Nc, Oa, Da]);
        assert!(!Me.has_max_compressed_length() && Na.has_max_compressed_length() && Da.has_max_compressed_length());
        assert!(Na.has_metadata_checksum() && !Me.has_metadata_checksum());
        assert!(!Nc.has_uint_deletion_time() && Oa.has_uint_deletion_time() && Da.has_uint_deletion_time());
        assert!(Nb.has_legacy_min_max() && Nc.has_legacy_min_max() && !Oa.has_legacy_min_max());
        assert!(!Nb.has_improved_min_max() && Nc.has_improved_min_max() && Da.has_improved_min_max());
    }
}
