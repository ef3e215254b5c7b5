"""The corpus's own Cassandra node, driven through the project's stack scripts (scripts/cassandra,
scripts/nodetool, scripts/sstabledump, scripts/sstabledump-batch).

It has its own stack directory and ports, so it never collides with the test stack's node
(whose KSBULK_STACK_DIR and CASSANDRA_*_PORT scripts/test exports, and which must keep
running): KSBULK_CORPUS_STACK_DIR (default <repo>/target/stack-corpus) and
KSBULK_CORPUS_NATIVE_PORT/_STORAGE_PORT/_JMX_PORT (default 19042/17000/17199). The test
node's variables are deliberately ignored.
"""

import os
import subprocess
import sys
import time


def log(msg):
    print(f"[corpus {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Stack:
    def __init__(self, repo):
        self.env = dict(os.environ)
        own = {
            "KSBULK_STACK_DIR": ("KSBULK_CORPUS_STACK_DIR", os.path.join(repo, "target", "stack-corpus")),
            "CASSANDRA_NATIVE_PORT": ("KSBULK_CORPUS_NATIVE_PORT", "19042"),
            "CASSANDRA_STORAGE_PORT": ("KSBULK_CORPUS_STORAGE_PORT", "17000"),
            "CASSANDRA_JMX_PORT": ("KSBULK_CORPUS_JMX_PORT", "17199"),
        }
        for var, (corpus_var, default) in own.items():
            self.env[var] = os.environ.get(corpus_var) or default
        # The corpus needs none of these; a caller's settings for the test node must not leak in.
        for var in ("CASSANDRA_TLS", "CASSANDRA_AUTH", "CASSANDRA_CDC"):
            self.env.pop(var, None)
        self.dir = self.env["KSBULK_STACK_DIR"]
        self.native_port = int(self.env["CASSANDRA_NATIVE_PORT"])
        self.scripts = os.path.join(repo, "scripts")

    def _run(self, script, *args, env=None, capture=False):
        t = time.time()
        res = subprocess.run([os.path.join(self.scripts, script), *args], env=env or self.env, text=True,
                             stdout=subprocess.PIPE if capture else sys.stderr)
        if res.returncode != 0:
            raise RuntimeError(f"scripts/{script} {' '.join(args[:8])} failed with status {res.returncode}")
        shown = " ".join(a if len(a) < 60 else "..." for a in args[:8]) + (" ..." if len(args) > 8 else "")
        log(f"{script} {shown} ({time.time() - t:.1f}s)")
        return res.stdout

    def start(self, fmt):
        """Starts a fresh node (empty data directory) writing SSTables in format `fmt`."""
        env = dict(self.env, CASSANDRA_FORMAT=fmt)
        # Cassandra flushes the schema tables after every DDL statement unless told not to;
        # the corpus creates ~170 tables per node, and those flushes would dominate. (The
        # JVM reads JAVA_TOOL_OPTIONS itself; scripts/cassandra has no hook for extra flags.)
        env["JAVA_TOOL_OPTIONS"] = (env.get("JAVA_TOOL_OPTIONS", "") +
                                    " -Dcassandra.test.flush_local_schema_changes=false").strip()
        self._run("cassandra", "start", "--fresh", env=env)

    def stop(self):
        self._run("cassandra", "stop")

    def nodetool(self, *args):
        return self._run("nodetool", *args, capture=True)

    def sstabledump(self, data_path):
        """`sstabledump -t` of one SSTable (one JVM)."""
        return self._run("sstabledump", "-t", data_path, capture=True)

    def sstabledump_batch(self, data_paths):
        """`sstabledump -t` of many SSTables in one JVM; writes <prefix>.json beside each SSTable."""
        return self._run("sstabledump-batch", "-t", "-", *data_paths)
