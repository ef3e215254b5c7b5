"""The corpus's tables: their schema, what each one exercises, and the writes that fill them.

A table is written in up to three rounds; the generator flushes between rounds, so a table
written in k rounds has k SSTables (autocompaction is off on every table, so they stay apart).
A round is a list of steps; the statements of a step run concurrently, steps run in order.
Statements carry explicit `USING TIMESTAMP` wherever the order of writes matters, so running
them concurrently cannot change the outcome.

`ctx.t0` is a base write time in microseconds a few minutes before generation; `ctx.now_ts`
gives timestamps after it. Short TTLs (1-5 s) are always written in round 1, so they have
expired by the time the generator runs its SELECTs (it waits if they have not).
"""

import random

from values import EDGES, KEY_TYPES, key_edges

# Ten years: long enough that a cached corpus does not expire under the tests.
LONG_TTL = 315360000
# Every table keeps its flushed SSTables apart (several overlapping SSTables per table).
NO_COMPACTION = "compaction = {'class': 'SizeTieredCompactionStrategy', 'enabled': 'false'}"


class Table:
    """One table of a corpus keyspace."""

    def __init__(self, name, columns, features, rounds, options=None, only_in=None, types=()):
        self.name = name
        self.columns = columns  # text between the parentheses of CREATE TABLE, with {ks}
        self.features = features
        self.rounds = rounds  # fn(ks, ctx) -> {round number: [step, ...]}, step = [cql, ...]
        self.options = options  # extra "WITH ... AND ..." clauses
        self.only_in = only_in  # compressions (keyspace suffixes) that have this table

    def create_cql(self, ks, compression_cql):
        opts = [compression_cql, NO_COMPACTION] + ([self.options] if self.options else [])
        return "CREATE TABLE {ks}.{name} ({cols}) WITH {opts}".format(
            ks=ks, name=self.name, cols=self.columns.format(ks=ks), opts=" AND ".join(opts))


def types_cql(ks):
    """User-defined types every corpus keyspace has (created before the tables)."""
    return [
        f"CREATE TYPE {ks}.addr (street text, zip int, tags frozen<set<text>>)",
        f"CREATE TYPE {ks}.person (name text, age smallint, home frozen<addr>, phones frozen<list<text>>)",
    ]


# --- one table per key-capable scalar type ------------------------------------------------

def scalar_table(t):
    cols = (f"pk {t}, ck_asc {t}, ck_desc {t}, v {t}, s {t} static, l list<{t}>, st set<{t}>, "
            f"m map<{t}, {t}>, fl frozen<list<{t}>>, PRIMARY KEY ((pk), ck_asc, ck_desc)")

    def rounds(ks, ctx):
        e = EDGES[t]
        n = len(e)
        stmts = []
        for i, pk in enumerate(key_edges(t)):
            ts = ctx.t0 + i * 1000
            stmts.append(f"UPDATE {ks}.scalar_{t} USING TIMESTAMP {ts + 999} SET s = {e[i % n]} WHERE pk = {pk}")
            for j in range(n):
                ck_asc, ck_desc = e[j], e[(i + j) % n]
                v = "null" if (i + j) % 4 == 3 else e[(i + 2 * j) % n]
                names = "pk, ck_asc, ck_desc, v"
                vals = f"{pk}, {ck_asc}, {ck_desc}, {v}"
                if j % 3 != 2:  # every third row leaves its collections unset
                    names += ", l, st, m, fl"
                    vals += (f", [{e[j]}, {e[(j + 1) % n]}], {{{e[j]}, {e[(j + 1) % n]}}}, "
                             f"{{{e[j]}: {e[(j + 2) % n]}}}, [{e[(j + 3) % n]}]")
                using = f"USING TIMESTAMP {ts + j}"
                if j % 3 == 1:
                    using += f" AND TTL {LONG_TTL}"
                if j == n - 1 and i % 2 == 0:
                    using = ""  # server-side write time
                stmts.append(f"INSERT INTO {ks}.scalar_{t} ({names}) VALUES ({vals}) {using}")
        return {1: [stmts]}

    return Table(f"scalar_{t}", cols,
                 [f"type:{t}", "partition_key", "clustering_asc", "clustering_desc", "regular",
                  "static", "list", "set", "map", "frozen_list", "using_timestamp", "ttl_long",
                  "null_cells", "edge_values"],
                 rounds, options="CLUSTERING ORDER BY (ck_asc ASC, ck_desc DESC)")


# --- the other tables ---------------------------------------------------------------------

