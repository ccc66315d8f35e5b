#include "daemon/vrrp_options.hpp"

#include <net/if.h>

#include <algorithm>
#include <charconv>

#include "daemon/options.hpp"
#include "ha/vrrp_advert.hpp"

namespace xdplb::daemon {

namespace po = boost::program_options;

namespace {

// Every VRRP flag but --vrrp-iface, which they need.
constexpr const char* kVrrpFlags[] = {"vrid",       "priority",      "vip",         "advert-int", "unicast-peer",
                                      "no-preempt", "preempt-delay", "track-iface", "notify"};

// "0.1", "3", "1.25": seconds with at most `decimals` digits after the point,
// as a count of 10^-decimals seconds; nullopt for anything else.
std::optional<std::int64_t> parse_decimal_seconds(const std::string& text, unsigned decimals) {
    const std::size_t point = text.find('.');
    const std::string whole = text.substr(0, point);
    std::string fraction = point == std::string::npos ? "" : text.substr(point + 1);
    const auto all_digits = [](const std::string& part) {
        return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (whole.empty() || whole.size() > 6 || !all_digits(whole) || !all_digits(fraction) ||
        (point != std::string::npos && fraction.empty()) || fraction.size() > decimals) {
        return std::nullopt;
    }
    fraction.append(decimals - fraction.size(), '0');
    std::int64_t units = std::stoll(whole);
    for (unsigned i = 0; i < decimals; ++i) units *= 10;
    return units + (fraction.empty() ? 0 : std::stoll(fraction));
}

std::uint8_t parse_byte(const char* name, const std::string& text) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    auto [parsed_up_to, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || parsed_up_to != end || value < 1 || value > 255) {
        throw UsageError(std::string("--") + name + " must be an integer from 1 to 255, got '" + text + "'");
    }
    return static_cast<std::uint8_t>(value);
}

ha::Centiseconds parse_advert_interval(const std::string& text) {
    const std::optional<std::int64_t> centiseconds = parse_decimal_seconds(text, 2);
    if (!centiseconds || *centiseconds < 1 || *centiseconds > ha::kMaxAdvertInterval) {
        throw UsageError("--advert-int must be 0.01 to 40.95 seconds in steps of 0.01, got '" + text + "'");
    }
    return ha::Centiseconds(*centiseconds);
}

std::chrono::milliseconds parse_preempt_delay(const std::string& text) {
    const std::optional<std::int64_t> milliseconds = parse_decimal_seconds(text, 3);
    if (!milliseconds || std::chrono::milliseconds(*milliseconds) > ha::kMaxPreemptDelay) {
        throw UsageError("--preempt-delay must be 0 to 1000 seconds, got '" + text + "'");
    }
    return std::chrono::milliseconds(*milliseconds);
}

std::string parse_interface_name(const char* name, const std::string& text) {
    if (text.empty() || text.size() >= IFNAMSIZ || text.find_first_of("/@ \t") != std::string::npos) {
        throw UsageError(std::string("--") + name + " '" + text + "' is not a valid interface name");
    }
    return text;
}

template <typename T>
std::vector<T> strings_of(const po::variables_map& values, const char* name) {
    return values.count(name) ? values[name].as<std::vector<T>>() : std::vector<T>{};
}

// One virtual router speaks one family (RFC 5798: IPv4 and IPv6 routers are separate).
void check_one_family(const ha::NodeConfig& vrrp) {
    const IpAddress::Family family = vrrp.addresses.front().address.family();
    for (const ha::VirtualAddress& address : vrrp.addresses) {
        if (address.address.family() != family) {
            throw UsageError("--vip " + address.to_string() + ": all VIPs of a virtual router must be of one family");
        }
    }
    for (const IpAddress& peer : vrrp.unicast_peers) {
        if (peer.family() != family) {
            throw UsageError("--unicast-peer " + peer.to_string() + " is not of the VIPs' family");
        }
    }
}

}  // namespace

void add_vrrp_options(po::options_description& described) {
    described.add_options()
        ("vrrp-iface", po::value<std::string>()->value_name("IF"), "Run a VRRPv3 virtual router (docs/vrrp.md) on interface IF: adverts go out and are heard there. The other VRRP options need it.")
        ("vrid", po::value<std::string>()->value_name("N"), "Virtual router id, 1-255, the same on every node of the router (required with --vrrp-iface).")
        ("priority", po::value<std::string>()->value_name("N"), "This node's priority, 1-255 (default 100): the highest is master; 255 owns the addresses.")
        ("vip", po::value<std::vector<std::string>>()->value_name("ADDR/PREFIX[@IF]"), "An address the master holds, on the VRRP interface or on IF (repeat; at least one; all of one family).")
        ("advert-int", po::value<std::string>()->value_name("SECONDS"), "Advert interval, 0.01-40.95 in steps of 0.01 (default 1); a backup takes over some 3.5 intervals after the master falls silent.")
        ("unicast-peer", po::value<std::vector<std::string>>()->value_name("ADDR"), "Send adverts to ADDR instead of the multicast group (repeat for each peer).")
        ("no-preempt", "Do not take over from a live master of lower priority.")
        ("preempt-delay", po::value<std::string>()->value_name("SECONDS"), "Wait this long, 0-1000, after first hearing a lower-priority master before preempting it (default 0).")
        ("track-iface", po::value<std::vector<std::string>>()->value_name("IF"), "Go to fault state (no adverts, no addresses) while IF is down (repeat).")
        ("notify", po::value<std::string>()->value_name("CMD"), "Run CMD with /bin/sh on every state change, with the new state, the previous one, the VRID and the priority as $1 to $4.");
}

std::optional<ha::NodeConfig> parse_vrrp_options(const po::variables_map& values) {
    if (!values.count("vrrp-iface")) {
        for (const char* flag : kVrrpFlags) {
            if (values.count(flag)) throw UsageError(std::string("--") + flag + " needs --vrrp-iface");
        }
        return std::nullopt;
    }
    ha::NodeConfig vrrp;
    vrrp.interface = parse_interface_name("vrrp-iface", values["vrrp-iface"].as<std::string>());
    if (!values.count("vrid")) throw UsageError("--vrrp-iface needs --vrid");
    vrrp.router.vrid = parse_byte("vrid", values["vrid"].as<std::string>());
    if (values.count("priority")) vrrp.router.priority = parse_byte("priority", values["priority"].as<std::string>());
    if (values.count("advert-int")) {
        vrrp.router.advert_interval = parse_advert_interval(values["advert-int"].as<std::string>());
    }
    vrrp.router.preempt = !values.count("no-preempt");
    if (values.count("preempt-delay")) {
        vrrp.router.preempt_delay = parse_preempt_delay(values["preempt-delay"].as<std::string>());
    }
    for (const std::string& name : strings_of<std::string>(values, "track-iface")) {
        vrrp.router.tracked_interfaces.insert(parse_interface_name("track-iface", name));
    }
    for (const std::string& text : strings_of<std::string>(values, "vip")) {
        try {
            vrrp.addresses.push_back(ha::parse_virtual_address(text));
        } catch (const std::invalid_argument& error) {
            throw UsageError(std::string("--vip ") + error.what());
        }
    }
    if (vrrp.addresses.empty()) throw UsageError("--vrrp-iface needs at least one --vip");
    if (vrrp.addresses.size() > ha::kMaxAdvertAddresses) throw UsageError("at most 255 --vip");
    for (const std::string& text : strings_of<std::string>(values, "unicast-peer")) {
        const std::optional<IpAddress> peer = IpAddress::parse(text);
        if (!peer) throw UsageError("--unicast-peer '" + text + "' is not an address");
        vrrp.unicast_peers.push_back(*peer);
    }
    check_one_family(vrrp);
    if (values.count("notify")) {
        vrrp.notify_command = values["notify"].as<std::string>();
        if (vrrp.notify_command->empty()) throw UsageError("--notify needs a command");
    }
    return vrrp;
}

}  // namespace xdplb::daemon
