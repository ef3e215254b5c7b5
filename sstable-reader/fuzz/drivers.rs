//! Fuzz drivers of the SSTable reader: one function per parser, fed arbitrary bytes.
//!
//! Shared by the cargo-fuzz targets (`fuzz_targets/*.rs`, nightly), the seed maker
//! (`src/bin/seed.rs`) and the regression tests (`sstable-reader/tests/regression.rs`, stable),
//! which replay every crash input the fuzzer found. Each driver must return normally on any
//! input: a panic, an iterator that never ends, or an error that does not name the file and
//! component it came from is a bug in the reader.
//!
//! Input layouts (the first byte usually selects a variant, so that one corpus covers several
//! versions or headers):
//! ```text
//! toc               TOC.txt
//! statistics        version(1) Statistics.db
//! compression_info  version(1) split(CompressionInfo.db, Data.db)
//! chunk             codec(1) expected-length(u32 LE) stored chunk body
//! summary           Summary.db
//! big_index         flags(1) split(Summary.db, Index.db)
//! bti_index         partitioner(1) split(Partitions.db, Rows.db)
//! data              header(1) uncompressed Data.db   (header: one of `data_headers()`)
//! split(a, b)       len(a) as u32 LE, a, b
//! ```
#![allow(dead_code, reason = "each fuzz target uses one driver of this shared file")]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use sstable_reader::data::{DataHeader, DecodeOptions, InvalidDeletionTimes, PartitionReader, RowItem, Unfiltered};
use sstable_reader::index::big::{BigIndex, Summary};
use sstable_reader::index::bti::BtiIndex;
use sstable_reader::index::{ClusteringLayout, KeyBound, PartitionIndex};
use sstable_reader::io::{ByteSource, BytesSource};
use sstable_reader::metadata::{CompressionInfo, Statistics, Toc};
use sstable_reader::types::{format, CqlType};
use sstable_reader::{Component, DataInput, Error, Partitioner, SSTable, SliceInput, Version};

/// The targets, in the order `scripts/fuzz` runs them.
pub const TARGETS: &[&str] = &["toc", "statistics", "compression_info", "chunk", "summary", "big_index", "bti_index", "data"];

/// Runs the driver named `target` on `data`.
///
/// # Panics
/// On an unknown target name, and wherever the driver finds a reader bug.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "toc" => toc(data),
        "statistics" => statistics(data),
        "compression_info" => compression_info(data),
        "chunk" => chunk(data),
        "summary" => summary(data),
        "big_index" => big_index(data),
        "bti_index" => bti_index(data),
        "data" => data_db(data),
        other => panic!("unknown fuzz target {other}"),
    }
}

/// `len(a) as u32 LE, a, b`.
pub fn join(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + a.len() + b.len());
    out.extend_from_slice(&(a.len() as u32).to_le_bytes());
    out.extend_from_slice(a);
    out.extend_from_slice(b);
    out
}

/// The inverse of [`join`], tolerant of any input.
pub fn split(data: &[u8]) -> (&[u8], &[u8]) {
    if data.len() < 4 {
        return (data, &[]);
    }
    let n = (u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize).min(data.len() - 4);
    data[4..].split_at(n)
}

fn source(bytes: &[u8], name: &str, component: Component) -> BytesSource {
    BytesSource::new(Bytes::copy_from_slice(bytes), format!("fuzz/{name}"), component)
}

/// The error must come from one of `sources` and name it.
fn check_error(err: &Error, sources: &[&BytesSource]) {
    assert!(
        sources.iter().any(|s| s.component() == err.component && s.path() == err.file),
        "error names {} / {:?}, not one of the sources read: {err}",
        err.file.display(),
        err.component
    );
}

/// Iterates at most `bound` items; more means the iterator does not advance.
fn drain<T>(iter: impl Iterator<Item = sstable_reader::Result<T>>, bound: u64, mut each: impl FnMut(T), on_err: impl FnOnce(Error)) {
    let mut n = 0u64;
    for item in iter {
        n += 1;
        assert!(n <= bound, "iterator yielded more than {bound} items: it does not advance");
        match item {
            Ok(v) => each(v),
            Err(e) => return on_err(e),
        }
    }
}

fn version(sel: u8) -> Version {
    Version::ALL[sel as usize % Version::ALL.len()]
}

