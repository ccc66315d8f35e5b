// What vrrp.status answers, and how lbctl vrrp status shows it.
#include "daemon/vrrp_status.hpp"

#include <gtest/gtest.h>

#include "cli/render.hpp"

namespace xdplb::daemon {
namespace {

using nlohmann::json;

ha::NodeStatus backup_status() {
    ha::NodeStatus status;
    status.interface = "eth0";
    status.vrid = 51;
    status.priority = 100;
    status.state = ha::State::backup;
    status.master_address = IpAddress::parse("198.18.0.11");
    status.master_advert_interval = ha::Centiseconds(10);
    status.addresses = {ha::parse_virtual_address("198.18.0.100/24"),
                        ha::parse_virtual_address("198.18.1.1/24@eth1")};
    return status;
}

sync::SyncStatus resyncing_status() {
    sync::SyncStatus status;
    status.state = sync::SyncState::resyncing;
    status.peers = {*IpAddress::parse("198.18.1.2")};
    status.since_last_received = std::chrono::milliseconds(400);
    status.entries = {0, 1200, 3};
    return status;
}

TEST(VrrpStatus, ViewHasEveryField) {
    EXPECT_EQ(vrrp_status_view(backup_status(), std::nullopt),
              json::parse(R"({"state": "backup", "interface": "eth0", "vrid": 51, "priority": 100,
                              "master": "198.18.0.11", "advert_interval": 0.1,
                              "vips": ["198.18.0.100/24", "198.18.1.1/24@eth1"], "sync": {"state": "none"}})"));
}

TEST(VrrpStatus, SyncHasItsStatePeersLastDatagramAndEntries) {
    EXPECT_EQ(vrrp_status_view(backup_status(), resyncing_status())["sync"],
              json::parse(R"({"state": "resyncing", "peers": ["198.18.1.2"], "last_received_s": 0.4,
                              "entries": {"sent": 0, "received": 1200, "rejected": 3}})"));
    sync::SyncStatus never = resyncing_status();
    never.since_last_received.reset();
    EXPECT_TRUE(vrrp_status_view(backup_status(), never)["sync"]["last_received_s"].is_null());
}

TEST(VrrpStatus, NoMasterKnownIsNull) {
    ha::NodeStatus status = backup_status();
    status.state = ha::State::initialize;
    status.master_address.reset();
    const json view = vrrp_status_view(status, std::nullopt);
    EXPECT_EQ(view["state"], "init");
    EXPECT_TRUE(view["master"].is_null());
}

TEST(VrrpStatus, LbctlShowsOneLine) {
    const json view = vrrp_status_view(backup_status(), std::nullopt);
    EXPECT_EQ(cli::render_for_people(api::Request{"vrrp.status", json::object()}, view),
              "IFACE  VRID  STATE   PRIORITY  MASTER       ADVERT  VIPS                                SYNC  LAST SYNC  "
              "IN/OUT/REJECTED\n"
              "eth0     51  backup       100  198.18.0.11    0.1s  198.18.0.100/24,198.18.1.1/24@eth1  none          -  "
              "              -\n");
}

TEST(VrrpStatus, LbctlShowsTheSyncStateItsAgeAndEntries) {
    const json view = vrrp_status_view(backup_status(), resyncing_status());
    const std::string shown = cli::render_for_people(api::Request{"vrrp.status", json::object()}, view);
    EXPECT_NE(shown.find("  resyncing  "), std::string::npos) << shown;
    EXPECT_NE(shown.find("0.4s ago"), std::string::npos) << shown;
    EXPECT_NE(shown.find("1200/0/3"), std::string::npos) << shown;
}

TEST(VrrpStatus, LbctlShowsADashWithoutMaster) {
    ha::NodeStatus status = backup_status();
    status.state = ha::State::fault;
    status.master_address.reset();
    const std::string shown = cli::render_for_people(api::Request{"vrrp.status", json::object()},
                                                     vrrp_status_view(status, std::nullopt));
    EXPECT_NE(shown.find("fault"), std::string::npos);
    EXPECT_NE(shown.find("  -  "), std::string::npos) << shown;
}

}  // namespace
}  // namespace xdplb::daemon
