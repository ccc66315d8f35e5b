#!/usr/bin/env bash
# Install every Debian package needed to build and test xdplb. Idempotent and
# quiet: prints nothing unless something fails. (bpffs is lbd's to mount, where
# it runs: the tests run it in namespaces with a mount of their own.)
set -euo pipefail

PACKAGES=(
  # BPF toolchain and libraries
  clang llvm libbpf-dev libxdp-dev xdp-tools bpftool linux-libc-dev
  gcc-multilib libelf-dev zlib1g-dev
  # C++ build
  pkg-config cmake make g++
  libboost-program-options-dev libboost-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libgtest-dev prometheus-cpp-dev
  libcivetweb-dev libsystemd-dev
  # health checks: https (Boost.Asio SSL) and the mysql check's SHA1 (libcrypto);
  # the API key's constant-time comparison (libcrypto)
  libssl-dev
  # the Debian package (cpack -G DEB: dpkg-shlibdeps finds its Depends) and the
  # checks of its systemd unit (systemd-analyze) and man pages (man, groff)
  dpkg-dev systemd man-db groff-base
  # test bench
  nginx-light socat curl ethtool iproute2 iputils-ping procps psmisc python3
  # the API test's key (openssl rand)
  openssl
  # promtool, which Debian ships only in the server's package: it checks lbd's
  # metrics and the monitoring files (deploy/prometheus); the rule files' YAML
  # for deploy/check_queries.py
  prometheus python3-yaml
  # MariaDB backends of the health-check tests and the MySQL suite: the -core
  # packages hold the server and client programs without the host's service
  mariadb-server-core mariadb-client-core
  # benchmark kit: the plots
  gnuplot-nox
  # benchmark scenarios of the peers (bench/scenarios): nftables, iptables
  # (iptables-nft by default), conntrack to forget their tracked connections
  nftables iptables conntrack
  # the haproxy scenario; the suites' clients (wrk, sysbench)
  haproxy wrk sysbench
  # the standard VRRPv3 peer of e2e.vrrp_failover's interop check
  keepalived
)

die() { echo "install-deps: $*" >&2; exit 1; }

# Print the packages that are not fully installed (dpkg status "install ok installed").
missing_packages() {
  local pkg status
  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || echo "$pkg"
  done
}

# The packages are here for their programs (nginx, mariadbd, haproxy,
# keepalived and promtool run inside the tests' namespaces): their services are not started
# on the host. A policy-rc.d that refuses every start does that, unless the
# machine already has a policy of its own.
without_starting_services() {
  local policy=/usr/sbin/policy-rc.d rc=0
  if [[ -e "$policy" ]]; then "$@"; return; fi
  printf '#!/bin/sh\n# deploy/install-deps.sh: no service starts while it installs\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT  # also when interrupted halfway
  "$@" || rc=$?
  rm -f "$policy"
  trap - EXIT
  return "$rc"
}

install_missing() {
  local -a missing
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) && return 0   # fast path: nothing to do, no network

  [[ $EUID -eq 0 ]] || die "need root to install: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local log
  log=$(mktemp)
  # Only refresh the package lists when we actually have to install something.
  if ! apt-get update -qq >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; die "apt-get update failed"
  fi
  if ! without_starting_services apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; die "apt-get install failed: ${missing[*]}"
  fi
  rm -f "$log"

  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) || die "still missing after install: ${missing[*]}"
}

install_missing
