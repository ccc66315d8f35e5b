# shellcheck shell=bash disable=SC2034  # variables here are for the caller
# tests/e2e/lib/servers.sh -- real servers in the backend namespaces of the
# bench built by topology.sh. Source it after topology.sh and after topo_up.
#
# Per backend bN (b1, b2, ...):
#   HTTP  nginx on 0.0.0.0:80 and [::]:80, and on port 8080 alike (for farms of
#         several ports): `/big` -> the shared 10 MiB random file,
#         any other path (so `/`) -> "bN\n".
#   UDP   [::]:5353 (both families): each datagram is answered, from port 5353, with "bN\n".
# Every process and temp dir is registered with topology.sh, so topo_down
# removes them even if the stop functions are never called.
#
# Variables set by servers_start / servers_make_big:
#   BIG_FILE, BIG_SIZE, BIG_SHA256   the /big payload and its sha256 (hex)
#   NGINX_PID[bN], UDP_PID[bN]       server PIDs
#   HTTP_PORT=80, HTTP_ALT_PORT=8080, UDP_PORT=5353
#
# Tunable: NGINX_WORKERS, nginx's worker processes per server (default 1).

[[ -n "${_XDPLB_SERVERS_SH:-}" ]] && return 0
_XDPLB_SERVERS_SH=1

HTTP_PORT=80
HTTP_ALT_PORT=8080
UDP_PORT=5353
BIG_SIZE=$((10 * 1024 * 1024))
BIG_FILE=""
BIG_SHA256=""
SERVERS_READY_TIMEOUT="${SERVERS_READY_TIMEOUT:-10}"   # seconds per server
NGINX_WORKERS="${NGINX_WORKERS:-1}"
declare -gA NGINX_PID=() NGINX_DIR=() UDP_PID=()
_SERVERS_DIR=""

_servers_dir() {
  [[ -n "$_SERVERS_DIR" ]] || topo_mktemp_var _SERVERS_DIR srv
}

# servers_make_big -> create the shared /big file once per run.
servers_make_big() {
  [[ -n "$BIG_FILE" && -f "$BIG_FILE" ]] && return 0
  _servers_dir
  BIG_FILE="$_SERVERS_DIR/big.bin"
  head -c "$BIG_SIZE" /dev/urandom >"$BIG_FILE"
  BIG_SHA256=$(sha256sum "$BIG_FILE" | awk '{print $1}')
}

# _servers_wait DESC CHECK_CMD... -> retry CHECK_CMD every 0.1 s until it
# succeeds or SERVERS_READY_TIMEOUT passes.
_servers_wait() {
  local desc="$1"; shift
  local deadline=$((SECONDS + SERVERS_READY_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "[servers] ERROR: $desc not ready after ${SERVERS_READY_TIMEOUT}s" >&2
      return 1
    fi
    sleep 0.1
  done
}

# --------------------------------------------------------------------- nginx
_nginx_conf() {
  local name="$1" dir="$2"
  # Everything nginx writes goes to its own dir; workers run as root so they
  # can read our 0700 temp dirs.
  cat <<EOF
daemon off;
master_process on;
worker_processes $NGINX_WORKERS;
user root;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  sendfile on;
  keepalive_timeout 30;
  server {
    listen 0.0.0.0:$HTTP_PORT;
    listen [::]:$HTTP_PORT;
    listen 0.0.0.0:$HTTP_ALT_PORT;
    listen [::]:$HTTP_ALT_PORT;
    server_name _;
    location = /big {
      default_type application/octet-stream;
      alias $BIG_FILE;
    }
    location / {
      default_type text/plain;
      return 200 "$name\\n";
    }
  }
}
EOF
}

# Succeeds when nginx in backend NAME answers / with its name.
_nginx_answers() {
  local name="$1"
  [[ "$(in_ns "$name" curl -s -m 1 "http://127.0.0.1:$HTTP_PORT/")" == "$name" ]]
}

# nginx_start NAME -> start nginx in backend NAME and wait until it answers.
nginx_start() {
  local name="$1" dir
  servers_make_big
  _servers_dir
  dir="$_SERVERS_DIR/nginx-$name"
  mkdir -p "$dir/tmp"
  _nginx_conf "$name" "$dir" >"$dir/nginx.conf"
  # -e: the startup error log too, before the config's error_log applies.
  topo_spawn "$name" "$dir/stderr.log" \
    nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
  NGINX_PID[$name]=$TOPO_LAST_PID
  NGINX_DIR[$name]=$dir
  if ! _servers_wait "nginx in $name" _nginx_answers "$name"; then
    cat "$dir/stderr.log" "$dir/error.log" >&2 2>/dev/null || true
    return 1
  fi
}

# nginx_stop NAME
nginx_stop() {
  local name="$1"
  [[ -n "${NGINX_PID[$name]:-}" ]] || return 0
  topo_kill_pid "${NGINX_PID[$name]}"
  unset "NGINX_PID[$name]"
}

# ----------------------------------------------------------------------- UDP
# A tiny python3 responder: one dual-stack socket, no fork per datagram, so it
# answers every datagram even under load, and always from port 5353 (what NAT
# expects).
_UDP_SERVER_PY='
import socket, sys
name = (sys.argv[1] + "\n").encode()
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[2])))
while True:
    _, peer = s.recvfrom(65535)
    s.sendto(name, peer)
'

# udp_ask NS ADDR [PORT] [TIMEOUT_S] -> from namespace NS, send one datagram
# to ADDR:PORT and print the reply's first line; non-zero if none in time.
udp_ask() {
  local ns="$1" addr="$2" port="${3:-$UDP_PORT}" timeout="${4:-2}"
  in_ns "$ns" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(float(sys.argv[3]))
s.sendto(b"hello\n", (sys.argv[1], int(sys.argv[2])))
try:
    data = s.recv(65535)
except socket.timeout:
    sys.exit(1)
print(data.decode().splitlines()[0] if data else "")
' "$addr" "$port" "$timeout"
}