/// TOC.txt.
pub fn toc(data: &[u8]) {
    let src = source(data, "nb-1-big-TOC.txt", Component::Toc);
    if let Err(e) = Toc::read(&src) {
        check_error(&e, &[&src]);
    }
}

/// Statistics.db of the version the first byte selects.
pub fn statistics(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let src = source(rest, "nb-1-big-Statistics.db", Component::Statistics);
    match Statistics::read(&src, version(sel)) {
        Ok(stats) => {
            // What opening a Data.db does with it.
            let _ = stats.partitioner();
            let _ = DataHeader::from_serialization_header("fuzz/nb-1-big-Data.db", version(sel).has_uint_deletion_time(), &stats.header);
            let _ = format!("{stats:?}");
        }
        Err(e) => check_error(&e, &[&src]),
    }
}

/// CompressionInfo.db, then the Data.db it describes read through [`sstable_reader::compression::ChunkedInput`].
pub fn compression_info(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let (info, stored) = split(rest);
    let info_src = source(info, "nb-1-big-CompressionInfo.db", Component::CompressionInfo);
    let data_src = source(stored, "nb-1-big-Data.db", Component::Data);
    let info = match CompressionInfo::read(&info_src, version(sel)) {
        Ok(info) => Arc::new(info),
        Err(e) => return check_error(&e, &[&info_src]),
    };
    for i in 0..info.chunk_count().min(1 << 16) {
        let _ = info.chunk_span(i, data_src.len());
        let _ = info.chunk_uncompressed_len(i);
    }
    let Ok(codec) = sstable_reader::compression::codec_for(&info.compressor) else { return };
    let layout = sstable_reader::compression::ChunkLayout::Compressed { info: Arc::clone(&info), codec };
    let mut input = match sstable_reader::compression::ChunkedInput::new(data_src.clone(), layout) {
        Ok(input) => input,
        Err(e) => return check_error(&e, &[&data_src, &info_src]),
    };
    let mut errors = Vec::new();
    input.check_all_chunks(|e| errors.push(e));
    for e in &errors {
        check_error(e, &[&data_src, &info_src]);
    }
    // Stream it in odd-sized pieces, as decoders do.
    let mut steps = 0u64;
    while !input.is_eof() {
        steps += 1;
        assert!(steps <= 1 + input.len(), "stream does not advance");
        let want = (input.len() - input.position()).min(1000) as usize;
        match input.read_bytes(want) {
            Ok(b) => assert_eq!(b.len(), want),
            Err(e) => return check_error(&e, &[&data_src, &info_src]),
        }
    }
}

/// One stored chunk through the codec the first byte selects.
pub fn chunk(data: &[u8]) {
    const CODECS: [&str; 5] = ["LZ4Compressor", "SnappyCompressor", "DeflateCompressor", "ZstdCompressor", "NoopCompressor"];
    if data.len() < 5 {
        return;
    }
    let codec = sstable_reader::compression::codec_for(CODECS[data[0] as usize % CODECS.len()]).unwrap();
    // Chunk lengths are at most 2^30 (CompressionInfo checks); keep the fuzzer's below 4 MiB.
    let expected = u32::from_le_bytes([data[1], data[2], data[3], data[4]]) as usize % (4 << 20);
    let mut out = Vec::new();
    if codec.decompress(&data[5..], expected, &mut out).is_ok() {
        assert_eq!(out.len(), expected, "{} returned the wrong length", codec.name());
    }
}

/// Summary.db.
pub fn summary(data: &[u8]) {
    let src = source(data, "nb-1-big-Summary.db", Component::Summary);
    match Summary::read(&src) {
        Ok(s) => {
            for p in PARTITIONERS {
                for bound in [KeyBound::TokenStart(p.min_token()), KeyBound::Key(p.decorate(s.first_key.clone())), KeyBound::Key(p.decorate(s.last_key.clone()))] {
                    let _ = s.scan_start(&bound, p);
                }
            }
        }
        Err(e) => check_error(&e, &[&src]),
    }
}

const PARTITIONERS: [Partitioner; 3] = [Partitioner::Murmur3, Partitioner::Random, Partitioner::ByteOrdered];

