#!/usr/bin/env bash
# A PostgreSQL 15 high-availability cluster on one machine, from Debian's packages and the files in
# deploy/ha/: etcd (one member), two Patroni nodes (synchronous replication, automatic failover) and
# HAProxy (primary on 127.0.0.1:5440, replicas on 127.0.0.1:5439).
#
#   scripts/ha-cluster.sh up               start everything on a fresh state directory; prints the bring-up time
#   scripts/ha-cluster.sh down             stop everything (by process id) and remove the state directory
#   scripts/ha-cluster.sh status           the members as Patroni sees them
#   scripts/ha-cluster.sh kill-primary     SIGKILL the primary's Patroni and PostgreSQL (a power failure)
#   scripts/ha-cluster.sh kill-replica     the same to the replica
#   scripts/ha-cluster.sh start-node N     start node N again (a killed primary rejoins as a replica, pg_rewind)
#   scripts/ha-cluster.sh wait-healthy     wait until there is a primary and a streaming synchronous standby
#   scripts/ha-cluster.sh primary          print the name of the primary (node1, node2 or nothing)
#   scripts/ha-cluster.sh kill-etcd | start-etcd | restart-haproxy
#   scripts/ha-cluster.sh reload-haproxy   a new HAProxy takes the ports over (haproxy -sf <old pid>); the old
#                                          one stops listening and ends when its last connection closes
#
# Needs: apt-get install -y patroni etcd-server haproxy (and PostgreSQL 15's server binaries).
# State (data directories, logs, pid files) lives under GARA_HA_DIR (default /tmp/gara-ha). Every
# process started here is recorded with its pid and stopped by that pid, never by name.
# Connection strings: postgres://postgres:gara-ha-superuser@127.0.0.1:5440/postgres (primary) and :5439 (reads).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
CONF="$HERE/deploy/ha"
STATE="${GARA_HA_DIR:-/tmp/gara-ha}"
PG_BIN=/usr/lib/postgresql/15/bin
NODES=(node1 node2)
declare -A REST=([node1]=8008 [node2]=8009)
declare -A PGPORT=([node1]=5441 [node2]=5442)
ETCD_URL=http://127.0.0.1:2479
PGPASSWORD_SUPER=gara-ha-superuser

now_ms() { date +%s%3N; }
log() { echo "[ha-cluster $(date -u +%H:%M:%S.%3N)] $*" >&2; }
die() { log "$*"; exit 1; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2> /dev/null; }
pid_of() { cat "$STATE/$1.pid" 2> /dev/null || true; }

# The pid and every descendant of it (read from /proc, by parent pid).
tree() {
  local root=$1 queue=("$1") out=() p c
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    out+=("$p")
    for c in $(ps -o pid= --ppid "$p" 2> /dev/null); do queue+=("$c"); done
  done
  echo "${out[@]}"
  : "$root"
}

# The postmaster of a node, from its data directory (it outlives a killed Patroni).
postmaster_pid() {
  local file="$STATE/$1/postmaster.pid"
  [ -f "$file" ] && head -n 1 "$file" || true
}

rest_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:${REST[$1]}/$2" || true; }
is_primary() { [ "$(rest_code "$1" primary)" = 200 ]; }

wait_for() { # seconds, description, command...
  local seconds=$1 what=$2
  shift 2
  local deadline=$(($(date +%s) + seconds))
  until "$@" > /dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out after ${seconds}s waiting for $what"
    sleep 0.2
  done
}

start_etcd() {
  mkdir -p "$STATE/etcd"
  (
    set -a
    # shellcheck disable=SC1091
    . "$CONF/etcd.conf"
    ETCD_DATA_DIR="$STATE/etcd/data"
    set +a
    exec setsid etcd > "$STATE/etcd.log" 2>&1
  ) &
  echo $! > "$STATE/etcd.pid"
  wait_for 30 "etcd" curl -fsS --max-time 1 "$ETCD_URL/health"
}

start_node() {
  local node=$1
  mkdir -p "$STATE/$node"
  chown postgres:postgres "$STATE" "$STATE/$node"
  chmod 700 "$STATE/$node"
  # setpriv runs Patroni as postgres in this very process (runuser would stay as its parent), so the
  # recorded pid is Patroni's own; setsid gives it a process group of its own.
  HOME=/var/lib/postgresql \
    PATRONI_POSTGRESQL_DATA_DIR="$STATE/$node" \
    PATRONI_POSTGRESQL_PGPASS="$STATE/$node.pgpass" \
    setsid setpriv --reuid=postgres --regid=postgres --init-groups \
    patroni "$CONF/patroni-$node.yml" >> "$STATE/$node.log" 2>&1 &
  echo $! > "$STATE/$node.pid"
}

start_haproxy() {
  setsid haproxy -db -f "$CONF/haproxy.cfg" >> "$STATE/haproxy.log" 2>&1 &
  echo $! > "$STATE/haproxy.pid"
}

primary_name() {
  for node in "${NODES[@]}"; do
    if is_primary "$node"; then
      echo "$node"
      return 0
    fi
  done
  return 1
}

replica_streaming() { # node: a replica whose Patroni says it is a synchronous standby, streaming
  [ "$(rest_code "$1" 'replica')" = 200 ] || return 1
  [ "$(rest_code "$1" 'sync')" = 200 ] || return 1
}

healthy() {
  local p
  p=$(primary_name) || return 1
  for node in "${NODES[@]}"; do
    [ "$node" = "$p" ] && continue
    replica_streaming "$node" || return 1
  done
  PGPASSWORD=$PGPASSWORD_SUPER "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p 5440 -U postgres -t 1
}

