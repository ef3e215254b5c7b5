//! The partition indexes of the real SSTables in `shared/fixtures/sstables` (written by
//! Cassandra 3.0 – 5.0): stored order, Data.db positions, seeking, row index blocks, and
//! errors on corrupted copies.
//!
//! Data.db is read here with a minimal LZ4 chunk reader (test-only) to check that the key
//! stored at each indexed position is the partition the index names.

use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::*;
use crate::io::{BytesSource, FileSource};
use crate::{Component, ErrorKind, Partitioner, Token};

pub(crate) fn fixtures_root() -> PathBuf {
    std::env::var_os("KSBULK_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/sstables"))
}

/// One SSTable of the fixtures: its directory, file prefix (`nb-1-big-`) and version.
pub(crate) struct Fixture {
    pub(crate) dir: PathBuf,
    pub(crate) prefix: String,
    pub(crate) version: String,
    pub(crate) partitioner: Partitioner,
}

impl Fixture {
    pub(crate) fn path(&self, c: Component) -> PathBuf {
        self.dir.join(format!("{}{}", self.prefix, c.file_suffix()))
    }

    pub(crate) fn source(&self, c: Component) -> FileSource {
        FileSource::open(self.path(c), c).unwrap()
    }

    pub(crate) fn is_bti(&self) -> bool {
        self.prefix.contains("-bti-")
    }

    /// Cassandra 5.0 formats: big `oa` and BTI `da` (BTI versions start at `d`).
    pub(crate) fn uint_deletion_time(&self) -> bool {
        self.version.starts_with('o') || self.version.starts_with('d')
    }

    /// `na` and later (4.0+): CompressionInfo has maxCompressedLength.
    fn has_max_compressed_length(&self) -> bool {
        self.version.as_str() >= "na" || self.version.starts_with('d')
    }

    pub(crate) fn open_index(&self) -> Box<dyn PartitionIndex> {
        let (format, primary, secondary) = if self.is_bti() {
            (IndexFormat::Bti, Component::Partitions, Component::Rows)
        } else {
            (IndexFormat::Big, Component::PrimaryIndex, Component::Summary)
        };
        let sources = IndexSources {
            primary: self.source(primary),
            secondary: Some(self.source(secondary)),
            partitioner: self.partitioner,
            uint_deletion_time: self.uint_deletion_time(),
        };
        open(format, sources).unwrap_or_else(|e| panic!("{}: {e}", self.dir.display()))
    }

    /// The whole uncompressed Data.db (LZ4 chunks, as every fixture has).
    pub(crate) fn data(&self) -> Vec<u8> {
        let info = std::fs::read(self.path(Component::CompressionInfo)).unwrap();
        let data = std::fs::read(self.path(Component::Data)).unwrap();
        let mut at = 0usize;
        let mut take = |n: usize| {
            let s = &info[at..at + n];
            at += n;
            s.to_vec()
        };
        let be32 = |b: Vec<u8>| u32::from_be_bytes(b.try_into().unwrap()) as usize;
        let name_len = u16::from_be_bytes(take(2).try_into().unwrap()) as usize;
        assert_eq!(take(name_len), b"LZ4Compressor");
        let options = be32(take(4));
        for _ in 0..options * 2 {
            let n = u16::from_be_bytes(take(2).try_into().unwrap()) as usize;
            take(n);
        }
        let chunk_len = be32(take(4));
        if self.has_max_compressed_length() {
            take(4);
        }
        let data_len = u64::from_be_bytes(take(8).try_into().unwrap()) as usize;
        let chunks = be32(take(4));
        let offsets: Vec<usize> = (0..chunks).map(|_| u64::from_be_bytes(take(8).try_into().unwrap()) as usize).collect();
        let mut out = Vec::with_capacity(data_len);
        for (i, &start) in offsets.iter().enumerate() {
            let end = offsets.get(i + 1).copied().unwrap_or(data.len()) - 4; // CRC32 after each chunk
            let want = chunk_len.min(data_len - out.len());
            let stored = &data[start..end];
            let len = u32::from_le_bytes(stored[..4].try_into().unwrap()) as usize;
            assert_eq!(len, want);
            out.extend(lz4_flex::block::decompress(&stored[4..], len).unwrap());
        }
        assert_eq!(out.len(), data_len);
        out
    }
}