/// Index.db with (or without) Summary.db: flags bit 0-1 partitioner, bit 2 uint deletion
/// times (`oa`), bit 3 no summary.
pub fn big_index(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let (summary, index) = split(rest);
    let summary_src = source(summary, "nb-1-big-Summary.db", Component::Summary);
    let index_src = source(index, "nb-1-big-Index.db", Component::PrimaryIndex);
    let partitioner = PARTITIONERS[(sel & 3) as usize % 3];
    let opened = BigIndex::open(index_src.clone(), (sel & 8 == 0).then(|| summary_src.clone()), partitioner, sel & 4 != 0);
    match opened {
        Ok(index) => exercise_index(&index, index_src.len(), &[&summary_src, &index_src]),
        Err(e) => check_error(&e, &[&summary_src, &index_src]),
    }
}

/// Partitions.db and Rows.db; the first byte selects the partitioner.
pub fn bti_index(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let (partitions, rows) = split(rest);
    let partitions_src = source(partitions, "da-1-bti-Partitions.db", Component::Partitions);
    let rows_src = source(rows, "da-1-bti-Rows.db", Component::Rows);
    let partitioner = PARTITIONERS[sel as usize % 3];
    match BtiIndex::open(partitions_src.clone(), rows_src.clone(), partitioner) {
        Ok(index) => exercise_index(&index, partitions_src.len() + rows_src.len(), &[&partitions_src, &rows_src]),
        Err(e) => check_error(&e, &[&partitions_src, &rows_src]),
    }
}

/// Lists, seeks and reads row index blocks as the loader does. An index of `len` bytes has
/// fewer than `len + 1` entries.
fn exercise_index(index: &dyn PartitionIndex, len: u64, sources: &[&BytesSource]) {
    let bound = len + 1;
    let mut keys = Vec::new();
    let mut entries = Vec::new();
    drain(
        index.entries(),
        bound,
        |e| {
            if keys.len() < 8 {
                if let Some(k) = &e.key {
                    keys.push(k.clone());
                }
                entries.push(e);
            }
        },
        |e| check_error(&e, sources),
    );
    const LAYOUTS: [&ClusteringLayout; 3] = [&[None], &[Some(4), None], &[]];
    for (i, e) in entries.iter().enumerate() {
        if let Err(err) = index.row_index_blocks(e, LAYOUTS[i % 3]) {
            check_error(&err, sources);
        }
    }
    let p = index.partitioner();
    keys.push(index.first_key().clone());
    keys.push(index.last_key().clone());
    let mut bounds = vec![KeyBound::TokenStart(p.min_token())];
    for k in keys {
        let dk = p.decorate(k);
        bounds.push(KeyBound::TokenEnd(dk.token.clone()));
        bounds.push(KeyBound::Key(dk));
    }
    for b in &bounds {
        match index.seek(b) {
            Ok(iter) => drain(iter.take(16), bound, |_| {}, |e| check_error(&e, sources)),
            Err(e) => check_error(&e, sources),
        }
        let mut key_at = |_pos: u64| Ok(Bytes::from_static(b"k"));
        match index.seek_confirmed(b, &mut key_at) {
            Ok(iter) => drain(iter.take(4), bound, |_| {}, |e| check_error(&e, sources)),
            Err(e) => check_error(&e, sources),
        };
    }
}

/// Where sstable-reader is (the fuzz crate is inside it).
fn reader_dir() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    if here.ends_with("fuzz") {
        here.parent().unwrap().to_path_buf()
    } else {
        here.to_path_buf()
    }
}

/// `shared/fixtures/sstables` beside the checkout, or `$KSBULK_FIXTURES`.
pub fn fixtures_root() -> PathBuf {
    std::env::var_os("KSBULK_FIXTURES").map(PathBuf::from).unwrap_or_else(|| reader_dir().join("../../shared/fixtures/sstables"))
}

