//! [`SSTable`]: one SSTable opened through an [`Opener`]: its TOC checked against the
//! components present, its Statistics and CompressionInfo decoded, and its Data.db
//! available as a [`DataInput`] at any position. Also lists the SSTables of a directory.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::compression::{codec_for, ChunkLayout, ChunkedInput, CrcChunks};
use crate::index::{IndexFormat, IndexSources, PartitionIndex};
use crate::io::{ByteSource, FileSource};
use crate::metadata::{CompressionInfo, Statistics, Toc};
use crate::{Component, DataInput, Descriptor, Error, ErrorKind, Format, Partitioner, Result, Version};

/// Opens an SSTable's component files: local files, S3 objects, memory.
pub trait Opener: Send + Sync {
    /// Opens `component` of the SSTable `descriptor`.
    ///
    /// # Errors
    /// [`ErrorKind::MissingComponent`] when it does not exist; I/O errors.
    fn open(&self, descriptor: &Descriptor, component: Component) -> Result<Box<dyn ByteSource>>;
}

/// Opens components as local files next to each other ([`Descriptor::path`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalOpener;

impl Opener for LocalOpener {
    fn open(&self, descriptor: &Descriptor, component: Component) -> Result<Box<dyn ByteSource>> {
        Ok(Box::new(FileSource::open(descriptor.path(component), component)?))
    }
}

/// A Data.db stream as decoders see it.
pub type DataStream = ChunkedInput<Box<dyn ByteSource>>;

/// One opened SSTable.
pub struct SSTable {
    descriptor: Descriptor,
    opener: Arc<dyn Opener>,
    toc: Toc,
    statistics: Statistics,
    compression: Option<Arc<CompressionInfo>>,
}

impl std::fmt::Debug for SSTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SSTable").field("descriptor", &self.descriptor).field("toc", &self.toc).finish_non_exhaustive()
    }
}

impl SSTable {
    /// Opens the local SSTable one of whose component files is `path` (usually its Data.db).
    ///
    /// # Errors
    /// As [`SSTable::open_with`]; [`ErrorKind::UnsupportedVersion`] for an unknown version
    /// in the file name.
    pub fn open(path: impl AsRef<Path>) -> Result<SSTable> {
        let (descriptor, _) = Descriptor::from_path(path)?;
        SSTable::open_with(descriptor, Arc::new(LocalOpener))
    }

    /// Opens the SSTable `descriptor` through `opener`: reads TOC.txt, checks that every
    /// component it lists can be opened, and decodes Statistics.db and CompressionInfo.db.
    ///
    /// # Errors
    /// [`ErrorKind::MissingComponent`] naming the first listed component that is missing (or
    /// a missing TOC, Data or Statistics); metadata decoding and checksum errors.
    pub fn open_with(descriptor: Descriptor, opener: Arc<dyn Opener>) -> Result<SSTable> {
        let toc = Toc::read(&*opener.open(&descriptor, Component::Toc)?)?;
        for &c in &toc.components {
            if c != Component::Toc {
                opener.open(&descriptor, c)?;
            }
        }
        for required in [Component::Data, Component::Statistics] {
            if !toc.contains(required) {
                return Err(Error::new(descriptor.path(Component::Toc), Component::Toc, 0, ErrorKind::MissingComponent(required)));
            }
        }
        let statistics = Statistics::read(&*opener.open(&descriptor, Component::Statistics)?, descriptor.version)?;
        let compression = if toc.contains(Component::CompressionInfo) {
            Some(Arc::new(CompressionInfo::read(&*opener.open(&descriptor, Component::CompressionInfo)?, descriptor.version)?))
        } else {
            None
        };
        Ok(SSTable { descriptor, opener, toc, statistics, compression })
    }

    /// Which SSTable this is.
    pub fn descriptor(&self) -> &Descriptor {
        &self.descriptor
    }

    /// Its format version.
    pub fn version(&self) -> Version {
        self.descriptor.version
    }

    /// The components TOC.txt lists.
    pub fn toc(&self) -> &Toc {
        &self.toc
    }

    /// The decoded Statistics.db.
    pub fn statistics(&self) -> &Statistics {
        &self.statistics
    }

    /// The decoded CompressionInfo.db, when Data.db is compressed.
    pub fn compression_info(&self) -> Option<&CompressionInfo> {
        self.compression.as_deref()
    }

    /// Opens any component.
    ///
    /// # Errors
    /// As [`Opener::open`].
    pub fn open_component(&self, component: Component) -> Result<Box<dyn ByteSource>> {
        self.opener.open(&self.descriptor, component)
    }

    /// The stored size of every component the TOC lists.
    ///
    /// # Errors
    /// As [`Opener::open`].
    pub fn component_sizes(&self) -> Result<BTreeMap<Component, u64>> {
        self.toc.components.iter().map(|&c| Ok((c, self.open_component(c)?.len()))).collect()
    }

