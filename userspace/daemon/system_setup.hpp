// What the host must provide before the data plane can work: a BPF filesystem
// for the pins, and the kernel settings of a router on lbd's interfaces.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dataplane/map_writer.hpp"

namespace xdplb::daemon {

// Creates the pin dir, mounting bpffs on /sys/fs/bpf first when the pin dir
// is under it and nothing is mounted there, and points libxdp (unless
// LIBXDP_BPFFS says otherwise) at the same bpffs for its dispatchers' pins.
// Returns the pin dir as an absolute path. Throws std::runtime_error when
// the pin dir is not on a bpffs.
std::filesystem::path prepare_pin_dir(const std::filesystem::path& pin_dir);

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
