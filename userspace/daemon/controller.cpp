#include "daemon/controller.hpp"

#include <spdlog/spdlog.h>

namespace xdplb::daemon {

Controller::Controller(const dataplane::MapWriter& writer, const state::StateStore& store, model::Config initial)
    : writer_(writer), store_(store) {
    writer_.apply(model::Config{}, initial);
    store_.save(initial);
    config_ = std::move(initial);
}

void Controller::commit(model::Config next) {
    try {
        writer_.apply(config_, next);
        store_.save(next);
    } catch (...) {
        try {
            writer_.apply(next, config_);
        } catch (const std::exception& error) {
            spdlog::error("rolling back the data plane failed too: {}", error.what());
        }
        throw;
    }
    config_ = std::move(next);
}

}  // namespace xdplb::daemon
