#include "daemon/system_setup.hpp"

#include <sys/mount.h>
#include <sys/vfs.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <linux/magic.h>
#include <spdlog/spdlog.h>

namespace xdplb::daemon {

namespace {

constexpr const char* kBpfFs = "/sys/fs/bpf";

bool on_bpffs(const std::filesystem::path& path) {
    struct statfs info {};
    return ::statfs(path.c_str(), &info) == 0 && info.f_type == BPF_FS_MAGIC;
}

void mount_system_bpffs() {
    if (on_bpffs(kBpfFs)) return;
    if (::mount("bpf", kBpfFs, "bpf", 0, nullptr) != 0) {
        throw std::runtime_error(std::string("cannot mount bpffs on ") + kBpfFs + " (is BPF available?): " +
                                 std::strerror(errno));
    }
    spdlog::info("mounted bpffs on {}", kBpfFs);
}

// The top of the bpffs mount that holds `path`, an existing directory.
std::filesystem::path bpffs_mount_of(std::filesystem::path path) {
    while (path.has_relative_path() && on_bpffs(path.parent_path())) path = path.parent_path();
    return path;
}

}  // namespace

std::filesystem::path prepare_pin_dir(const std::filesystem::path& pin_dir) {
    const std::filesystem::path absolute = std::filesystem::absolute(pin_dir).lexically_normal();
    if (absolute.string().starts_with(std::string(kBpfFs) + "/")) mount_system_bpffs();
    std::error_code error;
    std::filesystem::create_directories(absolute, error);
    if (error) {
        // What bpffs answers for a name with a dot, which it refuses.
        const bool dotted = error == std::errc::operation_not_permitted && absolute.string().find('.') != std::string::npos;
        throw std::runtime_error("cannot create the pin dir " + absolute.string() + ": " + error.message() +
                                 (dotted ? " (bpffs refuses names with a dot)" : ""));
    }
    if (!on_bpffs(absolute)) {
        throw std::runtime_error("the pin dir " + absolute.string() + " is not on a bpffs (mount -t bpf bpf DIR)");
    }
    const std::filesystem::path mount = bpffs_mount_of(absolute);
    // libxdp pins its dispatchers' links there: they must outlive lbd as the maps do.
    ::setenv("LIBXDP_BPFFS", mount.c_str(), 0);
    return absolute;
}

namespace {

void ensure_sysctl(const std::string& name, const std::string& path, const std::string& wanted) {
    std::string current;
    std::ifstream(path) >> current;
    if (current == wanted) return;
    std::ofstream out(path);
    out << wanted << "\n";
    out.close();
    if (!out) throw std::runtime_error("cannot set " + name + "=" + wanted);
    spdlog::info("set {}={} (was {})", name, wanted, current.empty() ? "unreadable" : current);
}

}  // namespace

void enable_forwarding(const std::vector<std::string>& interfaces) {
    ensure_sysctl("net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward", "1");
    ensure_sysctl("net.ipv6.conf.all.forwarding", "/proc/sys/net/ipv6/conf/all/forwarding", "1");
    for (const std::string& interface : interfaces) {
        ensure_sysctl("net.ipv4.conf." + interface + ".accept_local",
                      "/proc/sys/net/ipv4/conf/" + interface + "/accept_local", "1");
    }
}

void warn_if_snat_ports_overlap_local_ports(const dataplane::SnatPortRange& snat_ports) {
    unsigned first = 0;
    unsigned last = 0;
    if (!(std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> first >> last)) {
        spdlog::warn("cannot read net.ipv4.ip_local_port_range to check it against --snat-ports");
        return;
    }
    if (first <= snat_ports.max && snat_ports.min <= last) {
        spdlog::warn("net.ipv4.ip_local_port_range {}-{} overlaps --snat-ports {}-{}: the host's own connections "
                     "may collide with translated ones; move one of them",
                     first, last, snat_ports.min, snat_ports.max);
    }
}

}  // namespace xdplb::daemon
