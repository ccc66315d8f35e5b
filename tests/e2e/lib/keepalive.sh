# shellcheck shell=bash
# tests/e2e/lib/keepalive.sh -- one HTTP keep-alive connection from the
# client to the VIP (lib/keepalive.py), driven request by request, so a test
# can see whether an established connection still serves. Sourced by e2e.sh.

KA_PID="" KA_IN="" KA_OUT=""
# start_keepalive CLIENT_PORT / stop_keepalive: lib/keepalive.py from CLIENT_PORT, as a coprocess.
start_keepalive() {
  coproc KA { exec ip netns exec "$(topo_ns client)" python3 -u "$e2e_lib/keepalive.py" "$VIP" "$HTTP_PORT" "$1"; }
  # shellcheck disable=SC2153  # KA_PID is set by coproc
  KA_OUT=${KA[0]} KA_IN=${KA[1]}
  topo_register_pid "$KA_PID"
}
stop_keepalive() {
  exec {KA_IN}>&-   # EOF: the client closes its connection and exits
  wait "$KA_PID" 2>/dev/null || true
}
# ask_keepalive -> the answer of the keep-alive client to one more request.
ask_keepalive() {
  local answer
  echo ask >&"$KA_IN"
  read -r -t 10 -u "$KA_OUT" answer || answer="(no answer)"
  echo "$answer"
}

