#!/usr/bin/env bash
# scripts/elasticsearch.sh - a real, local Elasticsearch node for Radar development and tests.
#
# Usage: scripts/elasticsearch.sh {fetch|start|stop|status|url|env|--help}
#        (see usage() below, or run with --help)
#
# What it runs
#   Elasticsearch's integration-test distribution from Maven Central
#   (org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip), the one
#   distribution the build machines can download. It holds the server, transport-netty4,
#   x-pack-core and x-pack-security (plus apm), but no bundled JDK and none of the other
#   modules. Version 9.5.4 is the newest 9.x Maven Central serves (9.5.5 and 9.6.x are not
#   there) and it runs on the Temurin 25 JDK in /usr/lib/jvm. Note that the zip has no POM
#   and Maven Central's maven-metadata.xml lists no 9.x at all, so version ranges do not
#   find it: the version is pinned. ES_DEV_VERSION=8.19.21 (the 8.x fallback, Java 17+)
#   was also tried and works the same way.
#
# What the zip lacks, and what that means for Radar
#   - No analysis-common module: the `english` analyzer does NOT exist (creating an index
#     with `"analyzer": "english"` fails with "analyzer [english] has not been configured
#     in mappings"), and neither do the stemmer/porter_stem/kstem/snowball/asciifolding
#     filters nor the pattern/fingerprint/snowball analyzers. Available: the standard,
#     simple, whitespace, stop and keyword analyzers and the lowercase and stop filters, so
#     a custom analyzer {tokenizer: standard, filter: [lowercase, stop]} gives English stop
#     words without stemming.
#   - No rest-root module: `GET /` and `HEAD /` answer 405 (only the authentication layer
#     runs there), so a client's info()/ping() does not work; use
#     GET /_cluster/health as the liveness probe.
#   - No ingest-geoip module (so there is no GeoIP downloader reaching the network, and
#     the setting `ingest.geoip.downloader.enabled` is rejected as unknown) and no ML.
#   - dense_vector (incl. int8_hnsw) and knn search are in the server and work.
#
# Running as root
#   Elasticsearch refuses to start as root. When this script runs as root it starts the
#   node inside a new user namespace (`unshare --user --map-user=1000 --map-group=1000`):
#   in there the process has uid 1000 and no privileges, so Elasticsearch's root check
#   passes, while on the host its files stay owned by root and it can still read a cache
#   under /root. That needs no extra account and no chown of the data dir or the cache.
#   Where user namespaces are not allowed (some containers), it falls back to a system user
#   `radar-es` (created with useradd) and `runuser`, chowning the data dir to it; the cache
#   must then be readable by that user (set ES_DEV_CACHE outside /root).
#   ES_DEV_ROOT_MODE=userns|user forces one of the two.
#
# Environment
#   ES_DEV_VERSION              Elasticsearch version (default below)
#   ES_DEV_CACHE                download cache (default $HOME/.cache/radar/elasticsearch)
#   RADAR_HOME                    Radar state dir (default ./.radar); node in $RADAR_HOME/elasticsearch
#   ES_DEV_PORT                 HTTP port on 127.0.0.1 (default 9200; the port of the
#                                 last start is remembered)
#   RADAR_ELASTICSEARCH_PASSWORD  password of the `elastic` user (default: random, kept in
#                                 $RADAR_HOME/elasticsearch/elastic-password, mode 600)
#   ES_DEV_HEAP                 JVM heap (default 1g)
#   ES_DEV_START_TIMEOUT        seconds start waits for the node (default 180)
#   ES_JAVA_HOME                  JDK to run it with (default: newest suitable in /usr/lib/jvm)
#
# Exit codes: 0 ok; 1 error; 2 bad usage; 3 not running (status only).

set -euo pipefail

ES_VERSION="${ES_DEV_VERSION:-9.5.4}"
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"
CACHE_DIR="${ES_DEV_CACHE:-$HOME/.cache/radar/elasticsearch}"
ES_HOME="$CACHE_DIR/elasticsearch-$ES_VERSION"
FETCHED_MARK="$ES_HOME/.radar-fetched"

