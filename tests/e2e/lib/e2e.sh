#!/usr/bin/env bash
# The prologue of every end-to-end test: the bench's libraries, and a skip
# (exit 77, which ctest reports as skipped) when not run as root.
# Source it from a test as: source "$here/lib/e2e.sh"
# shellcheck source-path=SCRIPTDIR

e2e_lib=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=topology.sh
source "$e2e_lib/topology.sh"
# shellcheck source=servers.sh
source "$e2e_lib/servers.sh"
# shellcheck source=lb.sh
source "$e2e_lib/lb.sh"
# shellcheck source=report.sh
source "$e2e_lib/report.sh"
# shellcheck source=keepalive.sh
source "$e2e_lib/keepalive.sh"
# shellcheck source=health.sh
source "$e2e_lib/health.sh"
# shellcheck source=vip_holder.sh
source "$e2e_lib/vip_holder.sh"

if [[ $EUID -ne 0 ]]; then
  echo "SKIP: needs root (network namespaces, XDP)"
  exit 77
fi
