//! The loader's own CPU per row, up to the CQL driver: what `ksbulk run` spends on a row
//! before the driver serializes it (the goal is < 2 s per million rows for all of
//! ksbulk, driver included; `scripts/bench-load` measures the whole process).
//!
//! Stages, each including the ones before it, over the same rows, on one thread:
//! * `merge`: SSTable → k-way merge (one source) → merged rows, dropped;
//! * `mutations`: + merged rows → [`Mutation`]s (`MutationBuilder`);
//! * `statements`: + statements planned (`simple_insert`, else `plan_mutation`), packed thirty rows to a group
//!   (`PlannedGroup`) and split into unlogged batches (`batch::requests`), as the unit's
//!   reader and the writer do before sending.
//!
//! Which SSTable: `KSBULK_BENCH_LOAD=<dir with schema.cql and one SSTable>`, else the table
//! `scripts/synthetic-sstables target/synthetic/events-1000000 1000000` makes (the kill test
//! and `scripts/bench-load 1000000` make it too). The first `ROWS` rows are used.
//! Run: `cargo bench -p ksbulk-benches --bench load_path`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ksbulk::merge::{open_unit, ColumnFilter, MergeOptions, MergedUnfiltered};
use ksbulk::write::batch::{batchable, requests, BatchLimits, DEFAULT_BATCH_PARTITIONS, DEFAULT_BATCH_STATEMENTS};
use ksbulk::write::from_merge::MutationBuilder;
use ksbulk::write::statement::{plan_mutation, simple_insert, PlanOptions};
use ksbulk::write::target::target_table;
use ksbulk::write::{Mutation, PlannedGroup, TargetTable};
use sstable_reader::schema::SchemaFile;
use sstable_reader::SSTable;

/// The allocator the `ksbulk` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Rows read per iteration.
const ROWS: u64 = 200_000;

/// Seconds since the epoch the merge's clock reads (before the synthetic TTLs run out).
const NOW: i64 = 1_700_000_000;

fn table_dir() -> PathBuf {
    match std::env::var_os("KSBULK_BENCH_LOAD") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/synthetic/events-1000000/corpus_bench/events"),
    }
}

struct Table {
    sstable: SSTable,
    target: Arc<TargetTable>,
    columns: ColumnFilter,
}

fn open() -> Table {
    let dir = table_dir();
    let schema_path = dir.join("schema.cql");
    let text = std::fs::read_to_string(&schema_path)
        .unwrap_or_else(|e| panic!("{}: {e} (make it with scripts/synthetic-sstables target/synthetic/events-1000000 1000000)", schema_path.display()));
    let file = SchemaFile::parse(&text, &schema_path).expect("schema.cql parses");
    let schema = file.table().expect("schema.cql has a table");
    let data = sstable_reader::list_sstables(&dir).expect("list SSTables").into_iter().next().expect("an SSTable in the directory");
    let sstable = SSTable::open(&data.path(sstable_reader::Component::Data)).expect("SSTable opens");
    Table { sstable, target: Arc::new(target_table(schema, None).expect("target table")), columns: ColumnFilter::from_schema(schema) }
}

/// How far down the path each row goes.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Stage {
    Merge,
    Mutations,
    Statements,
}

/// Reads the first `ROWS` rows through `stage`; returns the rows read.
fn run(t: &Table, stage: Stage) -> u64 {
    let options = MergeOptions { now: NOW, columns: t.columns.clone() };
    let mut merger = open_unit(&[(&t.sstable, None)], None, options).expect("merge opens");
    let builder = MutationBuilder::new(Arc::clone(&t.target));
    let plan_options = PlanOptions::default();
    let mut rows = 0;
    let limits = BatchLimits { statements: usize::from(DEFAULT_BATCH_STATEMENTS), partitions: usize::from(DEFAULT_BATCH_PARTITIONS) };
    let mut group: Vec<Mutation> = Vec::new();
    let pack = |group: &mut Vec<Mutation>| {
        let mut packed = PlannedGroup::new(group.len(), Some(0));
        for (i, m) in group.drain(..).enumerate() {
            // As `Writer::plan_rows`: the commonest row is packed without its plan.
            if let Some(insert) = simple_insert(&m, NOW * 1000, &plan_options) {
                packed.push_insert(i, &m, &insert, 0);
                continue;
            }
            let plan = plan_mutation(&m, NOW * 1000, &plan_options);
            packed.push(i, &m, plan.statements, plan.row_bytes, |_, st| (0, batchable(&st.shape)));
        }
        black_box(requests(&packed, limits));
    };
    while let Some(partition) = merger.next_partition().expect("partition") {
        let pk = builder.partition_key(&partition).expect("key");
        while let Some(item) = merger.next_unfiltered().expect("row") {
            rows += 1;
            let MergedUnfiltered::Row(row) = item else { continue };
            if stage >= Stage::Mutations {
                group.push(builder.row(&pk, row).expect("mutation"));
            } else {
                black_box(row);
            }
            if group.len() == limits.statements {
                if stage >= Stage::Statements {
                    pack(&mut group);
                } else {
                    black_box(group.drain(..).count());
                }
            }
        }
        if rows >= ROWS {
            break;
        }
    }
    rows
}

fn bench(c: &mut Criterion) {
    let t = open();
    let rows = run(&t, Stage::Merge);
    let mut g = c.benchmark_group("load_path");
    g.throughput(Throughput::Elements(rows));
    g.sample_size(10);
    for (name, stage) in [("merge", Stage::Merge), ("mutations", Stage::Mutations), ("statements", Stage::Statements)] {
        g.bench_function(name, |b| b.iter(|| run(&t, stage)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
