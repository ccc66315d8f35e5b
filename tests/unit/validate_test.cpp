#include "model/validate.hpp"

#include <gtest/gtest.h>

#include <xdplb/abi.h>

#include <initializer_list>
#include <string>

#include "model/validation_error.hpp"
#include "model_builders.hpp"

namespace xdplb::model {
namespace {

// ---- helpers -------------------------------------------------------------------

using testing::backend;

Farm farm(const std::string& name, const std::string& vip, std::uint16_t port, Protocol proto = Protocol::tcp,
          std::uint32_t id = 0) {
    Farm f;
    f.id = id;
    f.name = name;
    f.vip = *IpAddress::parse(vip);
    f.port = port;
    f.proto = proto;
    return f;
}

// A distinct IPv4 address for every index below 65536.
std::string address_for(std::size_t index) {
    return "10.1." + std::to_string(index / 256) + "." + std::to_string(index % 256);
}

::testing::AssertionResult refused(const Config& config, std::initializer_list<std::string> parts) {
    return testing::refused_with([&] { validate(config); }, parts);
}

::testing::AssertionResult accepted(const Config& config) {
    try {
        validate(config);
    } catch (const ValidationError& error) {
        return ::testing::AssertionFailure() << "refused: " << error.what();
    }
    return ::testing::AssertionSuccess();
}

Config one_farm_with(Farm f) { return Config{{std::move(f)}}; }

// ---- whole configurations ------------------------------------------------------

TEST(Validate, AcceptsAnEmptyConfiguration) { EXPECT_TRUE(accepted(Config{})); }

TEST(Validate, AcceptsATypicalConfiguration) {
    Farm web = farm("web", "192.0.2.10", 443, Protocol::tcp, 1);
    web.snat_addrs = {*IpAddress::parse("192.0.2.1")};
    web.backends = {backend("web1", "10.0.0.11", 1), backend("web2", "10.0.0.12", 2)};
    Farm dns = farm("dns", "192.0.2.53", 53, Protocol::udp, 2);
    dns.backends = {backend("ns1", "10.0.0.53", 3)};
    EXPECT_TRUE(accepted(Config{{web, dns}}));
}

TEST(Validate, AcceptsAFarmWithoutBackends) { EXPECT_TRUE(accepted(one_farm_with(farm("web", "192.0.2.10", 80)))); }

// ---- farm names and services ----------------------------------------------------

TEST(Validate, RefusesTwoFarmsOfTheSameName) {
    Config config{{farm("web", "192.0.2.10", 80), farm("web", "192.0.2.11", 80)}};
    EXPECT_TRUE(refused(config, {"farm 'web'", "exists twice"}));
}

TEST(Validate, RefusesTwoFarmsServingTheSameVipPortAndProtocol) {
    Config config{{farm("web", "192.0.2.10", 80), farm("web-again", "192.0.2.10", 80)}};
    EXPECT_TRUE(refused(config, {"farms 'web' and 'web-again' would both serve port 80/tcp of 192.0.2.10"}));
}

Farm farm_on_ports(const std::string& name, const std::string& ports, Protocol proto = Protocol::tcp) {
    Farm f = farm(name, "192.0.2.10", 1, proto);
    f.port = PortSet::parse(ports);
    return f;
}

TEST(Validate, RefusesAPortRangeOverlappingAnotherFarm) {
    Config config{{farm_on_ports("media", "8000-8100"), farm_on_ports("admin", "443,8050")}};
    EXPECT_TRUE(refused(config, {"farms 'media' and 'admin' would both serve port 8050/tcp of 192.0.2.10"}));
}

TEST(Validate, NamesTheFarmsInConfigurationOrderWhicheverRangeStartsFirst) {
    Config config{{farm_on_ports("media", "8050-8100"), farm_on_ports("wide", "7000-9000")}};
    EXPECT_TRUE(refused(config, {"farms 'media' and 'wide' would both serve port 8050/tcp"}));
}

TEST(Validate, FindsARangeInsideAnotherFarmsRange) {
    Config config{{farm_on_ports("a", "100-200"), farm_on_ports("b", "300,150-160")}};
    EXPECT_TRUE(refused(config, {"farms 'a' and 'b' would both serve port 150/tcp"}));
}

TEST(Validate, FindsAnOverlapAtTheLastPortOfARange) {
    Config config{{farm_on_ports("a", "100-200"), farm_on_ports("b", "200-300")}};
    EXPECT_TRUE(refused(config, {"farms 'a' and 'b' would both serve port 200/tcp"}));
    EXPECT_TRUE(accepted(Config{{farm_on_ports("a", "100-200"), farm_on_ports("b", "201-300")}}));
}

TEST(Validate, AcceptsInterleavedPortListsOfTwoFarms) {
    Config config{{farm_on_ports("odd", "81,83,85-90"), farm_on_ports("even", "80,82,84,91-95")}};
    EXPECT_TRUE(accepted(config));
}

TEST(Validate, AcceptsOverlappingRangesForTheOtherProtocol) {
    Config config{{farm_on_ports("tcp", "8000-8100"), farm_on_ports("udp", "8000-8100", Protocol::udp)}};
    EXPECT_TRUE(accepted(config));
}

TEST(Validate, RefusesAFarmWithoutPorts) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.port = PortSet{};
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web' has no port"}));
}

TEST(Validate, AcceptsEveryPortInOneFarm) { EXPECT_TRUE(accepted(one_farm_with(farm_on_ports("all", "1-65535")))); }

TEST(Validate, RefusesMorePortsInAllThanTheFarmTableHolds) {
    Farm all = farm_on_ports("all", "1-65535");
    Farm two = farm("two", "192.0.2.11", 1);
    two.port = PortSet::parse("80,81");
    EXPECT_TRUE(refused(Config{{all, two}}, {"the farms serve 65537 ports in all", "at most 65536"}));
}

TEST(Validate, AcceptsTheSameVipAndPortForTheOtherProtocol) {
    Config config{{farm("dns-tcp", "192.0.2.53", 53, Protocol::tcp), farm("dns-udp", "192.0.2.53", 53, Protocol::udp)}};
    EXPECT_TRUE(accepted(config));
}

TEST(Validate, AcceptsTheSameVipOnAnotherPort) {
    EXPECT_TRUE(accepted(Config{{farm("http", "192.0.2.10", 80), farm("https", "192.0.2.10", 443)}}));
}

TEST(Validate, AcceptsTheSamePortOnAnotherVip) {
    EXPECT_TRUE(accepted(Config{{farm("a", "192.0.2.10", 80), farm("b", "192.0.2.11", 80)}}));
}

TEST(Validate, RefusesAnEmptyFarmName) {
    EXPECT_TRUE(refused(one_farm_with(farm("", "192.0.2.10", 80)), {"farm name ''", "1-32 characters"}));
}

TEST(Validate, AcceptsAFarmNameOf32Characters) {
    EXPECT_TRUE(accepted(one_farm_with(farm(std::string(32, 'a'), "192.0.2.10", 80))));
}

TEST(Validate, RefusesAFarmNameOf33Characters) {
    std::string name(33, 'a');
    EXPECT_TRUE(refused(one_farm_with(farm(name, "192.0.2.10", 80)), {"farm name '" + name + "'", "1-32"}));
}

TEST(Validate, AcceptsEveryAllowedNameCharacter) {
    EXPECT_TRUE(accepted(one_farm_with(farm("Web_01.prod-A", "192.0.2.10", 80))));
}

TEST(Validate, RefusesFarmNamesWithOtherCharacters) {
    for (const std::string name : {"my web", "web/1", "web:1", "web\n", "w\xc3\xa9" "b", "web*", "'web'", "web\t"}) {
        EXPECT_TRUE(refused(one_farm_with(farm(name, "192.0.2.10", 80)), {"farm name"})) << name;
    }
}

// ---- address families -----------------------------------------------------------

TEST(Validate, AcceptsAnIpv6FarmWithIpv6BackendsAndSnatAddress) {
    Farm web = farm("web6", "2001:db8::10", 80);
    web.snat_addrs = {*IpAddress::parse("2001:db8::1")};
    web.backends = {backend("web1", "2001:db8::11")};
    EXPECT_TRUE(accepted(one_farm_with(web)));
}

TEST(Validate, RefusesMoreThanEightSnatAddresses) {
    Farm web = farm("web", "192.0.2.10", 80);
    for (int i = 1; i <= 9; ++i) web.snat_addrs.push_back(*IpAddress::parse("192.0.2." + std::to_string(100 + i)));
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web'", "more than 8 SNAT addresses"}));
}

TEST(Validate, RefusesASnatAddressListedTwice) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.snat_addrs = {*IpAddress::parse("192.0.2.1"), *IpAddress::parse("192.0.2.1")};
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web'", "192.0.2.1 twice"}));
}

