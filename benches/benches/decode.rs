//! Data.db decoding: throughput of the partition → row → cell decoder in MB/s of uncompressed
//! Data.db and in rows/s, on a table of small rows (the benchmark table's shape:
//! `pk bigint, ck int, name text, value double, payload blob`, ~230-byte rows).
//!
//! Variants, each over the same partitions:
//! * `rows`: partitions and rows framed and parsed (liveness, clustering bounds), cells untouched;
//! * `cells`: every cell iterated (timestamp, TTL, value slice), values not converted;
//! * `typed`: every cell's value and clustering converted to a typed value (`CqlType::decode`);
//! * `json`: every cell's value rendered as JSON text (`types::format::json`);
//! * `dump`: the whole sstabledump-compatible document (`export::dump`) into a sink;
//! * `lz4_cells` (real SSTables only): `cells`, reading the compressed Data.db through
//!   `ChunkedInput` (CRC check and LZ4 decompression included).
//!
//! All but `lz4_cells` decode from memory (the uncompressed bytes are read once before
//! timing), so they measure the decoder alone.
//!
//! Which SSTable (the first that exists):
//! 1. `KSBULK_BENCH_DATA=<path to a Data.db>`;
//! 2. the corpus's benchmark table (`scripts/corpus --bench`: `<corpus>/bench/bench.json`,
//!    corpus from `KSBULK_CORPUS` or `target/corpus`), 10 M rows;
//! 3. the largest table made by `scripts/bench-table` under `target/bench-data/big-*`
//!    (default 1.5 M rows, ~350 MB);
//! 4. a seeded Data.db of the same shape synthesized here in memory (`oa` encoding,
//!    `SYNTH_ROWS` rows), needing nothing on disk.
//!
//! From a real SSTable the first `KSBULK_BENCH_MB` (default 128) MB of uncompressed Data.db
//! are used (whole partitions). Run: `cargo bench -p ksbulk-benches --bench decode`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sstable_reader::data::{ColumnSpec, DataHeader, EncodingStats, PartitionReader, RowItem, Unfiltered};
use sstable_reader::types::{format, CqlType};
use sstable_reader::{DataInput, SSTable, SliceInput};

/// Rows of the synthesized table (10 per partition): ~64 MB.
const SYNTH_ROWS: u64 = 280_000;

/// What the benchmarks decode.
struct Input {
    what: String,
    header: Arc<DataHeader>,
    bytes: Bytes,
    rows: u64,
    partitions: u64,
    /// The SSTable, when real (for `lz4_cells`).
    sstable: Option<SSTable>,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn find_sstable() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KSBULK_BENCH_DATA") {
        return Some(PathBuf::from(p));
    }
    let corpus = std::env::var_os("KSBULK_CORPUS").map(PathBuf::from).unwrap_or_else(|| repo().join("target/corpus"));
    if let Ok(json) = std::fs::read_to_string(corpus.join("bench/bench.json")) {
        // "sstables": ["bench/oa/.../oa-1-big-Data.db", ...]: the first path after the key.
        let after = json.split("\"sstables\"").nth(1)?;
        let first = after.split('"').nth(1)?;
        return Some(corpus.join(first));
    }
    let mut best: Option<(u64, PathBuf)> = None;
    for dir in std::fs::read_dir(repo().join("target/bench-data")).into_iter().flatten().flatten() {
        if !dir.file_name().to_string_lossy().starts_with("big-") {
            continue;
        }
        let table = dir.path().join("corpus_bench/events");
        for f in std::fs::read_dir(&table).into_iter().flatten().flatten() {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            if f.file_name().to_string_lossy().ends_with("-Data.db") && best.as_ref().is_none_or(|(l, _)| len > *l) {
                best = Some((len, f.path()));
            }
        }
    }
    // Tables of a few MB are test fixtures, not benchmark data.
    best.filter(|(len, _)| *len > 16 << 20).map(|(_, p)| p)
}