/// Every SSTable under the fixtures root.
pub(crate) fn all_fixtures() -> Vec<Fixture> {
    let root = fixtures_root();
    let mut out = Vec::new();
    let mut dirs = vec![root.join("cassandra")];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("fixtures missing at {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if let Some(prefix) = name.strip_suffix("TOC.txt") {
                let partitioner = if path.to_string_lossy().contains("/legacy/") { Partitioner::ByteOrdered } else { Partitioner::Murmur3 };
                out.push(Fixture { dir: dir.clone(), prefix: prefix.to_string(), version: name[..2].to_string(), partitioner });
            }
        }
    }
    out.sort_by(|a, b| a.dir.cmp(&b.dir));
    out
}

/// The key stored at `pos` of an uncompressed Data.db (a short-length key starts every
/// partition).
fn key_in_data(data: &[u8], pos: u64) -> Bytes {
    let pos = pos as usize;
    let len = u16::from_be_bytes([data[pos], data[pos + 1]]) as usize;
    Bytes::copy_from_slice(&data[pos + 2..pos + 2 + len])
}

/// Keys expected in stored order, from SOURCES.md.
fn expected_keys(f: &Fixture) -> Option<Vec<Bytes>> {
    let dir = f.dir.to_string_lossy();
    if dir.contains("/legacy/") {
        if dir.ends_with("legacy_mc_inaccurate_min_max") {
            return Some(vec![Bytes::copy_from_slice(&100i32.to_be_bytes())]);
        }
        return Some((b'0'..=b'4').map(|c| Bytes::copy_from_slice(&[c])).collect());
    }
    if dir.contains("negative-ldts-invalid-deletions") {
        return Some([1i32, 0, 22].iter().map(|k| Bytes::copy_from_slice(&k.to_be_bytes())).collect());
    }
    None
}

/// The entries of a fixture with every key filled in (from Data.db when BTI did not store it).
fn entries_with_keys(f: &Fixture, index: &dyn PartitionIndex, data: &[u8]) -> Vec<(Bytes, IndexEntry)> {
    index
        .entries()
        .map(|e| {
            let e = e.unwrap_or_else(|err| panic!("{}: {err}", f.dir.display()));
            let in_data = key_in_data(data, e.data_position);
            if let Some(k) = &e.key {
                assert_eq!(*k, in_data, "{}: index key and Data.db key at {}", f.dir.display(), e.data_position);
            }
            (in_data, e)
        })
        .collect()
}

#[test]
fn every_fixture_lists_its_partitions_in_stored_order() {
    let fixtures = all_fixtures();
    assert_eq!(fixtures.len(), 73, "SOURCES.md lists 65 legacy and 8 negative-* SSTables");
    let mut checked_expected = 0;
    for f in &fixtures {
        let index = f.open_index();
        let data = f.data();
        let entries = entries_with_keys(f, index.as_ref(), &data);
        let name = f.dir.display();
        assert!(!entries.is_empty(), "{name}");
        assert_eq!(entries[0].1.data_position, 0, "{name}");
        for w in entries.windows(2) {
            assert!(w[0].1.data_position < w[1].1.data_position, "{name}: positions not increasing");
            let (a, b) = (f.partitioner.decorate(w[0].0.clone()), f.partitioner.decorate(w[1].0.clone()));
            assert!(a < b, "{name}: keys out of decorated-key order");
        }
        assert!(entries.last().unwrap().1.data_position < data.len() as u64, "{name}");
        assert_eq!(index.first_key(), &entries[0].0, "{name}");
        assert_eq!(index.last_key(), &entries.last().unwrap().0, "{name}");
        if let Some(n) = index.key_count() {
            assert_eq!(n, entries.len() as u64, "{name}");
        }
        if let Some(expected) = expected_keys(f) {
            let keys: Vec<Bytes> = entries.iter().map(|(k, _)| k.clone()).collect();
            if f.dir.ends_with("invalid_range_tombstone_reader") {
                // One wide partition 22 (see SOURCES.md).
                assert_eq!(keys, vec![Bytes::copy_from_slice(&22i32.to_be_bytes())], "{name}");
            } else {
                assert_eq!(keys, expected, "{name}");
            }
            checked_expected += 1;
        }
        if f.is_bti() {
            for (key, e) in &entries {
                // The hash byte is the low byte of the second half of the key's MurmurHash3.
                assert_eq!(e.hash_byte, Some(crate::partitioner::murmur3_x64_128(key).1 as u8), "{name}");
                let mut full = Vec::new();
                bti::encode_token(&f.partitioner.token(key), &mut full);
                let prefix = e.trie_prefix.clone().unwrap();
                assert_eq!(prefix[0], 0x40, "{name}");
                assert!(full.starts_with(&prefix[1..]) || prefix[1..].starts_with(&full), "{name}: trie prefix {prefix:x?} of {key:?}");
            }
        }
    }
    assert_eq!(checked_expected, 69, "legacy and negative-ldts fixtures");
}