def durations_rounds(ks, ctx):
    d = EDGES["duration"]
    stmts = []
    for i in range(len(d)):
        stmts.append(
            f"INSERT INTO {ks}.durations (pk, ck, d, ld, md, t) VALUES ({i}, {-i}, {d[i]}, "
            f"[{d[i]}, {d[(i + 1) % len(d)]}], {{{i}: {d[(i + 2) % len(d)]}}}, ({d[(i + 3) % len(d)]}, {i})) "
            f"USING TIMESTAMP {ctx.t0 + i}")
    stmts.append(f"INSERT INTO {ks}.durations (pk, ck, d) VALUES (100, 0, null) USING TIMESTAMP {ctx.t0}")
    return {1: [stmts]}


def counters_rounds(ks, ctx):
    r1 = []
    for p in range(6):
        for ck in range(4):
            r1.append(f"UPDATE {ks}.counters SET c1 = c1 + {p * 10 + ck}, c2 = c2 - {ck} "
                      f"WHERE pk = 'p{p}' AND ck = {ck}")
        r1.append(f"UPDATE {ks}.counters SET sc = sc + {p} WHERE pk = 'p{p}'")
    r1.append(f"UPDATE {ks}.counters SET c1 = c1 + 9223372036854775807 WHERE pk = 'max' AND ck = 0")
    r1.append(f"UPDATE {ks}.counters SET c1 = c1 - 9223372036854775807, c2 = c2 - 1 WHERE pk = 'min' AND ck = 0")
    # Round 2: more increments of the same counters, in a second SSTable (shards to merge).
    r2 = [f"UPDATE {ks}.counters SET c1 = c1 + 1000 WHERE pk = 'p{p}' AND ck = 1" for p in range(6)]
    r2.append(f"UPDATE {ks}.counters SET c2 = c2 + 5 WHERE pk = 'p0' AND ck = 3")
    r2.append(f"DELETE FROM {ks}.counters WHERE pk = 'p5'")
    return {1: [r1], 2: [r2]}


def vectors_rounds(ks, ctx):
    stmts = []
    for i in range(8):
        f = [round(0.5 * i - 1.25, 3), -i * 3.0]
        stmts.append(
            f"INSERT INTO {ks}.vectors (pk, ck, vf, vd, vt, vi, vs, vl, vbig) VALUES "
            f"([{f[0]}, {f[1]}], [{i}, {-i * 1000003}], [{i}.5, -1.0, 3.4028235E38], "
            f"[{i}.25, -0.0, 1.7976931348623157E308, 4.9E-324], ['t{i}', '{'' if i % 3 == 0 else 'x' * i}'], "
            f"[{i}, -2147483648], [{i}, -1, 32767], [[{i}, {i + 1}], []], "
            f"[{', '.join(str(round((i * 128 + k) * 0.001, 3)) for k in range(128))}]) "
            f"USING TIMESTAMP {ctx.t0 + i}")
        if i % 2 == 0:  # a second row in the partition (ck sorts DESC)
            stmts.append(f"INSERT INTO {ks}.vectors (pk, ck, vf) VALUES ([{f[0]}, {f[1]}], [{i + 100}, 0], "
                         f"[NaN, Infinity, -Infinity]) USING TIMESTAMP {ctx.t0 + 50 + i}")
    return {1: [stmts]}


