// xdplb-progbench: nanoseconds per packet of the xdplb XDP program, measured by
// the kernel with BPF_PROG_TEST_RUN, over the empty program on the same frame.
//
// Cases, for IPv4 and IPv6: a packet that belongs to no farm; a packet of an
// established flow (DNAT, SNAT and DSR); the first packet of a new flow
// (selection by weight, round robin or hash, two table inserts, SNAT port
// claim; DSR: one insert). Every case runs under a harness (replay.bpf.c)
// that writes the case's frame back before each repetition, since the program
// rewrites what it forwards, and for new flows changes the source port each
// time; the same harness around the empty program is the baseline. Test runs
// do not execute the redirect itself, so the figures are the program's own
// cost. Prints a table, or JSON rows with --json (scenario, test, flows,
// value, unit), as the benchmark kit reads them. With --trace, every packet
// is traced (lbctl trace), and a thread of its own takes the events as lbd
// would; how many it took and how many the full ring lost is printed last.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "dataplane/map_writer.hpp"
#include "dataplane/program.hpp"
#include "dataplane/trace_events.hpp"
#include "dataplane_lab.hpp"
#include "frame.hpp"
#include "model/operations.hpp"
#include "replay_frame.h"

namespace {

using namespace xdplb;
using testing::Bytes;

constexpr int kRepeat = 1'000'000;
// New flows per round: each takes a source port of one client address.
constexpr int kNewFlowsPerRound = 20'000;
constexpr std::uint16_t kFirstNewFlowPort = 1024;
constexpr int kRounds = 5;

struct Result {
    std::string test;
    double ns_per_packet;
};

struct Timing {
    std::uint32_t ns_per_repetition;
    std::uint32_t verdict;  // of the last repetition
};

Timing run_repeated(int program_fd, const Bytes& frame, int ingress_ifindex, int repeat) {
    Bytes out(frame.size() + 256);
    xdp_md context{};
    context.data_end = static_cast<__u32>(frame.size());
    context.ingress_ifindex = static_cast<__u32>(ingress_ifindex);
    LIBBPF_OPTS(bpf_test_run_opts, options, .data_in = frame.data(), .data_out = out.data(),
                .data_size_in = static_cast<__u32>(frame.size()), .data_size_out = static_cast<__u32>(out.size()),
                .ctx_in = &context, .ctx_size_in = sizeof(context), .repeat = repeat);
    if (bpf_prog_test_run_opts(program_fd, &options) != 0) {
        throw std::runtime_error(std::string("BPF_PROG_TEST_RUN: ") + std::strerror(errno));
    }
    return {options.duration, options.retval};
}

void update_map(int map_fd, const void* value, const char* what) {
    const __u32 zero = 0;
    if (bpf_map_update_elem(map_fd, &zero, value, BPF_ANY) != 0) {
        throw std::runtime_error(std::string("cannot set the harness's ") + what + ": " + std::strerror(errno));
    }
}

// The harness (replay.bpf.c), loaded once; each case names the program under
// test and the frame to replay.
class Harness {
public:
    Harness() : object_(bpf_object__open_file(XDPLB_REPLAY_PROGRAM, nullptr)) {
        if (object_ == nullptr || bpf_object__load(object_) != 0) {
            throw std::runtime_error("cannot load the harness " XDPLB_REPLAY_PROGRAM);
        }
        fd_ = bpf_program__fd(bpf_object__next_program(object_, nullptr));
    }
    ~Harness() { bpf_object__close(object_); }
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    // The median over rounds of the per-repetition average: the frame of each
    // round replayed into `program_fd`, with a new source port each
    // repetition if new_flows.
    // Throws unless every round's verdict is `expected`: a case whose packets
    // took another path than its name says measures nothing.
    double median_ns(int program_fd, const std::function<Bytes(int round)>& frame_of_round, int ingress_ifindex,
                     bool new_flows, std::uint32_t expected) {
        update_map(map_fd("program_under_test"), &program_fd, "program under test");
        std::vector<std::uint32_t> rounds;
        for (int round = 0; round < kRounds; ++round) {
            const Bytes frame = frame_of_round(round);
            const replay_frame replay = replay_of(frame, new_flows);
            const __u32 repetitions = 0;
            update_map(map_fd("template_frame"), &replay, "frame");
            update_map(map_fd("repetitions"), &repetitions, "repetition count");
            const Timing timing = run_repeated(fd_, frame, ingress_ifindex, new_flows ? kNewFlowsPerRound : kRepeat);
            if (timing.verdict != expected) {
                throw std::runtime_error("verdict " + std::to_string(timing.verdict) + " where " +
                                         std::to_string(expected) + " was expected");
            }
            rounds.push_back(timing.ns_per_repetition);
        }
        std::sort(rounds.begin(), rounds.end());
        return rounds[kRounds / 2];
    }

