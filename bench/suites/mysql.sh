#!/usr/bin/env bash
# bench/suites/mysql.sh -- MySQL through xdplb against direct: sysbench's
# oltp_read_only against a MariaDB server of its own, through the VIP of an
# xdplb farm with that one server, and straight to the server's address. A
# suite of bench/run (bench/suites/README.md); it runs alone too, as root
# after a build, with SUITE_OUT set.
#
#   gen (sysbench) --> lb (xdplb, or routing only) --> sink (mariadbd on the
#                                                      first backend address)
#
# The server is started here: a private data directory (mariadb-install-db),
# a user for sysbench, TABLES tables of TABLE_SIZE rows, nothing of the
# host's MariaDB (none needs to be installed or running). Each repetition
# runs both, in alternating order. xdplb runs in SNAT mode, as in the http
# suite. sysbench keeps one connection per thread for the whole run: this is
# the cost of the path per query, not of opening connections.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/suite.sh
source "$bench_dir/lib/suite.sh"

suite_runs 2 3 5 10
THREADS=4
TABLES=4
TABLE_SIZE=10000
PORT=3306
SERVER=${BENCH_BACKENDS[0]}
READY_TIMEOUT_S=30
SYSBENCH_DB=(--db-driver=mysql --mysql-user=sbtest --mysql-password=sbtest --mysql-db=sbtest
  --tables="$TABLES" --table-size="$TABLE_SIZE")

die() { echo "mysql.sh: $*" >&2; exit 1; }
for tool in mariadb-install-db mariadbd mariadb sysbench; do
  command -v "$tool" >/dev/null || die "$tool is missing (deploy/install-deps.sh)"
done

# in_sink_sql SQL -> run SQL as root on the server's socket.
in_sink_sql() { in_ns sink mariadb --no-defaults --socket="$MYSQL_DIR/mysqld.sock" -u root -e "$1"; }

# mysql_start -> mariadbd in sink on SERVER:PORT with a fresh data directory,
# the sysbench user, and the tables.
mysql_start() {
  topo_mktemp_var MYSQL_DIR mysql
  mariadb-install-db --no-defaults --datadir="$MYSQL_DIR/data" --user=root \
    --auth-root-authentication-method=normal --skip-test-db >"$MYSQL_DIR/install.log" 2>&1 ||
    { cat "$MYSQL_DIR/install.log" >&2; die "mariadb-install-db failed"; }
  # No name resolution: the namespaces have no resolver to ask.
  topo_spawn sink "$MYSQL_DIR/mariadbd.log" mariadbd --no-defaults --user=root \
    --datadir="$MYSQL_DIR/data" --socket="$MYSQL_DIR/mysqld.sock" --pid-file="$MYSQL_DIR/mysqld.pid" \
    --bind-address="$SERVER" --port="$PORT" --skip-name-resolve --max-connections=100 \
    --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  until in_sink_sql "SELECT 1" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      tail -n 20 "$MYSQL_DIR/mariadbd.log" >&2
      die "mariadbd not ready after ${READY_TIMEOUT_S}s"
    fi
    sleep 0.2
  done
  in_sink_sql "CREATE DATABASE sbtest; CREATE USER 'sbtest'@'%' IDENTIFIED BY 'sbtest';
    GRANT ALL ON sbtest.* TO 'sbtest'@'%';"
  in_ns sink sysbench oltp_read_only "${SYSBENCH_DB[@]}" --mysql-socket="$MYSQL_DIR/mysqld.sock" \
    prepare >"$MYSQL_DIR/prepare.log" 2>&1 || { cat "$MYSQL_DIR/prepare.log" >&2; die "sysbench prepare failed"; }
}

# measure SCENARIO TARGET -> oltp_read_only against TARGET:PORT from gen, after
# one query that must be answered; one measurement line per figure.
measure() {
  local scenario="$1" target="$2" output
  in_ns gen mariadb --no-defaults -h "$target" -P "$PORT" -u sbtest -psbtest -e "SELECT 1" >/dev/null ||
    die "$scenario: no answer from $target:$PORT"
  output=$(in_ns gen sysbench oltp_read_only "${SYSBENCH_DB[@]}" --mysql-host="$target" --mysql-port="$PORT" \
    --threads="$THREADS" --time="$seconds" --percentile=95 --report-interval=0 run) ||
    { echo "$output" >&2; die "$scenario: sysbench run failed"; }
  python3 -c '
import json, re, sys
text, scenario, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
def number(pattern):
    found = re.search(pattern, text)
    if not found:
        sys.exit("mysql.sh: sysbench output without " + pattern)
    return float(found.group(1))
errors = number(r"ignored errors:\s+(\d+)") + number(r"reconnects:\s+(\d+)")
for test, unit, pattern in (("oltp_read_only transactions", "transactions/s", r"transactions:\s+\d+\s+\(([\d.]+) per sec"),
                            ("oltp_read_only queries", "queries/s", r"queries:\s+\d+\s+\(([\d.]+) per sec"),
                            ("oltp_read_only p95 latency", "ms", r"95th percentile:\s+([\d.]+)")):
    print(json.dumps({"scenario": scenario, "test": test, "unit": unit, "flows": threads,
                      "value": number(pattern), "errors": int(errors)}))
' "$output" "$scenario" "$THREADS" | tee -a "$SUITE_MEASUREMENTS" >&2
}

section() {
  cat <<EOF
## MySQL through xdplb against direct (sysbench oltp_read_only, MariaDB)

- client: sysbench oltp_read_only in gen, $THREADS threads on a connection each, $TABLES tables of
  $TABLE_SIZE rows; runs of $seconds s, $repetitions through the VIP and as many direct, alternating
- server: mariadbd in sink on $SERVER, its own data directory, all tables in its buffer pool
- \`xdplb\`: the VIP of a farm of that one server, SNAT mode; \`direct\`: the server's address,
  lb only routes; client, load balancer and server share the machine's CPUs
- p95 latency: of a transaction (14 queries), in ms: lower is better, so a ratio above 1 is a cost

EOF
  python3 "$SUITE_REPORT" --measurements "$SUITE_MEASUREMENTS" --rows "$SUITE_OUT/rows.json" \
    --subject xdplb --baselines direct --count errors
}

main() {
  local rep k name
  local -a order=(xdplb direct)
  suite_up $((${BENCH_QUICK:-0} == 1 ? 120 : 600))
  mysql_start
  for ((rep = 1; rep <= repetitions; rep++)); do
    for ((k = 0; k < ${#order[@]}; k++)); do
      name=${order[(rep - 1 + k) % ${#order[@]}]}
      topo_log "repetition $rep/$repetitions: $name"
      if [[ "$name" == direct ]]; then
        measure direct "$SERVER"
      else
        bench_scenario_up xdplb tcp "$PORT" XDPLB_MODE=snat BACKENDS="$SERVER" WEIGHTS=1
        measure xdplb "$BENCH_VIP"
        bench_scenario_down
      fi
    done
  done
  suite_section section
}

main "$@"
