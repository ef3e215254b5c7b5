"""Generates the corpus of real Cassandra 5.0 snapshots and their oracles (see README.md).

Run through scripts/corpus, which picks the Python environment. Steps per SSTable format:
start a fresh node, create one keyspace per compression with the tables of tables.py, write
them in rounds with a flush between rounds, snapshot, copy the snapshots out, record each
table's SELECT JSON (with WRITETIME/TTL) as select.json, build the three-node layout, stop the
node, and dump every SSTable with sstabledump's renderer (one JVM for all of them).
"""

import argparse
import fcntl
import glob
import hashlib
import json
import os
import random
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from stack import Stack, log  # noqa: E402
from common import copy_tree, data_files, find_snapshot, run_steps, select_oracle  # noqa: E402
import tables as catalogue_mod  # noqa: E402
import threenode  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
FORMATS = ["nb", "oa", "da"]
COMPRESSIONS = {
    "none": "compression = {'enabled': false}",
    "lz4": "compression = {'class': 'LZ4Compressor'}",
    "snappy": "compression = {'class': 'SnappyCompressor', 'chunk_length_in_kb': 4}",
    "deflate": "compression = {'class': 'DeflateCompressor', 'chunk_length_in_kb': 64}",
    "zstd": "compression = {'class': 'ZstdCompressor', 'compression_level': 3}",
}
SNAPSHOT_TAG = "corpus"
# The wide partition: incompressible rows, so Data.db is >= 50 MB whatever the codec.
WIDE_ROWS = 6700
WIDE_PAYLOAD = 8000
# Files whose content defines the corpus: a change to any of them is a new corpus version.
# (sstabledump-batch makes the dumps, so its exporter is part of the version; the benchmark
# table's maker is not, it lives in its own directory with its own bench.json.)
VERSION_FILES = ["scripts/corpus", "scripts/corpus-gen/*.py", "scripts/java/SSTableExportBatch.java"]
NOT_VERSION_FILES = ["scripts/corpus-gen/bench.py"]


def generator_version():
    h = hashlib.sha256()
    for pattern in VERSION_FILES:
        for path in sorted(glob.glob(os.path.join(REPO, pattern))):
            if os.path.relpath(path, REPO) in NOT_VERSION_FILES:
                continue
            h.update(os.path.relpath(path, REPO).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()[:16]


class Ctx:
    """Per-format write context: the base write time (microseconds) all explicit timestamps derive from."""

    def __init__(self, fmt):
        # A few minutes in the past, so writes that take the server's time are newer.
        self.t0 = (int(time.time()) - 600) * 1000000
        self.last_short_ttl_write = time.time()
        # The largest TTL the node accepts: 20 years, except that nb (storage compatibility
        # CASSANDRA_4) keeps 32-bit signed local deletion times, so expiry must be before
        # 2038-01-19T03:14:07Z (CASSANDRA-14092); stay a day short of that.
        self.max_ttl = 630720000 if fmt != "nb" else min(630720000, 2147483647 - int(time.time()) - 86400)


def connect(stack):
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
    from cassandra.policies import WhiteListRoundRobinPolicy
    profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy(["127.0.0.1"]), request_timeout=120)
    cluster = Cluster(["127.0.0.1"], port=stack.native_port, connect_timeout=30,
                      execution_profiles={EXEC_PROFILE_DEFAULT: profile},
                      schema_metadata_enabled=False, token_metadata_enabled=False)
    return cluster, cluster.connect()


def keyspaces_of(tables):
    """(compression, keyspace, [tables]) for every corpus keyspace."""
    out = []
    for comp in COMPRESSIONS:
        out.append((comp, f"corpus_{comp}", [t for t in tables if t.only_in is None or comp in t.only_in]))
    return out


def create_schema(session, layout):
    t = time.time()
    n = 0
    for comp, ks, tabs in layout:
        session.execute(f"CREATE KEYSPACE {ks} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")
        for q in catalogue_mod.types_cql(ks):
            session.execute(q)
        for tab in tabs:
            session.execute(tab.create_cql(ks, COMPRESSIONS[comp]))
            n += 1
    log(f"created {len(layout)} keyspaces, {n} tables ({time.time() - t:.1f}s)")