def collections_rounds(ks, ctx):
    t0 = ctx.t0
    r1 = []
    for p in range(6):
        for ck in range(3):
            ts = t0 + p * 100 + ck
            r1.append(
                f"INSERT INTO {ks}.collections (pk, ck, l, s, m, fl, fs, fm, nested, lfs, mfm, tup, ntup) VALUES "
                f"({p}, {ck}, ['a{p}', 'b{ck}', 'a{p}'], {{{p}, {ck}, -{p * 1000}}}, {{'k{ck}': {p}, 'z': -1}}, "
                f"['x', '', 'y{p}'], {{{ck}, 2147483647}}, {{'a': 1, 'b': {p}}}, "
                f"{{'n{p}': [1, 2, {ck}], 'empty': []}}, [{{{p}}}, {{}}], {{{ck}: {{'q': {p}}}}}, "
                f"({p}, 't{ck}', [{p}, {ck}]), ({p}, ('in', 0x{p:02x}))) USING TIMESTAMP {ts}")
    r1.append(f"INSERT INTO {ks}.collections (pk, ck, l, s, m) VALUES (10, 0, [], {{}}, {{}}) "
              f"USING TIMESTAMP {t0}")  # empty collections are null
    r1.append(f"UPDATE {ks}.collections USING TIMESTAMP {t0 + 5} AND TTL 2 "
              f"SET s = s + {{777}}, m['short'] = 1 WHERE pk = 0 AND ck = 0")
    r1.append(f"UPDATE {ks}.collections USING TTL {LONG_TTL} SET l = l + ['long-ttl'] WHERE pk = 0 AND ck = 1")
    # Round 2 (second SSTable): element appends, prepends, removals and overwrites.
    t1 = t0 + 100000
    r2 = [
        f"UPDATE {ks}.collections USING TIMESTAMP {t1} SET l = l + ['appended'] WHERE pk = 1 AND ck = 0",
        f"UPDATE {ks}.collections USING TIMESTAMP {t1} SET l = ['prepended'] + l WHERE pk = 1 AND ck = 1",
        f"UPDATE {ks}.collections USING TIMESTAMP {t1} SET l = l - ['a2'] WHERE pk = 2 AND ck = 0",
        f"UPDATE {ks}.collections USING TIMESTAMP {t1} SET s = s + {{42, 43}} WHERE pk = 1 AND ck = 0",
        f"UPDATE {ks}.collections USING TIMESTAMP {t1} SET s = s - {{1}} WHERE pk = 1 AND ck = 1",
        f"UPDATE {ks}.collections USING TIMESTAMP {t1} SET m['k0'] = 100, m['new'] = 7 WHERE pk = 2 AND ck = 0",
        f"DELETE m['z'] FROM {ks}.collections USING TIMESTAMP {t1} WHERE pk = 2 AND ck = 1",
        f"DELETE s[3] FROM {ks}.collections USING TIMESTAMP {t1} WHERE pk = 3 AND ck = 2",
        f"UPDATE {ks}.collections USING TIMESTAMP {t1} SET l = ['overwritten'], m = {{'only': 1}} WHERE pk = 3 AND ck = 0",
        f"DELETE l, lfs FROM {ks}.collections USING TIMESTAMP {t1} WHERE pk = 4 AND ck = 0",
        f"UPDATE {ks}.collections USING TIMESTAMP {t1} SET mfm[9] = {{'r': 2}}, lfs = lfs + [{{9, 8}}] WHERE pk = 4 AND ck = 1",
        f"UPDATE {ks}.collections USING TIMESTAMP {t0 - 1} SET m['k1'] = -999 WHERE pk = 5 AND ck = 1",  # older: loses
        f"UPDATE {ks}.collections USING TIMESTAMP {t1} AND TTL {LONG_TTL} SET s = s + {{1000}} WHERE pk = 5 AND ck = 2",
    ]
    # Index-based list operations read before writing and take the server's time.
    r2_step2 = [
        f"UPDATE {ks}.collections SET l[0] = 'set-by-index' WHERE pk = 5 AND ck = 0",
        f"DELETE l[1] FROM {ks}.collections WHERE pk = 5 AND ck = 1",
    ]
    return {1: [r1], 2: [r2, r2_step2]}


def frozen_keys_rounds(ks, ctx):
    stmts = []
    for i in range(5):
        stmts.append(
            f"INSERT INTO {ks}.frozen_keys (pk, ck1, ck2, ck3, ck4, v) VALUES "
            f"([{i}, -{i}], {{'s{i}', ''}}, {{{i}: 'm{i}', -1: ''}}, ({i}, 'tup{i}'), "
            f"{{street: 'st{i}', zip: {i}, tags: {{'a'}}}}, {i}) USING TIMESTAMP {ctx.t0 + i}")
        stmts.append(
            f"INSERT INTO {ks}.frozen_keys (pk, ck1, ck2, ck3, ck4, v) VALUES "
            f"([{i}, -{i}], {{}}, {{-1: ''}}, ({i}, null), {{street: null, zip: null, tags: null}}, null) "
            f"USING TIMESTAMP {ctx.t0 + 10 + i}")
    stmts.append(f"INSERT INTO {ks}.frozen_keys (pk, ck1, ck2, ck3, ck4) VALUES ([], {{'x'}}, {{1: 'y'}}, "
                 f"(-1, ''), {{street: ''}}) USING TIMESTAMP {ctx.t0}")
    return {1: [stmts]}


