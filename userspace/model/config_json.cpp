#include "model/config_json.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <limits>
#include <string>
#include <vector>

#include "model/validation_error.hpp"

namespace xdplb::model {

using nlohmann::json;

namespace {

// 100 ms as "0.1", 3600000 ms as "3600".
std::string seconds_text(std::uint32_t ms) {
    std::string text = std::to_string(ms / 1000);
    if (ms % 1000 == 0) return text;
    std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    return text + "." + fraction;
}

// Reads the fields of one JSON object, each error naming where it is.
class FieldReader {
public:
    FieldReader(const json& value, std::string where) : value_(value), where_(std::move(where)) {
        if (!value_.is_object()) fail("must be a JSON object");
    }

    void refuse_unknown(const std::vector<std::string>& known) const {
        for (const auto& [key, unused] : value_.items()) {
            if (std::find(known.begin(), known.end(), key) == known.end()) {
                throw ValidationError(where_ + " has unknown field '" + key + "'", json::json_pointer() / key,
                                      "unknown field");
            }
        }
    }

    bool has(const char* field) const { return value_.contains(field) && !value_[field].is_null(); }

    std::string string(const char* field) const {
        const json& item = require(field);
        if (!item.is_string()) fail_field(field, "must be a string");
        return item.get<std::string>();
    }

    std::uint64_t integer(const char* field, std::uint64_t min, std::uint64_t max) const {
        const json& item = require(field);
        std::string range = "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
        if (!item.is_number_integer()) fail_field(field, range);
        // Parsed text holds non-negative numbers as unsigned, but JSON built in
        // code holds them as signed: check both bounds for either.
        bool in_range = item.is_number_unsigned() || item.get<std::int64_t>() >= 0;
        if (in_range) in_range = item.get<std::uint64_t>() >= min && item.get<std::uint64_t>() <= max;
        if (!in_range) fail_field(field, range + ", got " + item.dump());
        return item.get<std::uint64_t>();
    }

    // Seconds as a JSON number, whole or not, held in milliseconds.
    std::uint32_t milliseconds(const char* field, std::uint32_t min_ms, std::uint32_t max_ms) const {
        const json& item = require(field);
        std::string range = "must be a number of seconds from " + seconds_text(min_ms) + " to " + seconds_text(max_ms);
        if (!item.is_number()) fail_field(field, range);
        const double ms = std::round(item.get<double>() * 1000);
        if (!(ms >= min_ms && ms <= max_ms)) fail_field(field, range + ", got " + item.dump());
        return static_cast<std::uint32_t>(ms);
    }

    IpAddress address(const char* field) const {
        std::string text = string(field);
        auto parsed = IpAddress::parse(text);
        if (!parsed) fail_field(field, "'" + text + "' is not an IP address");
        return *parsed;
    }

    template <typename Enum>
    Enum choice(const char* field, std::optional<Enum> (*from_string)(const std::string&), const char* choices) const {
        std::string text = string(field);
        auto parsed = from_string(text);
        if (!parsed) fail_field(field, "must be one of " + std::string(choices) + ", got '" + text + "'");
        return *parsed;
    }

    // One address, several separated by commas, or an array of addresses.
    std::vector<IpAddress> address_list(const char* field) const {
        const json& item = require(field);
        std::vector<std::string> texts;
        if (item.is_string()) {
            std::stringstream list(item.get<std::string>());
            for (std::string text; std::getline(list, text, ',');) texts.push_back(text);
        } else if (item.is_array()) {
            for (const json& element : item) {
                if (!element.is_string()) fail_field(field, "must hold addresses as strings");
                texts.push_back(element.get<std::string>());
            }
        } else {
            fail_field(field, "must be an address, a comma-separated list or an array of addresses");
        }
        if (texts.empty()) fail_field(field, "must hold at least one address");
        std::vector<IpAddress> addresses;
        for (const std::string& text : texts) {
            auto parsed = IpAddress::parse(text);
            if (!parsed) fail_field(field, "'" + text + "' is not an IP address");
            addresses.push_back(*parsed);
        }
        return addresses;
    }

