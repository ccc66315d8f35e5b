#include "daemon/controller.hpp"

#include <exception>
#include <string>
#include <utility>

namespace xdplb::daemon {

namespace {

std::string describe(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& error) {
        return error.what();
    } catch (...) {
        return "unknown error";
    }
}

}  // namespace

Controller::Controller(const dataplane::MapWriter& writer, const state::StateStore& store, Neighbours& neighbours,
                       model::Config initial)
    : writer_(writer), store_(store), neighbours_(neighbours) {
    // The maps are new: every counter already starts from zero. No backend
    // has been checked yet, so none is down.
    writer_.apply(model::Config{}, initial);
    store_.save(initial);
    config_ = std::move(initial);
    served_ = config_;
    neighbours_.update(model::Config{}, config_);
}

void Controller::write_served(const model::Config& next, const std::function<void()>& then) {
    try {
        writer_.reset_stats_of_new_ids(served_, next);
        writer_.apply(served_, next);
        then();
    } catch (...) {
        const std::exception_ptr failure = std::current_exception();
        try {
            // Not a change of its own: ids coming back keep the counters they had.
            writer_.apply(next, served_);
        } catch (const std::exception& error) {
            throw DataPlaneMismatch("a change failed (" + describe(failure) + ") and undoing it failed too (" +
                                    error.what() + "): the data plane no longer matches the configuration");
        }
        throw;
    }
}

void Controller::commit(model::Config next) {
    model::Config next_served = health::served_config(next, overlay_);
    write_served(next_served, [&] { store_.save(next); });
    served_ = std::move(next_served);
    const model::Config previous = std::exchange(config_, std::move(next));
    neighbours_.update(previous, config_);
    if (follower_) follower_(config_);
}

void Controller::serve_health(health::ServingOverlay overlay) {
    model::Config next_served = health::served_config(config_, overlay);
    write_served(next_served, [] {});
    served_ = std::move(next_served);
    overlay_ = std::move(overlay);
}

}  // namespace xdplb::daemon
