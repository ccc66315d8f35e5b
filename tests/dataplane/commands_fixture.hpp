// The fixture of the tests that send API requests through lbd's commands to
// its controller on the real maps, as lbd does (with no VRRP node).
#pragma once

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <boost/asio/io_context.hpp>

#include "controller_fixture.hpp"
#include "daemon/commands.hpp"
#include "daemon/health_monitor.hpp"
#include "dataplane/session_table.hpp"

namespace xdplb::testing {

class CommandsTest : public ControllerTest {
protected:
    void SetUp() override {
        ControllerTest::SetUp();
        sessions_ = std::make_unique<dataplane::SessionTable>(*program_);
        health_ = std::make_unique<daemon::HealthMonitor>(io_, *controller_, *sessions_);
        commands_ = std::make_unique<daemon::Commands>(*controller_, *counters_, history_, *sessions_, *health_, nullptr);
    }

    // The state file as lbd saved it last.
    std::string saved_state() const {
        std::ifstream in(state_dir_ / "state.json");
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

    std::unique_ptr<dataplane::SessionTable> sessions_;
    boost::asio::io_context io_;  // never run: no check is made
    std::unique_ptr<daemon::HealthMonitor> health_;
    daemon::CounterHistory history_;  // empty: these tests ask for no rates
    std::unique_ptr<daemon::Commands> commands_;
};

}  // namespace xdplb::testing