fn load_real(path: &Path) -> Input {
    let limit: u64 = std::env::var("KSBULK_BENCH_MB").ok().and_then(|s| s.parse().ok()).unwrap_or(128) << 20;
    let t = SSTable::open(path).unwrap_or_else(|e| panic!("{e}"));
    let mut reader = PartitionReader::open(&t).unwrap();
    let (mut rows, mut partitions) = (0, 0);
    while reader.position() < limit {
        if reader.next_partition().unwrap().is_none() {
            break;
        }
        partitions += 1;
        while reader.skip_unfiltered().unwrap() {
            rows += 1;
        }
    }
    let end = reader.position();
    let header = Arc::clone(reader.header());
    let mut input = t.data_input().unwrap();
    let bytes = input.read_bytes(end as usize).unwrap();
    Input { what: path.display().to_string(), header, bytes, rows, partitions, sstable: Some(t) }
}

fn uvint(v: u64, out: &mut Vec<u8>) {
    sstable_reader::data::vint::write_unsigned(v, out);
}

/// The benchmark table's rows in `oa` encoding, from a seeded generator (same layout as
/// CorpusBenchWriter: 10 rows a partition, 200-byte payloads, a TTL on every tenth row).
fn synthesize() -> Input {
    let t = |s: &str| CqlType::parse(&format!("org.apache.cassandra.db.marshal.{s}")).unwrap();
    let min_ts = 1_700_000_000_000_000i64;
    let min_ldt = 1_700_000_000i64;
    let stats = EncodingStats { min_timestamp: min_ts, min_local_deletion_time: min_ldt, min_ttl: 0 };
    // Serialization header order: columns by name.
    let columns = vec![ColumnSpec::new("name", t("UTF8Type")), ColumnSpec::new("payload", t("BytesType")), ColumnSpec::new("value", t("DoubleType"))];
    let header = DataHeader::new("synthetic/oa-1-big-Data.db", true, t("LongType"), vec![t("Int32Type")], vec![], columns, stats);

    let mut seed = 0x2026_0101u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut out = Vec::with_capacity(SYNTH_ROWS as usize * 240);
    let mut body = Vec::with_capacity(512);
    let (mut partitions, mut prev_size) = (0, 0u64);
    for i in 0..SYNTH_ROWS {
        let (pk, ck) = (i / 10, (i % 10) as i32);
        if ck == 0 {
            if i > 0 {
                out.push(0x01); // end of partition
            }
            out.extend_from_slice(&8u16.to_be_bytes());
            out.extend_from_slice(&(pk.wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_be_bytes());
            out.push(0x80); // live partition (oa)
            partitions += 1;
            prev_size = 0;
        }
        let ttl = i % 10 == 0;
        // flags: HAS_TIMESTAMP | HAS_ALL_COLUMNS [| HAS_TTL]
        out.push(0x04 | 0x20 | if ttl { 0x08 } else { 0 });
        uvint(0, &mut out); // clustering block header: no null/empty values
        out.extend_from_slice(&ck.to_be_bytes());
        body.clear();
        uvint(prev_size, &mut body);
        uvint(i, &mut body); // timestamp delta
        if ttl {
            uvint(315_360_000, &mut body);
            uvint(315_360_000 + i / 1000, &mut body);
        }
        // Cells: USE_ROW_TIMESTAMP | USE_ROW_TTL, then the value.
        let name = format!("event-{i}");
        body.push(0x08 | 0x10);
        uvint(name.len() as u64, &mut body);
        body.extend_from_slice(name.as_bytes());
        body.push(0x08 | 0x10);
        uvint(200, &mut body);
        for _ in 0..25 {
            body.extend_from_slice(&next().to_le_bytes());
        }
        body.push(0x08 | 0x10);
        body.extend_from_slice(&((next() >> 11) as f64).to_be_bytes());
        uvint(body.len() as u64, &mut out);
        out.extend_from_slice(&body);
        prev_size = body.len() as u64;
    }
    out.push(0x01);
    Input {
        what: format!("synthesized in memory ({SYNTH_ROWS} rows)"),
        header: Arc::new(header),
        bytes: Bytes::from(out),
        rows: SYNTH_ROWS,
        partitions,
        sstable: None,
    }
}

fn reader(input: &Input) -> PartitionReader<SliceInput> {
    PartitionReader::new(SliceInput::new(input.bytes.clone(), &input.header.file), Arc::clone(&input.header))
}

/// Rows and markers only; returns rows seen.
fn decode_rows<I: DataInput>(mut r: PartitionReader<I>) -> u64 {
    let mut rows = 0;
    while r.next_partition().unwrap().is_some() {
        while let Some(u) = r.next_unfiltered().unwrap() {
            if let Unfiltered::Row(row) = u {
                black_box(row.liveness());
                rows += 1;
            }
        }
    }
    rows
}

/// Every cell, values untouched; returns a checksum of what was read.
fn decode_cells<I: DataInput>(mut r: PartitionReader<I>) -> u64 {
    let mut sum = 0u64;
    while r.next_partition().unwrap().is_some() {
        while let Some(u) = r.next_unfiltered().unwrap() {
            if let Unfiltered::Row(row) = u {
                for item in row.items() {
                    if let RowItem::Cell(c) = item.unwrap() {
                        sum = sum.wrapping_add(c.timestamp as u64 ^ c.value.len() as u64 ^ c.ttl as u64);
                    }
                }
            }
        }
    }
    sum
}

/// Every clustering value and cell converted to a typed value (`typed`) or JSON text.
fn decode_converted<I: DataInput>(mut r: PartitionReader<I>, json: bool) -> u64 {
    let header = Arc::clone(r.header());
    let mut text = String::new();
    let mut n = 0u64;
    while r.next_partition().unwrap().is_some() {
        while let Some(u) = r.next_unfiltered().unwrap() {
            let Unfiltered::Row(row) = u else { continue };
            for (v, ty) in row.clustering().iter().zip(&header.clustering_types) {
                if let Some(v) = v {
                    if json {
                        text.clear();
                        format::json(ty, v, &mut text).unwrap();
                        n += text.len() as u64;
                    } else {
                        black_box(ty.decode(v).unwrap());
                        n += 1;
                    }
                }
            }
            let specs = row.column_specs();
            for item in row.items() {
                if let RowItem::Cell(c) = item.unwrap() {
                    let ty = &specs[c.column].ty;
                    if json {
                        text.clear();
                        format::json(ty, c.value, &mut text).unwrap();
                        n += text.len() as u64;
                    } else {
                        black_box(ty.decode(c.value).unwrap());
                        n += 1;
                    }
                }
            }
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    let input = match find_sstable() {
        Some(p) => load_real(&p),
        None => synthesize(),
    };
    let mb = input.bytes.len() as f64 / 1e6;
    eprintln!(
        "decode bench input: {} — {:.1} MB uncompressed, {} partitions, {} rows ({:.0} bytes/row)",
        input.what,
        mb,
        input.partitions,
        input.rows,
        input.bytes.len() as f64 / input.rows as f64
    );
    // Check once what is then timed.
    assert_eq!(decode_rows(reader(&input)), input.rows);

    let mut g = c.benchmark_group("data_db");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(input.bytes.len() as u64));
    g.bench_function("rows", |b| b.iter(|| decode_rows(reader(&input))));
    g.bench_function("cells", |b| b.iter(|| decode_cells(reader(&input))));
    g.bench_function("typed", |b| b.iter(|| decode_converted(reader(&input), false)));
    g.bench_function("json", |b| b.iter(|| decode_converted(reader(&input), true)));
    g.bench_function("dump", |b| {
        let options = sstable_reader::export::DumpOptions { now: 1_800_000_000, ..Default::default() };
        b.iter(|| sstable_reader::export::dump(&mut reader(&input), &options, &mut std::io::sink()).unwrap())
    });
    if let Some(t) = &input.sstable {
        let len = input.bytes.len() as u64;
        g.bench_function("lz4_cells", |b| {
            b.iter(|| {
                // The same partitions, read through the compressed file.
                let header = Arc::clone(&input.header);
                let mut r = PartitionReader::new(t.data_input().unwrap(), header);
                let mut sum = 0u64;
                while r.position() < len && r.next_partition().unwrap().is_some() {
                    while let Some(u) = r.next_unfiltered().unwrap() {
                        if let Unfiltered::Row(row) = u {
                            for c in row.cells() {
                                sum = sum.wrapping_add(c.unwrap().value.len() as u64);
                            }
                        }
                    }
                }
                sum
            })
        });
    }
    g.finish();

    // The same decoders per row (rows/s).
    let mut g = c.benchmark_group("data_db_rows");
    g.sample_size(10);
    g.throughput(Throughput::Elements(input.rows));
    g.bench_function("cells", |b| b.iter(|| decode_cells(reader(&input))));
    g.bench_function("typed", |b| b.iter(|| decode_converted(reader(&input), false)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
