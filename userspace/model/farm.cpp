#include "model/farm.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace xdplb::model {

namespace {

template <typename Enum, std::size_t N>
std::string name_of(Enum value, const std::array<std::pair<Enum, const char*>, N>& names) {
    for (const auto& [candidate, name] : names) {
        if (candidate == value) return name;
    }
    return "?";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::string& text, const std::array<std::pair<Enum, const char*>, N>& names) {
    for (const auto& [candidate, name] : names) {
        if (text == name) return candidate;
    }
    return std::nullopt;
}

constexpr std::array<std::pair<Protocol, const char*>, 2> kProtocols{{{Protocol::tcp, "tcp"}, {Protocol::udp, "udp"}}};
constexpr std::array<std::pair<Mode, const char*>, 3> kModes{
    {{Mode::snat, "snat"}, {Mode::dnat, "dnat"}, {Mode::dsr, "dsr"}}};
constexpr std::array<std::pair<Scheduler, const char*>, 3> kSchedulers{
    {{Scheduler::weight, "weight"}, {Scheduler::rr, "rr"}, {Scheduler::hash, "hash"}}};
constexpr std::array<std::pair<HashKey, const char*>, 3> kHashKeys{
    {{HashKey::srcip, "srcip"}, {HashKey::srcip_srcport, "srcip-srcport"}, {HashKey::five_tuple, "5tuple"}}};
constexpr std::array<std::pair<Persistence, const char*>, 2> kPersistences{
    {{Persistence::none, "none"}, {Persistence::srcip, "srcip"}}};
constexpr std::array<std::pair<AdminState, const char*>, 3> kAdminStates{
    {{AdminState::up, "up"}, {AdminState::drain, "drain"}, {AdminState::maint, "maint"}}};

constexpr std::array<std::pair<CheckType, const char*>, 7> kCheckTypes{{{CheckType::none, "none"},
                                                                         {CheckType::tcp, "tcp"},
                                                                         {CheckType::http, "http"},
                                                                         {CheckType::https, "https"},
                                                                         {CheckType::mysql, "mysql"},
                                                                         {CheckType::udp, "udp"},
                                                                         {CheckType::cmd, "cmd"}}};
constexpr std::array<std::pair<OnDown, const char*>, 2> kOnDowns{{{OnDown::keep, "keep"}, {OnDown::cut, "cut"}}};

template <typename Item>
auto find_by_name(Item& items, const std::string& name) {
    auto found = std::find_if(items.begin(), items.end(), [&](const auto& item) { return item.name == name; });
    return found == items.end() ? nullptr : &*found;
}

}  // namespace

const Backend* Farm::find_backend(const std::string& backend_name) const { return find_by_name(backends, backend_name); }
Backend* Farm::find_backend(const std::string& backend_name) { return find_by_name(backends, backend_name); }
const Farm* Config::find_farm(const std::string& farm_name) const { return find_by_name(farms, farm_name); }
Farm* Config::find_farm(const std::string& farm_name) { return find_by_name(farms, farm_name); }

std::string to_string(Protocol proto) { return name_of(proto, kProtocols); }
std::string to_string(Mode mode) { return name_of(mode, kModes); }
std::string to_string(Scheduler scheduler) { return name_of(scheduler, kSchedulers); }
std::string to_string(AdminState state) { return name_of(state, kAdminStates); }
std::string to_string(HashKey hash_key) { return name_of(hash_key, kHashKeys); }
std::string to_string(Persistence persistence) { return name_of(persistence, kPersistences); }
std::string to_string(CheckType type) { return name_of(type, kCheckTypes); }
std::string to_string(OnDown on_down) { return name_of(on_down, kOnDowns); }
std::optional<CheckType> check_type_from_string(const std::string& text) { return value_of(text, kCheckTypes); }
std::optional<OnDown> on_down_from_string(const std::string& text) { return value_of(text, kOnDowns); }
std::optional<Protocol> protocol_from_string(const std::string& text) { return value_of(text, kProtocols); }
std::optional<Mode> mode_from_string(const std::string& text) { return value_of(text, kModes); }
std::optional<Scheduler> scheduler_from_string(const std::string& text) { return value_of(text, kSchedulers); }
std::optional<AdminState> admin_state_from_string(const std::string& text) { return value_of(text, kAdminStates); }
std::optional<HashKey> hash_key_from_string(const std::string& text) { return value_of(text, kHashKeys); }
std::optional<Persistence> persistence_from_string(const std::string& text) { return value_of(text, kPersistences); }

}  // namespace xdplb::model