DATA_DIR="$(realpath -m "${RADAR_HOME:-./.radar}/elasticsearch")"
CONF_DIR="$DATA_DIR/config"
PID_FILE="$DATA_DIR/elasticsearch.pid"
PASSWORD_FILE="$DATA_DIR/elastic-password"
PORT_FILE="$DATA_DIR/http-port"
LOG_DIR="$DATA_DIR/logs"
LAUNCH_LOG="$LOG_DIR/launch.log"

HEAP="${ES_DEV_HEAP:-1g}"
START_TIMEOUT="${ES_DEV_START_TIMEOUT:-180}"
STOP_TIMEOUT=60
ES_USER=radar-es # only for the root fallback without user namespaces

# 9.x needs Java 21+, 8.x Java 17+.
if [[ "${ES_VERSION%%.*}" -ge 9 ]]; then MIN_JAVA=21; else MIN_JAVA=17; fi

die() {
  echo "elasticsearch.sh: error: $*" >&2
  exit 1
}
say() { echo "elasticsearch.sh: $*" >&2; }

usage() {
  cat <<EOF
Usage: scripts/elasticsearch.sh COMMAND

A local single-node Elasticsearch $ES_VERSION (security on, 127.0.0.1 only) for Radar.

Commands:
  fetch    download the distribution with Maven into $CACHE_DIR (once)
  start    configure and start the node in \$RADAR_HOME/elasticsearch (default ./.radar),
           wait until it is healthy; does nothing if it already runs
  stop     stop the node (fine if it is not running)
  status   say whether it runs and answers (exit 0), runs but does not answer (1),
           or is not running (3)
  url      print the node's URL
  env      print export lines for RADAR_ELASTICSEARCH_URL/_USERNAME/_PASSWORD:
             eval "\$(scripts/elasticsearch.sh env)"

Environment: ES_DEV_VERSION, ES_DEV_CACHE, RADAR_HOME, ES_DEV_PORT (default 9200),
RADAR_ELASTICSEARCH_PASSWORD (default: generated and kept in the data dir), ES_DEV_HEAP
(default 1g), ES_DEV_START_TIMEOUT (default 180 s), ES_JAVA_HOME (default: newest JDK
>= $MIN_JAVA under /usr/lib/jvm).
EOF
}

# ---------------------------------------------------------------- helpers

# The HTTP port: explicit ES_DEV_PORT, else the one the last start used, else 9200.
http_port() {
  if [[ -n "${ES_DEV_PORT:-}" ]]; then
    echo "$ES_DEV_PORT"
  elif [[ -s "$PORT_FILE" ]]; then
    cat "$PORT_FILE"
  else
    echo 9200
  fi
}

es_url() { echo "http://127.0.0.1:$(http_port)"; }

# The password the node was (or will be) started with: the stored one, else the env var.
stored_password() {
  if [[ -s "$PASSWORD_FILE" ]]; then
    cat "$PASSWORD_FILE"
  elif [[ -n "${RADAR_ELASTICSEARCH_PASSWORD:-}" ]]; then
    echo "$RADAR_ELASTICSEARCH_PASSWORD"
  else
    return 1
  fi
}

