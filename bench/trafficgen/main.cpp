// xdplb-trafficgen: a TRex-style traffic generator on AF_XDP. `send` paces UDP
// frames open-loop at a set rate; `receive`, on the far side of the bench,
// counts what arrived and how late. One binary for both roles: they share
// the probe format and the frame layout, which must never differ between them.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <random>
#include <string>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "bench_values.hpp"
#include "clock.hpp"
#include "pacing.hpp"
#include "receiver.hpp"
#include "sender.hpp"

namespace {

namespace po = boost::program_options;
using namespace xdplb::bench;

constexpr const char* kManual = R"(NAME
    xdplb-trafficgen - open-loop UDP traffic on AF_XDP, with loss and latency measured on the far side

SYNOPSIS
    xdplb-trafficgen send --iface IF --dst-mac MAC --dst-ip ADDR --dst-port PORT --rate PPS
                          [--duration SECONDS | --count N] [--flows N] [--src-ip ADDR]
                          [--src-port PORT] [--ports-per-address N] [--size BYTES]
                          [--run-id N] [--batch N] [--json]
    xdplb-trafficgen receive --iface IF --run-id N [--timeout SECONDS] [--ready-file PATH] [--json]
    xdplb-trafficgen [send|receive] --help

DESCRIPTION
    send opens an AF_XDP socket in copy mode on queue 0 of IF and sends UDP
    frames to ADDR:PORT through the next hop MAC, open loop: frame n leaves
    n / PPS seconds after the start, whether or not the frames before it got
    through. A frame's send time is taken as it is handed to the kernel, which
    in copy mode carries it through the path of the bench within the sendto
    call, so frames go one by one (--batch 1) unless --batch says otherwise.
    A run by --duration stops at its end even when the sender fell behind;
    a run by --count sends every frame.

    Flows take the ports from --src-port upwards of one source address,
    --ports-per-address of them, then the next address. Each frame's payload
    carries a probe: the run id, its sequence number and its send time
    (CLOCK_MONOTONIC, in ns). IPv4 and UDP checksums are complete. After the
    last frame, it sends end markers that tell the receiver how many frames
    the run holds. It prints the frames sent, the time taken and the rate
    achieved, which is lower than PPS when the path pushed back.

    receive attaches its XDP program (xsk_receiver.bpf.o) to IF in native mode,
    which IF must not have one already, hands every IPv4 UDP frame of queue 0 to
    an AF_XDP socket and passes the rest to the kernel. It reads the probes of
    run N, ignoring any other (counted as foreign), until 100 ms after the run's
    end marker, --timeout, or SIGINT/SIGTERM. It prints frames sent, received
    (each sequence number once), lost, duplicated and reordered (arrived after a
    higher number), the loss in percent, frames its own rings had no room for
    (of any run: a loss they explain is the bench's), and the latency
    percentiles p50, p90,
    p99, p99.9 and the maximum, in microseconds: receive time minus send time,
    one sample per sequence number, exact to 1 %. Start it first: --ready-file
    is created once frames can arrive. It exits 1 if no end marker came.
    It spins on its ring while frames flow (a wake-up would add microseconds
    to every latency) and sleeps in poll() after 1 ms without any. On a busy
    machine, run it at a real-time priority (chrt -f 20 xdplb-trafficgen
    receive ...), or the other tasks' time slices add milliseconds to the
    latencies; send too (below the receiver's), or its share of the CPU
    bounds the rate.

    Run each role inside the network namespace of its IF (ip netns exec), as
    root; sender and receiver must be on one host, whose clock they share.
    Addresses must lie in 198.18.0.0/15, the range reserved for benchmarks.

EXIT STATUS
    0 done, 1 failure (or no end marker), 2 bad command line.

)";

po::options_description send_options(long long& flows, long long& src_port, long long& ports_per_address,
                                     long long& size, long long& batch) {
    po::options_description options("send options");
    options.add_options()
        ("iface", po::value<std::string>()->value_name("IF"), "Interface to send from (required).")
        ("dst-mac", po::value<std::string>()->value_name("MAC"), "Destination MAC: the next hop's, on IF (required).")
        ("dst-ip", po::value<std::string>()->value_name("ADDR"), "Destination IPv4 address, e.g. the VIP (required).")
        ("dst-port", po::value<long long>()->value_name("PORT"), "Destination UDP port (required).")
        ("rate", po::value<double>()->value_name("PPS"), "Frames per second, e.g. 500000 or 5e5 (required).")
        ("duration", po::value<double>()->value_name("SECONDS"), "Send for this long (default 10 unless --count).")
        ("count", po::value<long long>()->value_name("N"), "Send N frames.")
        ("flows", po::value<long long>(&flows)->default_value(1)->value_name("N"), "Number of distinct flows (source address and port), 1-16777216.")
        ("src-ip", po::value<std::string>()->default_value("198.19.0.1")->value_name("ADDR"), "Source address of the first flows.")
        ("src-port", po::value<long long>(&src_port)->default_value(1024)->value_name("PORT"), "Source port of the first flow of each address.")
        ("ports-per-address", po::value<long long>(&ports_per_address)->default_value(50000)->value_name("N"), "Flows per source address before the next address.")
        ("size", po::value<long long>(&size)->default_value(64)->value_name("BYTES"), "Frame size on the wire, FCS included: 64-1518.")
        ("run-id", po::value<long long>()->value_name("N"), "Run id the probes carry, 0-4294967295 (default random).")
        ("batch", po::value<long long>(&batch)->default_value(1)->value_name("N"), "Most frames handed to the kernel at once when late, 1-2048. More reach higher rates, but a batch's frames share one send time, so each one's latency includes the transmission of those before it.");
    return options;
}

po::options_description receive_options() {
    po::options_description options("receive options");
    options.add_options()
        ("iface", po::value<std::string>()->value_name("IF"), "Interface to receive on (required).")
        ("run-id", po::value<long long>()->value_name("N"), "Run whose probes to read (required).")
        ("timeout", po::value<double>()->default_value(60)->value_name("SECONDS"), "Give up this long after the start.")
        ("ready-file", po::value<std::string>()->value_name("PATH"), "Create PATH once frames can arrive.");
    return options;
}

po::options_description common_options() {
    po::options_description options("common options");
    options.add_options()("json", "Print the result as one JSON object.")("help", "Print this manual and exit.");
    return options;
}

po::variables_map parse(int argc, char** argv, const po::options_description& options) {
    po::variables_map values;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), values);
        po::notify(values);
    } catch (const po::error& error) {
        throw UsageError(error.what());
    }
    return values;
}