TEST(Validate, RefusesAnIpv6SnatAddressForAnIpv4Vip) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.snat_addrs = {*IpAddress::parse("2001:db8::1")};
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web'", "SNAT address", "IPv6", "VIP is IPv4"}));
}

TEST(Validate, RefusesAnIpv6BackendForAnIpv4Vip) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.backends = {backend("web1", "2001:db8::11")};
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web'", "backend 'web1'", "IPv6", "VIP is IPv4"}));
}

TEST(Validate, RefusesAnIpv4BackendForAnIpv6Vip) {
    Farm web = farm("web6", "2001:db8::10", 80);
    web.backends = {backend("web1", "192.0.2.11")};
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web6'", "backend 'web1'", "IPv4", "VIP is IPv6"}));
}

// ---- addresses that cannot carry balanced traffic --------------------------------

struct UnusableAddress {
    const char* text;
    const char* kind;
};

const UnusableAddress kUnusableIpv4[] = {
    {"0.0.0.0", "the unspecified address"},        {"127.0.0.1", "a loopback address"},
    {"127.255.0.9", "a loopback address"},          {"224.0.0.1", "a multicast address"},
    {"239.255.255.255", "a multicast address"},     {"255.255.255.255", "the limited broadcast address"},
};
const UnusableAddress kUnusableIpv6[] = {
    {"::", "the unspecified address"},
    {"::1", "the loopback address"},
    {"ff02::1", "a multicast address"},
};

