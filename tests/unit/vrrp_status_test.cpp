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

TEST(VrrpStatus, ViewHasEveryField) {
    EXPECT_EQ(vrrp_status_view(backup_status()),
              json::parse(R"({"state": "backup", "interface": "eth0", "vrid": 51, "priority": 100,
                              "master": "198.18.0.11", "advert_interval": 0.1,
                              "vips": ["198.18.0.100/24", "198.18.1.1/24@eth1"], "sync": "none"})"));
}

TEST(VrrpStatus, NoMasterKnownIsNull) {
    ha::NodeStatus status = backup_status();
    status.state = ha::State::initialize;
    status.master_address.reset();
    const json view = vrrp_status_view(status);
    EXPECT_EQ(view["state"], "init");
    EXPECT_TRUE(view["master"].is_null());
}

TEST(VrrpStatus, LbctlShowsOneLine) {
    const json view = vrrp_status_view(backup_status());
    EXPECT_EQ(cli::render_for_people(api::Request{"vrrp.status", json::object()}, view),
              "IFACE  VRID  STATE   PRIORITY  MASTER       ADVERT  VIPS                                SYNC\n"
              "eth0     51  backup       100  198.18.0.11    0.1s  198.18.0.100/24,198.18.1.1/24@eth1  none\n");
}

TEST(VrrpStatus, LbctlShowsADashWithoutMaster) {
    ha::NodeStatus status = backup_status();
    status.state = ha::State::fault;
    status.master_address.reset();
    const std::string shown = cli::render_for_people(api::Request{"vrrp.status", json::object()}, vrrp_status_view(status));
    EXPECT_NE(shown.find("fault"), std::string::npos);
    EXPECT_NE(shown.find("  -  "), std::string::npos) << shown;
}

}  // namespace
}  // namespace xdplb::daemon
