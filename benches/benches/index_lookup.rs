//! Partition index lookups: the time to find the partition of a key or a token, and to list
//! every partition, in `big` (Index.db + Summary.db) and BTI (Partitions.db) indexes of
//! 100 000 Murmur3 partitions held in memory (so this measures decoding, not the disk).
//!
//! The indexes are written here in the formats `sstable-reader` reads (seeded, so runs
//! compare): Index.db entries without row index, a Summary.db sampling every 128th entry,
//! and a Partitions.db trie of unique key prefixes. Every lookup is checked once before
//! timing.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sstable_reader::index::big::BigIndex;
use sstable_reader::index::bti::{self, BtiIndex};
use sstable_reader::index::{KeyBound, PartitionIndex};
use sstable_reader::io::BytesSource;
use sstable_reader::{Component, DecoratedKey, Partitioner};

const PARTITIONS: u32 = 100_000;
const SUMMARY_INTERVAL: usize = 128;

/// Keys of the table: 4-byte ints (a common partition key), in stored order, with fake
/// Data.db positions 100 bytes apart.
fn keys() -> Vec<DecoratedKey> {
    let mut keys: Vec<DecoratedKey> =
        (0..PARTITIONS).map(|i| Partitioner::Murmur3.decorate(Bytes::copy_from_slice(&(i as i32).to_be_bytes()))).collect();
    keys.sort();
    keys
}

/// Cassandra's unsigned vint (`VIntCoding.writeUnsignedVInt`): the count of leading 1 bits
/// of the first byte is the number of extra bytes.
fn uvint(v: u64, out: &mut Vec<u8>) {
    let magnitude = (v | 1).leading_zeros() as usize;
    let size = (639 - magnitude * 9) >> 6;
    let bytes = v.to_be_bytes();
    match size - 1 {
        0 => out.push(v as u8),
        8 => {
            out.push(0xff);
            out.extend_from_slice(&bytes);
        }
        extra => {
            out.push(bytes[7 - extra] | !(0xffu8 >> extra));
            out.extend_from_slice(&bytes[8 - extra..]);
        }
    }
}

fn big_index(keys: &[DecoratedKey]) -> (Vec<u8>, Vec<u8>) {
    let mut index = Vec::new();
    let mut samples = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if i % SUMMARY_INTERVAL == 0 {
            samples.push((k.key.clone(), index.len() as u64));
        }
        index.extend_from_slice(&(k.key.len() as u16).to_be_bytes());
        index.extend_from_slice(&k.key);
        uvint(i as u64 * 100, &mut index);
        uvint(0, &mut index);
    }
    let offsets_len = samples.len() * 4;
    let mut entries = Vec::new();
    let mut offsets = Vec::new();
    for (key, pos) in &samples {
        offsets.extend_from_slice(&((offsets_len + entries.len()) as u32).to_le_bytes());
        entries.extend_from_slice(key);
        entries.extend_from_slice(&pos.to_le_bytes());
    }
    let mut summary = Vec::new();
    summary.extend_from_slice(&(SUMMARY_INTERVAL as u32).to_be_bytes());
    summary.extend_from_slice(&(samples.len() as u32).to_be_bytes());
    summary.extend_from_slice(&((offsets_len + entries.len()) as u64).to_be_bytes());
    summary.extend_from_slice(&128u32.to_be_bytes());
    summary.extend_from_slice(&(samples.len() as u32).to_be_bytes());
    summary.extend(offsets);
    summary.extend(entries);
    for k in [&keys[0].key, &keys[keys.len() - 1].key] {
        summary.extend_from_slice(&(k.len() as u32).to_be_bytes());
        summary.extend_from_slice(k);
    }
    (index, summary)
}

/// A Partitions.db: each key's shortest unique byte-comparable prefix mapped to
/// `~data position`, written bottom-up with PAYLOAD_ONLY leaves and SPARSE_40 or LONG_DENSE inner nodes.
fn bti_partitions(keys: &[DecoratedKey]) -> Vec<u8> {
    let encoded: Vec<Vec<u8>> = keys.iter().map(|k| bti::encode_bound(&KeyBound::Key(k.clone()))).collect();
    let lcp = |a: &[u8], b: &[u8]| a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let items: Vec<(Vec<u8>, i64)> = (0..encoded.len())
        .map(|i| {
            let prev = if i > 0 { lcp(&encoded[i - 1], &encoded[i]) } else { 0 };
            let next = if i + 1 < encoded.len() { lcp(&encoded[i], &encoded[i + 1]) } else { 0 };
            (encoded[i][..prev.max(next) + 1].to_vec(), !(i as i64 * 100))
        })
        .collect();
    let mut out = Vec::new();
    let root = write_node(&mut out, &items, 0);
    let first_pos = out.len() as u64;
    for k in [&keys[0].key, &keys[keys.len() - 1].key] {
        out.extend_from_slice(&(k.len() as u16).to_be_bytes());
        out.extend_from_slice(k);
    }
    out.extend_from_slice(&first_pos.to_be_bytes());
    out.extend_from_slice(&(keys.len() as u64).to_be_bytes());
    out.extend_from_slice(&root.to_be_bytes());
    out
}

