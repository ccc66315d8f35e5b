#include "dataplane/program.hpp"

#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

#include <bpf/bpf.h>
#include <linux/if_link.h>

#include <spdlog/spdlog.h>
#include <xdp/libxdp.h>
#include <xdplb/abi.h>

#include "dataplane/pins.hpp"
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

std::vector<std::uint32_t> ids_of(const std::vector<xdp_program*>& programs) {
    std::vector<std::uint32_t> ids;
    for (const xdp_program* program : programs) ids.push_back(xdp_program__id(program));
    return ids;
}

// What runs on an interface, as far as xdplb is concerned.
struct Attached {
    std::vector<std::uint32_t> xdplb_ids;
    std::vector<unsigned char> first_tag;  // of xdplb_ids[0]
    enum xdp_attach_mode mode = XDP_MODE_UNSPEC;
    bool legacy = false;  // attached alone, not in a libxdp dispatcher
};

Attached attached_to(int ifindex) {
    Attached found;
    xdp_multiprog* attached = xdp_multiprog__get_from_ifindex(ifindex);
    if (libxdp_get_error(attached) != 0 || attached == nullptr) return found;
    std::vector<xdp_program*> programs = xdplb_programs_in(attached);
    found.xdplb_ids = ids_of(programs);
    if (!programs.empty()) {
        const unsigned char* tag = xdp_program__tag(programs.front());
        found.first_tag.assign(tag, tag + BPF_TAG_SIZE);
    }
    found.mode = xdp_multiprog__attach_mode(attached);
    found.legacy = xdp_multiprog__is_legacy(attached);
    xdp_multiprog__close(attached);
    return found;
}

// Detaches the xdplb programs among `ids` (all of them when empty) from the
// interface; other programs in the dispatcher stay attached.
void detach_xdplb(const std::string& name, int ifindex, const std::vector<std::uint32_t>& ids) {
    xdp_multiprog* attached = xdp_multiprog__get_from_ifindex(ifindex);
    if (libxdp_get_error(attached) != 0 || attached == nullptr) return;
    std::vector<xdp_program*> going;
    for (xdp_program* program : xdplb_programs_in(attached)) {
        if (ids.empty() || std::ranges::find(ids, xdp_program__id(program)) != ids.end()) going.push_back(program);
    }
    if (!going.empty()) {
        int error = xdp_program__detach_multi(going.data(), going.size(), ifindex, xdp_multiprog__attach_mode(attached), 0);
        if (error != 0) spdlog::warn("{}: cannot detach xdplb: {}", name, error_text(error));
    }
    xdp_multiprog__close(attached);
}

std::vector<unsigned char> tag_of(int program_fd) {
    bpf_prog_info info{};
    __u32 length = sizeof(info);
    if (bpf_obj_get_info_by_fd(program_fd, &info, &length) != 0) {
        throw DataPlaneError("cannot read the loaded program's tag: " + error_text(errno));
    }
    return {info.tag, info.tag + BPF_TAG_SIZE};
}

std::vector<char> read_object_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::vector<char> bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (!file.good() && !file.eof()) throw DataPlaneError("cannot read the XDP program " + path.string());
    if (bytes.empty()) throw DataPlaneError("cannot read the XDP program " + path.string() + ": no such file or empty");
    return bytes;
}

// Drivers without native XDP refuse it with EOPNOTSUPP; some refuse it with
// EINVAL for a setting they cannot run it with (an MTU too large, LRO on).
// Generic mode works everywhere, only slower. Anything else is a real error.
bool native_mode_unsupported(int error) {
    int code = error < 0 ? -error : error;
    return code == EOPNOTSUPP || code == EINVAL;
}

// The kernel answers EBUSY or EEXIST when the interface already has an XDP
// program that is not xdplb (attach() replaces an xdplb program instead).
std::string attach_error_text(int error) {
    int code = error < 0 ? -error : error;
    if (code == EBUSY || code == EEXIST) return "another XDP program is attached there (" + error_text(error) + ")";
    return error_text(error);
}

}  // namespace

std::uint32_t default_halfopen_size(std::uint32_t conntrack_size) { return std::max(conntrack_size / 4, 2u); }

