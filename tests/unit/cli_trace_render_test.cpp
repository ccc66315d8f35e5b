// How lbctl trace shows the stream's lines.
#include "cli/trace_render.hpp"

#include <gtest/gtest.h>

namespace xdplb::cli {
namespace {

using nlohmann::json;

std::string name_of(std::uint32_t ifindex) { return ifindex == 3 ? "eth0" : ""; }

json event_line(json changes = json::object()) {
    json event = json::parse(R"({"time": "2026-11-21T10:00:02.500Z", "ifindex": 3, "proto": "tcp",
        "src": "198.18.0.2", "sport": 40000, "dst": "198.18.0.100", "dport": 80, "farm": "web",
        "backend": "web1", "verdict": "redirect", "reason": "new_connection", "bytes": 74})");
    event.update(changes);
    return {{"event", event}};
}

TEST(CliTraceRender, HeaderAndEventInColumns) {
    EXPECT_EQ(trace_header(),
              "TIME          IFACE     PROTO   FROM                   TO                     FARM        "
              "BACKEND     VERDICT   REASON                  BYTES\n");
    EXPECT_EQ(render_trace_line(event_line(), name_of),
              "10:00:02.500  eth0      tcp     198.18.0.2:40000       198.18.0.100:80        web         "
              "web1        redirect  new_connection          74\n");
}

TEST(CliTraceRender, Ipv6PortsInBracketsAndMissingNamesAsDashes) {
    const std::string line = render_trace_line(
        event_line({{"src", "fd00::2"}, {"dst", "fd00::100"}, {"farm", nullptr}, {"backend", nullptr},
                    {"ifindex", 9}}),
        name_of);
    EXPECT_NE(line.find("  9  "), std::string::npos) << line;
    EXPECT_NE(line.find("[fd00::2]:40000"), std::string::npos) << line;
    EXPECT_NE(line.find("[fd00::100]:80"), std::string::npos) << line;
    EXPECT_NE(line.find("  -           -           redirect"), std::string::npos) << line;
}

TEST(CliTraceRender, PacketWithoutPortsShowsAddressesAlone) {
    const std::string line = render_trace_line(
        event_line({{"proto", "icmp"}, {"sport", nullptr}, {"dport", nullptr}}), name_of);
    EXPECT_NE(line.find("198.18.0.2             198.18.0.100  "), std::string::npos) << line;
}

TEST(CliTraceRender, LostNotice) {
    EXPECT_EQ(render_trace_line({{"lost", 12}}, name_of), "lost 12 events\n");
    EXPECT_EQ(render_trace_json({{"lost", 12}}, name_of), "{\"lost\":12}\n");
}

TEST(CliTraceRender, JsonIsTheEventWithItsInterfaceName) {
    const json shown = json::parse(render_trace_json(event_line(), name_of));
    EXPECT_EQ(shown["interface"], "eth0");
    EXPECT_EQ(shown["backend"], "web1");
    EXPECT_FALSE(shown.contains("event"));
}

}  // namespace
}  // namespace xdplb::cli
