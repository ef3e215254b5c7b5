"""The large benchmark table (scripts/corpus --bench; never made by CI).

10 million rows (1 million partitions of 10 rows, ~230 bytes each, > 2 GB of Data.db) written
offline by scripts/java/CorpusBenchWriter.java with Cassandra's CQLSSTableWriter, in `oa`
(big) format, LZ4. Kept in <corpus>/bench/ with schema.cql and bench.json (what it holds).
"""

import json
import os
import shutil
import subprocess
import time

from stack import log

ROWS = 10_000_000
ROWS_PER_PARTITION = 10
PAYLOAD_BYTES = 200
FORMAT, FORMAT_NAME = "oa", "big"
KEYSPACE, TABLE = "corpus_bench", "events"
SCHEMA = ("CREATE TABLE corpus_bench.events (pk bigint, ck int, name text, value double, payload blob, "
          "PRIMARY KEY (pk, ck)) WITH compression = {'class': 'LZ4Compressor'};\n")


def ensure(stack, corpus):
    bench = os.path.join(corpus, "bench")
    if os.path.exists(os.path.join(bench, "bench.json")):
        log(f"benchmark table already made: {bench}")
        return
    work = bench + ".partial"
    shutil.rmtree(work, ignore_errors=True)  # a half-written table is not resumable: start over
    rel = os.path.join(FORMAT, KEYSPACE, TABLE)
    out = os.path.join(work, rel)
    classes = os.path.join(work, ".classes")
    os.makedirs(classes)
    scripts = stack.scripts
    cp = subprocess.run([os.path.join(scripts, "cassandra"), "classpath"], env=stack.env, check=True,
                        text=True, stdout=subprocess.PIPE).stdout.strip().splitlines()[-1]
    subprocess.run(["javac", "-nowarn", "-d", classes, "-cp", cp,
                    os.path.join(scripts, "java", "CorpusBenchWriter.java")], check=True)
    t = time.time()
    # Same JVM flags as Cassandra's offline tools (scripts/lib-cassandra.sh), a bigger heap
    # for the writer's sort buffer.
    subprocess.run(["bash", "-c",
                    'source "$0/lib.sh" && source "$0/lib-cassandra.sh" && cassandra_classpath && '
                    'cassandra_tool_flags && exec "$(java_bin)" "${CASSANDRA_TOOL_FLAGS[@]}" -Xmx2g '
                    '-cp "$1:$CASSANDRA_CP" CorpusBenchWriter "${@:2}"',
                    scripts, classes, out, str(ROWS), str(ROWS_PER_PARTITION), str(PAYLOAD_BYTES), FORMAT_NAME],
                   env=stack.env, check=True)
    seconds = time.time() - t
    shutil.rmtree(classes)
    with open(os.path.join(out, "schema.cql"), "w") as f:
        f.write(SCHEMA)
    data = sorted(f for f in os.listdir(out) if f.endswith("-Data.db"))
    data_bytes = sum(os.path.getsize(os.path.join(out, f)) for f in data)
    doc = {"format": FORMAT, "keyspace": KEYSPACE, "table": TABLE, "dir": os.path.join("bench", rel),
           "sstables": [os.path.join("bench", rel, f) for f in data], "rows": ROWS,
           "partitions": ROWS // ROWS_PER_PARTITION, "data_bytes": data_bytes, "write_seconds": round(seconds, 1),
           "schema": SCHEMA.strip()}
    with open(os.path.join(work, "bench.json"), "w") as f:
        json.dump(doc, f, indent=1)
    os.rename(work, bench)
    log(f"benchmark table: {ROWS} rows, {data_bytes / 1e9:.2f} GB in {len(data)} SSTables ({seconds:.0f}s)")