def udts_rounds(ks, ctx):
    t0 = ctx.t0
    r1 = []
    for p in range(4):
        for ck in ("a", "b", "\u00e9"):
            r1.append(
                f"INSERT INTO {ks}.udts (pk, ck, fu, u, np, up, lu, mu) VALUES ({p}, '{ck}', "
                f"{{street: 'f{p}', zip: {p}, tags: {{'t1', 't2'}}}}, {{street: 'u{p}', zip: -{p}}}, "
                f"{{name: 'n{p}', age: {p}, home: {{street: 'h', zip: 1}}, phones: ['+1', '']}}, "
                f"{{name: 'up{p}', age: -1, phones: []}}, [{{street: 'l', zip: {p}}}, {{zip: 0}}], "
                f"{{'k': {{name: 'mu', age: 32767}}}}) USING TIMESTAMP {t0 + p * 10}")
    r1.append(f"INSERT INTO {ks}.udts (pk, ck, u) VALUES (9, 'nulls', {{street: null, zip: null, tags: null}}) "
              f"USING TIMESTAMP {t0}")
    r1.append(f"UPDATE {ks}.udts USING TIMESTAMP {t0 + 3} AND TTL 3 SET u.zip = 12345 WHERE pk = 0 AND ck = 'b'")
    t1 = t0 + 100000
    r2 = [
        f"UPDATE {ks}.udts USING TIMESTAMP {t1} SET u.zip = 99 WHERE pk = 1 AND ck = 'a'",
        f"UPDATE {ks}.udts USING TIMESTAMP {t1} AND TTL {LONG_TTL} SET up.name = 'renamed' WHERE pk = 1 AND ck = 'b'",
        f"DELETE u.street FROM {ks}.udts USING TIMESTAMP {t1} WHERE pk = 2 AND ck = 'a'",
        f"UPDATE {ks}.udts USING TIMESTAMP {t1} SET u = {{street: 'whole'}} WHERE pk = 2 AND ck = 'b'",
        f"DELETE up FROM {ks}.udts USING TIMESTAMP {t1} WHERE pk = 3 AND ck = 'a'",
        f"UPDATE {ks}.udts USING TIMESTAMP {t0 - 5} SET u.zip = -5 WHERE pk = 3 AND ck = 'b'",  # older: loses
    ]
    return {1: [r1], 2: [r2]}


def static_composite_rounds(ks, ctx):
    t0 = ctx.t0
    u = ["11111111-2222-4333-8444-555555555555", "00000000-0000-0000-0000-000000000000"]
    r1 = []
    for p in range(4):
        key = f"p1 = 'k{p}' AND p2 = {p - 2} AND p3 = {u[p % 2]}"
        r1.append(f"UPDATE {ks}.static_composite USING TIMESTAMP {t0 + p} SET s1 = 'static{p}', "
                  f"s2 = {{{p}, {p + 1}}}, s3 = {p * 7} WHERE {key}")
        for c1 in range(3):
            for c2 in ("x", "y"):
                r1.append(f"INSERT INTO {ks}.static_composite (p1, p2, p3, c1, c2, v, w) VALUES "
                          f"('k{p}', {p - 2}, {u[p % 2]}, {c1}, '{c2}', 'v{p}{c1}{c2}', {c1 * -1000}) "
                          f"USING TIMESTAMP {t0 + 10 + p}")
    # A partition with only a static row, one whose static row is deleted, one static with a TTL.
    r1.append(f"INSERT INTO {ks}.static_composite (p1, p2, p3, s1, s3) VALUES ('static-only', 0, {u[0]}, 'alone', 1) "
              f"USING TIMESTAMP {t0}")
    r1.append(f"DELETE s1, s2 FROM {ks}.static_composite USING TIMESTAMP {t0 + 50} "
              f"WHERE p1 = 'k1' AND p2 = -1 AND p3 = {u[1]}")
    r1.append(f"UPDATE {ks}.static_composite USING TIMESTAMP {t0 + 50} AND TTL {LONG_TTL} SET s3 = 42 "
              f"WHERE p1 = 'k2' AND p2 = 0 AND p3 = {u[0]}")
    return {1: [r1]}


def pk_only_rounds(ks, ctx):
    t0 = ctx.t0
    tu = EDGES["timeuuid"]
    r1 = []
    for a in range(3):
        for b in ("b", "\u00df"):
            for c in tu[:3]:
                r1.append(f"INSERT INTO {ks}.pk_only (a, b, c) VALUES ({a}, '{b}', {c}) USING TIMESTAMP {t0 + a}")
    r1.append(f"INSERT INTO {ks}.pk_only (a, b, c) VALUES (9, 'ttl', {tu[0]}) USING TTL {LONG_TTL}")
    r1.append(f"INSERT INTO {ks}.pk_only (a, b, c) VALUES (9, 'short', {tu[0]}) USING TTL 1")
    r1.append(f"DELETE FROM {ks}.pk_only USING TIMESTAMP {t0 + 100} WHERE a = 1 AND b = 'b' AND c = {tu[1]}")
    alone = [f"INSERT INTO {ks}.pk_alone (id) VALUES ('{k}') USING TIMESTAMP {t0 + i}"
             for i, k in enumerate(["a", "b", "\u00fc\u00f1\u00ed", "long" * 100])]
    alone.append(f"INSERT INTO {ks}.pk_alone (id) VALUES ('gone') USING TIMESTAMP {t0}")
    alone.append(f"DELETE FROM {ks}.pk_alone USING TIMESTAMP {t0 + 10} WHERE id = 'gone'")
    return r1, alone


