// xdplb-pktgen: a pktgen-style traffic generator on BPF_PROG_RUN's live-frame
// mode. The driver builds one template frame; pktgen.bpf.c gives each copy the
// next flow's source address and port and transmits it (XDP_TX) out of the
// interface, one thread per CPU, until a packet count or a duration is reached.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <sched.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "bench_values.hpp"
#include "pktgen_config.h"
#include "template_frame.hpp"

namespace {

namespace po = boost::program_options;
using namespace xdplb::bench;
using Clock = std::chrono::steady_clock;

constexpr const char* kSynopsis = R"(NAME
    xdplb-pktgen - send UDP or TCP frames of many flows at the highest rate XDP allows

SYNOPSIS
    xdplb-pktgen --iface IF --dst-mac MAC --dst-ip ADDR --dst-port PORT
                 [--proto udp|tcp] [--tcp-flags syn|ack] [--size BYTES]
                 [--flows N] [--src-ip ADDR] [--src-port PORT] [--ports-per-address N]
                 [--count N | --duration SECONDS] [--cpus N] [--batch N] [--json]

DESCRIPTION
    Runs an XDP program with BPF_PROG_RUN in live-frame mode
    (BPF_F_TEST_XDP_LIVE_FRAMES): the kernel feeds it copies of one template
    frame, the program rewrites the source address and port of each copy to
    those of the next flow, recomputes the IPv4 and UDP/TCP checksums, and
    transmits it out of IF. Flows take the ports from --src-port upwards of one
    source address, --ports-per-address of them, then the next address. Each
    CPU starts at its own share of the flows (CPU k at flow k x N / CPUs), so
    that every frame opens a new flow while each CPU sends fewer than that.

    Run it inside the network namespace of IF (ip netns exec). It needs root.
    Every address must lie in 198.18.0.0/15, the range reserved for
    benchmarks, so that nothing it sends can belong to a real network.

    Prints the frames sent, the seconds taken and the rate; with --json one
    object (sent, seconds, mpps). Frames the device could not take are not
    counted apart: count what arrives on the far side.

OPTIONS
)";

struct Options {
    std::string iface;
    FrameRecipe recipe;
    std::uint32_t flows = 1;
    std::uint32_t first_saddr = 0;
    std::uint16_t first_sport = 0;
    std::uint32_t ports_per_saddr = 0;
    std::optional<std::uint64_t> count;
    double duration = 0;
    unsigned cpus = 0;
    std::uint32_t batch = 0;
    bool json = false;
};