# curl against the node as `elastic`; the credentials go through a config on stdin so they
# never appear in the process list.
es_curl() {
  local password="$1"
  shift
  local escaped=${password//\\/\\\\}
  escaped=${escaped//\"/\\\"}
  printf 'user = "elastic:%s"\n' "$escaped" | curl --config - -sS --max-time 30 "$@"
}

# Pid of the running node from the pid file, or nothing (clears a stale pid file).
running_pid() {
  [[ -s "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  # Check it is really Elasticsearch, not a recycled pid.
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'org.elasticsearch'; then
    echo "$pid"
  else
    rm -f "$PID_FILE"
    return 1
  fi
}

port_in_use() {
  # Bash's /dev/tcp connects: success means something listens there.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

java_major() { # JAVA_HOME -> major version, e.g. 25 (1.8 -> 8)
  local home="$1" v=""
  if [[ -r "$home/release" ]]; then
    v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")"
  fi
  if [[ -z "$v" && -x "$home/bin/java" ]]; then
    v="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  fi
  [[ -n "$v" ]] || return 1
  v="${v#1.}"
  echo "${v%%[.+-]*}"
}

# Choose the JDK: ES_JAVA_HOME if set (must be new enough), else the newest JDK >= MIN_JAVA
# among JAVA_HOME and /usr/lib/jvm/*.
pick_java() {
  local major
  if [[ -n "${ES_JAVA_HOME:-}" ]]; then
    [[ -x "$ES_JAVA_HOME/bin/java" ]] || die "ES_JAVA_HOME=$ES_JAVA_HOME has no bin/java; unset it or point it at a JDK >= $MIN_JAVA."
    major="$(java_major "$ES_JAVA_HOME")" || die "cannot tell the Java version of ES_JAVA_HOME=$ES_JAVA_HOME."
    [[ "$major" -ge "$MIN_JAVA" ]] || die "ES_JAVA_HOME=$ES_JAVA_HOME is Java $major; Elasticsearch $ES_VERSION needs Java >= $MIN_JAVA. Unset ES_JAVA_HOME to pick one from /usr/lib/jvm, or point it at a newer JDK."
    echo "$ES_JAVA_HOME"
    return
  fi
  local best="" best_major=0 home
  for home in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
    [[ -x "$home/bin/java" ]] || continue
    major="$(java_major "$home")" || continue
    if [[ "$major" -ge "$MIN_JAVA" && "$major" -gt "$best_major" ]]; then
      best="$(realpath "$home")" best_major="$major"
    fi
  done
  [[ -n "$best" ]] || die "no JDK >= $MIN_JAVA found in /usr/lib/jvm (Elasticsearch $ES_VERSION needs one). Install one (e.g. apt-get install openjdk-21-jdk-headless) or set ES_JAVA_HOME."
  echo "$best"
}

require_fetched() {
  [[ -f "$FETCHED_MARK" ]] || die "Elasticsearch $ES_VERSION is not in $CACHE_DIR yet; run: scripts/elasticsearch.sh fetch"
}

# ---------------------------------------------------------------- fetch

cmd_fetch() {
  if [[ -f "$FETCHED_MARK" ]]; then
    say "Elasticsearch $ES_VERSION already fetched: $ES_HOME"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found; install Maven (apt-get install maven)."
  command -v unzip >/dev/null || die "unzip not found; install it (apt-get install unzip)."
  mkdir -p "$CACHE_DIR"
  # Serialise concurrent fetches into the same cache (parallel test runs).
  exec 9>"$CACHE_DIR/.fetch.lock"
  flock 9
  if [[ -f "$FETCHED_MARK" ]]; then
    say "Elasticsearch $ES_VERSION already fetched: $ES_HOME"
    return 0
  fi
  local tmp
  tmp="$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")"
  # shellcheck disable=SC2064 # expand $tmp now
  trap "rm -rf '$tmp'" EXIT
  say "downloading $ES_ARTIFACT with Maven ..."
  # Run from the temp dir so that a pom.xml in the caller's directory plays no part.
  if ! (cd "$tmp" && mvn -q -B -Dstyle.color=never dependency:copy \
    -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$tmp" >"$tmp/mvn.log" 2>&1); then
    tail -n 20 "$tmp/mvn.log" >&2
    die "Maven could not download $ES_ARTIFACT (is Maven Central reachable? does version $ES_VERSION exist? set ES_DEV_VERSION)."
  fi
  unzip -q "$tmp/elasticsearch-$ES_VERSION.zip" -d "$tmp/unpacked"
  [[ -x "$tmp/unpacked/elasticsearch-$ES_VERSION/bin/elasticsearch" ]] ||
    die "the downloaded zip has no elasticsearch-$ES_VERSION/bin/elasticsearch"
  rm -rf "$ES_HOME"
  mv "$tmp/unpacked/elasticsearch-$ES_VERSION" "$ES_HOME"
  touch "$FETCHED_MARK"
  say "fetched Elasticsearch $ES_VERSION into $ES_HOME"
}

# ---------------------------------------------------------------- start

# Sets LAUNCH (a command prefix) so that Elasticsearch does not run as root.
setup_unprivileged_launch() {
  LAUNCH=()
  [[ "$EUID" -eq 0 ]] || return 0
  local mode="${ES_DEV_ROOT_MODE:-auto}"
  local userns=(unshare --user --map-user=1000 --map-group=1000 --)
  if [[ "$mode" == auto || "$mode" == userns ]]; then
    if "${userns[@]}" true 2>/dev/null; then
      # Files the namespace cannot map (left by the runuser fallback) must go back to root.
      [[ "$(stat -c %u "$DATA_DIR")" == 0 ]] || chown -R root: "$DATA_DIR"
      LAUNCH=("${userns[@]}")
      return 0
    fi
    [[ "$mode" == auto ]] || die "ES_DEV_ROOT_MODE=userns but 'unshare --user' is not allowed here; unset ES_DEV_ROOT_MODE or run as a non-root user."
  fi
  [[ "$mode" == auto || "$mode" == user ]] || die "ES_DEV_ROOT_MODE must be userns or user, not '$mode'."
  if ! id "$ES_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER" ||
      die "cannot create user $ES_USER to run Elasticsearch as (it refuses to run as root); run this script as a non-root user."
  fi
  runuser -u "$ES_USER" -- test -r "$ES_HOME/lib" -a -x "$ES_HOME/bin/elasticsearch" ||
    die "user $ES_USER cannot read $ES_HOME; set ES_DEV_CACHE to a directory outside /root (e.g. /var/cache/radar/elasticsearch) and fetch again."
  chown -R "$ES_USER:" "$DATA_DIR"
  runuser -u "$ES_USER" -- test -w "$DATA_DIR" ||
    die "user $ES_USER cannot reach $DATA_DIR (a parent directory is not searchable); set RADAR_HOME elsewhere."
  LAUNCH=(runuser -u "$ES_USER" --)
}

write_config() {
  local port="$1"
  mkdir -p "$CONF_DIR/jvm.options.d" "$DATA_DIR/data" "$DATA_DIR/tmp" "$LOG_DIR"
  # Take the distribution's config files afresh each time (they must match the version);
  # the keystore in CONF_DIR is kept.
  local f
  for f in jvm.options log4j2.properties roles.yml role_mapping.yml users users_roles; do
    [[ -e "$ES_HOME/config/$f" ]] && cp "$ES_HOME/config/$f" "$CONF_DIR/$f"
  done
  # The zip's jvm.options writes gc.log and hs_err files relative to the working directory,
  # which the launcher sets to ES_HOME (the shared cache): move them into our log dir.
  sed -i -e "s#file=gc.log#file=$LOG_DIR/gc.log#" \
    -e "s#ErrorFile=hs_err#ErrorFile=$LOG_DIR/hs_err#" "$CONF_DIR/jvm.options"
  printf -- '-Xms%s\n-Xmx%s\n-XX:HeapDumpPath=%s\n' "$HEAP" "$HEAP" "$LOG_DIR" \
    >"$CONF_DIR/jvm.options.d/radar.options"
  cat >"$CONF_DIR/elasticsearch.yml" <<EOF
# Written by scripts/elasticsearch.sh on every start; edits are lost.
cluster.name: radar-dev
node.name: radar-dev
path.data: $DATA_DIR/data
path.logs: $LOG_DIR
# Loopback only: that also keeps Elasticsearch in development mode (bootstrap checks such
# as vm.max_map_count only warn).
network.host: 127.0.0.1
http.port: $port
transport.port: 9300-9399
discovery.type: single-node
# Security on with HTTP basic auth; no TLS, which is fine on loopback.
xpack.security.enabled: true
xpack.security.http.ssl.enabled: false
xpack.security.transport.ssl.enabled: false
xpack.ml.enabled: false
# Small dev disks must not turn indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
# Tests clean up with wildcard deletes (DELETE /radar-test-*).
action.destructive_requires_name: false
# Not set: ingest.geoip.downloader.enabled - the zip has no ingest-geoip module, so nothing
# downloads GeoIP data, and the setting would be rejected as unknown.
EOF
}

# Makes sure PASSWORD_FILE and the keystore's bootstrap.password hold $1.
set_password() {
  local password="$1" java_home="$2"
  local keystore="$CONF_DIR/elasticsearch.keystore"
  if [[ -f "$keystore" && -s "$PASSWORD_FILE" && "$(cat "$PASSWORD_FILE")" == "$password" ]]; then
    return 0
  fi
  (umask 077 && printf '%s\n' "$password" >"$PASSWORD_FILE")
  chmod 600 "$PASSWORD_FILE"
  local ks=(env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$CONF_DIR" "$ES_HOME/bin/elasticsearch-keystore")
  # `add --force` creates the keystore when there is none. The elastic user's password is
  # bootstrap.password for as long as no other password is set through the API (after
  # that the stored file would be stale).
  printf '%s' "$password" | "${ks[@]}" add --force --stdin bootstrap.password >/dev/null ||
    die "could not set bootstrap.password in the keystore"
}

# Polls until the node answers with cluster status yellow or green, or the deadline passes.
# Yellow is the gate because a single node can never assign replicas: an index created with
# replicas stays yellow forever although all its data is served.
wait_healthy() {
  local password="$1" deadline="$2" pid="${3:-}"
  while ((SECONDS < deadline)); do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    if es_curl "$password" -f -o /dev/null \
      "$(es_url)/_cluster/health?wait_for_status=yellow&timeout=5s" 2>/dev/null; then
      return 0
    fi
    sleep 2
  done
  return 1
}

show_logs() {
  local f
  for f in "$LAUNCH_LOG" "$LOG_DIR/radar-dev.log"; do
    if [[ -s "$f" ]]; then
      echo "---- last lines of $f ----" >&2
      tail -n 30 "$f" >&2
    fi
  done
}

cmd_start() {
  require_fetched
  local port pid password java_home
  port="$(http_port)"
  [[ "$port" =~ ^[0-9]+$ ]] || die "ES_DEV_PORT must be a port number, not '$port'."
  if pid="$(running_pid)"; then
    local running_port
    running_port="$(cat "$PORT_FILE" 2>/dev/null || echo 9200)"
    [[ "$port" == "$running_port" ]] ||
      die "a node already runs from $DATA_DIR on port $running_port; stop it first to use port $port."
    password="$(stored_password)" || die "no password file $PASSWORD_FILE; stop and start again."
    if wait_healthy "$password" $((SECONDS + START_TIMEOUT)) "$pid"; then
      say "already running (pid $pid) at $(es_url)"
      return 0
    fi
    show_logs
    die "a node runs (pid $pid) but does not answer at $(es_url) with the stored password; run scripts/elasticsearch.sh stop, then start."
  fi

  if port_in_use "$port"; then
    die "port $port on 127.0.0.1 is already in use (another Elasticsearch?); stop that or choose a free port with ES_DEV_PORT=<port>."
  fi
  java_home="$(pick_java)"
  password="${RADAR_ELASTICSEARCH_PASSWORD:-}"
  if [[ -z "$password" && -s "$PASSWORD_FILE" ]]; then
    password="$(cat "$PASSWORD_FILE")"
  fi
  if [[ -z "$password" ]]; then
    password="$(openssl rand -hex 16 2>/dev/null || tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32)"
  fi
  [[ ${#password} -ge 6 ]] || die "RADAR_ELASTICSEARCH_PASSWORD must have at least 6 characters (Elasticsearch's minimum)."
  mkdir -p "$DATA_DIR"
  chmod 700 "$DATA_DIR" # it holds the password file and the keystore

  write_config "$port"
  set_password "$password" "$java_home"
  echo "$port" >"$PORT_FILE"
  setup_unprivileged_launch

  say "starting Elasticsearch $ES_VERSION on $(es_url) (Java $(java_major "$java_home") from $java_home, data in $DATA_DIR) ..."
  local started=$SECONDS deadline=$((SECONDS + START_TIMEOUT))
  rm -f "$PID_FILE"
  # With -d the launcher returns once the node has started (or failed); bound it anyway.
  # ES_TMPDIR in the data dir: by default every start leaves a /tmp/elasticsearch-* dir.
  # ES_JAVA_OPTS passes through for one-off JVM flags.
  if ! timeout "$START_TIMEOUT" "${LAUNCH[@]}" env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$CONF_DIR" \
    ES_TMPDIR="$DATA_DIR/tmp" ES_JAVA_OPTS="${ES_JAVA_OPTS:-}" \
    "$ES_HOME/bin/elasticsearch" -d -p "$PID_FILE" \
    </dev/null >"$LAUNCH_LOG" 2>&1; then
    show_logs
    pid="$(running_pid)" && kill "$pid" 2>/dev/null
    die "Elasticsearch did not start (logs in $LOG_DIR)."
  fi
  pid="$(running_pid)" || {
    show_logs
    die "Elasticsearch exited right after starting (logs in $LOG_DIR)."
  }
  if ! wait_healthy "$password" "$deadline" "$pid"; then
    show_logs
    die "Elasticsearch (pid $pid) did not become healthy at $(es_url) within ${START_TIMEOUT}s; see $LOG_DIR/radar-dev.log, then run scripts/elasticsearch.sh stop."
  fi
  # Indices without their own replica setting get 0 replicas, so they turn green on one
  # node. A legacy template with the lowest order: it yields to any index setting and is
  # ignored for indices that a composable (_index_template) template matches - set
  # number_of_replicas: 0 in those yourself.
  es_curl "$password" -f -o /dev/null -X PUT "$(es_url)/_template/radar-dev-defaults" \
    -H 'Content-Type: application/json' \
    -d '{"index_patterns":["*"],"order":-1000,"settings":{"index.number_of_replicas":0}}' ||
    say "warning: could not install the default-replicas template"
  say "Elasticsearch $ES_VERSION is up (pid $pid) at $(es_url) after $((SECONDS - started))s; user elastic, password in $PASSWORD_FILE"
}

# ---------------------------------------------------------------- stop / status

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    say "not running (data dir $DATA_DIR)"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "warning: pid $pid did not stop within ${STOP_TIMEOUT}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$PID_FILE"
  say "stopped (pid $pid)"
}

cmd_status() {
  local pid password health
  if ! pid="$(running_pid)"; then
    echo "not running (data dir $DATA_DIR)"
    return 3
  fi
  password="$(stored_password)" || {
    echo "running (pid $pid) at $(es_url), but no password is known"
    return 1
  }
  if health="$(es_curl "$password" -f --max-time 10 "$(es_url)/_cluster/health" 2>/dev/null)"; then
    health="$(sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' <<<"$health")"
    echo "running (pid $pid) at $(es_url), Elasticsearch $ES_VERSION, cluster status $health"
    return 0
  fi
  echo "running (pid $pid) but not answering at $(es_url)"
  return 1
}

cmd_env() {
  local password
  password="$(stored_password)" ||
    die "no password yet: run scripts/elasticsearch.sh start first (or set RADAR_ELASTICSEARCH_PASSWORD)."
  printf 'export RADAR_ELASTICSEARCH_URL=%q\n' "$(es_url)"
  printf 'export RADAR_ELASTICSEARCH_USERNAME=elastic\n'
  printf 'export RADAR_ELASTICSEARCH_PASSWORD=%q\n' "$password"
}

# ---------------------------------------------------------------- main

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) es_url ;;
  env) cmd_env ;;
  -h | --help | help) usage ;;
  "")
    usage >&2
    exit 2
    ;;
  *)
    echo "elasticsearch.sh: unknown command '$1'" >&2
    usage >&2
    exit 2
    ;;
esac