/// The real SSTables whose serialization headers the `data` target decodes with, by index.
/// Never reorder: crash inputs name a header by its index.
pub fn data_header_sstables() -> Vec<PathBuf> {
    let testdata = reader_dir().join("testdata/cassandra-5.0.8");
    let legacy = fixtures_root().join("cassandra/legacy");
    let negative = fixtures_root().join("cassandra");
    vec![
        testdata.join("scalar_int-none/oa-1-big-Data.db"),
        testdata.join("history-none/oa-1-big-Data.db"),
        legacy.join("nb/legacy_tables/legacy_nb_clust/nb-1-big-Data.db"),
        legacy.join("ma/legacy_tables/legacy_ma_clust_counter_compact/ma-1-big-Data.db"),
        legacy.join("mc/legacy_tables/legacy_mc_simple_counter/mc-1-big-Data.db"),
        legacy.join("da/legacy_tables/legacy_da_clust/da-1-bti-Data.db"),
        negative.join("negative-local-expiration/table1/mc-1-big-Data.db"),
        negative.join("negative-ldts-invalid-deletions/invalid_range_tombstone_reader/nb-1-big-Data.db"),
    ]
}

fn m(name: &str) -> String {
    format!("org.apache.cassandra.db.marshal.{name}")
}

/// A header with a column of every kind of type (no SSTable has them all), in 5.0's (`oa`)
/// or 4.0's deletion-time encoding.
fn all_types_header(uint_deletion_time: bool) -> DataHeader {
    use sstable_reader::data::{ColumnSpec, EncodingStats};
    let t = |s: String| CqlType::parse(&s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
    let scalars = [
        "AsciiType", "LongType", "BytesType", "BooleanType", "SimpleDateType", "DecimalType", "DoubleType", "FloatType",
        "InetAddressType", "Int32Type", "ShortType", "UTF8Type", "TimeType", "TimestampType", "TimeUUIDType", "ByteType",
        "UUIDType", "IntegerType", "DurationType", "CounterColumnType",
    ];
    let mut regular: Vec<ColumnSpec> = scalars.iter().map(|s| ColumnSpec::new(s.to_lowercase(), t(m(s)))).collect();
    let complex = [
        format!("ListType({})", m("Int32Type")),
        format!("SetType({})", m("UTF8Type")),
        format!("MapType({},{})", m("TimestampType"), m("DecimalType")),
        format!("UserType(ks,61646472,737472656574:{},7a6970:{})", m("UTF8Type"), m("IntegerType")),
        format!("FrozenType({})", m(&format!("ListType({})", m("DoubleType")))),
        format!("TupleType({},{})", m("Int32Type"), m("UTF8Type")),
        format!("VectorType({},3)", m("FloatType")),
        format!("VectorType({},2)", m("UTF8Type")),
    ];
    regular.extend(complex.iter().enumerate().map(|(i, s)| ColumnSpec::new(format!("c{i}"), t(m(s)))));
    let statics = vec![ColumnSpec::new("s", t(m(&format!("SetType({})", m("InetAddressType")))))];
    let key = t(m(&format!("CompositeType({},{})", m("Int32Type"), m("UTF8Type"))));
    let clustering = vec![t(m("TimeUUIDType")), t(m(&format!("ReversedType({})", m("DecimalType")))), t(m("BytesType"))];
    let stats = EncodingStats { min_timestamp: 1_700_000_000_000_000, min_local_deletion_time: 1_700_000_000, min_ttl: 0 };
    DataHeader::new("fuzz/oa-1-big-Data.db", uint_deletion_time, key, clustering, statics, regular, stats)
}

/// The headers the `data` target picks from with its first byte: those of
/// [`data_header_sstables`], then [`all_types_header`] in both encodings.
pub fn data_headers() -> &'static [Arc<DataHeader>] {
    static HEADERS: OnceLock<Vec<Arc<DataHeader>>> = OnceLock::new();
    HEADERS.get_or_init(|| {
        let mut out: Vec<Arc<DataHeader>> = data_header_sstables()
            .iter()
            .map(|p| {
                let t = SSTable::open(p).unwrap_or_else(|e| panic!("fuzz header fixture {}: {e}", p.display()));
                Arc::new(DataHeader::for_sstable(&t).unwrap())
            })
            .collect();
        out.push(Arc::new(all_types_header(true)));
        out.push(Arc::new(all_types_header(false)));
        out
    })
}

/// Converts a value the way `ksbulk dump` and the loader do; errors are fine, panics are not.
fn convert(ty: &CqlType, value: &[u8], json: &mut String) {
    let _ = ty.decode(value);
    json.clear();
    let _ = format::json(ty, value, json);
    let _ = format::display(ty, value);
}