// Returns nothing when --help was asked for (the help is printed).
std::optional<Options> parse_options(int argc, char** argv) {
    long long flows, size, src_port, dst_port, ports_per_address, cpus, batch;
    long long count = 0;
    std::string proto, tcp_flags, dst_mac, dst_ip, src_ip;
    const unsigned online_cpus = std::max(1u, std::thread::hardware_concurrency());
    po::options_description described("");
    described.add_options()
        ("help", "Print this help and exit.")
        ("iface", po::value<std::string>()->value_name("IF"), "Interface to send from (required).")
        ("dst-mac", po::value<std::string>(&dst_mac)->value_name("MAC"), "Destination MAC: the next hop's, on IF (required).")
        ("dst-ip", po::value<std::string>(&dst_ip)->value_name("ADDR"), "Destination IPv4 address, e.g. the VIP (required).")
        ("dst-port", po::value<long long>(&dst_port)->value_name("PORT"), "Destination port (required).")
        ("proto", po::value<std::string>(&proto)->default_value("udp")->value_name("udp|tcp"), "Transport protocol.")
        ("tcp-flags", po::value<std::string>(&tcp_flags)->default_value("syn")->value_name("syn|ack"), "TCP only: send SYNs (new connections) or ACKs.")
        ("size", po::value<long long>(&size)->default_value(64)->value_name("BYTES"), "Frame size on the wire, FCS included: 64-1518.")
        ("flows", po::value<long long>(&flows)->default_value(1)->value_name("N"), "Number of distinct flows (source address and port), 1-16777216.")
        ("src-ip", po::value<std::string>(&src_ip)->default_value("198.19.0.1")->value_name("ADDR"), "Source address of the first flows.")
        ("src-port", po::value<long long>(&src_port)->default_value(1024)->value_name("PORT"), "Source port of the first flow of each address.")
        ("ports-per-address", po::value<long long>(&ports_per_address)->default_value(50000)->value_name("N"), "Flows per source address before the next address.")
        ("count", po::value<long long>(&count)->value_name("N"), "Send N frames, then stop.")
        ("duration", po::value<double>()->value_name("SECONDS"), "Send for this long, then stop (default 10 unless --count).")
        ("cpus", po::value<long long>(&cpus)->default_value(online_cpus)->value_name("N"), "Send from CPUs 0..N-1, one thread each.")
        ("batch", po::value<long long>(&batch)->default_value(64)->value_name("N"), "Frames the kernel sends per batch, 1-256.")
        ("json", "Print the result as JSON.");
    po::variables_map values;
    try {
        po::store(po::command_line_parser(argc, argv).options(described).run(), values);
        po::notify(values);
    } catch (const po::error& error) {
        throw UsageError(error.what());
    }
    if (values.count("help")) {
        std::cout << kSynopsis << described << "\n";
        return std::nullopt;
    }
    for (const char* required : {"iface", "dst-mac", "dst-ip", "dst-port"}) {
        if (!values.count(required)) throw UsageError(std::string("--") + required + " is required");
    }
    if (values.count("count") && values.count("duration")) throw UsageError("--count and --duration exclude each other");

    Options options;
    options.iface = values["iface"].as<std::string>();
    options.recipe.dst_mac = parse_mac("dst-mac", dst_mac);
    options.recipe.dst_ip = parse_bench_address("dst-ip", dst_ip);
    options.recipe.dst_port = in_range<std::uint16_t>("dst-port", dst_port, 1, 65535);
    if (proto != "udp" && proto != "tcp") throw UsageError("--proto must be udp or tcp, got '" + proto + "'");
    options.recipe.transport = proto == "udp" ? Transport::udp : Transport::tcp;
    if (tcp_flags != "syn" && tcp_flags != "ack") throw UsageError("--tcp-flags must be syn or ack, got '" + tcp_flags + "'");
    options.recipe.tcp_flags = tcp_flags == "syn" ? 0x02 : 0x10;
    options.recipe.frame_size = in_range<std::size_t>("size", size, kMinFrameSize, kMaxFrameSize);
    options.flows = in_range<std::uint32_t>("flows", flows, 1, 1 << 24);
    options.first_saddr = parse_bench_address("src-ip", src_ip);
    options.first_sport = in_range<std::uint16_t>("src-port", src_port, 1, 65535);
    options.ports_per_saddr = in_range<std::uint32_t>("ports-per-address", ports_per_address, 1, 65536 - options.first_sport);
    const std::uint32_t addresses = (options.flows + options.ports_per_saddr - 1) / options.ports_per_saddr;
    if (!in_bench_range(options.first_saddr + addresses - 1)) {
        throw UsageError("--flows " + std::to_string(flows) + " from --src-ip " + src_ip + " would leave 198.18.0.0/15");
    }
    if (values.count("count")) options.count = in_range<std::uint64_t>("count", count, 1, 1LL << 48);
    options.duration = values.count("duration") ? values["duration"].as<double>() : 10.0;
    if (!(options.duration > 0 && options.duration <= 86400)) throw UsageError("--duration must be 0-86400 seconds");
    options.cpus = in_range<unsigned>("cpus", cpus, 1, online_cpus);
    options.batch = in_range<std::uint32_t>("batch", batch, 1, 256);
    options.json = values.count("json") > 0;
    return options;
}

// Opens pktgen.bpf.c's object, gives it its configuration and loads it.
bpf_object* load_generator(const Options& options, const TemplateFrame& frame) {
    bpf_object* object = bpf_object__open_file(XDPLB_PKTGEN_PROGRAM, nullptr);
    if (object == nullptr) throw std::runtime_error(std::string("cannot open ") + XDPLB_PKTGEN_PROGRAM);
    pktgen_config config{};
    std::memcpy(config.headers, frame.bytes.data(), sizeof(config.headers));
    config.ip_partial_sum = frame.ip_partial_sum;
    config.l4_partial_sum = frame.l4_partial_sum;
    config.flows = options.flows;
    config.first_saddr = options.first_saddr;
    config.ports_per_saddr = options.ports_per_saddr;
    config.first_sport = options.first_sport;
    config.protocol = options.recipe.transport == Transport::udp ? IPPROTO_UDP : IPPROTO_TCP;
    bpf_map* map = nullptr;
    bool configured = false;
    bpf_object__for_each_map(map, object) {
        std::string name = bpf_map__name(map);
        if (name.size() >= 7 && name.compare(name.size() - 7, 7, ".rodata") == 0) {
            configured = bpf_map__set_initial_value(map, &config, sizeof(config)) == 0;
        }
    }
    if (!configured || bpf_object__load(object) != 0) {
        bpf_object__close(object);
        throw std::runtime_error(std::string("cannot configure and load ") + XDPLB_PKTGEN_PROGRAM);
    }
    return object;
}