#[test]
fn seeking_lands_on_every_partition() {
    for f in all_fixtures() {
        let index = f.open_index();
        let data = f.data();
        let entries = entries_with_keys(&f, index.as_ref(), &data);
        let name = f.dir.display();
        let first_at_or_after = |bound: &KeyBound| -> Option<u64> {
            // Confirm with the key in Data.db what the index could not, as a reader does.
            let mut key_at = |pos: u64| Ok(key_in_data(&data, pos));
            let first = index.seek_confirmed(bound, &mut key_at).unwrap().next().map(|e| e.unwrap());
            if let Some(e) = &first {
                assert!(!e.may_precede_bound);
                assert!(bound.admits(&f.partitioner.decorate(e.key.clone().unwrap_or_else(|| key_in_data(&data, e.data_position)))));
            }
            // Unconfirmed, the position is at most one partition early.
            let rough = index.data_position_at(bound).unwrap();
            if let Some(e) = &first {
                assert!(rough.is_some_and(|r| r <= e.data_position), "{name}");
            }
            first.map(|e| e.data_position)
        };
        let mut prev: Option<Token> = None;
        for (key, e) in &entries {
            let dk = f.partitioner.decorate(key.clone());
            assert_eq!(first_at_or_after(&KeyBound::Key(dk.clone())), Some(e.data_position), "{name}: key {key:?}");
            assert_eq!(first_at_or_after(&KeyBound::TokenStart(dk.token.clone())), Some(e.data_position), "{name}: token start {key:?}");
            let after_prev = prev.clone().map_or(KeyBound::TokenStart(f.partitioner.min_token()), KeyBound::TokenEnd);
            assert_eq!(first_at_or_after(&after_prev), Some(e.data_position), "{name}: after previous token, {key:?}");
            prev = Some(dk.token);
        }
        assert_eq!(first_at_or_after(&KeyBound::TokenEnd(prev.unwrap())), None, "{name}: past the last key");
        // The iterator continues in order after the landing point.
        let (key, _) = &entries[entries.len() / 2];
        let rest: Vec<u64> = index
            .seek(&KeyBound::Key(f.partitioner.decorate(key.clone())))
            .unwrap()
            .map(|e| e.unwrap().data_position)
            .collect();
        let expected: Vec<u64> = entries[entries.len() / 2..].iter().map(|(_, e)| e.data_position).collect();
        assert_eq!(rest, expected, "{name}");
    }
}