def write_wide(session, ks):
    """One partition of WIDE_ROWS random rows (>= 50 MB): a large row index."""
    from cassandra.concurrent import execute_concurrent_with_args
    t = time.time()
    ins = session.prepare(f"INSERT INTO {ks}.wide (pk, ck, payload, note) VALUES (1, ?, ?, ?)")
    rng = random.Random(20260101)
    args = ((ck, rng.randbytes(WIDE_PAYLOAD), f"row {ck}") for ck in range(WIDE_ROWS))
    execute_concurrent_with_args(session, ins, args, concurrency=32, raise_on_first_error=True)
    log(f"wrote the wide partition of {ks} ({time.time() - t:.1f}s)")


def write_round(session, layout, ctx, rnd):
    t = time.time()
    merged = []  # step i of every table runs together
    for _comp, ks, tabs in layout:
        for tab in tabs:
            steps = tab.rounds(ks, ctx).get(rnd, [])
            for i, step in enumerate(steps):
                if len(merged) <= i:
                    merged.append([])
                merged[i].extend(step)
    run_steps(session, merged)
    log(f"round {rnd}: {sum(len(s) for s in merged)} statements ({time.time() - t:.1f}s)")


def wait_for_short_ttls(ctx):
    # Short TTLs are at most 5 s: wait until all of them have expired before selecting.
    left = ctx.last_short_ttl_write + 6.5 - time.time()
    if left > 0:
        log(f"waiting {left:.1f}s for short TTLs to expire")
        time.sleep(left)


def dump_all(stack, fmt_dir):
    """sstabledump -t of every SSTable under fmt_dir, kept as <base>-Data.db.dump.json beside it."""
    paths = sorted(glob.glob(os.path.join(fmt_dir, "**", "*-Data.db"), recursive=True))
    todo = [p for p in paths if not os.path.exists(p + ".dump.json")]
    t = time.time()
    if todo:
        stack.sstabledump_batch(todo)
    for p in todo:
        # sstabledump-batch names its output <prefix>.json (nb-1-big-Data.db -> nb-1-big.json).
        os.replace(p[:-len("-Data.db")] + ".json", p + ".dump.json")
    log(f"dumped {len(todo)} SSTables ({time.time() - t:.1f}s)")
    # The batch dump must agree with the real sstabledump, one JVM per file.
    probe = next(p for p in paths if "/history/" in p)
    single = stack.sstabledump(probe)
    with open(probe + ".dump.json") as f:
        batch = f.read()
    if single.strip() != batch.strip():
        raise RuntimeError(f"batch dump of {probe} differs from sstabledump -t")
    log(f"batch dump of {os.path.relpath(probe, fmt_dir)} equals sstabledump -t")