kill_tree() { # SIGKILL a recorded process and all its descendants at once (a power failure)
  local pid=$1 extra=${2:-} pids
  pids=$(tree "$pid")
  [ -n "$extra" ] && alive "$extra" && pids="$pids $(tree "$extra")"
  # shellcheck disable=SC2086
  kill -KILL $pids 2> /dev/null || true
}

kill_node() {
  local node=$1 pid pm
  pid=$(pid_of "$node")
  pm=$(postmaster_pid "$node")
  alive "$pid" || die "$node is not running"
  kill_tree "$pid" "$pm"
  log "killed $node (patroni $pid, postmaster ${pm:-?}) with SIGKILL"
}

stop_pid() { # SIGTERM, wait, then SIGKILL
  local pid=$1 seconds=${2:-20} i
  alive "$pid" || return 0
  kill -TERM "$pid" 2> /dev/null || true
  for ((i = 0; i < seconds * 5; i++)); do
    alive "$pid" || return 0
    sleep 0.2
  done
  kill_tree "$pid"
}

cmd_up() {
  command -v patroni > /dev/null && command -v etcd > /dev/null && command -v haproxy > /dev/null ||
    die "missing packages: apt-get install -y patroni etcd-server haproxy"
  if alive "$(pid_of etcd)"; then die "already up (state in $STATE): run down first"; fi
  rm -rf "$STATE"
  mkdir -p "$STATE"
  local t0 t1
  t0=$(now_ms)
  start_etcd
  log "etcd up"
  start_node node1
  wait_for 90 "node1 to bootstrap as primary" is_primary node1
  log "node1 primary"
  start_node node2
  start_haproxy
  wait_for 120 "node2 to stream as synchronous standby" replica_streaming node2
  wait_for 30 "HAProxy's primary port" healthy
  t1=$(now_ms)
  log "cluster up in $((t1 - t0)) ms"
  echo "bring_up_ms=$((t1 - t0))"
}

cmd_down() {
  stop_pid "$(pid_of haproxy)" 5
  # HAProxies replaced by reload-haproxy that still finish their connections (hard-stop-after bounds it).
  for old in $(cat "$STATE/haproxy-old.pids" 2> /dev/null); do stop_pid "$old" 5; done
  for node in "${NODES[@]}"; do stop_pid "$(pid_of "$node")" 30 & done
  wait
  for node in "${NODES[@]}"; do
    local pm
    pm=$(postmaster_pid "$node")
    # A postmaster orphaned by a killed Patroni is stopped by its own pid.
    [ -n "$pm" ] && alive "$pm" && stop_pid "$pm" 20
  done
  stop_pid "$(pid_of etcd)" 10
  rm -rf "$STATE"
  log "down"
}

cmd_status() {
  for node in "${NODES[@]}"; do
    printf '%s: patroni pid %s, postmaster %s, GET /primary %s, /replica %s\n' "$node" \
      "$(pid_of "$node")" "$(postmaster_pid "$node")" "$(rest_code "$node" primary)" "$(rest_code "$node" replica)"
  done
  printf 'etcd pid %s, haproxy pid %s\n' "$(pid_of etcd)" "$(pid_of haproxy)"
  for node in "${NODES[@]}"; do
    if curl -fsS --max-time 1 "http://127.0.0.1:${REST[$node]}/cluster" 2> /dev/null; then
      echo
      return 0
    fi
  done
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  primary) primary_name || true ;;
  wait-healthy) wait_for "${2:-120}" "a primary and a synchronous standby" healthy ;;
  kill-primary)
    p=$(primary_name) || die "no primary"
    kill_node "$p"
    echo "killed=$p at_ms=$(now_ms)"
    ;;
  kill-replica)
    p=$(primary_name) || die "no primary"
    for node in "${NODES[@]}"; do [ "$node" != "$p" ] && kill_node "$node" && echo "killed=$node at_ms=$(now_ms)"; done
    ;;
  kill-node) kill_node "${2:?node1 or node2}" ;;
  start-node)
    node=${2:?node1 or node2}
    alive "$(pid_of "$node")" && die "$node is running"
    start_node "$node"
    log "$node started"
    ;;
  kill-etcd)
    kill_tree "$(pid_of etcd)"
    echo "killed=etcd at_ms=$(now_ms)"
    ;;
  start-etcd)
    alive "$(pid_of etcd)" && die "etcd is running"
    start_etcd
    ;;
  restart-haproxy)
    at=$(now_ms)
    stop_pid "$(pid_of haproxy)" 5
    start_haproxy
    wait_for 20 "HAProxy's primary port" env PGPASSWORD=$PGPASSWORD_SUPER "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p 5440 -U postgres -t 1
    echo "restarted=haproxy at_ms=$at back_ms=$(now_ms)"
    ;;
  reload-haproxy)
    old=$(pid_of haproxy)
    alive "$old" || die "HAProxy is not running"
    at=$(now_ms)
    # The new process binds the ports (SO_REUSEPORT), then tells the old one (by pid) to stop listening
    # and finish the connections it carries: no connection is refused or cut.
    echo "$old" >> "$STATE/haproxy-old.pids"
    setsid haproxy -db -f "$CONF/haproxy.cfg" -sf "$old" >> "$STATE/haproxy.log" 2>&1 &
    echo $! > "$STATE/haproxy.pid"
    wait_for 20 "HAProxy's primary port" env PGPASSWORD=$PGPASSWORD_SUPER "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p 5440 -U postgres -t 1
    echo "reloaded=haproxy at_ms=$at back_ms=$(now_ms) old_pid=$old new_pid=$(pid_of haproxy)"
    ;;
  *)
    sed -n '2,22p' "$0"
    exit 2
    ;;
esac