#[test]
fn wide_partitions_expose_many_row_index_blocks() {
    let text_clustering: &ClusteringLayout = &[None];
    let mut wide_seen = 0;
    for f in all_fixtures().into_iter().filter(|f| f.dir.ends_with(format!("legacy_{}_clust", f.version))) {
        let index = f.open_index();
        let data = f.data();
        let entries = entries_with_keys(&f, index.as_ref(), &data);
        let name = f.dir.display();
        if !f.is_bti() {
            let len = std::fs::metadata(f.path(Component::PrimaryIndex)).unwrap().len();
            assert_eq!(len, if f.version == "oa" { 157_498 } else { 157_553 }, "{name}");
        }
        for (i, (key, e)) in entries.iter().enumerate() {
            let end = entries.get(i + 1).map_or(data.len() as u64, |(_, n)| n.data_position);
            let partition_len = end - e.data_position;
            let blocks = index.row_index_blocks(e, text_clustering).unwrap_or_else(|err| panic!("{name}: {err}"));
            assert!(blocks.len() > 1, "{name} {key:?}: {} blocks", blocks.len());
            assert!(e.deletion.is_some_and(|d| d.is_live()), "{name}");
            assert_eq!(e.key.as_ref(), Some(key), "{name}: wide partitions carry their key in the index");
            for w in blocks.windows(2) {
                assert!(w[0].offset < w[1].offset, "{name}: block offsets not increasing");
            }
            assert!(blocks.last().unwrap().offset < partition_len, "{name}");
            // Blocks tile the partition's rows: each ends where the next begins, the last at
            // the partition's end (BTI's end marker stops before the end-of-partition byte,
            // big's last width includes it).
            for w in blocks.windows(2) {
                assert_eq!(w[0].offset + w[0].width.unwrap(), w[1].offset, "{name}");
            }
            let last = blocks.last().unwrap();
            let end = if f.is_bti() { partition_len - 1 } else { partition_len };
            assert_eq!(last.offset + last.width.unwrap(), end, "{name}: last block end");
            for (j, b) in blocks.iter().enumerate() {
                assert_eq!(b.open_at_start, None, "{name}");
                match &b.first {
                    BlockStart::Clustering(c) => {
                        // ck = decimal row number followed by "0123456789" x 120.
                        let v = c.values[0].as_ref().unwrap();
                        assert!(v.len() == 1201 || v.len() == 1202, "{name}: clustering of {} bytes", v.len());
                        assert!(v.ends_with(&b"0123456789".repeat(120)), "{name}");
                        assert_eq!(b.last.as_ref().unwrap().kind, ClusteringKind::Clustering, "{name}");
                    }
                    // The first block starts at the empty separator (before everything).
                    BlockStart::Separator(s) => assert_eq!(s.is_empty(), j == 0, "{name}"),
                }
            }
            if let BlockStart::Separator(_) = blocks[0].first {
                let seps: Vec<&Bytes> = blocks.iter().map(|b| match &b.first {
                    BlockStart::Separator(s) => s,
                    BlockStart::Clustering(_) => unreachable!(),
                }).collect();
                assert!(seps.windows(2).all(|w| w[0] < w[1]), "{name}: separators not increasing");
            }
            wide_seen += 1;
        }
    }
    // ma..oa and da clust tables, 5 partitions each.
    assert!(wide_seen >= 50, "{wide_seen}");
}

fn legacy(version: &str, table: &str) -> Fixture {
    all_fixtures()
        .into_iter()
        .find(|f| f.version == version && f.dir.ends_with(format!("legacy_{version}_{table}")))
        .unwrap()
}

#[test]
fn a_cut_index_file_is_truncated_at_an_offset() {
    let f = legacy("nb", "clust");
    let bytes = std::fs::read(f.path(Component::PrimaryIndex)).unwrap();
    // Cut inside the third entry's row index.
    let cut = bytes.len() / 2;
    let index = big::BigIndex::open(
        BytesSource::new(bytes[..cut].to_vec(), f.path(Component::PrimaryIndex), Component::PrimaryIndex),
        None,
        Partitioner::ByteOrdered,
        false,
    );
    let err = match index {
        Err(e) => e,
        Ok(_) => panic!("a cut Index.db opened without a summary"),
    };
    assert!(matches!(err.kind, ErrorKind::Truncated { .. }), "{err}");
    assert_eq!(err.component, Component::PrimaryIndex);
    assert!(err.offset < cut as u64, "{err}");
    assert!(err.to_string().contains("Index.db"), "{err}");

    // With the summary, iteration reaches the cut and reports it instead of stopping short.
    let index = big::BigIndex::open(
        BytesSource::new(bytes[..cut].to_vec(), f.path(Component::PrimaryIndex), Component::PrimaryIndex),
        Some(BytesSource::new(std::fs::read(f.path(Component::Summary)).unwrap(), f.path(Component::Summary), Component::Summary)),
        Partitioner::ByteOrdered,
        false,
    )
    .unwrap();
    let results: Vec<_> = index.entries().collect();
    assert!(results.iter().take(results.len() - 1).all(|r| r.is_ok()));
    let last = results.last().unwrap().as_ref().unwrap_err();
    assert!(matches!(last.kind, ErrorKind::Truncated { .. }), "{last}");
    // Cut in the middle of a key: the offset is where the key is.
    let small = legacy("nb", "simple");
    let bytes = std::fs::read(small.path(Component::PrimaryIndex)).unwrap();
    let src = BytesSource::new(bytes[..7].to_vec(), "nb-1-big-Index.db", Component::PrimaryIndex);
    let index = big::BigIndex::open(src, None, Partitioner::ByteOrdered, false);
    let err = index.err().expect("cut simple Index.db");
    assert!(matches!(err.kind, ErrorKind::Truncated { .. }), "{err}");
    assert_eq!(err.offset, 7, "{err}");
}