TEST(Validate, RefusesUnusableVips) {
    for (const auto& [text, kind] : kUnusableIpv4) {
        EXPECT_TRUE(refused(one_farm_with(farm("web", text, 80)),
                            {"farm 'web': VIP " + std::string(text), "cannot be used", kind}));
    }
    for (const auto& [text, kind] : kUnusableIpv6) {
        EXPECT_TRUE(refused(one_farm_with(farm("web", text, 80)),
                            {"farm 'web': VIP " + std::string(text), "cannot be used", kind}));
    }
}

TEST(Validate, RefusesUnusableBackendAddresses) {
    for (const auto& [text, kind] : kUnusableIpv4) {
        Farm web = farm("web", "192.0.2.10", 80);
        web.backends = {backend("web1", text)};
        EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web': backend 'web1' address " + std::string(text), kind}));
    }
    for (const auto& [text, kind] : kUnusableIpv6) {
        Farm web = farm("web", "2001:db8::10", 80);
        web.backends = {backend("web1", text)};
        EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web': backend 'web1' address " + std::string(text), kind}));
    }
}

TEST(Validate, RefusesUnusableSnatAddresses) {
    for (const auto& [text, kind] : kUnusableIpv4) {
        Farm web = farm("web", "192.0.2.10", 80);
        web.snat_addrs = {*IpAddress::parse("192.0.2.1"), *IpAddress::parse(text)};
        EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web': SNAT address " + std::string(text), kind}));
    }
    for (const auto& [text, kind] : kUnusableIpv6) {
        Farm web = farm("web", "2001:db8::10", 80);
        web.snat_addrs = {*IpAddress::parse(text)};
        EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web': SNAT address " + std::string(text), kind}));
    }
}

TEST(Validate, AcceptsAddressesNextToTheUnusableRanges) {
    for (const char* vip : {"1.0.0.1", "126.255.255.255", "128.0.0.1", "223.255.255.255", "fd00::100",
                            "feff::1", "2001:db8::1"}) {
        EXPECT_TRUE(accepted(one_farm_with(farm("web", vip, 80)))) << vip;
    }
}

// ---- SNAT addresses and the mode ------------------------------------------------

TEST(Validate, RefusesSnatAddressesOnADnatFarm) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.mode = Mode::dnat;
    web.snat_addrs = {*IpAddress::parse("192.0.2.1")};
    EXPECT_TRUE(refused(one_farm_with(web),
                        {"farm 'web': snat_addr applies to snat mode only; clear it with --snat-addr none"}));
}

TEST(Validate, RefusesSnatAddressesOnADsrFarm) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.mode = Mode::dsr;
    web.snat_addrs = {*IpAddress::parse("192.0.2.1")};
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web': snat_addr applies to snat mode only"}));
}

TEST(Validate, RefusesADsrBackendOnAnotherPort) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.mode = Mode::dsr;
    web.backends = {backend("web1", "10.0.0.11")};
    web.backends[0].port = 8080;
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web': backend 'web1' has port 8080", "dsr mode cannot change ports"}));
}

