"""The three-node layout for merge tests, made with one real node.

Three replicas of one table that differ as unrepaired replicas do: rows missing on one node,
newer versions of a cell on another, deletions that reached only one node, an older write that
arrived late. For each simulated node: TRUNCATE the table, write that node's mutations (all with
explicit timestamps) in two rounds with a flush between (two SSTables per node), snapshot, copy
the snapshot out. The expected result of merging the three: TRUNCATE, write the mutations of all
three nodes at once, let Cassandra reconcile, and record its SELECT as expected/select.json.
"""

import os

from common import copy_tree, find_snapshot, run_steps, select_oracle
from stack import log

KEYSPACE = "corpus_threenode"
TABLE = "merge"
NODES = ["node1", "node2", "node3"]
LONG_TTL = 315360000


def schema(session):
    session.execute(f"CREATE KEYSPACE {KEYSPACE} WITH replication = "
                    "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    session.execute(f"CREATE TABLE {KEYSPACE}.{TABLE} (pk int, ck int, a text, b int, l list<int>, "
                    "s text static, PRIMARY KEY (pk, ck)) WITH compression = {'class': 'LZ4Compressor'} "
                    "AND compaction = {'class': 'SizeTieredCompactionStrategy', 'enabled': 'false'}")


def mutations(t0):
    """{node: [round 1 statements, round 2 statements]}, every statement with an explicit timestamp."""
    t = f"{KEYSPACE}.{TABLE}"

    def base(keep):
        out = []
        for pk in range(40):
            out.append(f"UPDATE {t} USING TIMESTAMP {t0 + pk * 10} SET s = 's{pk}' WHERE pk = {pk}")
            for ck in range(5):
                if keep(pk, ck):
                    out.append(f"INSERT INTO {t} (pk, ck, a, b, l) VALUES ({pk}, {ck}, 'a{pk}-{ck}', {pk * ck}, "
                               f"[{ck}]) USING TIMESTAMP {t0 + pk * 10 + ck}")
        return out

    node1 = [
        base(lambda pk, ck: not (pk % 7 == 1 and ck == 2)),  # rows missing on node1
        [f"UPDATE {t} USING TIMESTAMP {t0 + 1000} SET a = 'n1' WHERE pk = {pk} AND ck = 0" for pk in range(0, 40, 5)]
        + [f"DELETE FROM {t} USING TIMESTAMP {t0 + 500} WHERE pk = 3",  # partition delete on node1 only
           f"UPDATE {t} USING TIMESTAMP {t0 + 1000} AND TTL {LONG_TTL} SET b = 1000 WHERE pk = 10 AND ck = 0"],
    ]
    node2 = [
        base(lambda pk, ck: pk % 11 != 2),  # whole partitions missing on node2
        [f"UPDATE {t} USING TIMESTAMP {t0 + 2000} SET a = 'n2' WHERE pk = {pk} AND ck = 0" for pk in range(0, 40, 5)]
        + [f"DELETE FROM {t} USING TIMESTAMP {t0 + 600} WHERE pk = 4 AND ck = 2",
           f"DELETE FROM {t} USING TIMESTAMP {t0 + 600} WHERE pk = 6 AND ck >= 1 AND ck < 3",
           f"UPDATE {t} USING TIMESTAMP {t0 + 700} SET l = l + [7] WHERE pk = 12 AND ck = 1",
           f"UPDATE {t} USING TIMESTAMP {t0 + 900} AND TTL 2 SET a = 'short' WHERE pk = 14 AND ck = 4"],
    ]
    node3 = [
        base(lambda pk, ck: True),
        [f"UPDATE {t} USING TIMESTAMP {t0 + 1500} SET b = {-pk} WHERE pk = {pk} AND ck = 3" for pk in range(0, 40, 3)]
        + [f"DELETE a FROM {t} USING TIMESTAMP {t0 + 700} WHERE pk = 8 AND ck = 1",
           f"UPDATE {t} USING TIMESTAMP {t0 - 100} SET a = 'stale' WHERE pk = 9 AND ck = 0",  # older: loses
           f"INSERT INTO {t} (pk, ck, a) VALUES (50, 0, 'only-on-node3') USING TIMESTAMP {t0 + 800}",
           f"UPDATE {t} USING TIMESTAMP {t0 + 900} SET s = 'n3-static' WHERE pk = 13",
           f"DELETE FROM {t} USING TIMESTAMP {t0 + 1} WHERE pk = 20 AND ck = 4"],  # older than the row: no effect
    ]
    return {"node1": node1, "node2": node2, "node3": node3}


def build(stack, session, fmt_dir, t0):
    """Writes node1..3 snapshots under <fmt_dir>/threenode/merge/, leaves the table holding the merged truth."""
    schema(session)
    muts = mutations(t0)
    out = os.path.join(fmt_dir, "threenode", TABLE)
    for node in NODES:
        session.execute(f"TRUNCATE {KEYSPACE}.{TABLE}")
        run_steps(session, [muts[node][0]])
        stack.nodetool("flush", KEYSPACE, TABLE)
        run_steps(session, [muts[node][1]])
        stack.nodetool("snapshot", "-t", node, KEYSPACE)
        copy_tree(find_snapshot(stack, KEYSPACE, TABLE, node), os.path.join(out, node))
    session.execute(f"TRUNCATE {KEYSPACE}.{TABLE}")
    run_steps(session, [[q for node in NODES for rnd in muts[node] for q in rnd]])
    log("three-node layout written")
    return out


def select_expected(session, out):
    os.makedirs(os.path.join(out, "expected"), exist_ok=True)
    select_oracle(session, KEYSPACE, TABLE, os.path.join(out, "expected", "select.json"))


def index_entries(out, fmt, root):
    nodes = {}
    for node in NODES:
        d = os.path.join(out, node)
        nodes[node] = [os.path.relpath(os.path.join(d, f), root) for f in sorted(os.listdir(d)) if f.endswith("-Data.db")]
    return [{"format": fmt, "keyspace": KEYSPACE, "table": TABLE, "dir": os.path.relpath(out, root),
             "nodes": nodes, "expected": os.path.relpath(os.path.join(out, "expected", "select.json"), root),
             "features": ["three_node_merge", "missing_rows", "missing_partitions", "newer_version_on_one_node",
                          "partition_delete_one_node", "row_delete_one_node", "range_delete_one_node",
                          "cell_delete_one_node", "older_write_loses", "append_one_node", "ttl_short", "ttl_long",
                          "static", "multi_sstable_per_node"]}]
