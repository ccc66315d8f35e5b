# shellcheck shell=bash
# bench/lib/xdp.sh -- attach the bench's XDP programs with ip(8) and reach
# their maps with bpftool, by id: nothing is pinned, so nothing outlives the
# program, which goes when it is detached or its namespace is deleted.

[[ -n "${_XDPLB_BENCH_XDP_SH:-}" ]] && return 0
_XDPLB_BENCH_XDP_SH=1

# xdp_attach NS_FULL IF OBJECT -> attach OBJECT's "xdp" section to IF in
# namespace NS_FULL (a full name), in native mode.
xdp_attach() {
  ip -n "$1" link set dev "$2" xdpdrv obj "$3" sec xdp ||
    { echo "[xdp] ERROR: cannot attach $3 to $1:$2" >&2; return 1; }
}

# xdp_detach NS_FULL IF -> detach whatever XDP program IF has; quiet.
xdp_detach() { ip -n "$1" link set dev "$2" xdpdrv off 2>/dev/null || true; }

# xdp_map_id NS_FULL IF MAP_NAME -> id of the map MAP_NAME of IF's XDP program.
xdp_map_id() {
  local prog_id
  prog_id=$(ip -n "$1" -j -d link show dev "$2" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])') || return 1
  bpftool -j prog show id "$prog_id" | python3 -c '
import json, subprocess, sys
for map_id in json.load(sys.stdin).get("map_ids", []):
    info = json.loads(subprocess.check_output(["bpftool", "-j", "map", "show", "id", str(map_id)]))
    if info.get("name") == sys.argv[1]:
        print(map_id)
        break
else:
    sys.exit("no map " + sys.argv[1])
' "$3"
}

# xdp_percpu_sum MAP_ID -> the sum over CPUs of entry 0 of a per-CPU u64 array.
xdp_percpu_sum() {
  bpftool -j map lookup id "$1" key 0 0 0 0 | python3 -c '
import json, sys
entry = json.load(sys.stdin)
print(sum(int(cpu["value"]) for cpu in entry["formatted"]["values"]))'
}

# xdp_mac_bytes MAC, xdp_u32_bytes N -> the bytes bpftool takes: a MAC
# in its order, a number as the little-endian u32 this machine stores.
xdp_mac_bytes() { echo "$1" | awk -F: '{ for (i = 1; i <= NF; i++) printf "0x%s ", $i }'; }
xdp_u32_bytes() { printf '%d %d %d %d' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