fn write_node(out: &mut Vec<u8>, items: &[(Vec<u8>, i64)], depth: usize) -> u64 {
    let mut children = Vec::new();
    let mut payload = None;
    let mut i = 0;
    if items[0].0.len() == depth {
        payload = Some(items[0].1);
        i = 1;
    }
    while i < items.len() {
        let b = items[i].0[depth];
        let j = i + items[i..].iter().take_while(|it| it.0[depth] == b).count();
        children.push((b, write_node(out, &items[i..j], depth + 1)));
        i = j;
    }
    let pos = out.len() as u64;
    let (flags, payload_bytes) = match payload {
        // A hash byte (unchecked here) and the position in as few bytes as hold it signed.
        Some(p) => {
            let size = (1..=8).find(|n| (p >> (8 * n - 1)) == 0 || (p >> (8 * n - 1)) == -1).unwrap_or(8);
            let mut v = vec![0u8];
            v.extend_from_slice(&p.to_be_bytes()[8 - size..]);
            (8 + size as u8 - 1, v)
        }
        None => (0, Vec::new()),
    };
    let (first, last) = match (children.first(), children.last()) {
        (Some(f), Some(l)) => (f.0, l.0),
        _ => {
            out.push(flags); // PAYLOAD_ONLY
            out.extend(payload_bytes);
            return pos;
        }
    };
    let span = (last - first) as usize + 1;
    if children.len() < 256 && 2 + children.len() * 6 < 3 + span * 8 {
        // SPARSE_40: count, transition bytes, 5-byte pointers.
        out.push(0x90 | flags);
        out.push(children.len() as u8);
        out.extend(children.iter().map(|c| c.0));
        for (_, child) in &children {
            out.extend_from_slice(&(pos - child).to_be_bytes()[3..]);
        }
    } else {
        // LONG_DENSE: first transition, span - 1, 8-byte pointers (0: no child).
        out.push(0xf0 | flags);
        out.push(first);
        out.push(last - first);
        let mut next = children.iter().peekable();
        for t in first..=last {
            match next.peek() {
                Some((b, child)) if *b == t => {
                    out.extend_from_slice(&(pos - child).to_be_bytes());
                    next.next();
                }
                _ => out.extend_from_slice(&0u64.to_be_bytes()),
            }
        }
    }
    out.extend(payload_bytes);
    pos
}

fn lookups(c: &mut Criterion) {
    let keys = keys();
    let (index, summary) = big_index(&keys);
    let big = BigIndex::open(
        BytesSource::new(index, "bench-Index.db", Component::PrimaryIndex),
        Some(BytesSource::new(summary, "bench-Summary.db", Component::Summary)),
        Partitioner::Murmur3,
        false,
    )
    .expect("bench Index.db");
    let bti = BtiIndex::open(
        BytesSource::new(bti_partitions(&keys), "bench-Partitions.db", Component::Partitions),
        BytesSource::new(Vec::new(), "bench-Rows.db", Component::Rows),
        Partitioner::Murmur3,
    )
    .expect("bench Partitions.db");
    let indexes: [(&str, &dyn PartitionIndex); 2] = [("big", &big), ("bti", &bti)];

    // Look keys up in a scattered but fixed order; check every answer once.
    let probes: Vec<usize> = (0..4096).map(|i| (i * 7919 + 13) % keys.len()).collect();
    for (name, index) in indexes {
        for &p in &probes {
            let first = index.seek(&KeyBound::Key(keys[p].clone())).unwrap().next().unwrap().unwrap();
            assert_eq!(first.data_position, p as u64 * 100, "{name}: key {p}");
            let first = index.seek(&KeyBound::TokenStart(keys[p].token.clone())).unwrap().next().unwrap().unwrap();
            assert_eq!(first.data_position, p as u64 * 100, "{name}: token {p}");
        }
        assert_eq!(index.entries().count(), keys.len(), "{name}");
    }

    let mut group = c.benchmark_group("index_lookup");
    group.throughput(Throughput::Elements(probes.len() as u64));
    for (name, index) in indexes {
        group.bench_function(format!("{name}/seek_key"), |b| {
            b.iter(|| {
                for &p in &probes {
                    black_box(index.seek(&KeyBound::Key(keys[p].clone())).unwrap().next());
                }
            })
        });
        group.bench_function(format!("{name}/seek_token"), |b| {
            b.iter(|| {
                for &p in &probes {
                    black_box(index.seek(&KeyBound::TokenStart(keys[p].token.clone())).unwrap().next());
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("index_scan");
    group.throughput(Throughput::Elements(keys.len() as u64));
    group.sample_size(10);
    for (name, index) in indexes {
        group.bench_function(format!("{name}/all_entries"), |b| b.iter(|| black_box(index.entries().count())));
    }
    group.finish();
}

criterion_group!(benches, lookups);
criterion_main!(benches);
