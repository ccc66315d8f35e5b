#!/usr/bin/env bash
# End-to-end test of source persistence on the namespace bench: a farm with
# --persistence srcip over three nginx backends with equal weights (the weight
# scheduler alone would spread a client's connections over all three). Every
# connection of one client, IPv4 and IPv6, reaches one backend; clients at
# other addresses are spread; once a client's backend is drained, its
# connections move to one other backend and stay there. Everything it builds
# is removed at the end.
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

CONNECTIONS=60
EXTRA_CLIENTS=20   # client addresses 198.18.0.11 .. 198.18.0.30
WORK=""

# connect VIP SOURCE COUNT FILE -> COUNT connections from SOURCE ("-": the
# client's own address), each from a port the kernel picks; "PORT BACKEND"
# lines into FILE.
connect() {
  local vip="$1" source="$2" count="$3" file="$4" i
  local -a any_ports=()
  for ((i = 0; i < count; i++)); do any_ports+=(0); done
  in_ns client python3 "$here/lib/from_ports.py" "$vip" "$HTTP_PORT" "$source" "${any_ports[@]}" >"$file"
}

# one_backend FILE -> every connection in FILE answered, all by one backend,
# which it prints.
one_backend() {
  local errors backends
  errors=$(grep -c ERROR "$1" || true)
  backends=$(awk '$2 !~ /^ERROR/ { print $2 }' "$1" | sort -u | tr '\n' ' ')
  echo "  $(wc -l <"$1") connections, $errors failed, answered by: $backends"
  ((errors == 0)) && [[ "$backends" =~ ^b[0-9]+\ $ ]]
}

backend_of() { awk 'NR == 1 { print $2 }' "$1"; }

# extra_clients_spread -> each extra client address keeps one backend, and
# they do not all reach the same one.
extra_clients_spread() {
  local i used=""
  for ((i = 1; i <= EXTRA_CLIENTS; i++)); do
    connect "$VIP" "198.18.0.$((10 + i))" 5 "$WORK/extra$i"
    one_backend "$WORK/extra$i" >/dev/null || { echo "  client 198.18.0.$((10 + i)) was not kept on one backend"; return 1; }
    used+="$(backend_of "$WORK/extra$i") "
  done
  used=$(tr ' ' '\n' <<<"$used" | sort -u | grep -c .)
  echo "  $EXTRA_CLIENTS clients, 5 connections each, reached $used backends"
  ((used > 1))
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog 85
  TOPO_TX_CSUM_OFF=1   # see topology.sh: XDP NAT needs complete checksums
  topo_up 3
  topo_add_vip
  topo_add_vip "$VIP6"
  topo_mktemp_var WORK persist
  local i
  for ((i = 1; i <= EXTRA_CLIENTS; i++)); do
    in_ns client ip addr add "198.18.0.$((10 + i))/24" dev eth0
  done
  servers_start
  lb_start
  lbctl_ns farm add web --vip "$VIP" --port "$HTTP_PORT" --proto tcp --persistence srcip >/dev/null
  lbctl_ns farm add web6 --vip "$VIP6" --port "$HTTP_PORT" --proto tcp --mode dnat \
    --persistence srcip --persist-ttl 60 >/dev/null
  for ((i = 1; i <= 3; i++)); do
    lbctl_ns backend add web "b$i" --ip "$(backend_ip "$i")" >/dev/null
    lbctl_ns backend add web6 "b$i" --ip "$(backend_ip6 "$i")" >/dev/null
  done

  echo "== one client, $CONNECTIONS connections"
  connect "$VIP" - "$CONNECTIONS" "$WORK/v4"
  check "IPv4 (snat): all $CONNECTIONS connections of $CLIENT_IP reach one backend" one_backend "$WORK/v4"
  connect "$VIP6" - "$CONNECTIONS" "$WORK/v6"
  check "IPv6 (dnat): all $CONNECTIONS connections of $CLIENT_IP6 reach one backend" one_backend "$WORK/v6"

  echo "== other clients"
  check "clients at $EXTRA_CLIENTS other addresses each keep one backend, and not all the same" \
    extra_clients_spread

  local first
  first=$(backend_of "$WORK/v4")
  echo "== lbctl backend set web $first --state drain"
  lbctl_ns backend set web "$first" --state drain >/dev/null
  connect "$VIP" - "$CONNECTIONS" "$WORK/drained"
  check "after the drain, the client's connections reach one backend" one_backend "$WORK/drained"
  moved() { [[ "$(backend_of "$WORK/drained")" != "$first" ]] || { echo "  still $first"; return 1; }; }
  check "  ... which is not the drained $first" moved
  lbctl_ns backend set web "$first" --state up >/dev/null
  connect "$VIP" - "$CONNECTIONS" "$WORK/restored"
  stays() { [[ "$(backend_of "$WORK/restored")" == "$(backend_of "$WORK/drained")" ]]; }
  check "with $first up again, the client stays on its new backend" stays
  check "  ... with every connection" one_backend "$WORK/restored"

  lb_stop
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  report_summary "persistence (${SECONDS}s)"
}

main "$@"
