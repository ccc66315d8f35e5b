#include "model/validate.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <xdplb/abi.h>

#include "model/validation_error.hpp"

namespace xdplb::model {

bool is_valid_name(std::string_view name) {
    bool valid = !name.empty() && name.size() <= kMaxNameLength;
    for (char c : name) {
        valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
    }
    return valid;
}

namespace {

using Pointer = nlohmann::json::json_pointer;

// Runs `check`, locating what it refuses at `place` within the object it checks.
template <typename Check>
void check_at(const Pointer& place, Check check) {
    try {
        check();
    } catch (const ValidationError& error) {
        throw error.within(place);
    }
}

void check_name(const std::string& name, const std::string& kind) {
    if (!is_valid_name(name)) {
        const std::string problem = "must be 1-32 characters of A-Z a-z 0-9 _ . -";
        throw ValidationError(kind + " name '" + name + "' " + problem, Pointer("/name"), problem);
    }
}

const char* family_name(const IpAddress& address) {
    return address.family() == IpAddress::Family::v4 ? "IPv4" : "IPv6";
}

// A farm translates within one family: NAT46/64 is another product.
void check_same_family(const IpAddress& address, const IpAddress& vip, const std::string& what) {
    if (address.family() != vip.family()) {
        throw ValidationError(what + " " + address.to_string() + " is " + family_name(address) + " but the VIP is " +
                              family_name(vip));
    }
}

// Why an address cannot be a VIP, a backend or a SNAT address: none of these
// can be the destination or source of balanced traffic on the wire.
std::optional<std::string> unusable_kind(const IpAddress& address) {
    const auto& b = address.bytes();
    if (address.family() == IpAddress::Family::v4) {
        if (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0) return "the unspecified address";
        if (b[0] == 127) return "a loopback address";
        if (b[0] >= 224 && b[0] <= 239) return "a multicast address";
        if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) return "the limited broadcast address";
        return std::nullopt;
    }
    bool zero_prefix = std::all_of(b.begin(), b.end() - 1, [](std::uint8_t byte) { return byte == 0; });
    if (zero_prefix && b[15] == 0) return "the unspecified address";
    if (zero_prefix && b[15] == 1) return "the loopback address";
    if (b[0] == 0xff) return "a multicast address";
    return std::nullopt;
}

void check_usable(const IpAddress& address, const std::string& what) {
    if (auto kind = unusable_kind(address)) {
        throw ValidationError(what + " " + address.to_string() + " cannot be used: it is " + *kind);
    }
}

void check_id(std::uint32_t id, std::uint32_t limit, std::set<std::uint32_t>& seen, const std::string& what) {
    if (id == 0) return;  // not assigned yet
    if (id >= limit || !seen.insert(id).second) {
        throw ValidationError(what + " has an invalid or duplicate id " + std::to_string(id));
    }
}

void validate_snat_addrs(const Farm& farm, const std::string& where) {
    if (farm.mode != Mode::snat && !farm.snat_addrs.empty()) {
        throw ValidationError(where + ": snat_addr applies to snat mode only; clear it with --snat-addr none");
    }
    if (farm.snat_addrs.size() > XDPLB_MAX_SNAT_ADDRS) {
        throw ValidationError(where + " has more than " + std::to_string(XDPLB_MAX_SNAT_ADDRS) + " SNAT addresses");
    }
    std::set<std::string> seen;
    for (const IpAddress& address : farm.snat_addrs) {
        check_same_family(address, farm.vip, where + " SNAT address");
        check_usable(address, where + ": SNAT address");
        if (!seen.insert(address.to_string()).second) {
            throw ValidationError(where + " lists SNAT address " + address.to_string() + " twice");
        }
    }
}

// DSR forwards the client's packet as it is: a backend cannot get another port.
void check_dsr_backend_port(const Farm& farm, const Backend& backend, const std::string& what) {
    if (farm.mode != Mode::dsr || !backend.port || farm.port.single() == backend.port) return;
    throw ValidationError(what + " has port " + std::to_string(*backend.port) +
                          ": dsr mode cannot change ports, so a backend has no port (it keeps the client's) "
                          "or the port of a farm that has only one");
}

void validate_scheduler(const Farm& farm, const std::string& where) {
    if (farm.scheduler != Scheduler::hash && farm.hash_key) {
        throw ValidationError(where + ": hash_key applies to the hash scheduler only (--hash-key none clears it)");
    }
}

void validate_source_list(const std::vector<IpPrefix>& prefixes, const Farm& farm, const std::string& where,
                          const char* list) {
    if (prefixes.size() > XDPLB_MAX_SOURCE_PREFIXES) {
        throw ValidationError(where + " has more than " + std::to_string(XDPLB_MAX_SOURCE_PREFIXES) + " " + list +
                              " prefixes");
    }
    std::set<std::string> seen;
    for (const IpPrefix& prefix : prefixes) {
        if (prefix.family() != farm.vip.family()) {
            throw ValidationError(where + ": " + list + " prefix " + prefix.to_string() + " is " +
                                  family_name(prefix.address()) + " but the VIP is " + family_name(farm.vip));
        }
        if (!seen.insert(prefix.to_string()).second) {
            throw ValidationError(where + " lists " + list + " prefix " + prefix.to_string() + " twice");
        }
    }
}

void validate_limits(const Farm& farm, const std::string& where) {
    if (farm.rate_limit > kMaxRateLimit || farm.rate_burst > kMaxRateLimit) {
        throw ValidationError(where + ": rate_limit and rate_burst must be from 0 to " + std::to_string(kMaxRateLimit));
    }
    const FarmTimeouts& t = farm.timeouts;
    for (const auto& seconds : {t.unanswered, t.tcp, t.tcp_time_wait, t.tcp_close, t.udp}) {
        if (seconds && (*seconds < kMinTimeoutSeconds || *seconds > kMaxTimeoutSeconds)) {
            throw ValidationError(where + ": timeouts must be from " + std::to_string(kMinTimeoutSeconds) + " to " +
                                  std::to_string(kMaxTimeoutSeconds) + " seconds, got " + std::to_string(*seconds));
        }
    }
}

void validate_backends(const Farm& farm, std::set<std::uint32_t>& backend_ids) {
    std::string where = "farm '" + farm.name + "'";
    if (farm.backends.size() > XDPLB_MAX_FARM_BACKENDS) {
        throw ValidationError(where + " has more than " + std::to_string(XDPLB_MAX_FARM_BACKENDS) + " backends");
    }
    std::set<std::string> names;
    for (std::size_t index = 0; index < farm.backends.size(); ++index) {
        const Backend& backend = farm.backends[index];
        check_at(Pointer("/backends") / index, [&] {
            check_name(backend.name, "backend");
            std::string what = where + ": backend '" + backend.name + "'";
            check_at(Pointer("/name"), [&] {
                if (!names.insert(backend.name).second) throw ValidationError(what + " exists twice");
            });
            check_at(Pointer("/ip"), [&] {
                check_same_family(backend.ip, farm.vip, what + " address");
                check_usable(backend.ip, what + " address");
                if (backend.ip == farm.vip) throw ValidationError(what + " has the farm's own VIP as its address");
            });
            check_at(Pointer("/port"), [&] { check_dsr_backend_port(farm, backend, what); });
            check_id(backend.id, XDPLB_MAX_BACKENDS, backend_ids, what);
            validate_backend_check(farm.check, backend.check, what);
        });
    }
}

// Each (VIP, port) a farm serves is one key of the data plane's farm table.
void check_port_count(const Config& config) {
    std::size_t keys = 0;
    for (const Farm& farm : config.farms) {
        if (farm.port.empty()) throw ValidationError("farm '" + farm.name + "' has no port");
        keys += farm.port.count();
    }
    if (keys > XDPLB_MAX_FARM_KEYS) {
        throw ValidationError("the farms serve " + std::to_string(keys) + " ports in all; at most " +
                              std::to_string(XDPLB_MAX_FARM_KEYS) + " are supported");
    }
}

// No two farms may serve the same port of a VIP and protocol. The ranges of
// each (VIP, protocol) are sorted by their first port: while none overlaps,
// each ends before the next starts, so the first overlap is between
// neighbours. The message names both farms, in configuration order, since
// either may be the one being changed.
void check_ports_unshared(const Config& config) {
    struct Claim {
        std::string vip;
        Protocol proto;
        PortRange range;
        std::size_t farm_index;
    };
    std::vector<Claim> claims;
    for (std::size_t index = 0; index < config.farms.size(); ++index) {
        const Farm& farm = config.farms[index];
        for (const PortRange& range : farm.port.ranges()) claims.push_back({farm.vip.to_string(), farm.proto, range, index});
    }
    std::sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) {
        return std::tie(a.vip, a.proto, a.range.first) < std::tie(b.vip, b.proto, b.range.first);
    });
    for (std::size_t i = 1; i < claims.size(); ++i) {
        const Claim& previous = claims[i - 1];
        const Claim& claim = claims[i];
        bool same_service = previous.vip == claim.vip && previous.proto == claim.proto;
        if (same_service && claim.range.first <= previous.range.last) {
            auto [first, second] = std::minmax(claim.farm_index, previous.farm_index);
            const std::string message = "farms '" + config.farms[first].name + "' and '" + config.farms[second].name +
                                        "' would both serve port " + std::to_string(claim.range.first) + "/" +
                                        to_string(claim.proto) + " of " + claim.vip;
            // Located at the later farm: the earlier one came first and is not the odd one out.
            throw ValidationError(message, Pointer("/farms") / second / "port", message);
        }
    }
}

}  // namespace

