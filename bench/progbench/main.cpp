// xdplb-progbench: nanoseconds per packet of the xdplb XDP program, measured by
// the kernel with BPF_PROG_TEST_RUN, against the empty program on the same frame.
//
// Cases, for IPv4 and IPv6: a packet that belongs to no farm; a packet of an
// established flow (DNAT, SNAT and DSR); the first packet of a new flow
// (selection by weight, round robin or hash, two table inserts, SNAT port
// claim; DSR: one insert). Cases whose frame must be fresh for each run are
// timed one run at a time, against the empty program timed the same way. Test
// runs do not execute the redirect itself, so the figures are the program's
// own cost. Prints a table, or JSON rows with --json (scenario, test, flows,
// value, unit), as the benchmark kit reads them.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dataplane/map_writer.hpp"
#include "dataplane/program.hpp"
#include "dataplane_lab.hpp"
#include "frame.hpp"
#include "model/operations.hpp"

namespace {

using namespace xdplb;
using testing::Bytes;

constexpr int kRepeat = 1'000'000;
constexpr int kNewFlows = 100000;
constexpr int kRounds = 5;

struct Result {
    std::string test;
    double ns_per_packet;
};

std::uint32_t run_repeated(int program_fd, const Bytes& frame, int ingress_ifindex, int repeat) {
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
    return options.duration;
}

// The median over rounds of the kernel's per-repetition average.
double median_ns(int program_fd, const Bytes& frame, int ingress_ifindex) {
    std::vector<std::uint32_t> rounds;
    for (int i = 0; i < kRounds; ++i) rounds.push_back(run_repeated(program_fd, frame, ingress_ifindex, kRepeat));
    std::sort(rounds.begin(), rounds.end());
    return rounds[kRounds / 2];
}

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

double single_run_ns(int program_fd, int eth0, const Bytes& frame) {
    std::uint64_t total = 0;
    for (int i = 0; i < kNewFlows; ++i) total += run_repeated(program_fd, frame, eth0, 1);
    return static_cast<double>(total) / kNewFlows;
}

// Established flow: a whole handshake through the program (which confirms the
// connection at the client's ACK), then time the client's ACKs. Single runs:
// repetitions of one run would see the frame as the previous one rewrote it,
// which no flow matches.
double established_ns(int program_fd, const testing::DataPlaneLab& lab, const testing::Family& family,
                      std::uint16_t dport) {
    testing::FrameSpec spec = client_syn(family, dport, 50000);
    testing::TestRun syn = testing::run_program(program_fd, testing::build_frame(spec), lab.eth0());
    testing::run_program(program_fd, testing::build_frame(syn_ack_to(syn.frame)), lab.eth1());
    spec.tcp_flags = testing::kAck;
    return single_run_ns(program_fd, lab.eth0(), testing::build_frame(spec));
}

// The address of the client's family that differs from it in its last byte.
std::string client_number(const testing::Family& family, int n) {
    std::string client = family.client;
    return client.substr(0, client.find_last_of(".:") + 1) + std::to_string(n);
}

// New flows: each SYN has a tuple never seen before, so each run is timed alone.
double new_flow_ns(int program_fd, int eth0, const testing::Family& family, std::uint16_t dport) {
    std::uint64_t total = 0;
    for (int i = 0; i < kNewFlows; ++i) {
        testing::FrameSpec spec = client_syn(family, dport, static_cast<std::uint16_t>(1024 + i % 60000));
        spec.src_ip = client_number(family, 2 + i / 60000);
        total += run_repeated(program_fd, testing::build_frame(spec), eth0, 1);
    }
    return static_cast<double>(total) / kNewFlows;
}

std::vector<Result> measure() {
    testing::DataPlaneLab lab;
    // Every new flow stays half-open: two entries per NAT flow, one per DSR
    // flow, so that no case pays for evictions.
    dataplane::Program program(4096, 20 * kNewFlows);
    program.load_detached();
    for (int ifindex : {lab.eth0(), lab.eth1()}) {
        __u32 key = static_cast<__u32>(ifindex);
        bpf_map_update_elem(program.map_fd("tx_ports"), &key, &key, BPF_ANY);
    }
    dataplane::MapWriter writer(program);
    writer.write_settings({.snat_ports = {1024, 65535}});
    writer.apply({}, bench_config());

    bpf_object* empty = bpf_object__open_file(XDPLB_EMPTY_PROGRAM, nullptr);
    if (empty == nullptr || bpf_object__load(empty) != 0) throw std::runtime_error("cannot load the empty program");
    int empty_fd = bpf_program__fd(bpf_object__next_program(empty, nullptr));

    const int fd = program.program_fd();
    const int eth0 = lab.eth0();
    Bytes not_ours = testing::build_frame(client_syn(testing::kIpv4, 22, 50000));
    std::vector<Result> results = {
        {"empty program", median_ns(empty_fd, not_ours, eth0)},
        {"empty program, single runs", single_run_ns(empty_fd, eth0, not_ours)},
    };
    for (const testing::Family* family : {&testing::kIpv4, &testing::kIpv6}) {
        const std::string name = family->name;
        Bytes no_farm = testing::build_frame(client_syn(*family, 22, 50000));
        results.push_back({name + " no farm (pass)", median_ns(fd, no_farm, eth0)});
        results.push_back({name + " no farm (pass), single runs", single_run_ns(fd, eth0, no_farm)});
        for (const BenchFarm& farm : kBenchFarms) {
            if (farm.scheduler == model::Scheduler::weight) {
                results.push_back({name + " established flow, " + farm.name + ", single runs",
                                   established_ns(fd, lab, *family, farm.port)});
            }
            results.push_back({name + " new flow, " + farm.name + ", single runs", new_flow_ns(fd, eth0, *family, farm.port)});
        }
    }
    bpf_object__close(empty);
    return results;
}

}  // namespace

int main(int argc, char** argv) {
    bool json = argc > 1 && std::string(argv[1]) == "--json";
    if (argc > 1 && !json) {
        std::cout << "usage: xdplb-progbench [--json]\n"
                     "Measures ns/packet of the xdplb XDP program with BPF_PROG_TEST_RUN (needs root).\n";
        return std::string(argv[1]) == "--help" ? 0 : 2;
    }
    try {
        std::vector<Result> results = measure();
        if (json) {
            nlohmann::json rows = nlohmann::json::array();
            for (const Result& r : results) {
                rows.push_back({{"scenario", "xdplb"}, {"test", "prog_run " + r.test}, {"flows", 1},
                                {"value", r.ns_per_packet}, {"unit", "ns/packet"}});
            }
            std::cout << rows.dump(2) << "\n";
        } else {
            for (const Result& r : results) std::printf("%-44s %8.1f ns/packet\n", r.test.c_str(), r.ns_per_packet);
        }
    } catch (const std::exception& error) {
        std::cerr << "xdplb-progbench: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
