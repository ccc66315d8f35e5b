// The XDP program and its maps, loaded into the kernel and attached to lbd's
// interfaces through libxdp (so that other XDP programs can share them). Both
// outlive lbd: the maps are pinned, the attachment stays, and the data plane
// forwards on its own until an lbd adopts it again or removes it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct xdplb_bpf;
struct xdplb_trace_control;
struct xdp_program;

namespace xdplb::dataplane {

class DataPlaneError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Interface {
    std::string name;
    int ifindex = 0;
    bool native = true;  // false: generic (skb) mode, a fallback with a warning
};

// The half-open table's size unless told: a quarter of the connection table's,
// at least one connection's two entries.
std::uint32_t default_halfopen_size(std::uint32_t conntrack_size);

class Pins;

class Program {
public:
    // Opens the object built into lbd, or object_file (the program built
    // elsewhere, with the same maps: an upgrade), and sizes the connection
    // tables (the half-open one by default_halfopen_size unless given); loads
    // nothing yet.
    explicit Program(std::uint32_t conntrack_size, std::optional<std::uint32_t> halfopen_size = std::nullopt,
                     const std::optional<std::filesystem::path>& object_file = std::nullopt);
    ~Program();
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;

    // Loads the program on the maps `pins` holds (creating and pinning those
    // it lacks) and makes it the one xdplb program of every interface:
    // - one attached already, with the same code on the same maps (lbd
    //   restarted), is adopted as it is;
    // - any other xdplb program (an older build, or one on other maps) is
    //   replaced atomically, never leaving the interface without one;
    // - elsewhere it is attached: native mode, or generic mode with a warning
    //   where the driver has no native XDP.
    // On error what this call attached anew is detached again; what it
    // adopted or replaced stays, forwarding as before.
    void attach(const std::vector<std::string>& interface_names, const Pins& pins);
    // Loads the program and creates its maps without attaching: what attach()
    // starts with, and all that BPF_PROG_TEST_RUN needs. Throws DataPlaneError
    // "cannot load the XDP program: ..." when the kernel refuses it.
    void load_detached();

    const std::vector<Interface>& interfaces() const { return interfaces_; }
    // Whether attach() found the maps pinned, with what an earlier lbd wrote.
    bool reused_maps() const { return reused_maps_; }
    int program_fd() const;
    int map_fd(const char* map_name) const;
    // The program's trace switch, in its memory (bpf/lib/trace.h); valid once loaded.
    xdplb_trace_control& trace_control();

private:
    ::xdplb_bpf* open_object() const;
    void prepare_attached_copy();
    void attach_one(const std::string& name);
    void attach_anew(Interface& interface);
    void replace(Interface& interface, const std::vector<std::uint32_t>& old_ids, bool legacy);
    bool runs_on_these_maps(std::uint32_t program_id) const;
    void detach_attached_anew();

    std::vector<char> object_bytes_;        // of object_file; empty: the built-in object
    ::xdplb_bpf* skeleton_ = nullptr;       // loaded first; owns the maps
    ::xdplb_bpf* attached_copy_ = nullptr;  // the same program on the same maps, loaded by libxdp
    xdp_program* xdp_program_ = nullptr;
    std::vector<Interface> interfaces_;
    std::vector<int> attached_anew_;  // ifindexes: what a failed attach() takes back
    bool reused_maps_ = false;
};

// Removes the data plane: detaches every xdplb program from the interfaces
// (other XDP programs stay) and unpins its maps, which the kernel then frees
// with the connections they track. Logs what it cannot remove.
void remove_data_plane(const std::vector<std::string>& interface_names, const Pins& pins);

}  // namespace xdplb::dataplane