void require(const po::variables_map& values, std::initializer_list<const char*> names) {
    for (const char* name : names) {
        if (!values.count(name)) throw UsageError(std::string("--") + name + " is required");
    }
}

std::uint32_t run_id_of(const po::variables_map& values) {
    if (values.count("run-id")) return in_range<std::uint32_t>("run-id", values["run-id"].as<long long>(), 0, UINT32_MAX);
    return std::random_device{}();
}

std::atomic<bool> g_stop{false};

void install_stop_handler() {
    struct sigaction action{};
    action.sa_handler = [](int) { g_stop.store(true); };
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

void print_manual() {
    long long unused;
    std::cout << kManual << "OPTIONS\n"
              << send_options(unused, unused, unused, unused, unused) << "\n"
              << receive_options() << "\n"
              << common_options() << "\n";
}

int run_send(int argc, char** argv) {
    long long flows, src_port, ports_per_address, size, batch;
    po::options_description options = send_options(flows, src_port, ports_per_address, size, batch);
    options.add(common_options());
    const po::variables_map values = parse(argc, argv, options);
    if (values.count("help")) {
        print_manual();
        return 0;
    }
    require(values, {"iface", "dst-mac", "dst-ip", "dst-port", "rate"});
    if (values.count("count") && values.count("duration")) throw UsageError("--count and --duration exclude each other");

    SendOptions send;
    send.iface = values["iface"].as<std::string>();
    send.destination.dst_mac = parse_mac("dst-mac", values["dst-mac"].as<std::string>());
    send.destination.dst_ip = parse_bench_address("dst-ip", values["dst-ip"].as<std::string>());
    send.destination.dst_port = in_range<std::uint16_t>("dst-port", values["dst-port"].as<long long>(), 1, 65535);
    send.rate = values["rate"].as<double>();
    if (!(send.rate >= 1 && send.rate <= 1e8)) throw UsageError("--rate must be 1-100000000 frames per second");
    if (values.count("count")) {
        send.frames = in_range<std::uint64_t>("count", values["count"].as<long long>(), 1, kMaxRunFrames);
    } else {
        const double duration = values.count("duration") ? values["duration"].as<double>() : 10.0;
        if (!(duration > 0 && duration <= 86400)) throw UsageError("--duration must be 0-86400 seconds");
        send.frames = frames_for_duration(send.rate, duration);
        if (send.frames > kMaxRunFrames) {
            throw UsageError("--rate × --duration must stay within " + std::to_string(kMaxRunFrames) + " frames");
        }
        send.deadline_ns = static_cast<std::uint64_t>(duration * 1e9);
    }
    send.flows = in_range<std::uint32_t>("flows", flows, 1, 1 << 24);
    send.first_saddr = parse_bench_address("src-ip", values["src-ip"].as<std::string>());
    send.first_sport = in_range<std::uint16_t>("src-port", src_port, 1, 65535);
    send.ports_per_saddr = in_range<std::uint32_t>("ports-per-address", ports_per_address, 1, 65536 - send.first_sport);
    if (!in_bench_range(send.first_saddr + (send.flows - 1) / send.ports_per_saddr)) {
        throw UsageError("--flows " + std::to_string(flows) + " from --src-ip would leave 198.18.0.0/15");
    }
    send.frame_size = in_range<std::size_t>("size", size, kMinUdpFrameSize, kMaxUdpFrameSize);
    send.run_id = run_id_of(values);
    send.batch = in_range<std::uint32_t>("batch", batch, 1, 2048);
    send.destination.src_mac = interface_mac(send.iface);

    install_stop_handler();
    const SendResult result = send_frames(send, g_stop);
    if (values.count("json")) {
        std::cout << nlohmann::json{{"run_id", send.run_id},        {"sent", result.sent},
                                    {"seconds", result.seconds},     {"offered_pps", send.rate},
                                    {"achieved_pps", result.achieved_pps}}
                         .dump()
                  << "\n";
    } else {
        std::printf("run %u: sent %llu frames in %.3f s: %.0f frames/s (asked %.0f)\n", send.run_id,
                    static_cast<unsigned long long>(result.sent), result.seconds, result.achieved_pps, send.rate);
    }
    return 0;
}

nlohmann::json report_json(std::uint32_t run_id, const ReceiveReport& report) {
    const SequenceTracker& sequences = report.sequences;
    nlohmann::json latency = nlohmann::json::object();
    const std::pair<const char*, double> percentiles[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}};
    for (const auto& [name, percent] : percentiles) {
        if (auto ns = report.latency.percentile_ns(percent)) latency[name] = *ns / 1e3;
    }
    if (auto ns = report.latency.max_ns()) latency["max"] = static_cast<double>(*ns) / 1e3;
    if (auto ns = report.latency.min_ns()) latency["min"] = static_cast<double>(*ns) / 1e3;
    nlohmann::json result{{"run_id", run_id},
                          {"received", sequences.unique()},
                          {"duplicated", sequences.duplicated()},
                          {"reordered", sequences.reordered()},
                          {"foreign", report.foreign},
                          {"receiver_dropped", report.receiver_dropped},
                          {"latency_us", latency}};
    if (report.sent) {
        const std::uint64_t lost = sequences.missing_below(*report.sent);
        result["sent"] = *report.sent;
        result["lost"] = lost;
        result["loss_percent"] = *report.sent ? 100.0 * static_cast<double>(lost) / static_cast<double>(*report.sent) : 0.0;
    } else {
        result["sent"] = nullptr;
    }
    return result;
}

