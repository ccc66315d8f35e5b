// The XDP program and its maps, loaded into the kernel and attached to lbd's
// interfaces through libxdp (so that other XDP programs can share them).
#pragma once

#include <cstdint>
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

class Program {
public:
    // Opens the embedded object and sizes the connection tables (the half-open
    // one by default_halfopen_size unless given); loads nothing yet.
    explicit Program(std::uint32_t conntrack_size, std::optional<std::uint32_t> halfopen_size = std::nullopt);
    ~Program();
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;

    // Loads the program (load_detached) and attaches it to every interface:
    // native mode, or generic mode with a warning where the driver has no
    // native XDP. On error whatever was attached is detached again.
    void attach(const std::vector<std::string>& interface_names);
    // Loads the program and creates its maps without attaching: what attach()
    // starts with, and all that BPF_PROG_TEST_RUN needs. Throws DataPlaneError
    // "cannot load the XDP program: ..." when the kernel refuses it.
    void load_detached();

    const std::vector<Interface>& interfaces() const { return interfaces_; }
    int program_fd() const;
    int map_fd(const char* map_name) const;
    // The program's trace switch, in its memory (bpf/lib/trace.h); valid once loaded.
    xdplb_trace_control& trace_control();

private:
    void prepare_attached_copy();
    void attach_one(const std::string& name);
    void detach_all();

    ::xdplb_bpf* skeleton_ = nullptr;       // loaded first; owns the maps
    ::xdplb_bpf* attached_copy_ = nullptr;  // the same program on the same maps, loaded by libxdp
    xdp_program* xdp_program_ = nullptr;
    std::vector<Interface> interfaces_;
};

}  // namespace xdplb::dataplane