    // A number for one port, or a string of ports and ranges: "80,443,8000-8100".
    PortSet ports(const char* field) const {
        const json& item = require(field);
        if (item.is_string()) {
            std::string text = item.get<std::string>();
            try {
                return PortSet::parse(text);
            } catch (const ValidationError& error) {
                fail_field(field, "'" + text + "' is not a port list: " + error.what());
            }
        }
        if (!item.is_number_integer()) fail_field(field, "must be a port number or a string such as \"80,443,8000-8100\"");
        return static_cast<std::uint16_t>(integer(field, 1, 65535));
    }

    // Prefixes separated by commas, or an array of them; "" and [] are none.
    std::vector<IpPrefix> prefix_list(const char* field) const {
        const json& item = require(field);
        std::vector<std::string> texts;
        if (item.is_string()) {
            std::stringstream list(item.get<std::string>());
            for (std::string text; std::getline(list, text, ',');) texts.push_back(text);
            if (!item.get<std::string>().empty() && item.get<std::string>().back() == ',') texts.push_back("");
        } else if (item.is_array()) {
            for (const json& element : item) {
                if (!element.is_string()) fail_field(field, "must hold prefixes as strings");
                texts.push_back(element.get<std::string>());
            }
        } else {
            fail_field(field, "must be a comma-separated list or an array of ADDR/LEN prefixes");
        }
        std::vector<IpPrefix> prefixes;
        for (const std::string& text : texts) {
            try {
                prefixes.push_back(IpPrefix::parse(text));
            } catch (const std::invalid_argument& error) {
                fail_field(field, error.what());
            }
        }
        return prefixes;
    }

    const json& array(const char* field) const {
        const json& item = require(field);
        if (!item.is_array()) fail_field(field, "must be an array");
        return item;
    }

    const std::string& where() const { return where_; }

    [[noreturn]] void fail(const std::string& problem) const {
        throw ValidationError(where_ + " " + problem, json::json_pointer(), problem);
    }
    [[noreturn]] void fail_field(const char* field, const std::string& problem) const {
        throw ValidationError(where_ + ": '" + field + "' " + problem, json::json_pointer() / field, problem);
    }

private:
    const json& require(const char* field) const {
        if (!has(field)) fail_field(field, "is required");
        return value_[field];
    }