def generate_format(stack, fmt, fmt_dir, with_threenode):
    tables = catalogue_mod.catalogue()
    layout = keyspaces_of(tables)
    if os.path.exists(fmt_dir):
        shutil.rmtree(fmt_dir)  # a killed earlier attempt
    os.makedirs(fmt_dir)
    t_fmt = time.time()
    stack.start(fmt)
    try:
        cluster, session = connect(stack)
        ctx = Ctx(fmt)
        create_schema(session, layout)
        # The wide partition first, alone in its memtable, so no size-triggered flush splits it.
        write_wide(session, "corpus_lz4")
        # The node's small memtable space (128 MiB) flushes the wide partition in pieces
        # while it is written; a major compaction makes it one SSTable again.
        stack.nodetool("flush", "corpus_lz4", "wide")
        stack.nodetool("compact", "corpus_lz4", "wide")
        write_round(session, layout, ctx, 1)
        ctx.last_short_ttl_write = time.time()
        stack.nodetool("flush")
        write_round(session, layout, ctx, 2)
        stack.nodetool("flush")
        write_round(session, layout, ctx, 3)
        # snapshot flushes the memtables first: round 3 becomes the third SSTable.
        stack.nodetool("snapshot", "-t", SNAPSHOT_TAG, *[ks for _c, ks, _t in layout])
        entries = []
        for comp, ks, tabs in layout:
            for tab in tabs:
                tdir = os.path.join(fmt_dir, ks, tab.name)
                copy_tree(find_snapshot(stack, ks, tab.name, SNAPSHOT_TAG), os.path.join(tdir, "snapshot"))
                entries.append((comp, ks, tab, tdir))
        three = None
        if with_threenode:
            three = threenode.build(stack, session, fmt_dir, ctx.t0)
        wait_for_short_ttls(ctx)
        t = time.time()
        for comp, ks, tab, tdir in entries:
            select_oracle(session, ks, tab.name, os.path.join(tdir, "select.json"),
                          fetch_size=500 if tab.name == "wide" else 5000)
        if three:
            threenode.select_expected(session, three)
        log(f"select.json for {len(entries)} tables ({time.time() - t:.1f}s)")
        cluster.shutdown()
    finally:
        stack.stop()
    dump_all(stack, fmt_dir)
    index = []
    for comp, ks, tab, tdir in entries:
        snap = os.path.join(tdir, "snapshot")
        index.append({
            "format": fmt, "compression": comp, "keyspace": ks, "table": tab.name,
            "dir": os.path.relpath(tdir, os.path.dirname(fmt_dir)),
            "sstables": [os.path.relpath(os.path.join(snap, f), os.path.dirname(fmt_dir)) for f in data_files(snap)],
            "features": tab.features,
        })
    with open(os.path.join(fmt_dir, "index.part.json"), "w") as f:
        json.dump({"entries": index, "threenode": threenode.index_entries(three, fmt, os.path.dirname(fmt_dir))
                   if three else []}, f, indent=1)
    log(f"format {fmt} done ({time.time() - t_fmt:.1f}s)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated subset of nb,oa,da")
    ap.add_argument("--bench", action="store_true", help="also make the large benchmark table")
    args = ap.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    version = generator_version()
    if formats != FORMATS:
        version += "-" + "-".join(formats)
    final = os.environ.get("KSBULK_CORPUS") or os.path.join(
        os.path.expanduser("~"), ".cache", "ksbulk", "corpus", version)
    os.makedirs(os.path.dirname(final), exist_ok=True)
    lock = open(final + ".lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # one generator at a time per corpus directory
    if not os.path.exists(os.path.join(final, "index.json")):
        t = time.time()
        work = final + ".partial"
        os.makedirs(work, exist_ok=True)
        stack = Stack(REPO)
        for fmt in formats:
            if os.path.exists(os.path.join(work, fmt, "index.part.json")):
                log(f"format {fmt}: already generated")
                continue
            generate_format(stack, fmt, os.path.join(work, fmt), with_threenode=fmt in ("nb", "oa"))
        index = {"corpus_version": version, "cassandra_version": "5.0.8", "formats": formats,
                 "compressions": list(COMPRESSIONS), "snapshot_tag": SNAPSHOT_TAG,
                 "generated_at_ms": int(time.time() * 1000), "entries": [], "threenode": []}
        for fmt in formats:
            with open(os.path.join(work, fmt, "index.part.json")) as f:
                part = json.load(f)
            index["entries"] += part["entries"]
            index["threenode"] += part["threenode"]
        with open(os.path.join(work, "index.json"), "w") as f:
            json.dump(index, f, indent=1)
        if os.path.exists(final):
            shutil.rmtree(final)
        os.rename(work, final)
        log(f"corpus complete in {time.time() - t:.0f}s")
    if args.bench:
        import bench
        bench.ensure(Stack(REPO), final)
    link = os.path.join(REPO, "target", "corpus")
    os.makedirs(os.path.dirname(link), exist_ok=True)
    if os.path.islink(link) or os.path.exists(link):
        os.remove(link)
    os.symlink(final, link)
    print(final)


if __name__ == "__main__":
    main()