void print_report_text(std::uint32_t run_id, const nlohmann::json& result) {
    std::printf("run %u: received %llu, duplicated %llu, reordered %llu, foreign %llu, dropped by the receiver %llu\n",
                run_id, result["received"].get<unsigned long long>(), result["duplicated"].get<unsigned long long>(),
                result["reordered"].get<unsigned long long>(), result["foreign"].get<unsigned long long>(),
                result["receiver_dropped"].get<unsigned long long>());
    if (!result["sent"].is_null()) {
        std::printf("sent %llu, lost %llu (%.4f %%)\n", result["sent"].get<unsigned long long>(),
                    result["lost"].get<unsigned long long>(), result["loss_percent"].get<double>());
    }
    for (const auto& [name, value] : result["latency_us"].items()) std::printf("latency %s %.1f us\n", name.c_str(), value.get<double>());
}

int run_receive(int argc, char** argv) {
    po::options_description options = receive_options();
    options.add(common_options());
    const po::variables_map values = parse(argc, argv, options);
    if (values.count("help")) {
        print_manual();
        return 0;
    }
    require(values, {"iface", "run-id"});
    ReceiveOptions receive;
    receive.iface = values["iface"].as<std::string>();
    receive.run_id = run_id_of(values);
    receive.timeout_seconds = values["timeout"].as<double>();
    if (!(receive.timeout_seconds > 0 && receive.timeout_seconds <= 86400)) throw UsageError("--timeout must be 0-86400 seconds");
    if (values.count("ready-file")) receive.ready_file = values["ready-file"].as<std::string>();

    install_stop_handler();
    const ReceiveReport report = receive_frames(receive, g_stop);
    const nlohmann::json result = report_json(receive.run_id, report);
    if (values.count("json")) {
        std::cout << result.dump() << "\n";
    } else {
        print_report_text(receive.run_id, result);
    }
    if (!report.sent) {
        std::cerr << "xdplb-trafficgen: no end marker of run " << receive.run_id << " arrived\n";
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string role = argc > 1 ? argv[1] : "";
        if (role == "send") return run_send(argc - 1, argv + 1);
        if (role == "receive") return run_receive(argc - 1, argv + 1);
        if (role == "--help" || role == "-h") {
            print_manual();
            return 0;
        }
        throw UsageError(role.empty() ? "a role is required: send or receive" : "unknown role '" + role + "': send or receive");
    } catch (const UsageError& error) {
        std::cerr << "xdplb-trafficgen: " << error.what() << " (see --help)\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "xdplb-trafficgen: " << error.what() << "\n";
        return 1;
    }
}