_udp_answers() {
  local name="$1"
  [[ "$(udp_ask "$name" 127.0.0.1 "$UDP_PORT" 0.5)" == "$name" ]]
}

# udp_start NAME -> start the UDP responder in backend NAME, wait until it
# answers.
udp_start() {
  local name="$1" log
  _servers_dir
  log="$_SERVERS_DIR/udp-$name.log"
  # The namespace name is an unused extra argument: it makes `ps` show
  # which run a responder belongs to.
  topo_spawn "$name" "$log" python3 -u -c "$_UDP_SERVER_PY" "$name" "$UDP_PORT" \
    "$(topo_ns "$name")"
  UDP_PID[$name]=$TOPO_LAST_PID
  if ! _servers_wait "UDP responder in $name" _udp_answers "$name"; then
    cat "$log" >&2 2>/dev/null || true
    return 1
  fi
}

# udp_stop NAME
udp_stop() {
  local name="$1"
  [[ -n "${UDP_PID[$name]:-}" ]] || return 0
  topo_kill_pid "${UDP_PID[$name]}"
  unset "UDP_PID[$name]"
}

# ---------------------------------------------------------------------- all
# servers_start [NAME...] -> HTTP and UDP servers in the given backends
# (default: all of BACKEND_NAMES).
servers_start() {
  local -a names=("$@")
  local name
  ((${#names[@]})) || names=("${BACKEND_NAMES[@]}")
  servers_make_big
  for name in "${names[@]}"; do
    nginx_start "$name" || return 1
    udp_start "$name" || return 1
  done
}

# servers_stop [NAME...] -> stop them (default: every backend started).
servers_stop() {
  local -a names=("$@")
  local name
  ((${#names[@]})) || names=("${!NGINX_PID[@]}" "${!UDP_PID[@]}")
  for name in "${names[@]}"; do
    nginx_stop "$name"
    udp_stop "$name"
  done
}

# ------------------------------------------------------------------- MariaDB
# mariadb_start NAME [ADDR] -> a MariaDB server (mariadbd) in backend NAME on
# ADDR:3306 (default: the backend's address), with a private datadir made by
# mariadb-install-db on first start and kept across restarts of NAME, and
# server_id = the backend's number, so that `SELECT @@server_id` tells which
# backend answered. Users: SQL_MONITOR_USER / SQL_APP_USER (passwords
# SQL_MONITOR_PASSWORD / SQL_APP_PASSWORD), from any host. Waits until the
# server answers on its socket.
# mariadb_stop NAME -> SIGTERM, wait until it has gone.
MYSQL_PORT=3306
SQL_MONITOR_USER=monitor
SQL_MONITOR_PASSWORD=monitor-pass
SQL_APP_USER=app
SQL_APP_PASSWORD=app-pass
declare -gA MARIADB_PID=() MARIADB_DIR=()

_mariadb_sql() {
  local name="$1"; shift
  in_ns "$name" mariadb --no-defaults --protocol=socket --socket="${MARIADB_DIR[$name]}/mysqld.sock" -u root "$@"
}

_mariadb_answers() { _mariadb_sql "$1" -e 'SELECT 1'; }

_mariadb_init() {
  local name="$1" dir="$2"
  mkdir -p "$dir"
  mariadb-install-db --no-defaults --datadir="$dir/data" --user=root --auth-root-authentication-method=socket \
    --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; return 1; }
}

mariadb_start() {
  local name="$1" addr="${2:-}" dir first=0
  _servers_dir
  dir="$_SERVERS_DIR/mariadb-$name"
  [[ -n "$addr" ]] || addr=$(backend_ip "${name#b}")
  if [[ ! -d "$dir/data" ]]; then
    _mariadb_init "$name" "$dir" || return 1
    first=1
  fi
  MARIADB_DIR[$name]=$dir
  # Name resolution off: a check from 198.18.x must not wait for DNS.
  topo_spawn "$name" "$dir/stderr.log" mariadbd --no-defaults --user=root --datadir="$dir/data" \
    --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" --bind-address="$addr" --port="$MYSQL_PORT" \
    --server-id="${name#b}" --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=8M \
    --log-error="$dir/error.log"
  MARIADB_PID[$name]=$TOPO_LAST_PID
  if ! _servers_wait "MariaDB in $name" _mariadb_answers "$name"; then
    cat "$dir/stderr.log" "$dir/error.log" >&2 2>/dev/null || true
    return 1
  fi
  ((first)) || return 0
  _mariadb_sql "$name" -e "
    CREATE USER '$SQL_MONITOR_USER'@'%' IDENTIFIED BY '$SQL_MONITOR_PASSWORD';
    CREATE USER '$SQL_APP_USER'@'%' IDENTIFIED BY '$SQL_APP_PASSWORD';"
}

mariadb_stop() {
  local name="$1"
  [[ -n "${MARIADB_PID[$name]:-}" ]] || return 0
  topo_kill_pid "${MARIADB_PID[$name]}"
  unset "MARIADB_PID[$name]"
}

# sql_ask NS ADDR -> from namespace NS, one new connection to ADDR:3306 as
# the app user; prints the answering server's server_id, non-zero on failure.
sql_ask() {
  in_ns "$1" mariadb --no-defaults --connect-timeout=3 -h "$2" -P "$MYSQL_PORT" -u "$SQL_APP_USER" \
    -p"$SQL_APP_PASSWORD" -N -B -e 'SELECT @@server_id'
}
