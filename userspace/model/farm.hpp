// The control plane's model of what the load balancer serves: farms and their backends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.hpp"
#include "common/ip_prefix.hpp"
#include "model/health_check.hpp"
#include "model/port_set.hpp"

namespace xdplb::model {

enum class Protocol : std::uint8_t { tcp, udp };
enum class Mode : std::uint8_t { snat, dnat, dsr };
enum class Scheduler : std::uint8_t { weight, rr, hash };
// The fields of a new connection that the hash scheduler hashes.
enum class HashKey : std::uint8_t { srcip, srcip_srcport, five_tuple };
enum class Persistence : std::uint8_t { none, srcip };
// What the operator wants: up serves; drain and maint take no new connections
// while the established ones run to their end.
enum class AdminState : std::uint8_t { up, drain, maint };

inline constexpr std::uint32_t kMaxWeight = 1000000;
inline constexpr std::uint32_t kMaxConnectionsCap = 100000000;
inline constexpr std::uint32_t kDefaultPersistTtl = 300;
inline constexpr std::uint32_t kMaxPersistTtl = 86400;

struct Backend {
    std::uint32_t id = 0;  // its index in the data plane, stable for its lifetime
    std::string name;
    IpAddress ip;
    std::optional<std::uint16_t> port;  // none: keep the client's destination port
    std::uint32_t weight = 1;  // 0 to kMaxWeight
    std::uint32_t priority = 1;
    AdminState state = AdminState::up;
    std::uint32_t max_connections = 0;  // 0: no cap
    CheckSettings check;                // overrides of the farm's

    friend bool operator==(const Backend&, const Backend&) = default;
};

// A farm's own connection timeouts in seconds; none: lbd's --timeout-* default.
struct FarmTimeouts {
    std::optional<std::uint32_t> unanswered;
    std::optional<std::uint32_t> tcp;
    std::optional<std::uint32_t> tcp_time_wait;
    std::optional<std::uint32_t> tcp_close;
    std::optional<std::uint32_t> udp;

    friend bool operator==(const FarmTimeouts&, const FarmTimeouts&) = default;
};

inline constexpr std::uint32_t kMinTimeoutSeconds = 1;
inline constexpr std::uint32_t kMaxTimeoutSeconds = 30 * 24 * 3600;
inline constexpr std::uint32_t kMaxRateLimit = 1000000;  // new connections per second from one source

struct Farm {
    std::uint32_t id = 0;
    std::string name;
    IpAddress vip;
    PortSet port;  // every port of the VIP that the farm serves
    Protocol proto = Protocol::tcp;
    Mode mode = Mode::snat;
    Scheduler scheduler = Scheduler::weight;
    std::optional<HashKey> hash_key;  // with the hash scheduler only; none: srcip
    Persistence persistence = Persistence::none;
    std::uint32_t persist_ttl_s = kDefaultPersistTtl;
    std::vector<IpAddress> snat_addrs;  // empty: the address of the egress interface
    // Sources of new connections: those in deny are refused; when allow is not
    // empty, so are those not in it.
    std::vector<IpPrefix> allow;
    std::vector<IpPrefix> deny;
    std::uint32_t rate_limit = 0;  // new connections per second from one source; 0: no limit
    std::uint32_t rate_burst = 0;  // how many more a source may open at once
    FarmTimeouts timeouts;
    CheckSettings check;
    std::vector<Backend> backends;

    const Backend* find_backend(const std::string& backend_name) const;
    Backend* find_backend(const std::string& backend_name);

    friend bool operator==(const Farm&, const Farm&) = default;
};

// Everything lbd serves; what the state file and a config file hold.
struct Config {
    std::vector<Farm> farms;

    const Farm* find_farm(const std::string& farm_name) const;
    Farm* find_farm(const std::string& farm_name);

    friend bool operator==(const Config&, const Config&) = default;
};

std::string to_string(Protocol proto);
std::string to_string(Mode mode);
std::string to_string(Scheduler scheduler);
std::string to_string(AdminState state);
std::string to_string(HashKey hash_key);
std::string to_string(Persistence persistence);
std::optional<Protocol> protocol_from_string(const std::string& text);
std::optional<Mode> mode_from_string(const std::string& text);
std::optional<Scheduler> scheduler_from_string(const std::string& text);
std::optional<AdminState> admin_state_from_string(const std::string& text);
std::optional<HashKey> hash_key_from_string(const std::string& text);
std::optional<Persistence> persistence_from_string(const std::string& text);

}  // namespace xdplb::model
