# Cassandra parts shared by scripts/cassandra, scripts/nodetool, scripts/sstabledump and
# scripts/cqlsh: settings from the environment, classpath, JVM flags, generated config.
# Sourced after lib.sh.
#
# Environment (all optional):
#   CASSANDRA_VERSION        one version to use (default: 5.0.8, falling back to 5.0.7 ... 5.0.0)
#   CASSANDRA_NATIVE_PORT    CQL port (9042)
#   CASSANDRA_STORAGE_PORT   internode port (7000)
#   CASSANDRA_JMX_PORT       JMX port for nodetool (7199)
#   CASSANDRA_FORMAT         SSTable format written: nb | oa | da (default oa)
#   CASSANDRA_TLS=1          TLS on the native port, CA at $KSBULK_STACK_DIR/cassandra/tls/ca.pem
#   CASSANDRA_CDC=1          cdc_enabled: true
#   CASSANDRA_AUTH=1         PasswordAuthenticator, superuser cassandra/cassandra
#   CASSANDRA_HEAP           heap size (-Xms = -Xmx), default 2G (loads of hundreds of tables)
#   CASSANDRA_START_TIMEOUT  seconds to wait for CQL (default 240)

CASSANDRA_VERSIONS="${CASSANDRA_VERSION:-5.0.8 5.0.7 5.0.6 5.0.5 5.0.4 5.0.3 5.0.2 5.0.1 5.0.0}"
CASSANDRA_NATIVE_PORT="${CASSANDRA_NATIVE_PORT:-9042}"
CASSANDRA_STORAGE_PORT="${CASSANDRA_STORAGE_PORT:-7000}"
CASSANDRA_JMX_PORT="${CASSANDRA_JMX_PORT:-7199}"
CASSANDRA_FORMAT="${CASSANDRA_FORMAT:-oa}"
CASSANDRA_TLS="${CASSANDRA_TLS:-0}"
CASSANDRA_CDC="${CASSANDRA_CDC:-0}"
CASSANDRA_AUTH="${CASSANDRA_AUTH:-0}"
CASSANDRA_HEAP="${CASSANDRA_HEAP:-2G}"
CASSANDRA_START_TIMEOUT="${CASSANDRA_START_TIMEOUT:-240}"

C_DIR="$KSBULK_STACK_DIR/cassandra"
C_CONF="$C_DIR/conf"
C_DATA="$C_DIR/data"
C_LOGS="$C_DIR/logs"
C_TLS="$C_DIR/tls"
C_PIDFILE="$C_DIR/cassandra.pid"
# Given to the JVM as a system property: tells our server apart from any other process.
C_MARKER="-Dksbulk.stack=$C_DIR"

case "$CASSANDRA_FORMAT" in
  nb|oa|da) ;;
  *) die "CASSANDRA_FORMAT must be nb, oa or da (got '$CASSANDRA_FORMAT')" ;;
esac

# The options that shape the server, as one line: compared with the running server's.
cassandra_options() {
  printf 'format=%s tls=%s cdc=%s auth=%s native=%s storage=%s jmx=%s heap=%s' \
    "$CASSANDRA_FORMAT" "$CASSANDRA_TLS" "$CASSANDRA_CDC" "$CASSANDRA_AUTH" \
    "$CASSANDRA_NATIVE_PORT" "$CASSANDRA_STORAGE_PORT" "$CASSANDRA_JMX_PORT" "$CASSANDRA_HEAP"
}

# cassandra_classpath: sets CASSANDRA_CP, CASSANDRA_RESOLVED_VERSION and JAMM_JAR.
cassandra_classpath() {
  maven_classpath cassandra org.apache.cassandra:cassandra-all "$CASSANDRA_VERSIONS"
  CASSANDRA_CP="$MVN_CLASSPATH"
  CASSANDRA_RESOLVED_VERSION="$MVN_VERSION"
  JAMM_JAR="$(jar_on_classpath "$CASSANDRA_CP" jamm-)"
  [[ -n "$JAMM_JAR" ]] || die "jamm jar missing from the Cassandra classpath ($C_DIR/maven/classpath)"
}

# Flags every Cassandra JVM (server and tools) needs on JDK 17; from Cassandra's
# conf/jvm17-server.options and conf/jvm17-clients.options.
cassandra_jdk17_flags() {
  CASSANDRA_JVM_FLAGS=(
    -Djdk.attach.allowAttachSelf=true
    -Dio.netty.tryReflectionSetAccessible=true
    -Djava.net.preferIPv4Stack=true
    --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
    --add-exports=java.base/java.lang.ref=ALL-UNNAMED
    --add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
    --add-exports=java.management/com.sun.jmx.remote.security=ALL-UNNAMED
    --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED
    --add-exports=java.sql/java.sql=ALL-UNNAMED
    --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
    --add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
    --add-opens=java.base/java.lang.module=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.loader=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.math=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.module=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens=java.base/java.lang=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED
    --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  )
}

