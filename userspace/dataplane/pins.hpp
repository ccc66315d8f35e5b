// The data plane's maps pinned in bpffs, so that they outlive lbd: a restarted
// or upgraded lbd adopts them, and with them the connections being served.
#pragma once

#include <filesystem>

struct bpf_object;

namespace xdplb::dataplane {

// The maps of map layout XDPLB_ABI_VERSION are pinned in PIN_DIR/abi-N/, one
// file per map, named as the map (dots, which bpffs refuses, become '_').
class Pins {
public:
    explicit Pins(std::filesystem::path pin_dir);

    // Before the object is loaded: each of its maps that is pinned already is
    // reused instead of created. Throws DataPlaneError, reusing nothing, when
    // the pin dir holds maps of another layout version, or a pinned map whose
    // type, sizes or flags differ from the object's (the program would
    // misread it). Returns whether any map was reused.
    bool reuse(bpf_object* object) const;
    // After loading: pins the maps that were created rather than reused.
    void pin_created(bpf_object* object) const;
    // Unpins every map of every layout version, then removes the pin dir if
    // that leaves it empty. Logs what it cannot remove.
    void remove() const;

    const std::filesystem::path& pin_dir() const { return pin_dir_; }

private:
    std::filesystem::path pin_dir_;
    std::filesystem::path maps_dir_;
};

}  // namespace xdplb::dataplane
