#include "dataplane/pins.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <xdplb/abi.h>

#include "dataplane/program.hpp"

namespace xdplb::dataplane {

namespace {

constexpr const char* kLayoutPrefix = "abi-";

std::string layout_dir_name(unsigned version) { return kLayoutPrefix + std::to_string(version); }

// bpffs refuses names with dots, which libbpf gives its maps of global data
// ("xdplb_bp.bss").
std::string pin_name(const bpf_map* map) {
    std::string name = bpf_map__name(map);
    std::ranges::replace(name, '.', '_');
    return name;
}

bool is_layout_dir(const std::filesystem::directory_entry& entry) {
    return entry.is_directory() && entry.path().filename().string().starts_with(kLayoutPrefix);
}

// A program built for other layouts would misread the maps of those: no
// pinned map of another version is ever handed to this program.
void refuse_other_layouts(const std::filesystem::path& pin_dir) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(pin_dir, error)) {
        if (!is_layout_dir(entry) || entry.path().filename() == layout_dir_name(XDPLB_ABI_VERSION)) continue;
        throw DataPlaneError("the data plane pinned in " + pin_dir.string() + " has map layout " +
                             entry.path().filename().string() + ", this lbd " +
                             layout_dir_name(XDPLB_ABI_VERSION) +
                             ": it cannot adopt it; lbd --unload removes it (and the connections it tracks)");
    }
}

// Why a pinned map cannot stand in for the object's map: "" when it can.
std::string mismatch(const bpf_map* wanted, const bpf_map_info& pinned) {
    auto differs = [](const char* field, unsigned long long has, unsigned long long needs) {
        return std::string(field) + " " + std::to_string(has) + ", this program needs " + std::to_string(needs);
    };
    if (pinned.type != bpf_map__type(wanted)) return differs("type", pinned.type, bpf_map__type(wanted));
    if (pinned.key_size != bpf_map__key_size(wanted)) return differs("key size", pinned.key_size, bpf_map__key_size(wanted));
    if (pinned.value_size != bpf_map__value_size(wanted)) {
        return differs("value size", pinned.value_size, bpf_map__value_size(wanted));
    }
    if (pinned.max_entries != bpf_map__max_entries(wanted)) {
        return differs("max entries", pinned.max_entries, bpf_map__max_entries(wanted));
    }
    // The kernel makes every devmap read-only for programs, asked or not.
    const bool devmap = pinned.type == BPF_MAP_TYPE_DEVMAP || pinned.type == BPF_MAP_TYPE_DEVMAP_HASH;
    const __u32 flags = devmap ? pinned.map_flags & ~BPF_F_RDONLY_PROG : pinned.map_flags;
    if (flags != bpf_map__map_flags(wanted)) return differs("flags", flags, bpf_map__map_flags(wanted));
    return "";
}

struct PinnedFd {
    bpf_map* map;
    int fd;
};

void close_all(const std::vector<PinnedFd>& opened) {
    for (const PinnedFd& pinned : opened) ::close(pinned.fd);
}

}  // namespace

Pins::Pins(std::filesystem::path pin_dir)
    : pin_dir_(std::move(pin_dir)), maps_dir_(pin_dir_ / layout_dir_name(XDPLB_ABI_VERSION)) {}

bool Pins::reuse(bpf_object* object) const {
    refuse_other_layouts(pin_dir_);
    // Every pinned map is checked before any is reused: a refusal reuses nothing.
    std::vector<PinnedFd> opened;
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, object) {
        const std::filesystem::path path = maps_dir_ / pin_name(map);
        int fd = bpf_obj_get(path.c_str());
        if (fd < 0 && errno == ENOENT) continue;
        if (fd < 0) {
            const int error = errno;
            close_all(opened);
            throw DataPlaneError("cannot open the pinned map " + path.string() + ": " + std::strerror(error));
        }
        opened.push_back({map, fd});
        bpf_map_info info{};
        __u32 length = sizeof(info);
        std::string why = bpf_obj_get_info_by_fd(fd, &info, &length) != 0 ? std::strerror(errno) : mismatch(map, info);
        if (!why.empty()) {
            close_all(opened);
            throw DataPlaneError("the pinned map " + path.string() + " does not fit this program (" + why +
                                 "); start lbd with the table sizes it had, or remove the data plane with lbd --unload");
        }
    }
    for (const PinnedFd& pinned : opened) {
        if (int error = bpf_map__reuse_fd(pinned.map, pinned.fd); error != 0) {
            close_all(opened);
            throw DataPlaneError(std::string("cannot reuse the pinned map ") + bpf_map__name(pinned.map) + ": " +
                                 std::strerror(-error));
        }
    }
    close_all(opened);  // bpf_map__reuse_fd holds its own duplicate
    return !opened.empty();
}

void Pins::pin_created(bpf_object* object) const {
    std::error_code error;
    std::filesystem::create_directories(maps_dir_, error);
    if (error) throw DataPlaneError("cannot create the pin dir " + maps_dir_.string() + ": " + error.message());
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, object) {
        const std::filesystem::path path = maps_dir_ / pin_name(map);
        if (std::filesystem::exists(path, error)) continue;  // the one it reused
        if (int failure = bpf_map__pin(map, path.c_str()); failure != 0) {
            throw DataPlaneError("cannot pin map " + path.string() + ": " + std::strerror(-failure));
        }
    }
}

void Pins::remove() const {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(pin_dir_, error)) {
        if (!is_layout_dir(entry)) continue;
        std::error_code failure;
        std::filesystem::remove_all(entry.path(), failure);
        if (failure) spdlog::warn("cannot unpin {}: {}", entry.path().string(), failure.message());
    }
    // Left alone when it holds something else (rmdir refuses a non-empty directory).
    if (std::filesystem::remove(pin_dir_, error)) spdlog::info("unpinned the data plane from {}", pin_dir_.string());
}

}  // namespace xdplb::dataplane