    const json& value_;
    std::string where_;
};

// Whole seconds as an integer, others with their fraction: 2, 0.25.
json seconds_json(std::uint32_t ms) {
    if (ms % 1000 == 0) return ms / 1000;
    return ms / 1000.0;
}

const std::vector<std::string> kBackendCheckFields = {
    "check", "check_port", "check_send", "check_expect_body", "check_path", "check_expect",
    "check_host", "check_user", "check_password_file", "check_command"};
const std::vector<std::string> kFarmOnlyCheckFields = {"check_interval", "check_timeout", "check_rise", "check_fall",
                                                       "on_down", "slowstart"};

template <typename Value>
json optional_json(const std::optional<Value>& value) {
    return value ? json(*value) : json(nullptr);
}

// null: the default (a farm's field) or the farm's value (a backend's).
void add_check_json(const CheckSettings& check, bool farm_fields, json& value) {
    value["check"] = check.type ? json(to_string(*check.type)) : json(nullptr);
    value["check_port"] = optional_json(check.port);
    value["check_send"] = optional_json(check.send);
    value["check_expect_body"] = optional_json(check.expect_body);
    value["check_path"] = optional_json(check.path);
    value["check_expect"] = optional_json(check.expect_status);
    value["check_host"] = optional_json(check.host);
    value["check_user"] = optional_json(check.user);
    value["check_password_file"] = optional_json(check.password_file);
    value["check_command"] = optional_json(check.command);
    if (!farm_fields) return;
    value["check_interval"] = check.interval_ms ? seconds_json(*check.interval_ms) : json(nullptr);
    value["check_timeout"] = check.timeout_ms ? seconds_json(*check.timeout_ms) : json(nullptr);
    value["check_rise"] = optional_json(check.rise);
    value["check_fall"] = optional_json(check.fall);
    value["on_down"] = check.on_down ? json(to_string(*check.on_down)) : json(nullptr);
    value["slowstart"] = optional_json(check.slowstart_s);
}

std::optional<std::string> optional_string(const FieldReader& reader, const char* field) {
    if (!reader.has(field)) return std::nullopt;
    return reader.string(field);
}

CheckSettings check_from_json(const FieldReader& reader, bool farm_fields) {
    CheckSettings check;
    if (reader.has("check")) {
        check.type = reader.choice<CheckType>("check", check_type_from_string, "tcp, http, https, mysql, udp, cmd, none");
    }
    if (reader.has("check_port")) check.port = static_cast<std::uint16_t>(reader.integer("check_port", 1, 65535));
    check.send = optional_string(reader, "check_send");
    check.expect_body = optional_string(reader, "check_expect_body");
    check.path = optional_string(reader, "check_path");
    if (reader.has("check_expect")) {
        check.expect_status = static_cast<std::uint16_t>(reader.integer("check_expect", 100, 599));
    }
    check.host = optional_string(reader, "check_host");
    check.user = optional_string(reader, "check_user");
    check.password_file = optional_string(reader, "check_password_file");
    check.command = optional_string(reader, "check_command");
    if (!farm_fields) return check;
    if (reader.has("check_interval")) {
        check.interval_ms = reader.milliseconds("check_interval", kMinCheckIntervalMs, kMaxCheckIntervalMs);
    }
    if (reader.has("check_timeout")) {
        check.timeout_ms = reader.milliseconds("check_timeout", kMinCheckTimeoutMs, kMaxCheckIntervalMs);
    }
    if (reader.has("check_rise")) check.rise = static_cast<std::uint32_t>(reader.integer("check_rise", 1, kMaxCheckCount));
    if (reader.has("check_fall")) check.fall = static_cast<std::uint32_t>(reader.integer("check_fall", 1, kMaxCheckCount));
    if (reader.has("on_down")) check.on_down = reader.choice<OnDown>("on_down", on_down_from_string, "keep, cut");
    if (reader.has("slowstart")) {
        check.slowstart_s = static_cast<std::uint32_t>(reader.integer("slowstart", 0, kMaxSlowstartSeconds));
    }
    return check;
}

constexpr std::uint64_t kMaxId = std::numeric_limits<std::uint32_t>::max();

std::string name_of(const json& value, const char* kind) {
    if (value.is_object() && value.contains("name") && value["name"].is_string()) {
        return std::string(kind) + " '" + value["name"].get<std::string>() + "'";
    }
    return kind;
}

// null for the egress address, else the list: one shape for scripts to read.
json snat_addrs_to_json(const std::vector<IpAddress>& addresses) {
    if (addresses.empty()) return nullptr;
    json list = json::array();
    for (const IpAddress& address : addresses) list.push_back(address.to_string());
    return list;
}

// A number when the farm has one port, as before port lists: readers of
// single-port farms see what they always saw; otherwise the list as a string.
json ports_to_json(const PortSet& ports) {
    if (auto port = ports.single()) return *port;
    return ports.to_string();
}

json prefixes_to_json(const std::vector<IpPrefix>& prefixes) {
    json list = json::array();
    for (const IpPrefix& prefix : prefixes) list.push_back(prefix.to_string());
    return list;
}

// The farm's timeout fields, each with where it lives in FarmTimeouts.
struct TimeoutField {
    const char* name;
    std::optional<std::uint32_t> FarmTimeouts::*value;
};

constexpr TimeoutField kTimeoutFields[] = {
    {"timeout_unanswered", &FarmTimeouts::unanswered},
    {"timeout_tcp", &FarmTimeouts::tcp},
    {"timeout_tcp_time_wait", &FarmTimeouts::tcp_time_wait},
    {"timeout_tcp_close", &FarmTimeouts::tcp_close},
    {"timeout_udp", &FarmTimeouts::udp},
};

}  // namespace

const std::vector<std::string>& backend_check_fields() { return kBackendCheckFields; }

json backend_to_json(const Backend& backend, JsonForm form) {
    json value = {
        {"name", backend.name},
        {"ip", backend.ip.to_string()},
        {"port", backend.port ? json(*backend.port) : json(nullptr)},
        {"weight", backend.weight},
        {"priority", backend.priority},
        {"state", to_string(backend.state)},
        {"maxconn", backend.max_connections},
    };
    add_check_json(backend.check, false, value);
    if (form.ids) value["id"] = backend.id;
    return value;
}

json farm_to_json(const Farm& farm, JsonForm form) {
    json value = {
        {"name", farm.name},
        {"vip", farm.vip.to_string()},
        {"port", ports_to_json(farm.port)},
        {"proto", to_string(farm.proto)},
        {"mode", to_string(farm.mode)},
        {"scheduler", to_string(farm.scheduler)},
        {"hash_key", farm.hash_key ? json(to_string(*farm.hash_key)) : json(nullptr)},
        {"persistence", to_string(farm.persistence)},
        {"persist_ttl", farm.persist_ttl_s},
        {"snat_addr", snat_addrs_to_json(farm.snat_addrs)},
        {"allow", prefixes_to_json(farm.allow)},
        {"deny", prefixes_to_json(farm.deny)},
        {"rate_limit", farm.rate_limit},
        {"rate_burst", farm.rate_burst},
    };
    // null: lbd's default for that timeout.
    for (const TimeoutField& timeout : kTimeoutFields) {
        const auto& seconds = farm.timeouts.*timeout.value;
        value[timeout.name] = seconds ? json(*seconds) : json(nullptr);
    }
    add_check_json(farm.check, true, value);
    if (form.ids) value["id"] = farm.id;
    if (form.backends) {
        value["backends"] = json::array();
        for (const Backend& backend : farm.backends) value["backends"].push_back(backend_to_json(backend, form));
    }
    return value;
}

json config_to_json(const Config& config, JsonForm form) {
    json farms = json::array();
    for (const Farm& farm : config.farms) farms.push_back(farm_to_json(farm, form));
    return {{"farms", farms}};
}

Backend backend_from_json(const json& value, JsonForm form) {
    FieldReader reader(value, name_of(value, "backend"));
    std::vector<std::string> known = {"name", "ip", "port", "weight", "priority", "state", "maxconn"};
    known.insert(known.end(), kBackendCheckFields.begin(), kBackendCheckFields.end());
    if (form.ids) known.push_back("id");
    reader.refuse_unknown(known);
    Backend backend;
    backend.name = reader.string("name");
    backend.ip = reader.address("ip");
    if (reader.has("port")) backend.port = static_cast<std::uint16_t>(reader.integer("port", 1, 65535));
    if (reader.has("weight")) backend.weight = static_cast<std::uint32_t>(reader.integer("weight", 0, kMaxWeight));
    if (reader.has("priority")) backend.priority = static_cast<std::uint32_t>(reader.integer("priority", 1, 1000));
    if (reader.has("state")) {
        backend.state = reader.choice<AdminState>("state", admin_state_from_string, "up, drain, maint");
    }
    if (reader.has("maxconn")) {
        backend.max_connections = static_cast<std::uint32_t>(reader.integer("maxconn", 0, kMaxConnectionsCap));
    }
    backend.check = check_from_json(reader, false);
    if (form.ids) backend.id = static_cast<std::uint32_t>(reader.integer("id", 1, kMaxId));
    return backend;
}

Farm farm_from_json(const json& value, JsonForm form) {
    FieldReader reader(value, name_of(value, "farm"));
    std::vector<std::string> known = {"name",        "vip",      "port",      "proto",      "mode",
                                      "scheduler",   "hash_key", "persistence", "persist_ttl", "snat_addr",
                                      "allow",       "deny",     "rate_limit", "rate_burst"};
    for (const TimeoutField& timeout : kTimeoutFields) known.push_back(timeout.name);
    known.insert(known.end(), kBackendCheckFields.begin(), kBackendCheckFields.end());
    known.insert(known.end(), kFarmOnlyCheckFields.begin(), kFarmOnlyCheckFields.end());
    if (form.ids) known.push_back("id");
    if (form.backends) known.push_back("backends");
    reader.refuse_unknown(known);
    Farm farm;
    farm.name = reader.string("name");
    farm.vip = reader.address("vip");
    farm.port = reader.ports("port");
    farm.proto = reader.choice<Protocol>("proto", protocol_from_string, "tcp, udp");
    if (reader.has("mode")) farm.mode = reader.choice<Mode>("mode", mode_from_string, "snat, dnat, dsr");
    if (reader.has("scheduler")) {
        farm.scheduler = reader.choice<Scheduler>("scheduler", scheduler_from_string, "weight, rr, hash");
    }
    if (reader.has("hash_key")) {
        farm.hash_key = reader.choice<HashKey>("hash_key", hash_key_from_string, "srcip, srcip-srcport, 5tuple");
    }
    if (reader.has("persistence")) {
        farm.persistence = reader.choice<Persistence>("persistence", persistence_from_string, "srcip, none");
    }
    if (reader.has("persist_ttl")) {
        farm.persist_ttl_s = static_cast<std::uint32_t>(reader.integer("persist_ttl", 1, kMaxPersistTtl));
    }
    if (reader.has("snat_addr")) farm.snat_addrs = reader.address_list("snat_addr");
    if (reader.has("allow")) farm.allow = reader.prefix_list("allow");
    if (reader.has("deny")) farm.deny = reader.prefix_list("deny");
    if (reader.has("rate_limit")) farm.rate_limit = static_cast<std::uint32_t>(reader.integer("rate_limit", 0, kMaxRateLimit));
    if (reader.has("rate_burst")) farm.rate_burst = static_cast<std::uint32_t>(reader.integer("rate_burst", 0, kMaxRateLimit));
    for (const TimeoutField& timeout : kTimeoutFields) {
        if (!reader.has(timeout.name)) continue;
        farm.timeouts.*timeout.value =
            static_cast<std::uint32_t>(reader.integer(timeout.name, kMinTimeoutSeconds, kMaxTimeoutSeconds));
    }
    farm.check = check_from_json(reader, true);
    if (form.ids) farm.id = static_cast<std::uint32_t>(reader.integer("id", 1, kMaxId));
    if (form.backends && reader.has("backends")) {
        const json& backends = reader.array("backends");
        for (std::size_t index = 0; index < backends.size(); ++index) {
            try {
                farm.backends.push_back(backend_from_json(backends[index], form));
            } catch (const ValidationError& error) {
                throw error.within(json::json_pointer("/backends") / index, reader.where() + ": ");
            }
        }
    }
    return farm;
}

Config config_from_json(const json& value, JsonForm form) {
    FieldReader reader(value, "configuration");
    reader.refuse_unknown({"farms"});
    Config config;
    if (!reader.has("farms")) return config;
    const json& farms = reader.array("farms");
    for (std::size_t index = 0; index < farms.size(); ++index) {
        try {
            config.farms.push_back(farm_from_json(farms[index], form));
        } catch (const ValidationError& error) {
            throw error.within(json::json_pointer("/farms") / index);
        }
    }
    return config;
}

}  // namespace xdplb::model