def history_rounds(ks, ctx):
    """Three rounds of overwrites and deletes over the same rows: three overlapping SSTables."""
    t0 = ctx.t0
    t = f"{ks}.history"
    r1 = []
    for p in range(30):
        r1.append(f"UPDATE {t} USING TIMESTAMP {t0 + p * 1000} SET s = 'static-r1-{p}' WHERE pk = {p}")
        for ck in range(10):
            ttl = ""
            if (p + ck) % 13 == 0:
                ttl = " AND TTL 2"
            elif (p + ck) % 11 == 0:
                ttl = f" AND TTL {LONG_TTL}"
            r1.append(f"INSERT INTO {t} (pk, ck, a, b, c, d) VALUES ({p}, {ck}, 'r1-{p}-{ck}', {p * ck}, "
                      f"[{ck}, {p}], {{'k1': 'v1', 'k2': '{p}'}}) USING TIMESTAMP {t0 + p * 1000 + ck}{ttl}")
    t1 = t0 + 100000
    r2 = []
    for p in range(30):
        if p % 3 == 0:
            r2.append(f"UPDATE {t} USING TIMESTAMP {t1} SET a = 'r2-newer' WHERE pk = {p} AND ck = 0")
        if p % 3 == 1:
            r2.append(f"UPDATE {t} USING TIMESTAMP {t0 - 1000} SET a = 'r2-older' WHERE pk = {p} AND ck = 0")
        if p % 5 == 0:
            r2.append(f"DELETE FROM {t} USING TIMESTAMP {t1} WHERE pk = {p} AND ck = 1")
        if p % 7 == 0:
            r2.append(f"DELETE FROM {t} USING TIMESTAMP {t1} WHERE pk = {p} AND ck >= 3 AND ck < 6")
        if p % 4 == 1:
            r2.append(f"DELETE b FROM {t} USING TIMESTAMP {t1} WHERE pk = {p} AND ck = 2")
        if p % 2 == 0:
            r2.append(f"UPDATE {t} USING TIMESTAMP {t1} SET c = c + [100], d['k3'] = 'r2' WHERE pk = {p} AND ck = 7")
        if p % 6 == 1:
            r2.append(f"DELETE d['k1'] FROM {t} USING TIMESTAMP {t1} WHERE pk = {p} AND ck = 8")
        if p % 8 == 3:
            r2.append(f"UPDATE {t} USING TIMESTAMP {t1} SET s = 'static-r2' WHERE pk = {p}")
    r2.append(f"DELETE FROM {t} USING TIMESTAMP {t1} WHERE pk = 29")
    r2.append(f"DELETE FROM {t} USING TIMESTAMP {t1} WHERE pk = 28 AND ck > 7")
    t2 = t0 + 200000
    r3 = []
    for p in range(0, 30, 5):
        # Resurrected (newer than the row tombstone) and still shadowed (older) writes.
        r3.append(f"INSERT INTO {t} (pk, ck, a) VALUES ({p}, 1, 'r3-resurrected') USING TIMESTAMP {t2}")
        r3.append(f"INSERT INTO {t} (pk, ck, a) VALUES ({p}, 1, 'r3-shadowed') USING TIMESTAMP {t0 + 50000}"
                  if p % 10 == 5 else
                  f"UPDATE {t} USING TIMESTAMP {t2} SET b = -1 WHERE pk = {p} AND ck = 9")
    for p in range(0, 30, 7):
        r3.append(f"INSERT INTO {t} (pk, ck, a) VALUES ({p}, 4, 'r3-in-range') USING TIMESTAMP {t2}")
    r3.append(f"INSERT INTO {t} (pk, ck, a, b) VALUES (29, 0, 'r3-after-partition-delete', 1) USING TIMESTAMP {t2}")
    r3.append(f"INSERT INTO {t} (pk, ck, a, b) VALUES (29, 1, 'r3-under-partition-delete', 1) USING TIMESTAMP {t1 - 1}")
    r3.append(f"INSERT INTO {t} (pk, ck, a) VALUES (30, 0, 'r3-new-partition') USING TIMESTAMP {t2}")
    r3.append(f"INSERT INTO {t} (pk, ck, a) VALUES (30, 1, 'r3-long-ttl') USING TIMESTAMP {t2} AND TTL {LONG_TTL}")
    r3_server_time = [f"UPDATE {t} SET a = 'r3-server-time' WHERE pk = 2 AND ck = 2"]
    return {1: [r1], 2: [r2], 3: [r3, r3_server_time]}


