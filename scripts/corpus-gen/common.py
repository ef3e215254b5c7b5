"""Helpers shared by the corpus generator's modules: running CQL, copying snapshots, the SELECT oracle."""

import glob
import json
import os
import shutil
import time


def run_steps(session, steps):
    from cassandra.concurrent import execute_concurrent
    for step in steps:
        execute_concurrent(session, [(q, ()) for q in step], concurrency=48, raise_on_first_error=True)


def find_snapshot(stack, ks, table, tag):
    # scripts/cassandra keeps the node's data under $KSBULK_STACK_DIR/cassandra/.
    hits = glob.glob(os.path.join(stack.dir, "cassandra", "**", ks, f"{table}-*", "snapshots", tag), recursive=True)
    if len(hits) != 1:
        raise RuntimeError(f"snapshot {tag} of {ks}.{table}: expected one directory under {stack.dir}, found {hits}")
    return hits[0]


def copy_tree(src, dst):
    """Copies a snapshot directory (hard links when possible: SSTables are immutable)."""
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if os.path.isdir(s):
            copy_tree(s, d)
            continue
        try:
            os.link(s, d)
        except OSError:
            shutil.copy2(s, d)


def data_files(d):
    return sorted(f for f in os.listdir(d) if f.endswith("-Data.db"))


# Cassandra 5.0.8 answers TTL() of a non-frozen collection with a NullPointerException when some
# elements have a TTL and others none, and WRITETIME()/TTL() of a non-frozen UDT when a field is
# unset. So: non-frozen collections get WRITETIME() only (a list with one writetime per element),
# non-frozen UDTs get WRITETIME()/TTL() per field; every other non-key column gets both.
OMITTED_COLLECTION_TTL = ("TTL() of a non-frozen collection is omitted: Cassandra 5.0.8 fails with a "
                          "NullPointerException when only some elements have a TTL")


def select_oracle(session, ks, table, path, fetch_size=2000):
    """Writes select.json: the table as Cassandra renders it in JSON, with WRITETIME and TTL."""
    from cassandra.query import SimpleStatement
    cols = list(session.execute(
        "SELECT column_name, kind, position, type FROM system_schema.columns "
        "WHERE keyspace_name = %s AND table_name = %s", (ks, table)))
    udts = {r.type_name: r.field_names for r in session.execute(
        "SELECT type_name, field_names FROM system_schema.types WHERE keyspace_name = %s", (ks,))}
    rank = {"partition_key": 0, "clustering": 1, "static": 2, "regular": 3}
    cols.sort(key=lambda c: (rank[c.kind], c.position, c.column_name))
    sel = [c.column_name for c in cols]
    meta = []
    omitted = {}
    for c in cols:
        if c.kind not in ("static", "regular"):
            continue
        name = c.column_name
        if c.type.startswith(("list<", "set<", "map<")):
            exprs = [f"writetime({name})"]
            omitted[f"ttl({name})"] = OMITTED_COLLECTION_TTL
        elif c.type in udts:
            exprs = [f"{fn}({name}.{f})" for f in udts[c.type] for fn in ("writetime", "ttl")]
        else:
            exprs = [f"writetime({name})", f"ttl({name})"]
        sel += [f'{e} AS "{e}"' for e in exprs]
        meta += exprs
    query = f"SELECT JSON {', '.join(sel)} FROM {ks}.{table}"
    started = int(time.time() * 1000)
    rows = [r[0] for r in session.execute(SimpleStatement(query, fetch_size=fetch_size))]
    finished = int(time.time() * 1000)
    doc = {"keyspace": ks, "table": table, "query": query, "selected_at_ms": started,
           "finished_at_ms": finished, "writetime_ttl": meta, "omitted": omitted,
           "row_count": len(rows), "rows": rows}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
    os.replace(tmp, path)
    return len(rows)