Program::Program(std::uint32_t conntrack_size, std::optional<std::uint32_t> halfopen_size,
                 const std::optional<std::filesystem::path>& object_file) {
    libbpf_set_print(log_libbpf);
    libxdp_set_print(log_libxdp);
    if (object_file) object_bytes_ = read_object_file(*object_file);
    skeleton_ = open_object();
    if (skeleton_ == nullptr) {
        throw DataPlaneError("cannot open the XDP program" + (object_file ? " " + object_file->string() : "") + ": " +
                             error_text(errno));
    }
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

// What xdplb_bpf__open does, on the bytes of another object file: its maps
// and program must have the built-in object's names.
::xdplb_bpf* Program::open_object() const {
    if (object_bytes_.empty()) return xdplb_bpf__open();
    auto* object = static_cast<::xdplb_bpf*>(std::calloc(1, sizeof(::xdplb_bpf)));
    if (object == nullptr) return nullptr;
    int error = xdplb_bpf__create_skeleton(object);
    if (error == 0) {
        object->skeleton->data = const_cast<char*>(object_bytes_.data());
        object->skeleton->data_sz = object_bytes_.size();
        error = bpf_object__open_skeleton(object->skeleton, nullptr);
    }
    if (error != 0) {
        xdplb_bpf__destroy(object);
        errno = -error;
        return nullptr;
    }
    return object;
}

// The attachments stay: the data plane keeps forwarding after lbd is gone
// (remove_data_plane takes it away).
Program::~Program() {
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
    attached_copy_ = open_object();
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

void Program::attach(const std::vector<std::string>& interface_names, const Pins& pins) {
    reused_maps_ = pins.reuse(skeleton_->obj);
    load_detached();
    pins.pin_created(skeleton_->obj);
    // A trace the previous lbd had switched on has no reader any more.
    if (reused_maps_) trace_control() = {};
    prepare_attached_copy();
    try {
        for (const std::string& name : interface_names) attach_one(name);
    } catch (...) {
        // Maps this call created and nothing else runs on are not worth keeping.
        const bool maps_unused = !reused_maps_ && attached_anew_.size() == interfaces_.size();
        detach_attached_anew();
        if (maps_unused) pins.remove();
        throw;
    }
}

void Program::attach_one(const std::string& name) {
    Interface interface{name, static_cast<int>(if_nametoindex(name.c_str())), true};
    if (interface.ifindex == 0) throw DataPlaneError("interface '" + name + "' does not exist");

    const Attached attached = attached_to(interface.ifindex);
    if (attached.xdplb_ids.empty()) {
        attach_anew(interface);
    } else if (attached.xdplb_ids.size() == 1 && attached.first_tag == tag_of(program_fd()) &&
               runs_on_these_maps(attached.xdplb_ids.front())) {
        interface.native = attached.mode != XDP_MODE_SKB;
        spdlog::info("{}: adopted the xdplb program attached there (id {})", name, attached.xdplb_ids.front());
    } else {
        interface.native = attached.mode != XDP_MODE_SKB;
        replace(interface, attached.xdplb_ids, attached.legacy);
    }
    interfaces_.push_back(interface);

    // The devmap is what lets the program redirect out of this interface.
    __u32 ifindex = static_cast<__u32>(interface.ifindex);
    int error = bpf_map__update_elem(skeleton_->maps.tx_ports, &ifindex, sizeof(ifindex), &ifindex, sizeof(ifindex), 0);
    if (error != 0) throw DataPlaneError("cannot register " + name + " for forwarding: " + error_text(error));
}

void Program::attach_anew(Interface& interface) {
    int error = xdp_program__attach(xdp_program_, interface.ifindex, XDP_MODE_NATIVE, 0);
    if (error != 0 && native_mode_unsupported(error)) {
        spdlog::warn("{}: native XDP unavailable ({}); using generic mode, which is much slower", interface.name,
                     error_text(error));
        interface.native = false;
        error = xdp_program__attach(xdp_program_, interface.ifindex, XDP_MODE_SKB, 0);
    }
    if (error != 0) throw DataPlaneError("cannot attach XDP to " + interface.name + ": " + attach_error_text(error));
    attached_anew_.push_back(interface.ifindex);
    note_if_alone(interface.name, interface.ifindex);
    spdlog::info("{}: XDP attached in {} mode", interface.name, interface.native ? "native" : "generic");
}

// In a dispatcher, libxdp adds the new program by swapping in a new dispatcher
// that runs both (the old one first passes what it does not handle, and both
// work on the same maps), then the old program goes with one more swap. Alone
// on the interface, the kernel swaps the programs in one step.
void Program::replace(Interface& interface, const std::vector<std::uint32_t>& old_ids, bool legacy) {
    const enum xdp_attach_mode mode = interface.native ? XDP_MODE_NATIVE : XDP_MODE_SKB;
    int error = 0;
    if (legacy) {
        int old_fd = bpf_prog_get_fd_by_id(old_ids.front());
        if (old_fd < 0) throw DataPlaneError("cannot open the xdplb program attached to " + interface.name + ": " + error_text(errno));
        bpf_xdp_attach_opts options{};
        options.sz = sizeof(options);
        options.old_prog_fd = old_fd;
        const __u32 flags = XDP_FLAGS_REPLACE | (interface.native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE);
        error = bpf_xdp_attach(interface.ifindex, program_fd(), flags, &options);
        ::close(old_fd);
    } else {
        error = xdp_program__attach(xdp_program_, interface.ifindex, mode, 0);
        if (error == 0) detach_xdplb(interface.name, interface.ifindex, old_ids);
    }
    if (error != 0) {
        throw DataPlaneError("cannot replace the xdplb program attached to " + interface.name + ": " +
                             attach_error_text(error));
    }
    const Attached now = attached_to(interface.ifindex);
    spdlog::info("{}: replaced xdplb program id {} by id {}{}", interface.name, old_ids.front(),
                 now.xdplb_ids.empty() ? 0 : now.xdplb_ids.front(),
                 reused_maps_ ? ", on the same maps" : " (a fresh connection table)");
}

// An xdplb program with other maps than the pinned ones (their pins were
// removed) would never see what lbd writes.
bool Program::runs_on_these_maps(std::uint32_t program_id) const {
    std::set<__u32> ours;
    const bpf_map* map = nullptr;
    bpf_object__for_each_map(map, skeleton_->obj) {
        bpf_map_info info{};
        __u32 length = sizeof(info);
        if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &length) == 0) ours.insert(info.id);
    }
    int fd = bpf_prog_get_fd_by_id(program_id);
    if (fd < 0) return false;
    std::vector<__u32> theirs(64);
    bpf_prog_info info{};
    info.nr_map_ids = static_cast<__u32>(theirs.size());
    info.map_ids = reinterpret_cast<__u64>(theirs.data());
    __u32 length = sizeof(info);
    const bool known = bpf_obj_get_info_by_fd(fd, &info, &length) == 0 && info.nr_map_ids <= theirs.size();
    ::close(fd);
    if (!known) return false;
    theirs.resize(info.nr_map_ids);
    return std::ranges::all_of(theirs, [&ours](__u32 id) { return ours.contains(id); });
}