def tombstones_rounds(ks, ctx):
    """Every kind of deletion in one SSTable, with live data around and inside them."""
    t0 = ctx.t0
    t = f"{ks}.tombstones"
    data = []
    for p in range(8):
        for c1 in range(-1, 10):
            for c2 in ("a", "b", "c"):
                data.append(f"INSERT INTO {t} (pk, ck1, ck2, v, l) VALUES ({p}, {c1}, '{c2}', 'v{p}{c1}{c2}', [{c1}]) "
                            f"USING TIMESTAMP {t0 + 10}")
    d = t0 + 100
    dels = [
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 0",  # partition deletion
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 1 AND ck1 > 1 AND ck1 <= 3",
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 1 AND ck1 = 5",  # prefix (one ck1)
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 1 AND ck1 >= 8",  # open end
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 1 AND ck1 < 0",  # open start
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 2 AND (ck1, ck2) >= (2, 'b') AND (ck1, ck2) < (4, 'b')",
        # Overlapping ranges with different timestamps: boundary markers.
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 3 AND ck1 >= 1 AND ck1 <= 5",
        f"DELETE FROM {t} USING TIMESTAMP {d + 50} WHERE pk = 3 AND ck1 >= 3 AND ck1 <= 7",
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 4 AND ck1 = 2 AND ck2 = 'b'",  # row
        f"DELETE v FROM {t} USING TIMESTAMP {d} WHERE pk = 4 AND ck1 = 3 AND ck2 = 'a'",  # cell
        f"DELETE l FROM {t} USING TIMESTAMP {d} WHERE pk = 4 AND ck1 = 3 AND ck2 = 'b'",  # collection
        f"INSERT INTO {t} (pk, ck1, ck2, v) VALUES (4, 6, 'a', null) USING TIMESTAMP {d}",  # null = cell tombstone
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 100",  # partitions that hold only a tombstone
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 101 AND ck1 = 1 AND ck2 = 'a'",
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 102 AND ck1 > 0",
        f"DELETE FROM {t} USING TIMESTAMP {t0} WHERE pk = 5",  # older than the data: deletes nothing
        f"DELETE FROM {t} USING TIMESTAMP {d} WHERE pk = 6 AND ck1 >= 0 AND ck1 <= 9",
    ]
    # Live data written after the deletions, inside deleted ranges and partitions.
    after = [
        f"INSERT INTO {t} (pk, ck1, ck2, v) VALUES (0, 1, 'a', 'after-partition-delete') USING TIMESTAMP {d + 1}",
        f"INSERT INTO {t} (pk, ck1, ck2, v) VALUES (1, 2, 'z', 'inside-range') USING TIMESTAMP {d + 1}",
        f"INSERT INTO {t} (pk, ck1, ck2, v) VALUES (3, 4, 'z', 'under-newer-range') USING TIMESTAMP {d + 1}",
        f"INSERT INTO {t} (pk, ck1, ck2, v) VALUES (6, 5, 'a', 'revived') USING TIMESTAMP {d + 1}",
    ]
    return {1: [data, dels, after]}


def ttls_rounds(ks, ctx):
    t0 = ctx.t0
    t = f"{ks}.ttls"
    s = []
    for p, ttl in enumerate([1, 2, 3, 5]):
        s.append(f"INSERT INTO {t} (pk, ck, a, b, c) VALUES ({p}, 0, 'short', {ttl}, {{'x'}}) "
                 f"USING TIMESTAMP {t0 + p} AND TTL {ttl}")
        s.append(f"INSERT INTO {t} (pk, ck, a, b) VALUES ({p}, 1, 'mixed', {p}) USING TIMESTAMP {t0 + p}")
        s.append(f"UPDATE {t} USING TIMESTAMP {t0 + p + 1} AND TTL {ttl} SET a = 'cell-short' WHERE pk = {p} AND ck = 1")
    s += [
        f"INSERT INTO {t} (pk, ck, a) VALUES (10, 0, 'default-ttl') USING TIMESTAMP {t0}",
        f"INSERT INTO {t} (pk, ck, a) VALUES (10, 1, 'ttl-0-no-expiry') USING TIMESTAMP {t0} AND TTL 0",
        f"INSERT INTO {t} (pk, ck, a) VALUES (10, 2, 'long') USING TIMESTAMP {t0} AND TTL {LONG_TTL}",
        f"INSERT INTO {t} (pk, ck, a) VALUES (10, 3, 'max') USING TIMESTAMP {t0} AND TTL {ctx.max_ttl}",
        f"UPDATE {t} USING TTL 86400 SET b = 1 WHERE pk = 10 AND ck = 3",
        f"UPDATE {t} USING TTL 4 SET c = c + {{'short-elem'}} WHERE pk = 10 AND ck = 2",
        f"UPDATE {t} USING TTL {LONG_TTL} SET c = c + {{'long-elem'}} WHERE pk = 10 AND ck = 2",
        f"INSERT INTO {t} (pk, ck) VALUES (11, 0) USING TTL 2",  # row marker only, expires
    ]
    return {1: [s]}