# Flags for the offline tools (sstabledump, our batch exporter): client-mode config read
# from the generated yaml, quiet logging to stderr.
cassandra_tool_flags() {
  cassandra_jdk17_flags
  [[ -s "$C_CONF/cassandra.yaml" ]] || write_cassandra_yaml
  write_tool_logback
  CASSANDRA_TOOL_FLAGS=(
    "${CASSANDRA_JVM_FLAGS[@]}"
    -Xms64m -Xmx${CASSANDRA_TOOL_HEAP:-512m} -XX:+UseSerialGC -XX:TieredStopAtLevel=1
    "-javaagent:$JAMM_JAR"
    "-Dcassandra.config=file://$C_CONF/cassandra.yaml"
    "-Dcassandra.storagedir=$C_DATA"
    "-Dlogback.configurationFile=$C_CONF/logback-tools.xml"
    -Dcassandra.partitioner=org.apache.cassandra.dht.Murmur3Partitioner
  )
}

# write_cassandra_yaml: the node's configuration, regenerated at every start from the
# environment, so changing format or options between starts takes effect.
write_cassandra_yaml() {
  mkdir -p "$C_CONF"
  local compat=NONE sstable_format=big
  case "$CASSANDRA_FORMAT" in
    nb) compat=CASSANDRA_4 ;;
    oa) compat=NONE ;;
    da) compat=NONE; sstable_format=bti ;;
  esac
  local f="$C_CONF/cassandra.yaml.tmp"
  cat > "$f" <<EOF
# Generated by ksbulk scripts/cassandra at every start; edits are lost.
# Options: $(cassandra_options)
cluster_name: ksbulk-test
num_tokens: 16
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:$CASSANDRA_STORAGE_PORT"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: $CASSANDRA_STORAGE_PORT
native_transport_port: $CASSANDRA_NATIVE_PORT
start_native_transport: true
data_file_directories:
  - $C_DATA/data
commitlog_directory: $C_DATA/commitlog
hints_directory: $C_DATA/hints
saved_caches_directory: $C_DATA/saved_caches
cdc_raw_directory: $C_DATA/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
# nb = CASSANDRA_4 (4.x-compatible SSTables), oa/da need NONE.
storage_compatibility_mode: $compat
sstable:
  selected_format: $sstable_format
cdc_enabled: $( [[ "$CASSANDRA_CDC" == 1 ]] && echo true || echo false )
# Tests drop and truncate tables often; snapshots only when asked for (nodetool snapshot).
auto_snapshot: false
concurrent_compactors: 1
# Small machine: keep the node light.
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 8
memtable_heap_space: 128MiB
memtable_offheap_space: 128MiB
key_cache_size: 16MiB
# Time-to-first-query matters more than anything here.
user_defined_functions_enabled: false
materialized_views_enabled: true
sasi_indexes_enabled: true
EOF
  if [[ "$CASSANDRA_AUTH" == 1 ]]; then
    cat >> "$f" <<EOF
authenticator: PasswordAuthenticator
authorizer: CassandraAuthorizer
role_manager: CassandraRoleManager
EOF
  else
    cat >> "$f" <<EOF
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
EOF
  fi
  if [[ "$CASSANDRA_TLS" == 1 ]]; then
    cat >> "$f" <<EOF
client_encryption_options:
  enabled: true
  optional: false
  keystore: $C_TLS/server.p12
  keystore_password: ksbulk-test
  store_type: PKCS12
  require_client_auth: false
  protocol: TLS
  accepted_protocols: [TLSv1.2, TLSv1.3]
EOF
  fi
  mv "$f" "$C_CONF/cassandra.yaml"
}

write_server_logback() {
  mkdir -p "$C_CONF"
  cat > "$C_CONF/logback.xml" <<EOF
<!-- Generated by ksbulk scripts/cassandra. -->
<configuration scan="false">
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>$C_LOGS/system.log</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.apache.cassandra" level="INFO"/>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
EOF
}

write_tool_logback() {
  mkdir -p "$C_CONF"
  [[ -s "$C_CONF/logback-tools.xml" ]] && return 0
  cat > "$C_CONF/logback-tools.xml" <<'EOF'
<!-- Generated by ksbulk scripts/lib-cassandra.sh: tools log warnings to stderr only. -->
<configuration scan="false">
  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%-5level %logger{0} - %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="STDERR"/></root>
</configuration>
EOF
}

# make_tls_material: a CA and a server certificate for 127.0.0.1/localhost, made once per
# stack dir (kept across restarts so clients holding the CA path keep working).
make_tls_material() {
  mkdir -p "$C_TLS"
  if [[ -s "$C_TLS/ca.pem" && -s "$C_TLS/server.p12" ]]; then
    return 0
  fi
  log "making a test CA and server certificate in $C_TLS"
  (
    cd "$C_TLS"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=ksbulk test CA" \
      -keyout ca.key -out ca.pem \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.pem 2>/dev/null
    openssl pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -name cassandra \
      -passout pass:ksbulk-test -out server.p12
    rm -f server.csr server.ext
  ) || die "openssl failed to make the TLS material in $C_TLS"
}

# use_recorded_options: take TLS, auth and ports from the options the node of this stack
# dir was last started with, so status, cqlsh and nodetool reach it without repeating the
# environment given to 'start'.
use_recorded_options() {
  local opts kv
  opts="$(cat "$C_DIR/options" 2>/dev/null || true)"
  [[ -n "$opts" ]] || return 0
  for kv in $opts; do
    case "$kv" in
      tls=*) CASSANDRA_TLS="${kv#*=}" ;;
      auth=*) CASSANDRA_AUTH="${kv#*=}" ;;
      native=*) CASSANDRA_NATIVE_PORT="${kv#*=}" ;;
      jmx=*) CASSANDRA_JMX_PORT="${kv#*=}" ;;
    esac
  done
}
