#include "dataplane/program.hpp"

#include <net/if.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>
#include <xdp/libxdp.h>
#include <xdplb/abi.h>

#include "xdplb.skel.h"

namespace xdplb::dataplane {

namespace {

std::string error_text(int error) { return std::strerror(error < 0 ? -error : error); }

// libbpf and libxdp narrate every load (and libxdp's dispatcher fallback) on
// stderr; lbd's log keeps that for --verbose and says what matters itself.
int log_library_message(const char* library, const char* format, va_list arguments) {
    char line[512];
    std::vsnprintf(line, sizeof(line), format, arguments);
    std::string text(line);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    spdlog::debug("{}: {}", library, text);
    return 0;
}

int log_libbpf(enum libbpf_print_level, const char* format, va_list arguments) {
    return log_library_message("libbpf", format, arguments);
}

int log_libxdp(enum libxdp_print_level, const char* format, va_list arguments) {
    return log_library_message("libxdp", format, arguments);
}

// libxdp links only programs it loads itself into its dispatcher; xdplb is
// loaded first (for clear errors), so libxdp attaches it alone.
void note_if_alone(const std::string& name, int ifindex) {
    xdp_multiprog* attached = xdp_multiprog__get_from_ifindex(ifindex);
    if (libxdp_get_error(attached) != 0 || attached == nullptr) return;
    if (xdp_multiprog__is_legacy(attached)) {
        spdlog::warn("{}: libxdp could not use its dispatcher here; xdplb is attached alone and no other XDP "
                     "program can share this interface",
                     name);
    }
    xdp_multiprog__close(attached);
}

bool is_xdplb_program(const xdp_program* program) {
    return program != nullptr && std::strcmp(xdp_program__name(program), "xdplb_main") == 0;
}

// The xdplb programs attached to an interface: alone, or among others in a
// libxdp dispatcher. They belong to `attached`.
std::vector<xdp_program*> xdplb_programs_in(const xdp_multiprog* attached) {
    std::vector<xdp_program*> found;
    if (xdp_multiprog__is_legacy(attached)) {
        xdp_program* alone = xdp_multiprog__main_prog(attached);
        if (is_xdplb_program(alone)) found.push_back(alone);
        return found;
    }
    for (xdp_program* program = xdp_multiprog__next_prog(nullptr, attached); program != nullptr;
         program = xdp_multiprog__next_prog(program, attached)) {
        if (is_xdplb_program(program)) found.push_back(program);
    }
    return found;
}

// An lbd that was killed leaves its program attached, alone or inside a
// dispatcher. It is replaced rather than stacked on: one xdplb per interface.
// Only xdplb goes: other programs in the dispatcher stay attached.
void detach_stale_xdplb(const std::string& name, int ifindex) {
    xdp_multiprog* attached = xdp_multiprog__get_from_ifindex(ifindex);
    if (libxdp_get_error(attached) != 0 || attached == nullptr) return;
    std::vector<xdp_program*> stale = xdplb_programs_in(attached);
    if (!stale.empty()) {
        spdlog::warn("{}: replacing the xdplb program a previous lbd left attached", name);
        int error = xdp_program__detach_multi(stale.data(), stale.size(), ifindex,
                                              xdp_multiprog__attach_mode(attached), 0);
        if (error != 0) spdlog::warn("{}: cannot detach it: {}", name, error_text(error));
    }
    xdp_multiprog__close(attached);
}

// Drivers without native XDP refuse it with EOPNOTSUPP; some refuse it with
// EINVAL for a setting they cannot run it with (an MTU too large, LRO on).
// Generic mode works everywhere, only slower. Anything else is a real error.
bool native_mode_unsupported(int error) {
    int code = error < 0 ? -error : error;
    return code == EOPNOTSUPP || code == EINVAL;
}

// The kernel answers EBUSY or EEXIST when the interface already has an XDP
// program that is not xdplb (detach_stale_xdplb removed any xdplb).
std::string attach_error_text(int error) {
    int code = error < 0 ? -error : error;
    if (code == EBUSY || code == EEXIST) return "another XDP program is attached there (" + error_text(error) + ")";
    return error_text(error);
}

}  // namespace

std::uint32_t default_halfopen_size(std::uint32_t conntrack_size) { return std::max(conntrack_size / 4, 2u); }

Program::Program(std::uint32_t conntrack_size, std::optional<std::uint32_t> halfopen_size) {
    libbpf_set_print(log_libbpf);
    libxdp_set_print(log_libxdp);
    skeleton_ = xdplb_bpf__open();
    if (skeleton_ == nullptr) throw DataPlaneError("cannot open the XDP program: " + error_text(errno));
    int error = bpf_map__set_max_entries(skeleton_->maps.conntrack, conntrack_size);
    if (error == 0) {
        error = bpf_map__set_max_entries(skeleton_->maps.conntrack_halfopen,
                                         halfopen_size.value_or(default_halfopen_size(conntrack_size)));
    }
    if (error != 0) {
        xdplb_bpf__destroy(skeleton_);
        throw DataPlaneError("cannot size the connection tables: " + error_text(error));
    }
}

Program::~Program() {
    detach_all();
    if (xdp_program_ != nullptr) xdp_program__close(xdp_program_);
    if (attached_copy_ != nullptr) xdplb_bpf__destroy(attached_copy_);
    xdplb_bpf__destroy(skeleton_);
}

void Program::load_detached() {
    int error = xdplb_bpf__load(skeleton_);
    if (error != 0) {
        throw DataPlaneError("cannot load the XDP program: " + error_text(error) +
                             " (lbd --verbose logs the kernel's reasons)");
    }
}

// libxdp can put into its dispatcher (sharing the interface with other XDP
// programs) only a program it loads itself. So the copy that is loaded first,
// to report a refusal clearly and to own the maps, is not the one attached:
// a second copy whose maps are the first one's goes to libxdp unloaded.
void Program::prepare_attached_copy() {
    attached_copy_ = xdplb_bpf__open();
    if (attached_copy_ == nullptr) throw DataPlaneError("cannot open the XDP program: " + error_text(errno));
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, skeleton_->obj) {
        bpf_map* twin = bpf_object__find_map_by_name(attached_copy_->obj, bpf_map__name(map));
        int error = twin == nullptr ? -ENOENT : bpf_map__reuse_fd(twin, bpf_map__fd(map));
        if (error != 0) throw DataPlaneError(std::string("cannot share map ") + bpf_map__name(map) + ": " + error_text(error));
    }
    xdp_program_ = xdp_program__from_bpf_obj(attached_copy_->obj, "xdp");
    if (long error = libxdp_get_error(xdp_program_); error != 0) {
        xdp_program_ = nullptr;
        throw DataPlaneError("cannot prepare the XDP program for attaching: " + error_text(static_cast<int>(error)));
    }
}

void Program::attach(const std::vector<std::string>& interface_names) {
    load_detached();
    prepare_attached_copy();
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
    detach_stale_xdplb(name, interface.ifindex);

    int error = xdp_program__attach(xdp_program_, interface.ifindex, XDP_MODE_NATIVE, 0);
    if (error != 0 && native_mode_unsupported(error)) {
        spdlog::warn("{}: native XDP unavailable ({}); using generic mode, which is much slower", name,
                     error_text(error));
        interface.native = false;
        error = xdp_program__attach(xdp_program_, interface.ifindex, XDP_MODE_SKB, 0);
    }
    if (error != 0) throw DataPlaneError("cannot attach XDP to " + name + ": " + attach_error_text(error));
    interfaces_.push_back(interface);
    note_if_alone(name, interface.ifindex);

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

xdplb_trace_control& Program::trace_control() { return skeleton_->bss->trace_control; }

int Program::map_fd(const char* map_name) const {
    const bpf_map* map = bpf_object__find_map_by_name(skeleton_->obj, map_name);
    if (map == nullptr) throw DataPlaneError(std::string("the XDP program has no map ") + map_name);
    return bpf_map__fd(map);
}

}  // namespace xdplb::dataplane
