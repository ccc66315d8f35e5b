#include "cli/render.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <utility>
#include <vector>

#include "cli/table.hpp"
#include "cli/units.hpp"

namespace xdplb::cli {

using nlohmann::json;

namespace {

// lbd's results are read leniently: a field that is missing or of an unexpected type shows
// as "-" or is skipped, so that a newer lbd never makes lbctl fail after the change is made.
const json& field(const json& object, const char* key) {
    static const json kAbsent;
    if (!object.is_object()) {
        return kAbsent;
    }
    const auto found = object.find(key);
    return found == object.end() ? kAbsent : *found;
}

const json& elements(const json& value) {
    static const json kNone = json::array();
    return value.is_array() ? value : kNone;
}

std::string text_cell(const json& value) {
    if (value.is_string()) {
        return value.get<std::string>();
    }
    return value.is_null() ? "-" : value.dump();
}

// Parsed counters are unsigned, but a non-negative signed integer is as good.
bool is_counter(const json& value) {
    return value.is_number_unsigned() ||
           (value.is_number_integer() && value.get<std::int64_t>() >= 0);
}

std::string count_cell(const json& value) {
    return is_counter(value) ? human_count(value.get<std::uint64_t>()) : text_cell(value);
}

std::string bytes_cell(const json& value) {
    return is_counter(value) ? human_bytes(value.get<std::uint64_t>()) : text_cell(value);
}

std::string text_of(const json& object, const char* key) {
    return text_cell(field(object, key));
}

// "key:  value" lines with the values in one column.
std::string key_values(const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::size_t key_width = 0;
    for (const auto& pair : pairs) {
        key_width = std::max(key_width, pair.first.size());
    }
    std::string text;
    for (const auto& [key, value] : pairs) {
        text += key + ":" + std::string(key_width - key.size() + 2, ' ') + value + "\n";
    }
    return text;
}

std::string farm_list(const json& farms) {
    if (elements(farms).empty()) {
        return "no farms\n";
    }
    Table table({{"NAME"}, {"VIP"}, {"PORT", Align::right}, {"PROTO"}, {"MODE"}, {"SCHEDULER"},
                 {"BACKENDS", Align::right}});
    for (const json& farm : elements(farms)) {
        table.add_row({text_of(farm, "name"), text_of(farm, "vip"), text_of(farm, "port"),
                       text_of(farm, "proto"), text_of(farm, "mode"), text_of(farm, "scheduler"),
                       std::to_string(elements(field(farm, "backends")).size())});
    }
    return table.str();
}

std::string backend_table(const json& backends) {
    if (elements(backends).empty()) {
        return "no backends\n";
    }
    Table table({{"NAME"}, {"IP"}, {"PORT", Align::right}, {"WEIGHT", Align::right},
                 {"PRIORITY", Align::right}, {"MAXCONN", Align::right}, {"STATE"}, {"HEALTH"}, {"SINCE"},
                 {"LAST CHECK"}});
    for (const json& backend : elements(backends)) {
        // A null port means the backend gets the port the client connected to, and a
        // maxconn of 0 no cap: both shown as "-".
        const json& maxconn = field(backend, "maxconn");
        table.add_row({text_of(backend, "name"), text_of(backend, "ip"), text_of(backend, "port"),
                       text_of(backend, "weight"), text_of(backend, "priority"),
                       maxconn == 0 ? "-" : text_cell(maxconn), text_of(backend, "state"),
                       text_of(backend, "health"), text_of(backend, "health_since"),
                       text_of(backend, "health_reason")});
    }
    return table.str();
}

// An address or a list of them, as one line.
std::string address_list(const json& addresses) {
    if (!addresses.is_array()) return text_cell(addresses);
    std::string line;
    for (const json& address : addresses) line += (line.empty() ? "" : ", ") + text_cell(address);
    return line;
}

// The scheduler with what it hashes, for a hash farm (srcip unless chosen).
std::string scheduler_line(const json& farm) {
    const std::string scheduler = text_of(farm, "scheduler");
    if (scheduler != "hash") return scheduler;
    const json& hash_key = field(farm, "hash_key");
    return scheduler + " of " + (hash_key.is_null() ? "srcip" : text_cell(hash_key));
}

std::string persistence_line(const json& farm) {
    const std::string persistence = text_of(farm, "persistence");
    if (persistence != "srcip") return persistence;
    return persistence + " for " + text_of(farm, "persist_ttl") + " s";
}

// The protection and timeout settings that the farm sets, each as a line;
// none of them when it sets none, as most farms do.
void add_farm_protection(const json& farm, std::vector<std::pair<std::string, std::string>>& lines) {
    for (const char* list : {"allow", "deny"}) {
        const json& prefixes = field(farm, list);
        if (prefixes.is_array() && !prefixes.empty()) lines.emplace_back(list, address_list(prefixes));
    }
    const json& limit = field(farm, "rate_limit");
    if (is_counter(limit) && limit.get<std::uint64_t>() != 0) {
        lines.emplace_back("rate limit",
                           text_cell(limit) + " new connections/s per source, burst " + text_of(farm, "rate_burst"));
    }
    std::string timeouts;
    for (const char* name : {"unanswered", "tcp", "tcp_time_wait", "tcp_close", "udp"}) {
        const json& seconds = field(farm, ("timeout_" + std::string(name)).c_str());
        if (!seconds.is_null()) timeouts += (timeouts.empty() ? "" : ", ") + std::string(name) + " " + text_cell(seconds) + "s";
    }
    if (!timeouts.empty()) lines.emplace_back("timeouts", timeouts + " (others: lbd's)");
}

// "http GET /health every 0.5 s (timeout 1 s, rise 2, fall 3)": the farm's
// check as it runs, defaults included; the options that are set follow.
std::string check_line(const json& farm) {
    const json& type = field(farm, "check");
    if (type.is_null() || type == "none") return "none";
    auto or_default = [&](const char* key, const char* fallback) {
        const json& value = field(farm, key);
        return value.is_null() ? std::string(fallback) : text_cell(value);
    };
    std::string line = text_cell(type);
    if (type == "http" || type == "https") line += " GET " + or_default("check_path", "/");
    line += " every " + or_default("check_interval", "2") + " s (timeout " + or_default("check_timeout", "1") +
            " s, rise " + or_default("check_rise", "2") + ", fall " + or_default("check_fall", "3") + ")";
    for (const char* key : {"check_port", "check_expect", "check_host", "check_send", "check_expect_body",
                            "check_user", "check_command"}) {
        const json& value = field(farm, key);
        if (!value.is_null()) line += ", " + std::string(key).substr(6) + " " + text_cell(value);
    }
    return line;
}

std::string health_policy_line(const json& farm) {
    const json& slowstart = field(farm, "slowstart");
    const bool ramps = is_counter(slowstart) && slowstart.get<std::uint64_t>() != 0;
    return "on down " + (field(farm, "on_down").is_null() ? std::string("keep") : text_of(farm, "on_down")) +
           ", slow start " + (ramps ? text_cell(slowstart) + " s" : std::string("none"));
}

std::string farm_details(const json& farm) {
    const json& snat_addr = field(farm, "snat_addr");
    std::vector<std::pair<std::string, std::string>> lines = {
        {"farm", text_of(farm, "name")},
        {"vip", text_of(farm, "vip")},
        {"port", text_of(farm, "port")},
        {"proto", text_of(farm, "proto")},
        {"mode", text_of(farm, "mode")},
        {"scheduler", scheduler_line(farm)},
        {"persistence", persistence_line(farm)},
        {"snat addr", snat_addr.is_null() ? "address of the egress interface" : address_list(snat_addr)},
    };
    add_farm_protection(farm, lines);
    // Most farms check nothing: they show no check lines.
    if (const std::string check = check_line(farm); check != "none") {
        lines.emplace_back("check", check);
        lines.emplace_back("health", health_policy_line(farm));
    }
    return key_values(lines) + "\n" + backend_table(field(farm, "backends"));
}

// A rate lbd gave, or "-" where it has none yet (null).
std::string rate_cell(const json& value, std::string (*human)(double)) {
    return value.is_number() ? human(value.get<double>()) : text_cell(value);
}

// DIRECTION, PACKETS, PACKETS/S, BYTES, BITS/S of one direction.
std::vector<std::string> direction_cells(const char* direction, const json& traffic) {
    return {direction, count_cell(field(traffic, "packets")), rate_cell(field(traffic, "packets_per_s"), human_rate),
            bytes_cell(field(traffic, "bytes")), rate_cell(field(traffic, "bits_per_s"), human_bit_rate)};
}

// Two rows for a farm or backend: its connections and the traffic towards
// the backends, then the traffic back to the clients.
void add_traffic_rows(Table& table, const std::string& name, const json& counters) {
    std::vector<std::string> to_backend = {name, count_cell(field(counters, "connections")),
                                           rate_cell(field(counters, "connections_per_s"), human_rate)};
    std::vector<std::string> to_client = {"", "", ""};
    std::ranges::copy(direction_cells("to backend", field(counters, "to_backend")), std::back_inserter(to_backend));
    std::ranges::copy(direction_cells("to client", field(counters, "to_client")), std::back_inserter(to_client));
    table.add_row(std::move(to_backend));
    table.add_row(std::move(to_client));
}

std::string farm_traffic(const json& farm) {
    Table table({{"BACKEND"}, {"CONNECTIONS", Align::right}, {"NEW/S", Align::right}, {"DIRECTION"},
                 {"PACKETS", Align::right}, {"PACKETS/S", Align::right}, {"BYTES", Align::right},
                 {"BITS/S", Align::right}});
    for (const json& backend : elements(field(farm, "backends"))) {
        add_traffic_rows(table, text_of(backend, "name"), backend);
    }
    // Parentheses cannot occur in a backend's name, so this row cannot be mistaken for one.
    add_traffic_rows(table, "(farm)", farm);
    return "farm " + text_of(farm, "name") + "\n" + table.str();
}

std::string nonzero_reasons(const json& reasons, const json& rates) {
    Table table({{"REASON"}, {"PACKETS", Align::right}, {"PACKETS/S", Align::right}});
    bool any = false;
    for (const auto& [reason, count] : reasons.items()) {
        if (count != 0) {
            table.add_row({reason, count_cell(count), rate_cell(field(rates, reason.c_str()), human_rate)});
            any = true;
        }
    }
    return any ? table.str() : "";
}

// Over how long lbd averaged the rates, which it has only once it has sampled twice.
std::string rate_window_line(const json& stats) {
    const json& seconds = field(stats, "rate_window_s");
    if (!seconds.is_number()) return "no rates yet: lbd samples the counters every second\n";
    char line[64];
    std::snprintf(line, sizeof line, "rates: per second over the last %.1f s\n", seconds.get<double>());
    return line;
}

std::string statistics(const json& stats) {
    const json& farms = elements(field(stats, "farms"));
    const json& reasons = field(stats, "reasons");
    const std::string reasons_table =
        reasons.is_object() ? nonzero_reasons(reasons, field(stats, "reasons_per_s")) : "";
    if (farms.empty() && reasons_table.empty()) return "no farms\n";
    std::string text = rate_window_line(stats);
    for (const json& farm : farms) text += "\n" + farm_traffic(farm);
    if (farms.empty()) text += "\nno farms\n";
    if (!reasons_table.empty()) text += "\n" + reasons_table;
    return text;
}

// ADDR:PORT, with an IPv6 address in brackets.
std::string endpoint(const json& object, const char* address_key, const char* port_key) {
    const std::string address = text_of(object, address_key);
    const std::string shown = address.find(':') == std::string::npos ? address : "[" + address + "]";
    return shown + ":" + text_of(object, port_key);
}

std::string plural(std::uint64_t count, const char* one, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
}

std::uint64_t count_of(const json& value) { return is_counter(value) ? value.get<std::uint64_t>() : 0; }

// The count line says how many matched, and how many are listed when that is fewer.
std::string count_line(const json& listed, const json& total, const char* one, const char* many) {
    const std::uint64_t shown = elements(listed).size();
    const std::uint64_t all = is_counter(total) ? count_of(total) : shown;
    return plural(all, one, many) + (shown < all ? " (" + std::to_string(shown) + " listed)" : "");
}

std::string sessions(const json& result) {
    const json& connections = field(result, "connections");
    const json& persistence = field(result, "persistence");
    std::string text;
    if (!elements(connections).empty()) {
        Table table({{"FARM"}, {"PROTO"}, {"CLIENT"}, {"VIP"}, {"BACKEND"}, {"BACKEND SIDE"}, {"STATE"},
                     {"IDLE", Align::right}});
        for (const json& connection : elements(connections)) {
            table.add_row({text_of(connection, "farm"), text_of(connection, "proto"),
                           endpoint(connection, "client_addr", "client_port"), endpoint(connection, "vip", "vip_port"),
                           text_of(connection, "backend"),
                           endpoint(connection, "source_addr", "source_port") + " > " +
                               endpoint(connection, "backend_addr", "backend_port"),
                           text_of(connection, "state"), text_of(connection, "idle_s") + "s"});
        }
        text += table.str() + "\n";
    }
    if (!elements(persistence).empty()) {
        Table table({{"FARM"}, {"SOURCE"}, {"BACKEND"}, {"EXPIRES IN", Align::right}});
        for (const json& entry : elements(persistence)) {
            table.add_row({text_of(entry, "farm"), text_of(entry, "source"), text_of(entry, "backend"),
                           text_of(entry, "expires_in_s") + "s"});
        }
        text += table.str() + "\n";
    }
    return text + count_line(connections, field(result, "connection_count"), "connection", "connections") + ", " +
           count_line(persistence, field(result, "persistence_count"), "persistence entry", "persistence entries") +
           "\n";
}

// "0.4s ago", or "-" before anything was received.
std::string age_cell(const json& seconds) {
    if (!seconds.is_number()) return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.1fs ago", seconds.get<double>());
    return text;
}

// Entries received / sent / rejected, or "-" without sync.
std::string sync_entries_cell(const json& entries) {
    if (!entries.is_object()) return "-";
    return text_of(entries, "received") + "/" + text_of(entries, "sent") + "/" + text_of(entries, "rejected");
}

std::string vrrp_status(const json& result) {
    Table table({{"IFACE"}, {"VRID", Align::right}, {"STATE"}, {"PRIORITY", Align::right}, {"MASTER"},
                 {"ADVERT", Align::right}, {"VIPS"}, {"SYNC"}, {"LAST SYNC", Align::right},
                 {"IN/OUT/REJECTED", Align::right}});
    std::string vips;
    for (const json& vip : elements(field(result, "vips"))) vips += (vips.empty() ? "" : ",") + text_cell(vip);
    const json& sync = field(result, "sync");
    table.add_row({text_of(result, "interface"), text_of(result, "vrid"), text_of(result, "state"),
                   text_of(result, "priority"), text_of(result, "master"),
                   text_of(result, "advert_interval") + "s", vips, text_of(sync, "state"),
                   age_cell(field(sync, "last_received_s")), sync_entries_cell(field(sync, "entries"))});
    return table.str();
}

// "+ farm web", "- backend web/web3", "~ backend web/web1: weight 1 → 5, state up → drain".
std::string config_change(const json& change) {
    const std::string kind = text_of(change, "change");
    const std::string sign = kind == "add" ? "+" : kind == "remove" ? "-" : "~";
    const bool backend = field(change, "backend").is_string();
    std::string line = sign + (backend ? " backend " + text_of(change, "farm") + "/" + text_of(change, "backend")
                                       : " farm " + text_of(change, "farm"));
    std::string fields;
    for (const json& changed : elements(field(change, "fields"))) {
        fields += (fields.empty() ? ": " : ", ") + text_of(changed, "field") + " " + text_of(changed, "from") +
                  " → " + text_of(changed, "to");
    }
    return line + fields + "\n";
}

// The differences, then what became of them.
std::string config_changes(const json& result, bool dry_run) {
    std::string text;
    std::size_t count = 0;
    for (const json& change : elements(field(result, "changes"))) {
        text += config_change(change);
        ++count;
    }
    if (count == 0) return text + "no change\n";
    const std::string changes = plural(count, "change", "changes");
    if (dry_run) return text + "dry run: " + changes + ", none applied\n";
    return text + (field(result, "applied") == true ? "applied: " + changes : changes + " not applied") + "\n";
}

std::string argument(const api::Request& request, const char* key) {
    return text_of(request.args, key);
}

}  // namespace

std::string render_for_people(const api::Request& request, const json& result) {
    const std::string& command = request.command;
    if (command == "farm.list") {
        return farm_list(result);
    }
    if (command == "farm.show") {
        return farm_details(result);
    }
    if (command == "stats") {
        return statistics(result);
    }
    if (command == "sessions") {
        return sessions(result);
    }
    if (command == "vrrp.status") {
        return vrrp_status(result);
    }
    if (command == "config.apply") {
        return config_changes(result, field(request.args, "dry_run") == true);
    }
    const std::string farm = "farm " + argument(request, command.starts_with("farm.") ? "name" : "farm");
    if (command == "sessions.flush") {
        const bool one_backend = request.args.contains("backend");
        return plural(count_of(field(result, "connections")), "connection", "connections") + " and " +
               plural(count_of(field(result, "persistence")), "persistence entry", "persistence entries") +
               " removed from " + farm + (one_backend ? ", backend " + argument(request, "backend") : "") + "\n";
    }
    const std::string backend = "backend " + argument(request, "name");
    if (command == "farm.add") {
        return farm + " added\n";
    }
    if (command == "farm.set") {
        return farm + " changed\n";
    }
    if (command == "farm.del") {
        return farm + " deleted\n";
    }
    if (command == "backend.add") {
        return backend + " added to " + farm + "\n";
    }
    if (command == "backend.set") {
        return backend + " of " + farm + " changed\n";
    }
    if (command == "backend.del") {
        return backend + " removed from " + farm + "\n";
    }
    // A command this lbctl does not know how to show: its result is still worth seeing.
    return render_json(result);
}

std::string render_json(const json& result) {
    return result.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace xdplb::cli