TEST(Validate, RefusesAnyDsrBackendPortOnAFarmOfSeveralPorts) {
    Farm web = farm_on_ports("web", "80,443");
    web.mode = Mode::dsr;
    web.backends = {backend("web1", "10.0.0.11")};
    web.backends[0].port = 80;
    EXPECT_TRUE(refused(one_farm_with(web), {"backend 'web1' has port 80", "dsr mode cannot change ports"}));
}

TEST(Validate, AcceptsDsrBackendsWithoutPortOrWithTheFarmsPort) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.mode = Mode::dsr;
    web.backends = {backend("web1", "10.0.0.11"), backend("web2", "10.0.0.12")};
    web.backends[1].port = 80;
    EXPECT_TRUE(accepted(one_farm_with(web)));
    Farm range = farm_on_ports("range", "8000-8100");
    range.mode = Mode::dsr;
    range.backends = {backend("web1", "10.0.0.11")};
    EXPECT_TRUE(accepted(one_farm_with(range)));
}

TEST(Validate, RefusesADsrBackendOfTheOtherFamily) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.mode = Mode::dsr;
    web.backends = {backend("web1", "2001:db8::11")};
    EXPECT_TRUE(refused(one_farm_with(web), {"backend 'web1' address 2001:db8::11 is IPv6 but the VIP is IPv4"}));
}

TEST(Validate, AcceptsADnatFarmWithoutSnatAddresses) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.mode = Mode::dnat;
    EXPECT_TRUE(accepted(one_farm_with(web)));
}

// ---- the scheduler's hash key ------------------------------------------------------

TEST(Validate, RefusesAHashKeyWithoutTheHashScheduler) {
    for (Scheduler scheduler : {Scheduler::weight, Scheduler::rr}) {
        Farm web = farm("web", "192.0.2.10", 80);
        web.scheduler = scheduler;
        web.hash_key = HashKey::srcip;
        EXPECT_TRUE(refused(one_farm_with(web),
                            {"farm 'web': hash_key applies to the hash scheduler only", "--hash-key none"}));
    }
}

TEST(Validate, AcceptsTheHashSchedulerWithOrWithoutAKey) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.scheduler = Scheduler::hash;
    EXPECT_TRUE(accepted(one_farm_with(web)));
    web.hash_key = HashKey::five_tuple;
    EXPECT_TRUE(accepted(one_farm_with(web)));
}

// ---- backends -------------------------------------------------------------------

TEST(Validate, RefusesABackendAtTheFarmsOwnVip) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.backends = {backend("loop", "192.0.2.10")};
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web'", "backend 'loop'", "VIP"}));
}

TEST(Validate, RefusesTwoBackendsOfTheSameNameInOneFarm) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.backends = {backend("web1", "10.0.0.11"), backend("web1", "10.0.0.12")};
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web'", "backend 'web1'", "exists twice"}));
}

TEST(Validate, AcceptsTheSameBackendNameInTwoFarms) {
    Farm http = farm("http", "192.0.2.10", 80);
    http.backends = {backend("node1", "10.0.0.11")};
    Farm https = farm("https", "192.0.2.10", 443);
    https.backends = {backend("node1", "10.0.0.11")};
    EXPECT_TRUE(accepted(Config{{http, https}}));
}

TEST(Validate, AcceptsTwoBackendsAtTheSameAddressUnderDifferentNames) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.backends = {backend("a", "10.0.0.11"), backend("b", "10.0.0.11")};
    web.backends[1].port = 8080;
    EXPECT_TRUE(accepted(one_farm_with(web)));
}

TEST(Validate, RefusesBadBackendNames) {
    for (const std::string& name : {std::string(), std::string(33, 'b'), std::string("web 1"), std::string("a/b")}) {
        Farm web = farm("web", "192.0.2.10", 80);
        web.backends = {backend(name, "10.0.0.11")};
        EXPECT_TRUE(refused(one_farm_with(web), {"backend name"})) << name;
    }
}

TEST(Validate, AcceptsAFullSelectionTableOfBackends) {
    Farm web = farm("web", "192.0.2.10", 80);
    for (std::size_t i = 0; i < XDPLB_MAX_FARM_BACKENDS; ++i) {
        web.backends.push_back(backend("b" + std::to_string(i), address_for(i)));
    }
    EXPECT_TRUE(accepted(one_farm_with(web)));
}