#[test]
fn a_bad_trie_pointer_is_malformed_at_its_offset() {
    let f = legacy("da", "simple");
    let mut bytes = std::fs::read(f.path(Component::Partitions)).unwrap();
    // The root (at 26) is SINGLE_NOPAYLOAD_4 `1b 40`: a pointer 11 back. Point it 15 back,
    // between nodes, then past the start of the file.
    assert_eq!(&bytes[26..28], &[0x1b, 0x40]);
    bytes[26] = 0x1f;
    let open = |bytes: &[u8]| {
        bti::BtiIndex::open(
            BytesSource::new(bytes.to_vec(), f.path(Component::Partitions), Component::Partitions),
            BytesSource::new(Vec::new(), f.path(Component::Rows), Component::Rows),
            Partitioner::ByteOrdered,
        )
        .unwrap()
    };
    let index = open(&bytes);
    let results: Vec<_> = index.entries().collect();
    assert!(results.iter().any(|r| r.is_err()), "a wrong pointer decoded cleanly: {results:?}");
    let mut bytes2 = std::fs::read(f.path(Component::Partitions)).unwrap();
    // DENSE_12 at 15, first pointer (15 back) made 0xfff back: before the file start.
    bytes2[18] = 0xff;
    bytes2[19] |= 0xf0;
    let index = open(&bytes2);
    let err = index.entries().find_map(|r| r.err()).expect("bad pointer not reported");
    assert!(matches!(err.kind, ErrorKind::Malformed(ref m) if m.contains("bad trie pointer")), "{err}");
    assert_eq!(err.component, Component::Partitions);
    assert_eq!(err.offset, 18);
    assert!(err.to_string().contains("Partitions.db at byte 18"), "{err}");
    let err = index.seek(&KeyBound::TokenStart(Partitioner::ByteOrdered.token(b"0"))).err().or_else(|| {
        index.seek(&KeyBound::TokenStart(Partitioner::ByteOrdered.token(b"0"))).unwrap().find_map(|r| r.err())
    });
    assert!(err.is_some(), "seek through a bad pointer succeeded");
}

#[test]
fn a_bad_footer_is_reported() {
    let f = legacy("da", "simple");
    let bytes = std::fs::read(f.path(Component::Partitions)).unwrap();
    let mut bad = bytes.clone();
    let n = bad.len();
    bad[n - 1] = 0xff; // root position past the footer
    let err = bti::BtiIndex::open(
        BytesSource::new(bad, "da-1-bti-Partitions.db", Component::Partitions),
        BytesSource::new(Vec::new(), "da-1-bti-Rows.db", Component::Rows),
        Partitioner::ByteOrdered,
    )
    .err()
    .unwrap();
    assert!(matches!(err.kind, ErrorKind::Malformed(ref m) if m.contains("root position")), "{err}");
    assert_eq!(err.offset, (n - 8) as u64);
    let err = bti::BtiIndex::open(
        BytesSource::new(bytes[..10].to_vec(), "da-1-bti-Partitions.db", Component::Partitions),
        BytesSource::new(Vec::new(), "da-1-bti-Rows.db", Component::Rows),
        Partitioner::ByteOrdered,
    )
    .err()
    .unwrap();
    assert!(matches!(err.kind, ErrorKind::Truncated { expected: 24, available: 10 }), "{err}");
}

#[test]
fn summary_of_the_simple_tables_samples_the_first_key() {
    let f = legacy("nb", "simple");
    let s = big::Summary::read(&f.source(Component::Summary)).unwrap();
    assert_eq!(s.min_index_interval, 128);
    assert_eq!(s.sampling_level, 128);
    assert_eq!(s.entries.len(), 1);
    assert_eq!(s.entries[0].key, Bytes::from_static(b"0"));
    assert_eq!(s.entries[0].index_position, 0);
    assert_eq!((s.first_key.as_ref(), s.last_key.as_ref()), (&b"0"[..], &b"4"[..]));
    // A summary whose entries region overruns the file.
    let mut bytes = std::fs::read(f.path(Component::Summary)).unwrap();
    bytes[15] = 0xff;
    let err = big::Summary::read(&BytesSource::new(bytes, "nb-1-big-Summary.db", Component::Summary)).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Truncated { .. }), "{err}");
}