    /// The uncompressed Data.db stream, at position 0.
    ///
    /// # Errors
    /// An unknown compressor, a Data.db shorter than its chunks, a bad CRC.db.
    pub fn data_input(&self) -> Result<DataStream> {
        let data = self.open_component(Component::Data)?;
        let layout = match &self.compression {
            Some(info) => {
                let codec = codec_for(&info.compressor).map_err(|kind| {
                    Error::new(self.descriptor.path(Component::CompressionInfo), Component::CompressionInfo, 0, kind)
                })?;
                ChunkLayout::Compressed { info: Arc::clone(info), codec }
            }
            None if self.toc.contains(Component::Crc) => ChunkLayout::Checksummed(CrcChunks::read(&*self.open_component(Component::Crc)?)?),
            None => ChunkLayout::Plain,
        };
        ChunkedInput::new(data, layout)
    }

    /// The uncompressed Data.db stream, positioned at `position` (e.g. a partition's offset
    /// from the index).
    ///
    /// # Errors
    /// As [`SSTable::data_input`]; a position past the end.
    pub fn data_input_at(&self, position: u64) -> Result<DataStream> {
        let mut input = self.data_input()?;
        input.seek(position)?;
        Ok(input)
    }

    /// The Data.db stream as a trait object.
    ///
    /// # Errors
    /// As [`SSTable::data_input`].
    pub fn boxed_data_input(&self) -> Result<Box<dyn DataInput + Send>> {
        Ok(Box::new(self.data_input()?))
    }

    /// The partitioner named in Statistics.db.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedPartitioner`] for a partitioner ksbulk cannot compute tokens
    /// for; [`ErrorKind::Malformed`] when Statistics.db has no validation metadata.
    pub fn partitioner(&self) -> Result<Partitioner> {
        let stats = self.descriptor.path(Component::Statistics);
        let name = self.statistics.partitioner().ok_or_else(|| Error::malformed(&stats, Component::Statistics, 0, "no validation metadata (partitioner)"))?;
        Partitioner::from_class_name(name).map_err(|kind| Error::new(&stats, Component::Statistics, 0, kind))
    }

    /// Opens the partition index: Index.db + Summary.db (`big`; Summary optional) or
    /// Partitions.db + Rows.db (BTI).
    ///
    /// # Errors
    /// As [`SSTable::partitioner`]; a missing or undecodable index component.
    pub fn open_index(&self) -> Result<Box<dyn PartitionIndex>> {
        let (format, primary, secondary) = match self.descriptor.format {
            Format::Big => {
                let summary = if self.toc.contains(Component::Summary) { Some(self.open_component(Component::Summary)?) } else { None };
                (IndexFormat::Big, self.open_component(Component::PrimaryIndex)?, summary)
            }
            Format::Bti => (IndexFormat::Bti, self.open_component(Component::Partitions)?, Some(self.open_component(Component::Rows)?)),
        };
        let sources = IndexSources { primary, secondary, partitioner: self.partitioner()?, uint_deletion_time: self.version().has_uint_deletion_time() };
        crate::index::open(format, sources)
    }

    /// Checks Data.db against Digest.crc32.
    ///
    /// # Errors
    /// [`ErrorKind::MissingComponent`] when there is no digest;
    /// [`ErrorKind::ChecksumMismatch`] when it does not match.
    pub fn verify_digest(&self) -> Result<()> {
        let digest = self.open_component(Component::Digest)?;
        crate::digest::verify_digest(&*self.open_component(Component::Data)?, &*digest)
    }
}

/// The SSTables in `dir` (not recursive): every descriptor with a Data.db, sorted.
/// Files that are not SSTable components are ignored.
///
/// # Errors
/// I/O errors reading the directory; [`ErrorKind::UnsupportedVersion`] for a Data.db of an
/// unknown version.
pub fn list_sstables(dir: impl AsRef<Path>) -> Result<Vec<Descriptor>> {
    let dir = dir.as_ref();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::new(dir, Component::Data, 0, ErrorKind::Io(e)))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::new(dir, Component::Data, 0, ErrorKind::Io(e)))?;
        let name = entry.file_name();
        if !name.to_string_lossy().ends_with("-Data.db") {
            continue;
        }
        match Descriptor::from_path(entry.path()) {
            Ok((d, Component::Data)) => out.push(d),
            Ok(_) => {}
            Err(e) if matches!(e.kind, ErrorKind::UnsupportedVersion(_)) => return Err(e),
            Err(_) => {}
        }
    }
    out.sort();
    Ok(out)
}