    double median_ns(int program_fd, const Bytes& frame, int ingress_ifindex, std::uint32_t expected) {
        return median_ns(program_fd, [&](int) { return frame; }, ingress_ifindex, false, expected);
    }

private:
    int map_fd(const char* name) const {
        return bpf_map__fd(bpf_object__find_map_by_name(object_, name));
    }

    static bool is_ipv4(const Bytes& frame) { return frame[12] == 0x08 && frame[13] == 0x00; }

    static replay_frame replay_of(const Bytes& frame, bool new_flows) {
        if (frame.size() > REPLAY_FRAME_MAX) throw std::runtime_error("frame too long for the harness");
        replay_frame replay{};
        std::memcpy(replay.bytes, frame.data(), frame.size());
        const std::size_t l4 = is_ipv4(frame) ? 14 + 20 : 14 + 40;
        const std::uint8_t protocol = is_ipv4(frame) ? frame[14 + 9] : frame[14 + 6];
        replay.new_flow_each_run = new_flows;
        replay.first_source_port = kFirstNewFlowPort;
        replay.source_port_offset = static_cast<__u32>(l4);
        replay.l4_check_offset = static_cast<__u32>(l4 + (protocol == testing::kTcp ? 16 : 6));
        return replay;
    }

    bpf_object* object_;
    int fd_ = -1;
};

testing::FrameSpec client_syn(const testing::Family& family, std::uint16_t dport, std::uint16_t sport) {
    testing::FrameSpec spec;
    spec.src_mac = testing::kClientMac;
    spec.dst_mac = testing::kEth0Mac;
    spec.src_ip = family.client;
    spec.dst_ip = family.vip;
    spec.sport = sport;
    spec.dport = dport;
    return spec;
}

struct BenchFarm {
    const char* name;
    model::Mode mode;
    std::uint16_t port;
    model::Scheduler scheduler;
};

// The farms on the VIP of each family, by port.
constexpr std::array<BenchFarm, 5> kBenchFarms{{
    {"DNAT", model::Mode::dnat, 80, model::Scheduler::weight},
    {"SNAT", model::Mode::snat, 81, model::Scheduler::weight},
    {"DSR", model::Mode::dsr, 82, model::Scheduler::weight},
    {"DNAT rr", model::Mode::dnat, 83, model::Scheduler::rr},
    {"DNAT hash", model::Mode::dnat, 84, model::Scheduler::hash},
}};

model::Config bench_config() {
    model::Config config;
    for (const testing::Family* family : {&testing::kIpv4, &testing::kIpv6}) {
        for (auto [name, mode, port, scheduler] : kBenchFarms) {
            model::Farm farm;
            farm.name = std::string(family->name) + "-" + std::to_string(port);
            farm.vip = *IpAddress::parse(family->vip);
            farm.port = port;
            farm.mode = mode;
            farm.scheduler = scheduler;
            for (auto [backend_name, ip] : {std::pair{"b1", family->backend1}, std::pair{"b2", family->backend2}}) {
                model::Backend backend;
                backend.name = backend_name;
                backend.ip = *IpAddress::parse(ip);
                farm.backends.push_back(backend);
            }
            config.farms.push_back(farm);
        }
    }
    return model::with_ids_assigned(config);
}

// The backend's SYN-ACK to a SYN as the program forwarded it.
testing::FrameSpec syn_ack_to(const Bytes& forwarded_syn) {
    testing::FrameSpec spec;
    spec.src_mac = testing::kBackend1Mac;
    spec.dst_mac = testing::kEth1Mac;
    spec.src_ip = testing::destination_address_of(forwarded_syn);
    spec.dst_ip = testing::source_address_of(forwarded_syn);
    spec.sport = testing::destination_port_of(forwarded_syn);
    spec.dport = testing::source_port_of(forwarded_syn);
    spec.tcp_flags = testing::kSyn | testing::kAck;
    return spec;
}

// Established flow: a whole handshake through the program (which confirms the
// connection at the client's ACK), then the client's ACKs are timed.
double established_ns(Harness& harness, int program_fd, const testing::DataPlaneLab& lab,
                      const testing::Family& family, std::uint16_t dport) {
    testing::FrameSpec spec = client_syn(family, dport, 50000);
    testing::TestRun syn = testing::run_program(program_fd, testing::build_frame(spec), lab.eth0());
    testing::run_program(program_fd, testing::build_frame(syn_ack_to(syn.frame)), lab.eth1());
    spec.tcp_flags = testing::kAck;
    return harness.median_ns(program_fd, testing::build_frame(spec), lab.eth0(), XDP_REDIRECT);
}

// New flows: each SYN has a tuple never seen before. Each round takes a client
// address of its own, and no two cases share one.
double new_flow_ns(Harness& harness, int program_fd, int eth0, const testing::Family& family,
                   std::uint16_t dport) {
    const std::string client = family.client;
    const std::string prefix = client.substr(0, client.find_last_of(".:") + 1);
    return harness.median_ns(
        program_fd,
        [&](int round) {
            testing::FrameSpec spec = client_syn(family, dport, kFirstNewFlowPort);
            spec.src_ip = prefix + std::to_string(2 + (dport - 80) * kRounds + round);
            return testing::build_frame(spec);
        },
        eth0, true, XDP_REDIRECT);
}

// Takes the trace's events while the cases run, as lbd's loop would.
class TraceDrain {
public:
    explicit TraceDrain(dataplane::Program& program)
        : events_(program, [this](const xdplb_trace_event&) { ++taken_; }) {
        events_.start(0);
        thread_ = std::thread([this] {
            while (!stop_) events_.consume(1024);
        });
    }
    ~TraceDrain() {
        stop_ = true;
        thread_.join();
        std::fprintf(stderr, "trace: %llu events taken, %llu lost to a full ring\n",
                     static_cast<unsigned long long>(taken_), static_cast<unsigned long long>(events_.lost()));
    }

private:
    dataplane::TraceEvents events_;
    std::uint64_t taken_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

std::vector<Result> measure(bool trace) {
    testing::DataPlaneLab lab;
    // Every new flow stays half-open: two entries per NAT flow, one per DSR
    // flow, so that no case pays for evictions.
    dataplane::Program program(4096, 2 * kRounds * kNewFlowsPerRound * 2 * kBenchFarms.size());
    program.load_detached();
    for (int ifindex : {lab.eth0(), lab.eth1()}) {
        __u32 key = static_cast<__u32>(ifindex);
        bpf_map_update_elem(program.map_fd("tx_ports"), &key, &key, BPF_ANY);
    }
    dataplane::MapWriter writer(program);
    writer.write_settings({.snat_ports = {1024, 65535}});
    writer.apply({}, bench_config());
    std::optional<TraceDrain> drain;
    if (trace) drain.emplace(program);

    bpf_object* empty = bpf_object__open_file(XDPLB_EMPTY_PROGRAM, nullptr);
    if (empty == nullptr || bpf_object__load(empty) != 0) throw std::runtime_error("cannot load the empty program");
    int empty_fd = bpf_program__fd(bpf_object__next_program(empty, nullptr));

    Harness harness;
    const int fd = program.program_fd();
    const int eth0 = lab.eth0();
    Bytes not_ours = testing::build_frame(client_syn(testing::kIpv4, 22, 50000));
    const double baseline = harness.median_ns(empty_fd, not_ours, eth0, XDP_PASS);
    std::vector<Result> results = {{"empty program, with the harness", baseline}};
    auto over_empty = [&](const std::string& test, double ns) { results.push_back({test + ", over the empty program", ns - baseline}); };
    for (const testing::Family* family : {&testing::kIpv4, &testing::kIpv6}) {
        const std::string name = family->name;
        Bytes no_farm = testing::build_frame(client_syn(*family, 22, 50000));
        over_empty(name + " no farm (pass)", harness.median_ns(fd, no_farm, eth0, XDP_PASS));
        for (const BenchFarm& farm : kBenchFarms) {
            if (farm.scheduler == model::Scheduler::weight) {
                over_empty(name + " established flow, " + farm.name, established_ns(harness, fd, lab, *family, farm.port));
            }
            over_empty(name + " new flow, " + farm.name, new_flow_ns(harness, fd, eth0, *family, farm.port));
        }
    }
    bpf_object__close(empty);
    return results;
}

}  // namespace

int main(int argc, char** argv) {
    bool json = false;
    bool trace = false;
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        json = json || argument == "--json";
        trace = trace || argument == "--trace";
        if (argument != "--json" && argument != "--trace") {
            std::cout << "usage: xdplb-progbench [--json] [--trace]\n"
                         "Measures ns/packet of the xdplb XDP program with BPF_PROG_TEST_RUN (needs root);\n"
                         "with --trace, while every packet is traced.\n";
            return argument == "--help" ? 0 : 2;
        }
    }
    try {
        std::vector<Result> results = measure(trace);
        if (json) {
            nlohmann::json rows = nlohmann::json::array();
            for (const Result& r : results) {
                rows.push_back({{"scenario", "xdplb"}, {"test", "prog_run " + r.test}, {"flows", 1},
                                {"value", r.ns_per_packet}, {"unit", "ns/packet"}});
            }
            std::cout << rows.dump(2) << "\n";
        } else {
            for (const Result& r : results) std::printf("%-58s %8.1f ns/packet\n", r.test.c_str(), r.ns_per_packet);
        }
    } catch (const std::exception& error) {
        std::cerr << "xdplb-progbench: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
