# Shared bash for the test-stack scripts (scripts/cassandra, scripts/kafka, scripts/s3, ...).
# Sourced, never run. Gives: paths, logging, pid files, port checks, waiting, the Java
# and Maven set-up and the Python virtualenv.
#
# Environment (all optional):
#   KSBULK_STACK_DIR   where servers keep data, logs, pid files, generated config
#                      (default <repo>/target/stack)
#   KSBULK_JAVA_HOME   JDK used to run the servers and tools (default OpenJDK 17)
#   KSBULK_VENV        Python virtualenv for cqlsh and moto (default ~/.cache/ksbulk/venv)
#   KSBULK_M2_REPO     Maven local repository (default: Maven's own, ~/.m2/repository)

set -euo pipefail

KSBULK_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KSBULK_REPO="$(cd "$KSBULK_SCRIPTS/.." && pwd)"
KSBULK_STACK_DIR="${KSBULK_STACK_DIR:-$KSBULK_REPO/target/stack}"
mkdir -p "$KSBULK_STACK_DIR"
KSBULK_STACK_DIR="$(cd "$KSBULK_STACK_DIR" && pwd)"
export KSBULK_STACK_DIR
KSBULK_JAVA_HOME="${KSBULK_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
KSBULK_VENV="${KSBULK_VENV:-$HOME/.cache/ksbulk/venv}"

# --- logging ---------------------------------------------------------------------------
# Name shown in front of every message; each script sets it.
KSBULK_COMPONENT="${KSBULK_COMPONENT:-stack}"

log() { printf '[%s %s] %s\n' "$(date -u +%H:%M:%S)" "$KSBULK_COMPONENT" "$*" >&2; }
warn() { log "WARNING: $*"; }
die() { log "ERROR: $*"; exit 1; }

# Seconds since the epoch, for timing phases.
now_s() { date +%s; }

# --- pid files -------------------------------------------------------------------------
# A pid file holds one pid. A process counts as ours only if its command line contains
# the marker we gave it at launch (the server's own directory), so a reused pid of an
# unrelated program is never taken for our server, and never signalled.

# pid_of_ours PIDFILE MARKER: print the pid when the file names a live process of ours.
pid_of_ours() {
  local pidfile="$1" marker="$2" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(tr -dc '0-9' < "$pidfile")"
  [[ -n "$pid" ]] || return 1
  proc_is_ours "$pid" "$marker" || return 1
  printf '%s\n' "$pid"
}

# proc_is_ours PID MARKER: true when PID is alive and its command line contains MARKER.
proc_is_ours() {
  local pid="$1" marker="$2"
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$marker"
}

# find_ours MARKER: pids of live processes whose command line contains MARKER (used to
# find a server of this stack dir whose pid file was lost). Exact marker, never a name.
find_ours() {
  local marker="$1" d pid
  for d in /proc/[0-9]*; do
    pid="${d#/proc/}"
    [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
    if [[ -r "$d/cmdline" ]] && tr '\0' ' ' < "$d/cmdline" 2>/dev/null | grep -qF -- "$marker"; then
      # Skip shells and tools that merely mention the path (our own scripts, tail, grep).
      case "$(cat "$d/comm" 2>/dev/null)" in
        java|python*|moto_server) printf '%s\n' "$pid" ;;
      esac
    fi
  done
}

# running_pid_of PIDFILE MARKER: the pid of our running server, from the pid file or, when
# that was lost (or points at a dead or unrelated process), by the marker; rewrites the file.
running_pid_of() {
  local pidfile="$1" marker="$2" pid
  if pid="$(pid_of_ours "$pidfile" "$marker")"; then
    printf '%s\n' "$pid"
    return 0
  fi
  pid="$(find_ours "$marker" | head -n1)"
  if [[ -n "$pid" ]]; then
    printf '%s\n' "$pid" > "$pidfile"
    printf '%s\n' "$pid"
    return 0
  fi
  return 1
}

