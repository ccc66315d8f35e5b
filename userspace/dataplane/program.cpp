#include "dataplane/program.hpp"

#include <net/if.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>
#include <xdp/libxdp.h>

#include "xdplb.skel.h"

namespace xdplb::dataplane {

namespace {

std::string error_text(int error) { return std::strerror(error < 0 ? -error : error); }

}  // namespace

Program::Program(std::uint32_t conntrack_size) {
    skeleton_ = xdplb_bpf__open();
    if (skeleton_ == nullptr) throw DataPlaneError("cannot open the XDP program: " + error_text(errno));
    int error = bpf_map__set_max_entries(skeleton_->maps.conntrack, conntrack_size);
    if (error != 0) {
        xdplb_bpf__destroy(skeleton_);
        throw DataPlaneError("cannot size the connection table: " + error_text(error));
    }
}

Program::~Program() {
    detach_all();
    if (xdp_program_ != nullptr) xdp_program__close(xdp_program_);
    xdplb_bpf__destroy(skeleton_);
}

void Program::load_detached() {
    int error = xdplb_bpf__load(skeleton_);
    if (error != 0) throw DataPlaneError("cannot load the XDP program (is BPF available?): " + error_text(error));
}

void Program::attach(const std::vector<std::string>& interface_names) {
    xdp_program_ = xdp_program__from_bpf_obj(skeleton_->obj, "xdp");
    if (long error = libxdp_get_error(xdp_program_); error != 0) {
        xdp_program_ = nullptr;
        throw DataPlaneError("cannot prepare the XDP program: " + error_text(static_cast<int>(error)));
    }
    try {
        for (const std::string& name : interface_names) attach_one(name);
    } catch (...) {
        detach_all();
        throw;
    }
}

void Program::attach_one(const std::string& name) {
    Interface interface{name, static_cast<int>(if_nametoindex(name.c_str())), true};
    if (interface.ifindex == 0) throw DataPlaneError("interface '" + name + "' does not exist");

    int error = xdp_program__attach(xdp_program_, interface.ifindex, XDP_MODE_NATIVE, 0);
    if (error != 0) {
        spdlog::warn("{}: native XDP unavailable ({}); using generic mode, which is much slower", name,
                     error_text(error));
        interface.native = false;
        error = xdp_program__attach(xdp_program_, interface.ifindex, XDP_MODE_SKB, 0);
    }
    if (error != 0) throw DataPlaneError("cannot attach XDP to " + name + ": " + error_text(error));
    interfaces_.push_back(interface);

    // The devmap is what lets the program redirect out of this interface.
    __u32 ifindex = static_cast<__u32>(interface.ifindex);
    error = bpf_map__update_elem(skeleton_->maps.tx_ports, &ifindex, sizeof(ifindex), &ifindex, sizeof(ifindex), 0);
    if (error != 0) throw DataPlaneError("cannot register " + name + " for forwarding: " + error_text(error));
    spdlog::info("{}: XDP attached in {} mode", name, interface.native ? "native" : "generic");
}

void Program::detach_all() {
    for (auto it = interfaces_.rbegin(); it != interfaces_.rend(); ++it) {
        enum xdp_attach_mode mode = it->native ? XDP_MODE_NATIVE : XDP_MODE_SKB;
        int error = xdp_program__detach(xdp_program_, it->ifindex, mode, 0);
        if (error != 0) spdlog::warn("{}: cannot detach XDP: {}", it->name, error_text(error));
    }
    interfaces_.clear();
}

int Program::program_fd() const { return bpf_program__fd(skeleton_->progs.xdplb_main); }

int Program::map_fd(const char* map_name) const {
    const bpf_map* map = bpf_object__find_map_by_name(skeleton_->obj, map_name);
    if (map == nullptr) throw DataPlaneError(std::string("the XDP program has no map ") + map_name);
    return bpf_map__fd(map);
}

}  // namespace xdplb::dataplane