/// Uncompressed Data.db decoded with the header the first byte selects (bit 7: report
/// negative deletion times instead of failing): every partition, row, marker and cell, each
/// value converted; then the same bytes through the sstabledump exporter.
pub fn data_db(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let headers = data_headers();
    let header = &headers[(sel & 0x7f) as usize % headers.len()];
    let options = DecodeOptions {
        invalid_deletion_times: if sel & 0x80 != 0 { InvalidDeletionTimes::Report } else { InvalidDeletionTimes::Error },
    };
    let header = Arc::new((**header).clone().with_options(options));
    let bytes = Bytes::copy_from_slice(rest);
    let bound = bytes.len() as u64 + 2;
    let check = |e: &Error| {
        assert!(e.component == Component::Data && e.file == header.file, "Data.db error names {} / {:?}: {e}", e.file.display(), e.component);
    };

    let mut reader = PartitionReader::new(SliceInput::new(bytes.clone(), &header.file), Arc::clone(&header));
    let mut json = String::new();
    let mut partitions = 0u64;
    'partitions: loop {
        partitions += 1;
        assert!(partitions <= bound, "partitions do not advance");
        let before = reader.position();
        let partition = match reader.next_partition() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(e) => {
                check(&e);
                break;
            }
        };
        assert!(reader.position() > before, "a partition header of no bytes");
        let _ = sstable_reader::export::key_strings(&header.key_type, &partition.key);
        let mut unfiltereds = 0u64;
        let mut rows: Vec<_> = partition.static_row.into_iter().map(Unfiltered::Row).collect();
        loop {
            unfiltereds += 1;
            assert!(unfiltereds <= bound, "unfiltereds do not advance");
            if let Some(u) = rows.pop() {
                visit(&header, &u, &mut json, &check);
                continue;
            }
            match reader.next_unfiltered() {
                Ok(Some(u)) => visit(&header, &u, &mut json, &check),
                Ok(None) => break,
                Err(e) => {
                    check(&e);
                    break 'partitions;
                }
            }
        }
    }

    // The sstabledump exporter, which converts every value to its JSON text.
    let mut reader = PartitionReader::new(SliceInput::new(bytes, &header.file), Arc::clone(&header));
    let options = sstable_reader::export::DumpOptions { now: 1_800_000_000, ..Default::default() };
    if let Err(e) = sstable_reader::export::dump(&mut reader, &options, &mut std::io::sink()) {
        if e.component == Component::Data && e.file.as_os_str() != "<output>" {
            check(&e);
        }
    }
}

fn visit(header: &DataHeader, u: &Unfiltered, json: &mut String, check: &dyn Fn(&Error)) {
    match u {
        Unfiltered::Row(row) => {
            for (v, ty) in row.clustering().iter().zip(&header.clustering_types) {
                if let Some(v) = v {
                    convert(ty, v, json);
                }
            }
            let specs = row.column_specs();
            for item in row.items() {
                match item {
                    Ok(RowItem::Cell(cell)) => {
                        let spec = &specs[cell.column];
                        let _ = (cell.is_live(1_800_000_000), cell.deletion(), cell.expiration());
                        let _ = row.bytes_of(cell.value);
                        if spec.complex {
                            let path = cell.path.unwrap_or_default();
                            if let Some(pt) = spec.ty.cell_path_type() {
                                convert(&pt, path, json);
                            }
                            if let Some(vt) = spec.ty.cell_value_type(path) {
                                convert(vt, cell.value, json);
                            }
                        } else {
                            convert(&spec.ty, cell.value, json);
                        }
                    }
                    Ok(RowItem::ComplexDeletion { column, .. }) => assert!(column < specs.len()),
                    Err(e) => {
                        check(&e);
                        break;
                    }
                }
            }
        }
        Unfiltered::Marker(m) => {
            for (v, ty) in m.clustering().iter().zip(&header.clustering_types) {
                if let Some(v) = v {
                    convert(ty, v, json);
                }
            }
            let _ = (m.open_deletion(), m.close_deletion(), m.clustering_owned());
        }
    }
}

/// `data_db` under the name the target and `run` use.
pub fn data(data: &[u8]) {
    data_db(data)
}

