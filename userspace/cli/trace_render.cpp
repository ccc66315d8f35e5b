#include "cli/trace_render.hpp"

#include <iomanip>
#include <sstream>
#include <vector>

namespace xdplb::cli {

namespace {

using nlohmann::json;

struct TraceColumn {
    const char* title;
    int width;
};

// Wide enough for an IPv4 address and port; an IPv6 one pushes the rest of its line.
const std::vector<TraceColumn> kColumns = {
    {"TIME", 12}, {"IFACE", 8},    {"PROTO", 6},   {"FROM", 21},   {"TO", 21},
    {"FARM", 10}, {"BACKEND", 10}, {"VERDICT", 8}, {"REASON", 22}, {"BYTES", 0},
};

// Missing or of another type: "-", so that a newer lbd never breaks the display.
std::string text_of(const json& object, const char* key) {
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) return "-";
    return found->is_string() ? found->get<std::string>() : found->dump();
}

std::string endpoint(const json& event, const char* address_key, const char* port_key) {
    const std::string address = text_of(event, address_key);
    const auto port = event.find(port_key);
    if (port == event.end() || !port->is_number()) return address;
    const bool ipv6 = address.find(':') != std::string::npos;
    return (ipv6 ? "[" + address + "]" : address) + ":" + port->dump();
}

// "2026-11-21T10:32:37.125Z" -> "10:32:37.125"
std::string clock_time(const std::string& utc) {
    const auto t = utc.find('T');
    if (t == std::string::npos || utc.size() < t + 13) return utc;
    return utc.substr(t + 1, 12);
}

std::string interface_of(const json& event, const InterfaceName& interface_name) {
    const auto ifindex = event.find("ifindex");
    if (ifindex == event.end() || !ifindex->is_number_integer() || ifindex->get<std::int64_t>() < 0) return "-";
    std::string name = interface_name(ifindex->get<std::uint32_t>());
    return name.empty() ? ifindex->dump() : name;
}

std::string columns_line(const std::vector<std::string>& cells) {
    std::ostringstream line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const bool last = i + 1 == cells.size();
        if (last) {
            line << cells[i];
        } else {
            line << std::left << std::setw(kColumns[i].width) << cells[i] << "  ";
        }
    }
    return line.str() + "\n";
}

const json* event_of(const json& line) {
    const auto event = line.is_object() ? line.find("event") : line.end();
    return line.is_object() && event != line.end() && event->is_object() ? &*event : nullptr;
}

}  // namespace

std::string trace_header() {
    std::vector<std::string> titles;
    for (const TraceColumn& column : kColumns) titles.push_back(column.title);
    return columns_line(titles);
}

std::string render_trace_line(const json& line, const InterfaceName& interface_name) {
    const json* event = event_of(line);
    if (event == nullptr) return "lost " + text_of(line, "lost") + " events\n";
    return columns_line({clock_time(text_of(*event, "time")), interface_of(*event, interface_name),
                         text_of(*event, "proto"), endpoint(*event, "src", "sport"), endpoint(*event, "dst", "dport"),
                         text_of(*event, "farm"), text_of(*event, "backend"), text_of(*event, "verdict"),
                         text_of(*event, "reason"), text_of(*event, "bytes")});
}

std::string render_trace_json(const json& line, const InterfaceName& interface_name) {
    const json* event = event_of(line);
    if (event == nullptr) return line.dump() + "\n";
    json shown = *event;
    shown["interface"] = interface_of(*event, interface_name);
    return shown.dump() + "\n";
}

}  // namespace xdplb::cli