void Program::detach_attached_anew() {
    for (auto it = interfaces_.rbegin(); it != interfaces_.rend(); ++it) {
        if (std::ranges::find(attached_anew_, it->ifindex) == attached_anew_.end()) continue;
        enum xdp_attach_mode mode = it->native ? XDP_MODE_NATIVE : XDP_MODE_SKB;
        int error = xdp_program__detach(xdp_program_, it->ifindex, mode, 0);
        if (error != 0) spdlog::warn("{}: cannot detach XDP: {}", it->name, error_text(error));
    }
    attached_anew_.clear();
}

void remove_data_plane(const std::vector<std::string>& interface_names, const Pins& pins) {
    for (const std::string& name : interface_names) {
        int ifindex = static_cast<int>(if_nametoindex(name.c_str()));
        if (ifindex == 0) {
            spdlog::warn("{}: no such interface; nothing to detach there", name);
            continue;
        }
        detach_xdplb(name, ifindex, {});
        spdlog::info("{}: xdplb detached", name);
    }
    pins.remove();
}

int Program::program_fd() const { return bpf_program__fd(skeleton_->progs.xdplb_main); }

xdplb_trace_control& Program::trace_control() { return skeleton_->bss->trace_control; }

int Program::map_fd(const char* map_name) const {
    const bpf_map* map = bpf_object__find_map_by_name(skeleton_->obj, map_name);
    if (map == nullptr) throw DataPlaneError(std::string("the XDP program has no map ") + map_name);
    return bpf_map__fd(map);
}

}  // namespace xdplb::dataplane