/// Seeds for `target` from real SSTables: `(name, input)` pairs.
pub fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut sstables = Vec::new();
    collect_sstables(&fixtures_root(), &mut sstables);
    collect_sstables(&reader_dir().join("testdata"), &mut sstables);
    sstables.sort();
    let read = |p: &Path| std::fs::read(p).ok();
    let mut out = Vec::new();
    for data_path in &sstables {
        let name = data_path.strip_prefix(fixtures_root()).or_else(|_| data_path.strip_prefix(reader_dir())).unwrap_or(data_path);
        let name = name.to_string_lossy().replace('/', "_");
        let sibling = |suffix: &str| {
            let s = data_path.to_string_lossy();
            PathBuf::from(format!("{}{suffix}", &s[..s.len() - "Data.db".len()]))
        };
        let Ok((descriptor, _)) = sstable_reader::Descriptor::from_path(data_path) else { continue };
        let vsel = Version::ALL.iter().position(|v| *v == descriptor.version).unwrap() as u8;
        match target {
            "toc" => out.extend(read(&sibling("TOC.txt")).map(|b| (name.clone(), b))),
            "statistics" => out.extend(read(&sibling("Statistics.db")).map(|b| (name.clone(), [&[vsel][..], &b].concat()))),
            "compression_info" => {
                if let Some(info) = read(&sibling("CompressionInfo.db")) {
                    let stored = read(data_path).unwrap_or_default();
                    let stored = if stored.len() <= 64 << 10 { stored } else { Vec::new() };
                    out.push((name.clone(), [&[vsel][..], &join(&info, &stored)].concat()));
                }
            }
            "summary" => out.extend(read(&sibling("Summary.db")).map(|b| (name.clone(), b))),
            "big_index" => {
                if let (Some(summary), Some(index)) = (read(&sibling("Summary.db")), read(&sibling("Index.db"))) {
                    let p = if name.contains("legacy") { 2 } else { 0 };
                    let uint = if descriptor.version.has_uint_deletion_time() { 4 } else { 0 };
                    out.push((name.clone(), [&[p | uint][..], &join(&summary, &index)].concat()));
                }
            }
            "bti_index" => {
                if let (Some(partitions), Some(rows)) = (read(&sibling("Partitions.db")), read(&sibling("Rows.db"))) {
                    let p = if name.contains("legacy") { 2 } else { 0 };
                    out.push((name.clone(), [&[p][..], &join(&partitions, &rows)].concat()));
                }
            }
            "chunk" => {
                let Ok(t) = SSTable::open(data_path) else { continue };
                let (Some(info), Some(stored)) = (t.compression_info(), read(data_path)) else { continue };
                let codec = ["LZ4Compressor", "SnappyCompressor", "DeflateCompressor", "ZstdCompressor"].iter().position(|c| info.compressor.ends_with(c));
                if let (Some(codec), Some((start, end))) = (codec, info.chunk_span(0, stored.len() as u64)) {
                    let body = &stored[start as usize..end as usize - 4];
                    let expected = info.chunk_uncompressed_len(0) as u32;
                    out.push((name.clone(), [&[codec as u8][..], &expected.to_le_bytes(), body].concat()));
                }
            }
            "data" => {
                let Some(h) = data_header_sstables().iter().position(|p| p == data_path) else { continue };
                let Ok(t) = SSTable::open(data_path) else { continue };
                let Ok(mut input) = t.data_input() else { continue };
                let Ok(bytes) = input.read_bytes(input.len() as usize) else { continue };
                out.push((name.clone(), [&[h as u8][..], &bytes].concat()));
            }
            _ => {}
        }
    }
    if target == "chunk" {
        // The reference-library vectors (zlib and zstd) of scalar_int-none's Data.db (2522 bytes).
        let vectors = reader_dir().join("testdata/codec-vectors");
        for (file, codec) in [("scalar_int-data.zlib", 2u8), ("scalar_int-data.zst", 3)] {
            if let Some(b) = read(&vectors.join(file)) {
                out.push((file.to_string(), [&[codec][..], &2522u32.to_le_bytes(), &b].concat()));
            }
        }
    }
    out
}

fn collect_sstables(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_sstables(&p, out);
        } else if p.to_string_lossy().ends_with("-Data.db") {
            out.push(p);
        }
    }
}