void validate(const Config& config) {
    if (config.farms.size() >= XDPLB_MAX_FARMS) {
        throw ValidationError("at most " + std::to_string(XDPLB_MAX_FARMS - 1) + " farms are supported");
    }
    std::size_t backend_count = 0;
    std::size_t allow_count = 0;
    std::size_t deny_count = 0;
    for (const Farm& farm : config.farms) {
        backend_count += farm.backends.size();
        allow_count += farm.allow.size();
        deny_count += farm.deny.size();
    }
    if (allow_count > XDPLB_SOURCE_LIST_SIZE || deny_count > XDPLB_SOURCE_LIST_SIZE) {
        throw ValidationError("at most " + std::to_string(XDPLB_SOURCE_LIST_SIZE) +
                              " allow and as many deny prefixes are supported in all farms together");
    }
    if (backend_count >= XDPLB_MAX_BACKENDS) {
        throw ValidationError("at most " + std::to_string(XDPLB_MAX_BACKENDS - 1) + " backends are supported in all farms together");
    }
    check_port_count(config);
    std::set<std::string> names;
    std::set<std::uint32_t> farm_ids;
    std::set<std::uint32_t> backend_ids;
    for (std::size_t index = 0; index < config.farms.size(); ++index) {
        const Farm& farm = config.farms[index];
        check_at(Pointer("/farms") / index, [&] {
            check_name(farm.name, "farm");
            std::string where = "farm '" + farm.name + "'";
            check_at(Pointer("/name"), [&] {
                if (!names.insert(farm.name).second) throw ValidationError(where + " exists twice");
            });
            check_at(Pointer("/vip"), [&] { check_usable(farm.vip, where + ": VIP"); });
            check_at(Pointer("/snat_addr"), [&] { validate_snat_addrs(farm, where); });
            check_at(Pointer("/hash_key"), [&] { validate_scheduler(farm, where); });
            check_at(Pointer("/allow"), [&] { validate_source_list(farm.allow, farm, where, "allow"); });
            check_at(Pointer("/deny"), [&] { validate_source_list(farm.deny, farm, where, "deny"); });
            validate_limits(farm, where);
            validate_farm_check(farm.check, where);
            check_id(farm.id, XDPLB_MAX_FARMS, farm_ids, where);
            validate_backends(farm, backend_ids);
        });
    }
    check_ports_unshared(config);
}

}  // namespace xdplb::model