def timestamps_rounds(ks, ctx):
    t0 = ctx.t0
    t = f"{ks}.timestamps"
    future = t0 + 10 * 365 * 86400 * 1000000
    s = []
    for p, ts in enumerate([1, -5, 0, t0, future]):
        s.append(f"INSERT INTO {t} (pk, ck, a, b, c) VALUES ({p}, 0, 'a{p}', 'b{p}', {p}) USING TIMESTAMP {ts}")
    for p in range(5, 10):
        # Each cell of the row its own timestamp.
        s.append(f"UPDATE {t} USING TIMESTAMP {t0 + p} SET a = 'a' WHERE pk = {p} AND ck = 0")
        s.append(f"UPDATE {t} USING TIMESTAMP {t0 + p * 7 + 1} SET b = 'b' WHERE pk = {p} AND ck = 0")
        s.append(f"UPDATE {t} USING TIMESTAMP {t0 - p * 1000} SET c = {p} WHERE pk = {p} AND ck = 0")
        s.append(f"INSERT INTO {t} (pk, ck) VALUES ({p}, 0) USING TIMESTAMP {t0 - 1}")  # row liveness
    s.append(f"BEGIN UNLOGGED BATCH USING TIMESTAMP {t0 + 123} "
             f"INSERT INTO {t} (pk, ck, a) VALUES (20, 0, 'batch'); "
             f"INSERT INTO {t} (pk, ck, b) VALUES (20, 1, 'batch'); APPLY BATCH")
    s.append(f"INSERT INTO {t} (pk, ck, a) VALUES (21, 0, 'server-time')")
    # Equal timestamps, different values: the greater value wins.
    tie = [f"UPDATE {t} USING TIMESTAMP {t0 + 999} SET a = 'tie-a' WHERE pk = 22 AND ck = 0",
           f"UPDATE {t} USING TIMESTAMP {t0 + 999} SET a = 'tie-b' WHERE pk = 22 AND ck = 0"]
    return {1: [s, tie[:1], tie[1:]]}


def wide_rounds(ks, ctx):
    """Handled by the generator (prepared, concurrent inserts); only the small partitions here."""
    return {1: [[f"INSERT INTO {ks}.wide (pk, ck, payload, note) VALUES ({p}, {c}, 0x{c:04x}, 'small') "
                 f"USING TIMESTAMP {ctx.t0 + c}" for p in (0, 2) for c in range(3)]]}


