// xdplb-upkeepbench: what lbd's connection-table upkeep costs on a full
// table. Fills the loaded program's conntrack with ENTRIES entries (default
// one million: half toward backends, half back to clients, one in ten
// stale), then times one whole walk the way lbd takes it (chunks of
// kUpkeepChunk), its longest chunk, and a listing of every entry (what
// `lbctl sessions` reads). Prints a table, or JSON rows with --json.
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/upkeep.hpp"
#include "dataplane/program.hpp"
#include "dataplane/session_table.hpp"

namespace {

using namespace xdplb;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kFillBatch = 10000;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Entry i: a connection's TO_BACKEND half for even i, a TO_CLIENT half for odd i.
void fill(int fd, std::uint32_t count, const dataplane::Settings& settings) {
    const std::uint64_t now = dataplane::data_plane_clock_ns();
    const std::uint64_t stale_age = (std::uint64_t{settings.tcp_timeout_s} + 1) * 1'000'000'000;
    std::vector<xdplb_flow_key> keys;
    std::vector<xdplb_flow> values;
    for (std::uint32_t i = 0; i < count; ++i) {
        xdplb_flow_key key{};
        key.src.words[0] = htonl(0xc6120000 + i / 2);  // 198.18.0.0/15 and beyond: never sent anywhere
        key.dst.words[0] = htonl(0xc6120064);
        key.sport = htons(static_cast<std::uint16_t>(1024 + i % 60000));
        key.dport = htons(i % 2 == 0 ? 80 : 5000);
        key.proto = IPPROTO_TCP;
        key.family = AF_INET;
        xdplb_flow flow{};
        flow.farm_id = 1;
        flow.backend_id = 1 + i % 8;
        flow.direction = i % 2 == 0 ? XDPLB_DIR_TO_BACKEND : XDPLB_DIR_TO_CLIENT;
        flow.replied = 1;
        flow.last_seen_ns = i % 10 == 0 ? now - stale_age : now;
        keys.push_back(key);
        values.push_back(flow);
        if (keys.size() == kFillBatch || i + 1 == count) {
            __u32 n = static_cast<__u32>(keys.size());
            if (bpf_map_update_batch(fd, keys.data(), values.data(), &n, nullptr) != 0) {
                throw std::runtime_error(std::string("filling the table: ") + std::strerror(errno));
            }
            keys.clear();
            values.clear();
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    bool json_output = false;
    std::uint32_t entries = 1'000'000;
    for (int i = 1; i < argc; ++i) {
        std::string argument = argv[i];
        if (argument == "--json") {
            json_output = true;
        } else if (argument.starts_with("--entries=")) {
            entries = static_cast<std::uint32_t>(std::stoul(argument.substr(10)));
        } else {
            std::cerr << "usage: xdplb-upkeepbench [--entries=N] [--json]\n";
            return 2;
        }
    }
    try {
        dataplane::Program program(XDPLB_DEFAULT_CONNTRACK_SIZE);
        program.load_detached();
        const dataplane::Settings settings;
        fill(program.map_fd("conntrack"), entries, settings);

        dataplane::SessionTable sessions(program);
        Clock::time_point start = Clock::now();
        const std::size_t listed = sessions.connections().size();
        const double list_ms = ms_since(start);

        dataplane::ConnectionUpkeep upkeep(program, settings);
        double longest_chunk_ms = 0;
        start = Clock::now();
        upkeep.begin();
        for (bool done = false; !done;) {
            Clock::time_point chunk_start = Clock::now();
            done = upkeep.step(daemon::kUpkeepChunk);
            longest_chunk_ms = std::max(longest_chunk_ms, ms_since(chunk_start));
        }
        const double walk_ms = ms_since(start);
        const dataplane::WalkSummary walk = upkeep.last_walk();

        start = Clock::now();
        const dataplane::WalkSummary again = upkeep.walk_all();
        const double clean_walk_ms = ms_since(start);

        struct Row {
            const char* test;
            double value;
            const char* unit;
        };
        const std::vector<Row> rows = {
            {"list every entry (lbctl sessions)", list_ms, "ms"},
            {"upkeep walk, deleting the stale tenth", walk_ms, "ms"},
            {"longest chunk of that walk", longest_chunk_ms, "ms"},
            {"upkeep walk, nothing stale", clean_walk_ms, "ms"},
        };
        if (json_output) {
            nlohmann::json out = nlohmann::json::array();
            for (const Row& row : rows) {
                out.push_back({{"scenario", "upkeep"}, {"test", row.test}, {"flows", entries}, {"value", row.value},
                               {"unit", row.unit}});
            }
            std::cout << out.dump(2) << "\n";
        } else {
            std::printf("%u entries (%zu listed); first walk: %lu live connections, %lu stale entries deleted; "
                        "second walk: %lu entries\n",
                        entries, listed, static_cast<unsigned long>(walk.live_connections),
                        static_cast<unsigned long>(walk.stale_deleted), static_cast<unsigned long>(again.entries));
            for (const Row& row : rows) std::printf("%-40s %10.1f %s\n", row.test, row.value, row.unit);
        }
    } catch (const std::exception& error) {
        std::cerr << "xdplb-upkeepbench: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