/// The SSTables under `root`, recursively (directories first-level sorted). `root` may
/// also be a single component file.
///
/// # Errors
/// As [`list_sstables`].
pub fn find_sstables(root: impl AsRef<Path>) -> Result<Vec<Descriptor>> {
    let root = root.as_ref();
    if root.is_file() {
        return Ok(vec![Descriptor::from_path(root)?.0]);
    }
    let mut out = list_sstables(root)?;
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .map_err(|e| Error::new(root, Component::Data, 0, ErrorKind::Io(e)))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        out.extend(find_sstables(d)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::{self, TempDir};

    /// Every fixture SSTable: (directory under the fixtures root, partitioner, uncompressed
    /// Data.db length, estimated partitions, rows, chunk length). Lengths of `_simple*` are
    /// those SOURCES.md states; the others were measured and agree with its approximations.
    const FIXTURES: &[(&str, &str, u64, u64, i64, u32)] = &[
        ("cassandra/legacy/da/legacy_tables/legacy_da_clust", "ByteOrderedPartitioner", 335958, 5, 250, 16384),
        ("cassandra/legacy/da/legacy_tables/legacy_da_clust_counter", "ByteOrderedPartitioner", 312457, 5, 250, 16384),
        ("cassandra/legacy/da/legacy_tables/legacy_da_simple", "ByteOrderedPartitioner", 118, 5, 5, 16384),
        ("cassandra/legacy/da/legacy_tables/legacy_da_simple_counter", "ByteOrderedPartitioner", 243, 5, 5, 16384),
        ("cassandra/legacy/ma/legacy_tables/legacy_ma_clust", "ByteOrderedPartitioner", 336020, 5, 250, 65536),
        ("cassandra/legacy/ma/legacy_tables/legacy_ma_clust_compact", "ByteOrderedPartitioner", 336070, 5, 250, 65536),
        ("cassandra/legacy/ma/legacy_tables/legacy_ma_clust_counter", "ByteOrderedPartitioner", 312519, 5, 250, 65536),
        ("cassandra/legacy/ma/legacy_tables/legacy_ma_clust_counter_compact", "ByteOrderedPartitioner", 312570, 5, 250, 65536),
        ("cassandra/legacy/ma/legacy_tables/legacy_ma_simple", "ByteOrderedPartitioner", 173, 5, 5, 65536),
        ("cassandra/legacy/ma/legacy_tables/legacy_ma_simple_compact", "ByteOrderedPartitioner", 178, 5, 5, 65536),
        ("cassandra/legacy/ma/legacy_tables/legacy_ma_simple_counter", "ByteOrderedPartitioner", 298, 5, 5, 65536),
        ("cassandra/legacy/ma/legacy_tables/legacy_ma_simple_counter_compact", "ByteOrderedPartitioner", 303, 5, 5, 65536),
        ("cassandra/legacy/mb/legacy_tables/legacy_mb_clust", "ByteOrderedPartitioner", 336082, 5, 250, 65536),
        ("cassandra/legacy/mb/legacy_tables/legacy_mb_clust_compact", "ByteOrderedPartitioner", 336067, 5, 250, 65536),
        ("cassandra/legacy/mb/legacy_tables/legacy_mb_clust_counter", "ByteOrderedPartitioner", 312584, 5, 250, 65536),
        ("cassandra/legacy/mb/legacy_tables/legacy_mb_clust_counter_compact", "ByteOrderedPartitioner", 312567, 5, 250, 65536),
        ("cassandra/legacy/mb/legacy_tables/legacy_mb_simple", "ByteOrderedPartitioner", 174, 5, 5, 65536),
        ("cassandra/legacy/mb/legacy_tables/legacy_mb_simple_compact", "ByteOrderedPartitioner", 178, 5, 5, 65536),
        ("cassandra/legacy/mb/legacy_tables/legacy_mb_simple_counter", "ByteOrderedPartitioner", 299, 5, 5, 65536),
        ("cassandra/legacy/mb/legacy_tables/legacy_mb_simple_counter_compact", "ByteOrderedPartitioner", 303, 5, 5, 65536),
        ("cassandra/legacy/mc/legacy_tables/legacy_mc_clust", "ByteOrderedPartitioner", 336057, 5, 250, 65536),
        ("cassandra/legacy/mc/legacy_tables/legacy_mc_clust_compact", "ByteOrderedPartitioner", 336055, 5, 250, 65536),
        ("cassandra/legacy/mc/legacy_tables/legacy_mc_clust_counter", "ByteOrderedPartitioner", 312557, 5, 250, 65536),
        ("cassandra/legacy/mc/legacy_tables/legacy_mc_clust_counter_compact", "ByteOrderedPartitioner", 312556, 5, 250, 65536),
        ("cassandra/legacy/mc/legacy_tables/legacy_mc_inaccurate_min_max", "ByteOrderedPartitioner", 64, 1, 1, 65536),
        ("cassandra/legacy/mc/legacy_tables/legacy_mc_simple", "ByteOrderedPartitioner", 173, 5, 5, 65536),
        ("cassandra/legacy/mc/legacy_tables/legacy_mc_simple_compact", "ByteOrderedPartitioner", 178, 5, 5, 65536),
        ("cassandra/legacy/mc/legacy_tables/legacy_mc_simple_counter", "ByteOrderedPartitioner", 298, 5, 5, 65536),
        ("cassandra/legacy/mc/legacy_tables/legacy_mc_simple_counter_compact", "ByteOrderedPartitioner", 303, 5, 5, 65536),
        ("cassandra/legacy/md/legacy_tables/legacy_md_clust", "ByteOrderedPartitioner", 336015, 5, 250, 65536),
        ("cassandra/legacy/md/legacy_tables/legacy_md_clust_compact", "ByteOrderedPartitioner", 336011, 5, 250, 65536),
        ("cassandra/legacy/md/legacy_tables/legacy_md_clust_counter", "ByteOrderedPartitioner", 312515, 5, 250, 65536),
        ("cassandra/legacy/md/legacy_tables/legacy_md_clust_counter_compact", "ByteOrderedPartitioner", 312510, 5, 250, 65536),
        ("cassandra/legacy/md/legacy_tables/legacy_md_simple", "ByteOrderedPartitioner", 173, 5, 5, 65536),
        ("cassandra/legacy/md/legacy_tables/legacy_md_simple_compact", "ByteOrderedPartitioner", 178, 5, 5, 65536),
        ("cassandra/legacy/md/legacy_tables/legacy_md_simple_counter", "ByteOrderedPartitioner", 298, 5, 5, 65536),
        ("cassandra/legacy/md/legacy_tables/legacy_md_simple_counter_compact", "ByteOrderedPartitioner", 303, 5, 5, 65536),
        ("cassandra/legacy/me/legacy_tables/legacy_me_clust", "ByteOrderedPartitioner", 336014, 5, 250, 65536),
        ("cassandra/legacy/me/legacy_tables/legacy_me_clust_compact", "ByteOrderedPartitioner", 336008, 5, 250, 65536),
        ("cassandra/legacy/me/legacy_tables/legacy_me_clust_counter", "ByteOrderedPartitioner", 312514, 5, 250, 65536),
        ("cassandra/legacy/me/legacy_tables/legacy_me_clust_counter_compact", "ByteOrderedPartitioner", 312507, 5, 250, 65536),
        ("cassandra/legacy/me/legacy_tables/legacy_me_simple", "ByteOrderedPartitioner", 173, 5, 5, 65536),
        ("cassandra/legacy/me/legacy_tables/legacy_me_simple_compact", "ByteOrderedPartitioner", 178, 5, 5, 65536),
        ("cassandra/legacy/me/legacy_tables/legacy_me_simple_counter", "ByteOrderedPartitioner", 298, 5, 5, 65536),
        ("cassandra/legacy/me/legacy_tables/legacy_me_simple_counter_compact", "ByteOrderedPartitioner", 303, 5, 5, 65536),
        ("cassandra/legacy/na/legacy_tables/legacy_na_clust", "ByteOrderedPartitioner", 336015, 5, 250, 65536),
        ("cassandra/legacy/na/legacy_tables/legacy_na_clust_compact", "ByteOrderedPartitioner", 336006, 5, 250, 65536),
        ("cassandra/legacy/na/legacy_tables/legacy_na_clust_counter", "ByteOrderedPartitioner", 312515, 5, 250, 65536),
        ("cassandra/legacy/na/legacy_tables/legacy_na_clust_counter_compact", "ByteOrderedPartitioner", 312506, 5, 250, 65536),
        ("cassandra/legacy/na/legacy_tables/legacy_na_simple", "ByteOrderedPartitioner", 173, 5, 5, 65536),
        ("cassandra/legacy/na/legacy_tables/legacy_na_simple_compact", "ByteOrderedPartitioner", 178, 5, 5, 65536),
        ("cassandra/legacy/na/legacy_tables/legacy_na_simple_counter", "ByteOrderedPartitioner", 298, 5, 5, 65536),
        ("cassandra/legacy/na/legacy_tables/legacy_na_simple_counter_compact", "ByteOrderedPartitioner", 303, 5, 5, 65536),
        ("cassandra/legacy/nb/legacy_tables/legacy_nb_clust", "ByteOrderedPartitioner", 336016, 5, 250, 16384),
        ("cassandra/legacy/nb/legacy_tables/legacy_nb_clust_counter", "ByteOrderedPartitioner", 312516, 5, 250, 16384),
        ("cassandra/legacy/nb/legacy_tables/legacy_nb_simple", "ByteOrderedPartitioner", 173, 5, 5, 16384),
        ("cassandra/legacy/nb/legacy_tables/legacy_nb_simple_counter", "ByteOrderedPartitioner", 298, 5, 5, 16384),
        ("cassandra/legacy/nc/legacy_tables/legacy_nc_clust", "ByteOrderedPartitioner", 336014, 5, 250, 16384),
        ("cassandra/legacy/nc/legacy_tables/legacy_nc_clust_counter", "ByteOrderedPartitioner", 312514, 5, 250, 16384),
        ("cassandra/legacy/nc/legacy_tables/legacy_nc_simple", "ByteOrderedPartitioner", 173, 5, 5, 16384),
        ("cassandra/legacy/nc/legacy_tables/legacy_nc_simple_counter", "ByteOrderedPartitioner", 298, 5, 5, 16384),
        ("cassandra/legacy/oa/legacy_tables/legacy_oa_clust", "ByteOrderedPartitioner", 335958, 5, 250, 16384),
        ("cassandra/legacy/oa/legacy_tables/legacy_oa_clust_counter", "ByteOrderedPartitioner", 312458, 5, 250, 16384),
        ("cassandra/legacy/oa/legacy_tables/legacy_oa_simple", "ByteOrderedPartitioner", 118, 5, 5, 16384),
        ("cassandra/legacy/oa/legacy_tables/legacy_oa_simple_counter", "ByteOrderedPartitioner", 243, 5, 5, 16384),
        ("cassandra/negative-ldts-invalid-deletions/invalid_partition_deletion", "Murmur3Partitioner", 82, 3, 2, 16384),
        ("cassandra/negative-ldts-invalid-deletions/invalid_range_tombstone_compaction", "Murmur3Partitioner", 128, 3, 3, 16384),
        ("cassandra/negative-ldts-invalid-deletions/invalid_range_tombstone_reader", "Murmur3Partitioner", 8843, 1, 100, 16384),
        ("cassandra/negative-ldts-invalid-deletions/invalid_tombstones", "Murmur3Partitioner", 94, 3, 3, 16384),
        ("cassandra/negative-local-expiration/table1", "Murmur3Partitioner", 71, 2, 2, 65536),
        ("cassandra/negative-local-expiration/table2", "Murmur3Partitioner", 67, 2, 2, 65536),
        ("cassandra/negative-local-expiration/table3", "Murmur3Partitioner", 140, 2, 2, 65536),
        ("cassandra/negative-local-expiration/table4", "Murmur3Partitioner", 136, 2, 2, 65536),
    ];

    /// The 128-char `val` of each `_clust` table, from SOURCES.md: it must appear in the
    /// decompressed stream, which proves the decompression, not just the CRCs.
    const CLUST_VALS: &[(&str, &str)] = &[
        ("ma/legacy_tables/legacy_ma_clust", "ftzoazjbohvmcdapafmgerkdrcqqhixhfqoasklsfjbbubbhcahxnljfgxvmiprapmexbduesgleepqpgjdpxtoxeldnokapzqimsgpyshbrosspfgtlpwlasbibibsz"),
        ("mb/legacy_tables/legacy_mb_clust", "xhjslncmrlawwklkjfielihyxhvjveflytyozhloteietrhlvfhjufpksjnoisyensxbsnncsqsapktkvcmjuybwauwzgifurwmnoqlhlnkoasjupuhqoqjtjubfnvpw"),
        ("mc/legacy_tables/legacy_mc_clust", "lcwqmhfwfoddagjtftqbfuvvrbwmdsgrygoscskugthnycyavmokaekgqvnkplaiduxfhpbjrqfejvvxsalbdklrgaqxixmpfjgenclvpdlfdjwklluhkgkbphrrwpxk"),
        ("md/legacy_tables/legacy_md_clust", "rmutqivrrhbtaatvlazzffickifqhpcgawugxdjwntjunopwdabeabwoigqakgjsinmkblrskzrogjbizvqhwhzchvqlhlzxhoabjgjcxamofytnzhnxlpyhylzlrzdt"),
        ("me/legacy_tables/legacy_me_clust", "oixgnbacuexwrsuuwzjuszpgsdswwtwepgqasmaymumevsvgdpogvetmrhbxgwelokmvkqmqdrhxlhzqbtgddexfvfeymprrbgsnmsnuprimiclezljvhsmmvqxcwzvj"),
        ("na/legacy_tables/legacy_na_clust", "tilwrdsqcbziyboacbzwaqbclreiftzigpsrucqodvzsekvwlatkgndaqzbhcxizkybkkcnqdypjmlmaijqmzgqgprpxuawfbbrtvghiouregebrudkhucnbwlagwdaa"),
        ("nb/legacy_tables/legacy_nb_clust", "lxvwpnwfbdpmayjujittwghygywemwpvlemfkutzstfbiednkferyifrvvauhpdowraebccylljbibrbolnnoifwjkspqzgjdihyknypyzricuymwknfitpvjmvpcxob"),
        ("nc/legacy_tables/legacy_nc_clust", "gcnersapjsyifswdtadrieasyvangpmuvwsniejmykstmyibyitotyxaliayvcvrmmrjtjipdwotlkaawoidkdyifnjwxofycrgxxxaqchqdmuihrxcwodwdtxrtubkc"),
        ("oa/legacy_tables/legacy_oa_clust", "rvuxpepvjxefzigbwqiygtxglwthqvrmbvqhewhyaznsquqbfualplyzbeqjeuylznsjivvrwwiajaxykiodasryolrtzpvduxfukbvcrrrjdokvklidxbzdvenrpddn"),
        ("da/legacy_tables/legacy_da_clust", "wxappmnfhjwtvqhxcmeeupmryhmmvjmcxrcbvtxfdyeaxbeemxusoynrkhgatseiqrrcseynuwevqdipsgplgvqcelsjdtlkeetrcufulrzonyuscrlbowotizznpmcd"),
    ];

    /// Reads the whole stream through `ensure`/`advance`, one chunk view at a time.
    fn read_by_views(input: &mut dyn DataInput) -> Vec<u8> {
        let mut out = Vec::new();
        while !input.is_eof() {
            let view = input.ensure(1).unwrap();
            out.extend_from_slice(view);
            let n = view.len();
            input.advance(n);
        }
        out
    }

    #[test]
    fn every_fixture_directory_has_an_entry_in_this_test() {
        let root = test_fixtures::root();
        let listed: Vec<_> = FIXTURES.iter().map(|f| f.0).collect();
        for dir in test_fixtures::sstable_dirs() {
            let rel = dir.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
            assert!(listed.contains(&rel.as_str()), "fixture {rel} has no entry in sstable::tests::FIXTURES");
        }
    }

    #[test]
    fn every_fixture_opens_streams_and_matches_its_checksums() {
        for &(rel, partitioner, data_length, partitions, rows, chunk_length) in FIXTURES {
            let dir = test_fixtures::dir(rel);
            let t = SSTable::open(test_fixtures::data_path(&dir)).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let stats = t.statistics();
            assert_eq!(stats.partitioner(), Some(format!("org.apache.cassandra.dht.{partitioner}").as_str()), "{rel}");
            assert_eq!((stats.stats.estimated_partitions(), stats.stats.total_rows), (partitions, rows), "{rel}");
            let info = t.compression_info().unwrap();
            assert_eq!((info.compressor.as_str(), info.chunk_length, info.data_length), ("LZ4Compressor", chunk_length, data_length), "{rel}");
            if t.version().has_max_compressed_length() {
                assert_eq!(info.max_compressed_length, i32::MAX as u32, "{rel}");
            }
            assert!(t.component_sizes().unwrap().contains_key(&Component::Filter), "{rel}");

            let mut input = t.data_input().unwrap();
            let mut errors = Vec::new();
            assert_eq!(input.check_all_chunks(|e| errors.push(e)), data_length, "{rel}");
            assert!(errors.is_empty(), "{rel}: {errors:?}");
            let whole = read_by_views(&mut input);
            assert_eq!(whole.len() as u64, data_length, "{rel}");
            t.verify_digest().unwrap_or_else(|e| panic!("{rel}: {e}"));

            // Odd-sized reads straddle chunk boundaries and must give the same bytes.
            let mut input = t.data_input_at(0).unwrap();
            let mut pieces = Vec::new();
            while !input.is_eof() {
                let n = (input.len() - input.position()).min(1000) as usize;
                pieces.extend_from_slice(&input.read_bytes(n).unwrap());
            }
            assert_eq!(pieces, whole, "{rel}");
        }
    }

    #[test]
    fn decompressed_clust_tables_hold_the_values_sources_md_states() {
        for (rel, val) in CLUST_VALS {
            let dir = test_fixtures::dir(&format!("cassandra/legacy/{rel}"));
            let t = SSTable::open(test_fixtures::data_path(&dir)).unwrap();
            let whole = read_by_views(&mut t.data_input().unwrap());
            let hits = whole.windows(val.len()).filter(|w| w == &val.as_bytes()).count();
            assert_eq!(hits, 250, "{rel}: one val per row");
        }
    }

    #[test]
    fn seeks_land_on_the_same_bytes_as_a_full_read() {
        let dir = test_fixtures::dir("cassandra/legacy/nb/legacy_tables/legacy_nb_clust");
        let t = SSTable::open(test_fixtures::data_path(&dir)).unwrap();
        let whole = read_by_views(&mut t.data_input().unwrap());
        let mut input = t.data_input().unwrap();
        for pos in [300_000u64, 16_383, 16_384, 5, 335_000, 16_380, 0, whole.len() as u64 - 3] {
            input.seek(pos).unwrap();
            let got = input.read_bytes(3).unwrap();
            assert_eq!(&got[..], &whole[pos as usize..pos as usize + 3], "at {pos}");
            assert_eq!(input.position(), pos + 3);
        }
        // 40 000 contiguous bytes across three chunks.
        input.seek(10_000).unwrap();
        assert_eq!(&input.ensure(40_000).unwrap()[..40_000], &whole[10_000..50_000]);
        input.seek(whole.len() as u64).unwrap();
        assert!(input.is_eof());
        let err = input.ensure(1).unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Truncated { expected: 1, available: 0 }), "{err}");
        assert!(input.seek(whole.len() as u64 + 1).is_err());
    }

    #[test]
    fn a_flipped_byte_in_a_chunk_is_a_checksum_mismatch_at_that_chunk() {
        let tmp = TempDir::copy_of("cassandra/legacy/ma/legacy_tables/legacy_ma_clust");
        let data = tmp.file("-Data.db");
        let t = SSTable::open(&data).unwrap();
        let chunk2 = t.compression_info().unwrap().chunk_offsets[2];
        let mut bytes = std::fs::read(&data).unwrap();
        bytes[chunk2 as usize + 100] ^= 0x40;
        std::fs::write(&data, &bytes).unwrap();

        let mut input = t.data_input().unwrap();
        let mut errors = Vec::new();
        input.check_all_chunks(|e| errors.push(e));
        assert_eq!(errors.len(), 1, "{errors:?}");
        let err = &errors[0];
        assert_eq!((err.component, err.offset, err.uncompressed), (Component::Data, chunk2, false));
        let msg = err.to_string();
        assert!(msg.starts_with(&format!("{}: Data.db at byte {chunk2}: checksum mismatch: stored 0x", data.display())), "{msg}");

        // Streaming stops with the same error when it reaches chunk 2 (uncompressed 131072).
        let mut input = t.data_input().unwrap();
        input.seek(2 * 65536 - 10).unwrap();
        let err = input.ensure(20).unwrap_err();
        assert_eq!((err.offset, err.component), (chunk2, Component::Data));
        assert!(matches!(err.kind, ErrorKind::ChecksumMismatch { .. }));
        assert!(matches!(t.verify_digest().unwrap_err().kind, ErrorKind::ChecksumMismatch { .. }));
    }

    #[test]
    fn a_cut_data_file_is_truncated_at_the_first_missing_chunk() {
        let tmp = TempDir::copy_of("cassandra/legacy/nb/legacy_tables/legacy_nb_clust");
        let data = tmp.file("-Data.db");
        let len = std::fs::metadata(&data).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(&data).unwrap();
        f.set_len(len / 2).unwrap();
        let t = SSTable::open(&data).unwrap();
        let info = t.compression_info().unwrap();
        let first_gone = *info.chunk_offsets.iter().find(|&&o| o + 4 > len / 2).unwrap();
        let err = t.data_input().unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Truncated { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!("{}: Data.db at byte {first_gone}: truncated: needed {} bytes, {} available", data.display(), first_gone + 4, len / 2)
        );
    }

    #[test]
    fn a_deleted_listed_component_is_missing() {
        let tmp = TempDir::copy_of("cassandra/legacy/oa/legacy_tables/legacy_oa_simple");
        let filter = tmp.file("-Filter.db");
        std::fs::remove_file(&filter).unwrap();
        let err = SSTable::open(tmp.file("-Data.db")).unwrap_err();
        assert!(matches!(err.kind, ErrorKind::MissingComponent(Component::Filter)), "{err}");
        assert_eq!(err.to_string(), format!("{}: Filter.db at byte 0: missing component Filter.db", filter.display()));
    }

    #[test]
    fn an_unknown_version_in_the_name_is_unsupported() {
        let tmp = TempDir::copy_of("cassandra/legacy/nb/legacy_tables/legacy_nb_simple");
        for e in std::fs::read_dir(&tmp.0).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().replace("nb-1-big", "qq-1-big");
            std::fs::rename(&p, tmp.0.join(name)).unwrap();
        }
        let data = tmp.file("-Data.db");
        let err = SSTable::open(&data).unwrap_err();
        assert_eq!(err.to_string(), format!("{}: Data.db at byte 0: unsupported SSTable version \"qq (big format)\"", data.display()));
        assert!(matches!(list_sstables(&tmp.0).unwrap_err().kind, ErrorKind::UnsupportedVersion(_)));
    }

    #[test]
    fn a_corrupt_statistics_file_fails_its_checksum() {
        let tmp = TempDir::copy_of("cassandra/legacy/na/legacy_tables/legacy_na_simple");
        let stats = tmp.file("-Statistics.db");
        let mut bytes = std::fs::read(&stats).unwrap();
        // Offset 0x30 lies in the validation component (0x2c..0x69), whose CRC is at 0x65.
        bytes[0x30] ^= 1;
        std::fs::write(&stats, &bytes).unwrap();
        let err = SSTable::open(tmp.file("-Data.db")).unwrap_err();
        assert!(matches!(err.kind, ErrorKind::ChecksumMismatch { .. }), "{err}");
        assert_eq!((err.component, err.offset), (Component::Statistics, 0x65));
        // A cut file: the header component loses its end.
        std::fs::write(&stats, &bytes[..bytes.len() - 10]).unwrap();
        let err = SSTable::open(tmp.file("-Data.db")).unwrap_err();
        assert_eq!(err.component, Component::Statistics);
    }

    #[test]
    fn opens_the_partition_index_of_either_format() {
        for rel in ["cassandra/legacy/nb/legacy_tables/legacy_nb_clust", "cassandra/legacy/da/legacy_tables/legacy_da_clust"] {
            let t = SSTable::open(test_fixtures::data_path(&test_fixtures::dir(rel))).unwrap();
            assert_eq!(t.partitioner().unwrap(), Partitioner::ByteOrdered);
            let index = t.open_index().unwrap();
            assert_eq!((&index.first_key()[..], &index.last_key()[..]), (&b"0"[..], &b"4"[..]), "{rel}");
            assert_eq!(index.entries().count(), 5, "{rel}");
        }
    }

    fn testdata(rel: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(rel)
    }

    #[test]
    fn cassandra_5_sstables_of_each_layout_stream_with_valid_checksums() {
        // (directory, generation, layout, uncompressed length, chunks)
        let cases = [
            ("scalar_int-none", 1, "Checksummed", 2522, 1),
            ("scalar_int-lz4", 1, "Compressed(LZ4Compressor", 2522, 1),
            ("scalar_int-snappy", 1, "Compressed(SnappyCompressor", 2522, 1),
            ("history-none", 1, "Checksummed", 28904, 1),
            ("history-snappy", 1, "Compressed(SnappyCompressor", 28904, 8),
            ("history-snappy", 2, "Compressed(SnappyCompressor", 2006, 1),
            ("history-snappy", 3, "Compressed(SnappyCompressor", 621, 1),
        ];
        for (dir, generation, layout, len, chunks) in cases {
            let t = SSTable::open(testdata(&format!("cassandra-5.0.8/{dir}/oa-{generation}-big-Data.db"))).unwrap();
            let mut input = t.data_input().unwrap();
            assert!(format!("{:?}", input.layout()).starts_with(layout), "{dir}: {:?}", input.layout());
            assert_eq!((input.len(), input.chunk_count()), (len, chunks), "{dir}");
            let mut errors = Vec::new();
            assert_eq!(input.check_all_chunks(|e| errors.push(e)), len, "{dir}: {errors:?}");
            let mut bytes = Vec::new();
            while !input.is_eof() {
                bytes.extend_from_slice(&input.read_bytes(777.min((len - input.position()) as usize)).unwrap());
            }
            t.verify_digest().unwrap();
            assert_eq!(t.statistics().partitioner(), Some("org.apache.cassandra.dht.Murmur3Partitioner"));
            assert_eq!(bytes.len() as u64, len, "{dir}");
            // Every partition of these tables starts with a 4-byte int key (length 4).
            assert_eq!(&bytes[..2], &[0, 4], "{dir}");
        }
    }

    #[test]
    fn a_flipped_byte_in_an_uncompressed_data_file_fails_its_crc_db_check() {
        let tmp = TempDir::new("crcdb");
        for e in std::fs::read_dir(testdata("cassandra-5.0.8/scalar_int-none")).unwrap() {
            let p = e.unwrap().path();
            std::fs::write(tmp.0.join(p.file_name().unwrap()), std::fs::read(&p).unwrap()).unwrap();
        }
        let data = tmp.file("-Data.db");
        let mut bytes = std::fs::read(&data).unwrap();
        bytes[1000] ^= 4;
        std::fs::write(&data, &bytes).unwrap();
        let t = SSTable::open(&data).unwrap();
        let err = t.data_input().unwrap().ensure(1).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{}: Data.db at byte 0: checksum mismatch: stored 0x", data.display())), "{err}");
        // A CRC.db that does not match the file's size is refused up front.
        std::fs::write(tmp.file("-CRC.db"), [0, 0, 4, 0, 1, 2, 3, 4]).unwrap();
        let err = t.data_input().unwrap_err();
        assert!(err.to_string().contains("CRC.db has 1 CRCs but Data.db of 2522 bytes needs 3 chunks of 1024"), "{err}");
    }

    #[test]
    fn accepts_cassandras_extra_empty_last_chunk() {
        let src = FileSource::open(testdata("cassandra-5.0.8/wide-lz4-tail/oa-3-big-CompressionInfo.db"), Component::CompressionInfo).unwrap();
        let info = CompressionInfo::read(&src, Version::Oa).unwrap();
        assert_eq!((info.data_length, info.chunk_count(), info.chunk_length), (53_730_219, 3281, 16384));
        assert_eq!(info.chunk_uncompressed_len(3280), 0);
    }

    #[test]
    fn lists_sstables_in_a_directory_tree() {
        let root = test_fixtures::dir("cassandra/legacy/nb");
        let all = find_sstables(&root).unwrap();
        assert_eq!(all.len(), 4);
        assert!(all.iter().all(|d| d.version == Version::Nb && d.generation == "1"));
        let one = list_sstables(root.join("legacy_tables/legacy_nb_clust")).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].file_name(Component::Data), "nb-1-big-Data.db");
        assert!(list_sstables(&root).unwrap().is_empty());
    }
}