// Each CPU's first flow: its own share of them, so that CPUs send different flows.
void spread_first_flows(bpf_object* object, const Options& options) {
    const int possible_cpus = libbpf_num_possible_cpus();
    if (possible_cpus <= 0) throw std::runtime_error("cannot count the possible CPUs");
    std::vector<std::uint64_t> first_flows(static_cast<std::size_t>(possible_cpus), 0);
    for (unsigned cpu = 0; cpu < options.cpus && cpu < first_flows.size(); ++cpu) {
        first_flows[cpu] = std::uint64_t{cpu} * (options.flows / options.cpus);
    }
    const bpf_map* next_flow = bpf_object__find_map_by_name(object, "next_flow");
    const std::uint32_t zero = 0;
    if (next_flow == nullptr || bpf_map__update_elem(next_flow, &zero, sizeof(zero), first_flows.data(),
                                                     first_flows.size() * sizeof(std::uint64_t), BPF_ANY) != 0) {
        throw std::runtime_error("cannot set the generator's first flows");
    }
}

struct SenderResult {
    std::uint64_t sent = 0;
    int error = 0;
};

// One sender: pinned to its CPU, runs the program on the template in calls of
// at most `chunk` frames until its share is sent or the deadline passes.
void send_on_cpu(unsigned cpu, int program_fd, int ifindex, const Options& options, const TemplateFrame& frame,
                 std::uint64_t share, Clock::time_point deadline, SenderResult& result) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) {
        result.error = errno;
        return;
    }
    // About 50 ms of frames per call at a few Mpps: short enough to stop on time.
    constexpr std::uint64_t kChunk = 1 << 17;
    xdp_md context{};
    context.data_end = static_cast<__u32>(frame.bytes.size());
    context.ingress_ifindex = static_cast<__u32>(ifindex);
    while (result.sent < share && Clock::now() < deadline) {
        const std::uint64_t frames = std::min(kChunk, share - result.sent);
        LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame.bytes.data(),
                    .data_size_in = static_cast<__u32>(frame.bytes.size()), .ctx_in = &context,
                    .ctx_size_in = sizeof(context), .repeat = static_cast<int>(frames),
                    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = options.batch);
        if (bpf_prog_test_run_opts(program_fd, &run) != 0) {
            result.error = errno;
            return;
        }
        result.sent += frames;
    }
}

int generate(const Options& options) {
    const int ifindex = static_cast<int>(if_nametoindex(options.iface.c_str()));
    if (ifindex == 0) throw std::runtime_error("no interface " + options.iface + " in this network namespace");
    FrameRecipe recipe = options.recipe;
    recipe.src_mac = interface_mac(options.iface);
    const TemplateFrame frame = build_template_frame(recipe);

    bpf_object* object = load_generator(options, frame);
    try {
        spread_first_flows(object, options);
    } catch (...) {
        bpf_object__close(object);
        throw;
    }
    const int program_fd = bpf_program__fd(bpf_object__next_program(object, nullptr));

    const std::uint64_t unlimited = ~std::uint64_t{0};
    const auto start = Clock::now();
    const auto deadline = options.count ? Clock::time_point::max()
                                        : start + std::chrono::duration_cast<Clock::duration>(
                                                      std::chrono::duration<double>(options.duration));
    std::vector<SenderResult> results(options.cpus);
    std::vector<std::thread> senders;
    for (unsigned cpu = 0; cpu < options.cpus; ++cpu) {
        std::uint64_t share = unlimited;
        if (options.count) share = *options.count / options.cpus + (cpu < *options.count % options.cpus ? 1 : 0);
        senders.emplace_back(send_on_cpu, cpu, program_fd, ifindex, std::cref(options), std::cref(frame), share,
                             deadline, std::ref(results[cpu]));
    }
    for (std::thread& sender : senders) sender.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    bpf_object__close(object);

    std::uint64_t sent = 0;
    for (const SenderResult& result : results) {
        if (result.error != 0) throw std::runtime_error(std::string("BPF_PROG_RUN (live frames): ") + std::strerror(result.error));
        sent += result.sent;
    }
    const double mpps = static_cast<double>(sent) / seconds / 1e6;
    if (options.json) {
        std::cout << nlohmann::json{{"sent", sent}, {"seconds", seconds}, {"mpps", mpps}}.dump() << "\n";
    } else {
        std::printf("sent %llu frames in %.3f s: %.3f Mpps\n", static_cast<unsigned long long>(sent), seconds, mpps);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::optional<Options> options = parse_options(argc, argv);
        return options ? generate(*options) : 0;
    } catch (const UsageError& error) {
        std::cerr << "xdplb-pktgen: " << error.what() << " (see --help)\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "xdplb-pktgen: " << error.what() << "\n";
        return 1;
    }
}
