// The fixture of every data-plane test: the real XDP program, freshly loaded
// for each test, configured through the real MapWriter, and run on exact
// frames with BPF_PROG_TEST_RUN inside the private lab namespace.
#pragma once

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <memory>
#include <string>

#include "dataplane/counters.hpp"
#include "dataplane/map_writer.hpp"
#include "dataplane/program.hpp"
#include "dataplane_lab.hpp"
#include "frame.hpp"
#include "model/farm.hpp"

namespace xdplb::testing {

class DataPlaneTest : public ::testing::Test {
public:
    // Loads `program` detached, free to redirect to the lab's interfaces.
    static void load_in_lab(dataplane::Program& program);

protected:
    void SetUp() override;

    // Writes `config` (ids are assigned here) into the program's maps.
    void configure(model::Config config);
    void set_settings(const dataplane::Settings& settings);
    void set_snat_ports(std::uint16_t min, std::uint16_t max);

    TestRun run_from_client(const Bytes& frame) { return run_program(program_->program_fd(), frame, lab().eth0()); }
    TestRun run_from_backends(const Bytes& frame) { return run_program(program_->program_fd(), frame, lab().eth1()); }
    std::uint64_t reason_count(const std::string& name) const;

    static DataPlaneLab& lab();

    std::unique_ptr<dataplane::Program> program_;
    std::unique_ptr<dataplane::MapWriter> writer_;
    std::unique_ptr<dataplane::CountersReader> counters_;
    model::Config config_;
};

// A frame from the client (of the destination's family) to a destination, as it arrives on eth0.
FrameSpec from_client(const std::string& dst_ip, std::uint16_t sport, std::uint16_t dport, std::uint8_t proto = kTcp);
// A TCP frame from backend 1 (of the destination's family), as it arrives on eth1.
FrameSpec from_backend1(std::uint16_t sport, const std::string& dst_ip, std::uint16_t dport, std::uint8_t tcp_flags);

// `spec` as the program sends it on: out of the interface with `out_mac` to
// `next_hop_mac`, one hop less. The caller sets the rewritten tuple.
FrameSpec forwarded(FrameSpec spec, const Mac& out_mac, const Mac& next_hop_mac);
// `spec` forwarded to backend 1 (of its family) on `dport`, source unchanged.
FrameSpec to_backend1(FrameSpec spec, std::uint16_t dport);

model::Farm farm(const std::string& name, model::Mode mode, std::uint16_t port,
                 model::Protocol proto = model::Protocol::tcp, const Family& family = kIpv4);
model::Backend backend(const std::string& name, const std::string& ip, std::optional<std::uint16_t> port,
                       std::uint32_t weight = 1);

// A fixture run once per address family.
class PerFamily : public DataPlaneTest, public ::testing::WithParamInterface<Family> {
protected:
    const Family& family() const { return GetParam(); }

    // The farm "web": TCP port 80 of the family's VIP, one backend, b1 on port 8080.
    model::Farm web_farm(model::Mode mode) const {
        model::Farm web = farm("web", mode, 80, model::Protocol::tcp, family());
        web.backends = {backend("b1", family().backend1, 8080)};
        return web;
    }
};

inline std::string family_name(const ::testing::TestParamInfo<Family>& info) { return info.param.name; }
inline void PrintTo(const Family& family, std::ostream* out) { *out << family.name; }

#define XDPLB_FOR_EACH_FAMILY(suite) \
    INSTANTIATE_TEST_SUITE_P(, suite, ::testing::Values(kIpv4, kIpv6), family_name)

// How many keys a map holds.
template <class Key>
std::size_t keys_in(int map_fd) {
    Key key{};
    Key next{};
    std::size_t count = 0;
    for (void* at = nullptr; bpf_map_get_next_key(map_fd, at, &next) == 0; at = &key) {
        key = next;
        ++count;
    }
    return count;
}

// Compares verdict and bytes, printing a hex dump of both frames on mismatch.
void expect_frame(const TestRun& actual, int verdict, const Bytes& expected);

}  // namespace xdplb::testing
