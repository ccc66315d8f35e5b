// lbd's sampling of the counters for the rates of `lbctl stats`, through the
// real controller and maps: a backend deleted and another added in its place
// takes its id, and its rates count from zero, not from the deleted one's
// counters.
#include <chrono>

#include <boost/asio/io_context.hpp>

#include "controller_fixture.hpp"
#include "daemon/stats_sampler.hpp"
#include "model/operations.hpp"

namespace xdplb::testing {
namespace {

class StatsSamplerTest : public ControllerTest {
protected:
    void SetUp() override {
        ControllerTest::SetUp();
        sampler_ = std::make_unique<daemon::StatsSampler>(io_, *counters_, *controller_);
    }

    std::uint32_t backend_id(const std::string& name) const {
        return model::existing_backend(model::existing_farm(controller_->config(), "web"), name).id;
    }

    // `count` new connections to the farm, one SYN each, from client ports `first_port` on.
    void connect(std::uint16_t first_port, int count) {
        for (int i = 0; i < count; ++i) {
            run_from_client(build_frame(from_client(kIpv4.vip, static_cast<std::uint16_t>(first_port + i), 80)));
        }
    }

    // Runs lbd's event loop until the sampler has taken its second sample.
    bool second_sample() {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!sampler_->history().window_s() && std::chrono::steady_clock::now() < give_up) {
            io_.run_one_for(std::chrono::milliseconds(100));
        }
        return sampler_->history().window_s().has_value();
    }

    boost::asio::io_context io_;
    std::unique_ptr<daemon::StatsSampler> sampler_;
};

TEST_F(StatsSamplerTest, ABackendInTheIdOfADeletedOneCountsFromZero) {
    model::Farm web = farm("web", model::Mode::dnat, 80);
    web.backends = {backend("old", kIpv4.backend1, 8080)};
    controller_->change(model::add_farm(controller_->config(), web));
    connect(40000, 2);
    sampler_->start();  // the first sample: "old" has 2 connections
    const std::uint32_t old_id = backend_id("old");

    controller_->change(model::delete_backend(controller_->config(), "web", "old"));
    controller_->change(model::add_backend(controller_->config(), "web", backend("new", kIpv4.backend1, 8080)));
    ASSERT_EQ(backend_id("new"), old_id) << "the lowest free id is taken again";
    connect(41000, 3);
    ASSERT_TRUE(second_sample());

    const double window = *sampler_->history().window_s();
    const std::optional<daemon::FlowRates> rates = sampler_->history().backend(old_id);
    ASSERT_TRUE(rates);
    EXPECT_DOUBLE_EQ(rates->connections_per_s * window, 3) << "3 new connections, not 3 - 2";
    EXPECT_DOUBLE_EQ(rates->to_backend.packets_per_s * window, 3);
    EXPECT_DOUBLE_EQ(sampler_->history().farm(model::existing_farm(controller_->config(), "web").id)
                             ->connections_per_s * window,
                     3)
        << "the farm kept its id and its counters: 2 connections at the first sample, 5 at the second";
}

}  // namespace
}  // namespace xdplb::testing
