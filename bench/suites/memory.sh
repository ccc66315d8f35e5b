#!/usr/bin/env bash
# bench/suites/memory.sh -- memory per tracked connection: lbd with tables
# sized for CONNECTIONS (1M; 100k with BENCH_QUICK=1, said in the rows), one
# DNAT farm, and xdplb-pktgen sending CONNECTIONS UDP flows through it, three
# datagrams each (the second confirms a flow into the connection table). Then
# the kernel memory of lbd's maps (bytes_memlock, which the kernel computes
# from what each map allocated), the change of the kernel's Slab + Percpu +
# VmallocUsed from before lbd started, and lbd's RSS. A suite of bench/run
# (bench/suites/README.md).
set -euo pipefail
bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
export TOPO_RUN_ID="${TOPO_RUN_ID:-mem$$}"
# shellcheck source=../lib/lbd_suite.sh
source "$bench_dir/lib/lbd_suite.sh"
# shellcheck source=../lib/xdp.sh
source "$bench_dir/lib/xdp.sh"

if ((quick)); then
  repetitions=1; connections=100000
else
  repetitions=3; connections=1000000
fi
SUITE_FLOWS=$connections
# Two entries per SNAT or DNAT connection, rounded up to a power of two as
# the kernel rounds its hash buckets. Every flow is half-open after its first
# datagram, so the half-open table must hold them all too.
table_size=$(python3 -c 'import sys; print(1 << (2 * int(sys.argv[1]) - 1).bit_length())' "$connections")
vport=5353

pktgen="$BENCH_BUILD_DIR/bench/xdplb-pktgen"
size="$connections connections"
((quick)) && size+=" (quick)"

# kernel_kib -> Slab + Percpu + VmallocUsed of /proc/meminfo, in KiB: where
# the kernel puts BPF maps (hash tables, their preallocated elements, per-CPU
# parts). Host-wide: whatever else runs on the machine moves it too.
kernel_kib() { awk '/^(Slab|Percpu|VmallocUsed):/ { sum += $2 } END { print sum }' /proc/meminfo; }

# lbd_maps -> one line per map lbd holds open: name, max_entries, bytes_memlock.
lbd_maps() {
  python3 - "$LB_PID" <<'PY'
import json, os, subprocess, sys
pid = sys.argv[1]
ids = set()
for fd in os.listdir(f"/proc/{pid}/fdinfo"):
    try:
        fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/fdinfo/{fd}") if ":" in line)
    except OSError:
        continue  # closed meanwhile
    if "map_id" in fields:
        ids.add(int(fields["map_id"]))
for info in json.loads(subprocess.check_output(["bpftool", "-j", "map", "show"])):
    if info["id"] in ids:
        print(info.get("name", "?"), info["max_entries"], info["bytes_memlock"])
PY
}

tracked_connections() {
  "$LBCTL" --socket "$LB_SOCKET" --json sessions |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["connection_count"])'
}

topo_install_trap
topo_watchdog $((quick ? 120 : 1800))
bench_topology_up
xdp_attach "$(topo_ns sink)" eth0 "$BENCH_BUILD_DIR/bench/sink.bpf.o"
lb_in_mac=$(bench_mac lb "$LB_IN")

for ((rep = 1; rep <= repetitions; rep++)); do
  topo_log "repetition $rep/$repetitions: $size, tables of $table_size entries"
  [[ -z "$LB_STATE_DIR" ]] || rm -rf -- "${LB_STATE_DIR:?}"/*
  before_kib=$(kernel_kib)
  # Long timeouts: no entry may go stale while the table fills.
  lb_start --conntrack-size "$table_size" --halfopen-size "$table_size" \
    --timeout-unanswered 3600 --timeout-udp 3600
  "$LBCTL" --socket "$LB_SOCKET" farm add mem --vip "$BENCH_VIP" --port "$vport" --proto udp --mode dnat >/dev/null
  for i in "${!BENCH_BACKENDS[@]}"; do
    "$LBCTL" --socket "$LB_SOCKET" backend add mem "b$i" --ip "${BENCH_BACKENDS[i]}" >/dev/null
  done
  # One CPU sends, in flow order: each pass gives every flow one datagram.
  in_ns gen "$pktgen" --iface eth0 --dst-mac "$lb_in_mac" --dst-ip "$BENCH_VIP" --dst-port "$vport" \
    --proto udp --flows "$connections" --count $((3 * connections)) --cpus 1 --json >&2
  tracked=$(tracked_connections)
  after_kib=$(kernel_kib)

  conntrack_entries=0 conntrack_bytes=0 halfopen_bytes=0 all_bytes=0
  while read -r name entries bytes; do
    all_bytes=$((all_bytes + bytes))
    case "$name" in
      conntrack) conntrack_entries=$entries conntrack_bytes=$bytes ;;
      conntrack_half*) halfopen_bytes=$bytes ;;   # kernel map names stop at 15 characters
    esac
  done < <(lbd_maps)
  ((conntrack_entries > 0 && tracked > 0)) || topo_die "no conntrack map, or no connection tracked ($tracked)"
  per_entry=$((conntrack_bytes / conntrack_entries))

  suite_record "connections tracked after $size sent" connections "$tracked"
  suite_record "conntrack map, per SNAT or DNAT connection (2 entries)" bytes/connection $((2 * per_entry))
  suite_record "conntrack map, per DSR connection (1 entry)" bytes/connection "$per_entry"
  suite_record "conntrack + half-open maps sized for $size, per tracked connection" bytes/connection \
    $(((conntrack_bytes + halfopen_bytes) / tracked))
  suite_record "all of lbd's maps, per tracked connection" bytes/connection $((all_bytes / tracked))
  suite_record "kernel Slab+Percpu+VmallocUsed growth, per tracked connection" bytes/connection \
    $(((after_kib - before_kib) * 1024 / tracked))
  suite_record "all of lbd's maps, $size" MiB "$(awk -v b="$all_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
  suite_record "lbd RSS with $size tracked" MiB "$(lbd_rss_mib)"
  lb_stop
done

suite_finish "Memory per tracked connection" \
  "Tables of $table_size entries each (\`--conntrack-size\`, \`--halfopen-size\`), filled by
$connections UDP flows through one DNAT farm. Hash maps allocate every entry when lbd loads them,
so a table costs the same full or empty: the per-connection price is the conntrack map's bytes
per entry, two entries per SNAT or DNAT connection and one per DSR connection. The half-open
table only has to hold the connections not yet confirmed; here it holds them all, as every flow
starts at once. The kernel's growth is host-wide, and the machine is shared: it varies with the
load of others."
