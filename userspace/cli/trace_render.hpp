// How lbctl shows the lines of a trace stream (lbctl trace, docs/trace.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace xdplb::cli {

// The name of an interface of this host, by index; "" when there is none.
using InterfaceName = std::function<std::string(std::uint32_t ifindex)>;

// The column titles. Columns have fixed widths: a stream cannot be measured first.
std::string trace_header();

// One line for people: an event in columns, or "lost N events".
std::string render_trace_line(const nlohmann::json& line, const InterfaceName& interface_name);

// One JSON object on one line: the event with its "interface" name added, or the lost notice.
std::string render_trace_json(const nlohmann::json& line, const InterfaceName& interface_name);

}  // namespace xdplb::cli
