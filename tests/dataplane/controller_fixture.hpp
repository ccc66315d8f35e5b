// The fixture of the tests that drive lbd's controller on the real maps: a
// state directory of their own, removed at the end, and a controller that
// starts with no farm.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "daemon/controller.hpp"
#include "daemon/neighbours.hpp"
#include "dataplane_fixture.hpp"
#include "state/state_store.hpp"

namespace xdplb::testing {

class ControllerTest : public DataPlaneTest {
protected:
    void SetUp() override {
        DataPlaneTest::SetUp();
        char pattern[] = "/tmp/xdplb-controller-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        state_dir_ = pattern;
        store_ = std::make_unique<state::StateStore>(state_dir_);
        neighbours_ = std::make_unique<daemon::Neighbours>(program_->interfaces());
        controller_ = std::make_unique<daemon::Controller>(*writer_, *store_, *neighbours_, model::Config{});
    }

    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(state_dir_, ignored);
    }

    std::filesystem::path state_dir_;
    std::unique_ptr<state::StateStore> store_;
    std::unique_ptr<daemon::Neighbours> neighbours_;
    std::unique_ptr<daemon::Controller> controller_;
};

}  // namespace xdplb::testing
