// What the host must provide before the data plane can work: a BPF filesystem
// for libxdp's pins, and the kernel settings of a router on lbd's interfaces.
#pragma once

#include <string>
#include <vector>

#include "dataplane/map_writer.hpp"

namespace xdplb::daemon {

// Mounts bpffs on /sys/fs/bpf when nothing is mounted there (libxdp pins its
// dispatcher there). Throws std::runtime_error.
void ensure_bpffs();

// Sets, logging each change, what a router needs on lbd's interfaces:
// net.ipv4.ip_forward=1 and net.ipv6.conf.all.forwarding=1, because packets that XDP hands to the kernel to
// resolve a neighbour are forwarded by it, and accept_local=1, because such
// packets may carry the VIP or SNAT address, which are local addresses.
// Throws std::runtime_error when a setting cannot be made.
void enable_forwarding(const std::vector<std::string>& interfaces);

// Warns when net.ipv4.ip_local_port_range overlaps the SNAT ports: the host's
// own connections could then take a tuple a translated connection uses.
void warn_if_snat_ports_overlap_local_ports(const dataplane::SnatPortRange& snat_ports);

}  // namespace xdplb::daemon