TEST(Validate, RefusesMoreBackendsThanASelectionTableHolds) {
    Farm web = farm("web", "192.0.2.10", 80);
    for (std::size_t i = 0; i <= XDPLB_MAX_FARM_BACKENDS; ++i) {
        web.backends.push_back(backend("b" + std::to_string(i), address_for(i)));
    }
    EXPECT_TRUE(refused(one_farm_with(web),
                        {"farm 'web'", "more than " + std::to_string(XDPLB_MAX_FARM_BACKENDS) + " backends"}));
}

// ---- farm count -----------------------------------------------------------------

Config farms(std::size_t count) {
    Config config;
    for (std::size_t i = 0; i < count; ++i) {
        config.farms.push_back(farm("f" + std::to_string(i), "192.0.2.10", static_cast<std::uint16_t>(i + 1)));
    }
    return config;
}

TEST(Validate, AcceptsAsManyFarmsAsTheDataPlaneHasIds) {
    // Farm id 0 is never used, so XDPLB_MAX_FARMS - 1 farms fit.
    EXPECT_TRUE(accepted(farms(XDPLB_MAX_FARMS - 1)));
}

TEST(Validate, RefusesOneFarmTooMany) {
    EXPECT_TRUE(refused(farms(XDPLB_MAX_FARMS), {"at most " + std::to_string(XDPLB_MAX_FARMS - 1) + " farms"}));
}

// ---- ids ------------------------------------------------------------------------

TEST(Validate, AcceptsUnassignedIdsOnSeveralObjects) {
    Farm a = farm("a", "192.0.2.10", 80);
    a.backends = {backend("x", "10.0.0.1"), backend("y", "10.0.0.2")};
    Farm b = farm("b", "192.0.2.11", 80);
    b.backends = {backend("x", "10.0.0.1")};
    EXPECT_TRUE(accepted(Config{{a, b}}));
}

TEST(Validate, RefusesTwoFarmsWithTheSameId) {
    Config config{{farm("a", "192.0.2.10", 80, Protocol::tcp, 5), farm("b", "192.0.2.11", 80, Protocol::tcp, 5)}};
    EXPECT_TRUE(refused(config, {"farm 'b'", "id 5"}));
}

TEST(Validate, RefusesTwoBackendsWithTheSameIdInOneFarm) {
    Farm web = farm("web", "192.0.2.10", 80, Protocol::tcp, 1);
    web.backends = {backend("web1", "10.0.0.11", 3), backend("web2", "10.0.0.12", 3)};
    EXPECT_TRUE(refused(one_farm_with(web), {"backend 'web2'", "id 3"}));
}

TEST(Validate, RefusesTwoBackendsWithTheSameIdInDifferentFarms) {
    // Backend ids index data-plane tables shared by all farms.
    Farm a = farm("a", "192.0.2.10", 80, Protocol::tcp, 1);
    a.backends = {backend("x", "10.0.0.1", 9)};
    Farm b = farm("b", "192.0.2.11", 80, Protocol::tcp, 2);
    b.backends = {backend("y", "10.0.0.2", 9)};
    EXPECT_TRUE(refused(Config{{a, b}}, {"farm 'b'", "backend 'y'", "id 9"}));
}

TEST(Validate, AcceptsAFarmAndABackendSharingAnIdNumber) {
    Farm web = farm("web", "192.0.2.10", 80, Protocol::tcp, 1);
    web.backends = {backend("web1", "10.0.0.11", 1)};
    EXPECT_TRUE(accepted(one_farm_with(web)));
}

TEST(Validate, AcceptsTheHighestFarmId) {
    EXPECT_TRUE(accepted(one_farm_with(farm("web", "192.0.2.10", 80, Protocol::tcp, XDPLB_MAX_FARMS - 1))));
}

TEST(Validate, RefusesAFarmIdOutOfRange) {
    EXPECT_TRUE(refused(one_farm_with(farm("web", "192.0.2.10", 80, Protocol::tcp, XDPLB_MAX_FARMS)),
                        {"farm 'web'", "id " + std::to_string(XDPLB_MAX_FARMS)}));
}

TEST(Validate, AcceptsTheHighestBackendId) {
    Farm web = farm("web", "192.0.2.10", 80, Protocol::tcp, 1);
    web.backends = {backend("web1", "10.0.0.11", XDPLB_MAX_BACKENDS - 1)};
    EXPECT_TRUE(accepted(one_farm_with(web)));
}