# lock_server_dir DIR: one start/stop at a time per server directory (two starts of the
# same stack dir at once would both launch a server). Held until the script exits; the
# servers themselves are launched with fd 8 closed so they never keep it.
lock_server_dir() {
  mkdir -p "$1"
  exec 8> "$1/.lock"
  if ! flock -n 8; then
    log "another scripts/ command is working on $1; waiting for it"
    flock -w 900 8 || die "gave up waiting for the lock on $1"
  fi
}

# stop_pid PID NAME TIMEOUT_S: SIGTERM, wait up to TIMEOUT_S, then SIGKILL.
stop_pid() {
  local pid="$1" name="$2" timeout="${3:-60}" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= timeout )); then
      warn "$name (pid $pid) still running after ${timeout}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
  # A zombie child of ours (rare: we detach with setsid) is gone from the caller's view.
  log "$name (pid $pid) stopped after ${waited}s"
}

# --- ports -----------------------------------------------------------------------------

# port_owner PORT: print "program (pid N)" listening on 127.0.0.1/any:PORT, or nothing.
port_owner() {
  local port="$1" line
  line="$(ss -Htlnp "sport = :$port" 2>/dev/null | head -n1 || true)"
  [[ -n "$line" ]] || return 1
  if [[ "$line" =~ users:\(\(\"([^\"]+)\",pid=([0-9]+) ]]; then
    printf '%s (pid %s)\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  else
    printf 'an unknown program\n'
  fi
}

# port_owner_pid PORT: the pid listening on PORT, or nothing.
port_owner_pid() {
  local line
  line="$(ss -Htlnp "sport = :$1" 2>/dev/null | head -n1 || true)"
  [[ "$line" =~ pid=([0-9]+) ]] && printf '%s\n' "${BASH_REMATCH[1]}"
  return 0
}

# require_ports_free NAME PORT...: fail naming the program that holds any of the ports.
require_ports_free() {
  local name="$1" port owner bad=0
  shift
  for port in "$@"; do
    if owner="$(port_owner "$port")"; then
      log "ERROR: port $port (needed by $name) is already taken by $owner"
      bad=1
    fi
  done
  if (( bad )); then
    die "stop that program, or move $name to free ports (see README, 'Test stack')"
  fi
}

# port_open HOST PORT: true when a TCP connection succeeds.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# --- Java and Maven --------------------------------------------------------------------

java_bin() {
  local j="$KSBULK_JAVA_HOME/bin/java"
  [[ -x "$j" ]] || die "no JDK at $KSBULK_JAVA_HOME (install openjdk-17-jdk-headless, or set KSBULK_JAVA_HOME)"
  printf '%s\n' "$j"
}

# Maven's local repository, as Maven sees it (KSBULK_M2_REPO overrides).
m2_repo() {
  printf '%s\n' "${KSBULK_M2_REPO:-$HOME/.m2/repository}"
}

# check_jars CLASSPATH_FILE: print every jar of the classpath that is missing or is not a
# readable zip (e.g. a download cut short). Prints nothing when all are fine.
check_jars() {
  python3 - "$1" <<'PY'
import sys, zipfile, os
for jar in open(sys.argv[1]).read().strip().split(":"):
    if not jar:
        continue
    try:
        with zipfile.ZipFile(jar) as z:
            # Reading the central directory is enough to catch a truncated file.
            z.namelist()
    except Exception as e:  # missing, truncated or not a zip
        print(jar)
PY
}

# artifact_dir JAR: the version directory of a jar in the local repository.
artifact_dir() { dirname "$1"; }

# mvn_classpath OUT_FILE POM_DIR: resolve the pom's dependencies into a classpath file.
# Recovers from a partial download: first a retry with -U (forgets cached failures), then
# the version directories of broken jars are removed (and named) and resolved again.
mvn_classpath() {
  local out="$1" pomdir="$2" attempt broken jar
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  local -a mvn_args=(-B -q -f "$pomdir/pom.xml" dependency:build-classpath "-Dmdep.outputFile=$out")
  [[ -n "${KSBULK_M2_REPO:-}" ]] && mvn_args+=("-Dmaven.repo.local=$KSBULK_M2_REPO")
  mkdir -p "$(m2_repo)"
  for attempt in 1 2 3; do
    rm -f "$out"
    local extra=()
    (( attempt > 1 )) && extra=(-U)
    # Several clones share ~/.m2: one Maven at a time writes to it.
    if flock "$(m2_repo)/.ksbulk-mvn.lock" mvn "${mvn_args[@]}" "${extra[@]}" > "$pomdir/mvn.log" 2>&1 && [[ -s "$out" ]]; then
      broken="$(check_jars "$out")"
      if [[ -z "$broken" ]]; then
        return 0
      fi
      while read -r jar; do
        [[ -n "$jar" ]] || continue
        warn "broken or truncated jar in the Maven repository: $jar; removing $(artifact_dir "$jar") and downloading it again"
        rm -rf "$(artifact_dir "$jar")"
      done <<< "$broken"
    else
      warn "Maven failed (attempt $attempt); last lines of $pomdir/mvn.log:"
      tail -n 15 "$pomdir/mvn.log" >&2 || true
    fi
  done
  return 1
}

# jar_sizes CLASSPATH_FILE: "size path" per jar, to tell later whether a jar changed.
jar_sizes() {
  local -a jars
  IFS=: read -r -a jars < "$1" || true  # no newline at the end of the file
  stat -c '%s %n' "${jars[@]}" 2>/dev/null
}

# classpath_cache_ok DIR KEY: DIR holds a classpath resolved for KEY whose jars are all
# still there with the sizes they had when they were checked (a cheap stat, no unzip).
classpath_cache_ok() {
  local dir="$1" key="$2"
  [[ -s "$dir/classpath" && -s "$dir/version" && -s "$dir/sizes" && -s "$dir/key" ]] || return 1
  [[ "$(cat "$dir/key")" == "$key" ]] || return 1
  jar_sizes "$dir/classpath" | cmp -s - "$dir/sizes"
}

# save_classpath_cache FROM_DIR TO_DIR: copy a checked classpath cache (files replaced
# whole, so a reader never sees half of one).
save_classpath_cache() {
  local from="$1" to="$2" f
  mkdir -p "$to"
  for f in classpath version key sizes; do
    cp "$from/$f" "$to/$f.tmp.$$" && mv "$to/$f.tmp.$$" "$to/$f"
  done
}

# maven_classpath NAME GROUP:ARTIFACT "V1 V2 ..." [EXTRA_DEPS_XML]: classpath of the first
# version that resolves. Sets MVN_VERSION and MVN_CLASSPATH. Cached in
# $KSBULK_STACK_DIR/NAME/maven and, shared by every stack dir and clone on this machine, in
# ~/.cache/ksbulk/maven/NAME (Maven itself takes 5-60 s even with everything downloaded).
# A cache is used only while its jars keep the sizes they had when every one of them was
# opened as a zip right after resolution.
maven_classpath() {
  local name="$1" ga="$2" versions="$3" extra="${4:-}"
  local dir="$KSBULK_STACK_DIR/$name/maven" group="${ga%%:*}" artifact="${ga#*:}" v
  local shared="${KSBULK_CACHE_DIR:-$HOME/.cache/ksbulk}/maven/$name"
  local key="$ga $versions $extra $(m2_repo)"
  mkdir -p "$dir"
  if ! classpath_cache_ok "$dir" "$key" && classpath_cache_ok "$shared" "$key"; then
    save_classpath_cache "$shared" "$dir"
  fi
  if classpath_cache_ok "$dir" "$key"; then
    MVN_VERSION="$(cat "$dir/version")"
    MVN_CLASSPATH="$(cat "$dir/classpath")"
    return 0
  fi
  # Jars of an earlier resolution that are now cut short or changed: remove their version
  # directories first, so Maven downloads them again instead of trusting them.
  local old broken jar
  for old in "$dir" "$shared"; do
    [[ -s "$old/classpath" ]] || continue
    broken="$(check_jars "$old/classpath")"
    while read -r jar; do
      [[ -n "$jar" ]] || continue
      if [[ -e "$jar" ]]; then
        warn "broken or truncated jar in the Maven repository: $jar; removing $(artifact_dir "$jar") and downloading it again"
        rm -rf "$(artifact_dir "$jar")"
      fi
    done <<< "$broken"
  done
  for v in $versions; do
    cat > "$dir/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by ksbulk scripts/lib.sh: resolves $ga $v for the test stack. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>ksbulk.stack</groupId>
  <artifactId>$name</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>$group</groupId><artifactId>$artifact</artifactId><version>$v</version></dependency>
    $extra
  </dependencies>
</project>
POM
    log "resolving $ga:$v with Maven (into $(m2_repo))"
    if mvn_classpath "$dir/classpath.tmp" "$dir"; then
      mv "$dir/classpath.tmp" "$dir/classpath"
      printf '%s\n' "$v" > "$dir/version"
      printf '%s\n' "$key" > "$dir/key"
      jar_sizes "$dir/classpath" > "$dir/sizes"
      save_classpath_cache "$dir" "$shared"
      MVN_VERSION="$v"
      MVN_CLASSPATH="$(cat "$dir/classpath")"
      return 0
    fi
    warn "could not resolve $ga:$v; trying the next version"
  done
  die "could not resolve any of $ga versions: $versions (see $dir/mvn.log)"
}

# jar_on_classpath CLASSPATH NAME_PREFIX: the first jar whose file name starts with NAME_PREFIX.
jar_on_classpath() {
  tr ':' '\n' <<< "$1" | grep -m1 "/$2[^/]*\.jar$" || true
}

# --- Python virtualenv (cqlsh, moto) ---------------------------------------------------

KSBULK_PY_REQUIREMENTS="cqlsh>=6.2,<6.3
moto[server]>=5,<6
boto3"

# ensure_venv: create the virtualenv and install the requirements once (re-done when the
# requirement list changes). Shared by clones, so guarded by a lock.
ensure_venv() {
  local stamp="$KSBULK_VENV/.ksbulk-requirements"
  if [[ -x "$KSBULK_VENV/bin/python" && -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$KSBULK_PY_REQUIREMENTS" ]]; then
    return 0
  fi
  mkdir -p "$(dirname "$KSBULK_VENV")"
  (
    flock 9
    if [[ -x "$KSBULK_VENV/bin/python" && -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$KSBULK_PY_REQUIREMENTS" ]]; then
      exit 0
    fi
    log "installing Python packages into $KSBULK_VENV (cqlsh, moto)"
    if [[ ! -x "$KSBULK_VENV/bin/python" ]] || ! "$KSBULK_VENV/bin/python" -c 'import sys' 2>/dev/null; then
      rm -rf "$KSBULK_VENV"
      python3 -m venv "$KSBULK_VENV" || die "python3 -m venv failed (apt-get install python3-venv)"
    fi
    local reqs
    mapfile -t reqs <<< "$KSBULK_PY_REQUIREMENTS"
    "$KSBULK_VENV/bin/pip" install -q "${reqs[@]}" || die "pip install failed: ${reqs[*]}"
    printf '%s' "$KSBULK_PY_REQUIREMENTS" > "$stamp"
  ) 9> "$KSBULK_VENV.lock"
}

# --- waiting ---------------------------------------------------------------------------

# wait_until TIMEOUT_S PID DESCRIPTION CMD...: run CMD every second until it succeeds.
# Fails when TIMEOUT_S pass or when PID (the server) dies first.
wait_until() {
  local timeout="$1" pid="$2" what="$3" start
  shift 3
  start="$(now_s)"
  while ! "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "ERROR: the process (pid $pid) exited while waiting for $what"
      return 2
    fi
    if (( $(now_s) - start >= timeout )); then
      log "ERROR: timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 1
  done
}

# show_log_tail FILE [N]: print the last N lines of a log, framed.
show_log_tail() {
  local f="$1" n="${2:-60}"
  if [[ -s "$f" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2
    printf -- '----- end of %s -----\n' "$f" >&2
  fi
}