def catalogue():
    """All tables of a corpus keyspace, in creation order."""
    tables = [scalar_table(t) for t in KEY_TYPES]

    def pk_only_r(ks, ctx):
        return {1: [pk_only_rounds(ks, ctx)[0]]}

    def pk_alone_r(ks, ctx):
        return {1: [pk_only_rounds(ks, ctx)[1]]}

    tables += [
        Table("durations", "pk int, ck int, d duration, ld list<duration>, md map<int, duration>, "
              "t tuple<duration, int>, PRIMARY KEY (pk, ck)",
              ["type:duration", "regular", "list", "map", "tuple", "using_timestamp", "null_cells"],
              durations_rounds),
        Table("counters", "pk text, ck int, sc counter static, c1 counter, c2 counter, PRIMARY KEY (pk, ck)",
              ["type:counter", "static", "multi_sstable", "partition_delete", "edge_values"],
              counters_rounds),
        Table("vectors", "pk vector<float, 2>, ck vector<bigint, 2>, vf vector<float, 3>, vd vector<double, 4>, "
              "vt vector<text, 2>, vi vector<int, 2>, vs vector<smallint, 3>, vl vector<frozen<list<int>>, 2>, "
              "vbig vector<float, 128>, PRIMARY KEY (pk, ck)",
              ["type:vector", "vector_float", "vector_nonfloat", "vector_variable_size", "partition_key",
               "clustering_desc", "regular", "edge_values", "using_timestamp"],
              vectors_rounds, options="CLUSTERING ORDER BY (ck DESC)"),
        Table("collections", "pk int, ck int, l list<text>, s set<int>, m map<text, int>, fl frozen<list<text>>, "
              "fs frozen<set<int>>, fm frozen<map<text, int>>, nested frozen<map<text, frozen<list<int>>>>, "
              "lfs list<frozen<set<int>>>, mfm map<int, frozen<map<text, int>>>, "
              "tup tuple<int, text, frozen<list<int>>>, ntup frozen<tuple<int, tuple<text, blob>>>, "
              "PRIMARY KEY (pk, ck)",
              ["list", "set", "map", "frozen_list", "frozen_set", "frozen_map", "nested_frozen", "tuple",
               "element_delete", "append", "prepend", "collection_overwrite", "ttl_short", "ttl_long",
               "multi_sstable", "using_timestamp"],
              collections_rounds),
        Table("frozen_keys", "pk frozen<list<int>>, ck1 frozen<set<text>>, ck2 frozen<map<int, text>>, "
              "ck3 tuple<int, text>, ck4 frozen<addr>, v int, PRIMARY KEY ((pk), ck1, ck2, ck3, ck4)",
              ["frozen_partition_key", "frozen_clustering", "tuple", "udt_frozen", "clustering_asc",
               "clustering_desc", "null_cells", "using_timestamp"],
              frozen_keys_rounds, options="CLUSTERING ORDER BY (ck1 ASC, ck2 DESC, ck3 ASC, ck4 DESC)"),
        Table("udts", "pk int, ck text, fu frozen<addr>, u addr, np frozen<person>, up person, "
              "lu list<frozen<addr>>, mu map<text, frozen<person>>, PRIMARY KEY (pk, ck)",
              ["udt_frozen", "udt_nonfrozen", "udt_nested", "udt_field_update", "udt_field_delete",
               "ttl_short", "ttl_long", "multi_sstable", "using_timestamp"],
              udts_rounds),
        Table("static_composite", "p1 text, p2 int, p3 uuid, c1 int, c2 text, s1 text static, "
              "s2 set<int> static, s3 int static, v text, w bigint, PRIMARY KEY ((p1, p2, p3), c1, c2)",
              ["composite_partition_key", "static", "static_only_partition", "static_delete",
               "clustering_asc", "clustering_desc", "ttl_long", "using_timestamp"],
              static_composite_rounds, options="CLUSTERING ORDER BY (c1 ASC, c2 DESC)"),
        Table("pk_only", "a int, b text, c timeuuid, PRIMARY KEY ((a, b), c)",
              ["primary_key_only", "composite_partition_key", "row_delete", "ttl_short", "ttl_long"],
              pk_only_r),
        Table("pk_alone", "id text PRIMARY KEY",
              ["primary_key_only", "partition_key_only", "row_delete", "unicode"],
              pk_alone_r),
        Table("history", "pk int, ck int, a text, b int, c list<int>, d map<text, text>, s text static, "
              "PRIMARY KEY (pk, ck)",
              ["multi_sstable", "overlapping_sstables", "overwrite", "older_write_loses", "row_delete",
               "range_delete", "partition_delete", "cell_delete", "element_delete", "append", "resurrect",
               "ttl_short", "ttl_long", "static", "using_timestamp"],
              history_rounds),
        Table("tombstones", "pk int, ck1 int, ck2 text, v text, l list<int>, PRIMARY KEY (pk, ck1, ck2)",
              ["partition_delete", "range_delete", "range_delete_open", "range_boundary", "row_delete",
               "cell_delete", "collection_delete", "tombstone_only_partition", "null_cells", "using_timestamp"],
              tombstones_rounds),
        Table("ttls", "pk int, ck int, a text, b int, c set<text>, PRIMARY KEY (pk, ck)",
              ["ttl_short", "ttl_long", "ttl_max", "ttl_default", "ttl_zero", "ttl_row", "ttl_element", "using_timestamp"],
              ttls_rounds, options=f"default_time_to_live = {LONG_TTL}"),
        Table("timestamps", "pk int, ck int, a text, b text, c int, PRIMARY KEY (pk, ck)",
              ["using_timestamp", "timestamp_per_cell", "timestamp_negative", "timestamp_zero",
               "timestamp_future", "timestamp_tie", "batch"],
              timestamps_rounds),
        Table("wide", "pk int, ck int, payload blob, note text, PRIMARY KEY (pk, ck)",
              ["wide_partition", "large_row_index"],
              wide_rounds, only_in=("lz4",)),
    ]
    return tables