TEST(Validate, RefusesABackendIdOutOfRange) {
    Farm web = farm("web", "192.0.2.10", 80, Protocol::tcp, 1);
    web.backends = {backend("web1", "10.0.0.11", XDPLB_MAX_BACKENDS)};
    EXPECT_TRUE(refused(one_farm_with(web), {"backend 'web1'", "id " + std::to_string(XDPLB_MAX_BACKENDS)}));
}

}  // namespace
}  // namespace xdplb::model

namespace xdplb::model {
namespace {

// ---- protection and timeouts ------------------------------------------------------

std::vector<IpPrefix> prefixes(std::initializer_list<const char*> texts) {
    std::vector<IpPrefix> list;
    for (const char* text : texts) list.push_back(IpPrefix::parse(text));
    return list;
}

TEST(Validate, AcceptsSourceListsOfTheVipsFamily) {
    Farm v4 = farm("web", "192.0.2.10", 80);
    v4.allow = prefixes({"198.18.0.0/15", "0.0.0.0/0"});
    v4.deny = prefixes({"198.18.7.0/24"});
    Farm v6 = farm("web6", "2001:db8::10", 80);
    v6.allow = prefixes({"fd00::/8"});
    EXPECT_TRUE(accepted(Config{{v4, v6}}));
}

TEST(Validate, RefusesAPrefixOfTheOtherFamily) {
    Farm v4 = farm("web", "192.0.2.10", 80);
    v4.allow = prefixes({"fd00::/8"});
    EXPECT_TRUE(refused(one_farm_with(v4), {"farm 'web'", "allow prefix fd00::/8 is IPv6 but the VIP is IPv4"}));
    Farm v6 = farm("web6", "2001:db8::10", 80);
    v6.deny = prefixes({"198.18.0.0/15"});
    EXPECT_TRUE(refused(one_farm_with(v6), {"farm 'web6'", "deny prefix 198.18.0.0/15 is IPv4 but the VIP is IPv6"}));
}

TEST(Validate, RefusesAPrefixListedTwice) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.deny = prefixes({"198.18.7.0/24", "198.18.7.0/24"});
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web'", "deny prefix 198.18.7.0/24 twice"}));
}

TEST(Validate, AcceptsAFullListAndRefusesOneMore) {
    Farm web = farm("web", "192.0.2.10", 80);
    for (std::size_t i = 0; i < XDPLB_MAX_SOURCE_PREFIXES; ++i) web.allow.push_back(IpPrefix::parse(address_for(i)));
    EXPECT_TRUE(accepted(one_farm_with(web)));
    web.allow.push_back(IpPrefix::parse(address_for(XDPLB_MAX_SOURCE_PREFIXES)));
    EXPECT_TRUE(refused(one_farm_with(web), {"farm 'web'", "more than 1024 allow prefixes"}));
}

TEST(Validate, RefusesMorePrefixesThanTheDataPlaneHoldsInAllFarms) {
    Config config;
    const std::size_t farms = XDPLB_SOURCE_LIST_SIZE / XDPLB_MAX_SOURCE_PREFIXES + 1;
    for (std::size_t f = 0; f < farms; ++f) {
        Farm web = farm("web" + std::to_string(f), address_for(60000 + f), 80);
        for (std::size_t i = 0; i < XDPLB_MAX_SOURCE_PREFIXES; ++i) web.deny.push_back(IpPrefix::parse(address_for(i)));
        config.farms.push_back(web);
    }
    EXPECT_TRUE(refused(config, {"at most 65536 allow and as many deny prefixes"}));
}

TEST(Validate, RefusesRatesAndTimeoutsOutOfRange) {
    Farm web = farm("web", "192.0.2.10", 80);
    web.rate_limit = kMaxRateLimit;
    web.rate_burst = kMaxRateLimit;
    web.timeouts.tcp = kMaxTimeoutSeconds;
    web.timeouts.udp = kMinTimeoutSeconds;
    EXPECT_TRUE(accepted(one_farm_with(web)));
    Farm fast = web;
    fast.rate_limit = kMaxRateLimit + 1;
    EXPECT_TRUE(refused(one_farm_with(fast), {"farm 'web'", "rate_limit and rate_burst must be from 0 to 1000000"}));
    Farm instant = web;
    instant.timeouts.tcp_close = 0;
    EXPECT_TRUE(refused(one_farm_with(instant), {"farm 'web'", "timeouts must be from 1 to 2592000 seconds, got 0"}));
}

}  // namespace
}  // namespace xdplb::model
