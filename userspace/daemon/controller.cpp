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
                       model::Config initial, const model::Config& in_maps)
    : writer_(writer), store_(store), neighbours_(neighbours) {
    // Adopted maps lose what only `in_maps` has, and ids new to `initial`
    // count from zero; established connections stay. Every entry of `initial`
    // is then written whatever the maps hold: no backend has been checked
    // yet, so none is down, even one the previous lbd had taken out.
    writer_.reset_stats_of_new_ids(in_maps, initial);
    writer_.apply(in_maps, initial);
    writer_.apply(model::Config{}, initial);
    store_.save(initial);
    config_ = std::move(initial);
    saved_ = config_;
    served_ = config_;
    neighbours_.update(model::Config{}, config_);
}

void Controller::write_served(const model::Config& next) const {
    try {
        writer_.reset_stats_of_new_ids(served_, next);
        writer_.apply(served_, next);
    } catch (...) {
        restore_maps(next, served_, std::current_exception());
        throw;
    }
}

void Controller::restore_maps(const model::Config& from, const model::Config& to,
                              const std::exception_ptr& failure) const {
    try {
        // Not a change of its own: ids coming back keep the counters they had.
        writer_.apply(from, to);
    } catch (const std::exception& error) {
        throw DataPlaneMismatch("a change failed (" + describe(failure) + ") and undoing it failed too (" +
                                error.what() + "): the data plane no longer matches the configuration");
    }
}

void Controller::make_current(model::Config next, model::Config next_served) {
    config_ = std::move(next);
    served_ = std::move(next_served);
    for (const auto& follower : followers_) follower(config_);
}

void Controller::change(model::Config next) {
    model::Config next_served = health::served_config(next, overlay_);
    write_served(next_served);
    make_current(std::move(next), std::move(next_served));
    ++unsaved_changes_;
}

void Controller::save() {
    if (unsaved_changes_ == 0) return;
    try {
        store_.save(config_);
    } catch (...) {
        model::Config saved_served = health::served_config(saved_, overlay_);
        restore_maps(served_, saved_served, std::current_exception());
        unsaved_changes_ = 0;
        make_current(saved_, std::move(saved_served));
        throw;
    }
    unsaved_changes_ = 0;
    const model::Config previous = std::exchange(saved_, config_);
    neighbours_.update(previous, config_);
}

void Controller::serve_health(health::ServingOverlay overlay) {
    model::Config next_served = health::served_config(config_, overlay);
    write_served(next_served);
    served_ = std::move(next_served);
    overlay_ = std::move(overlay);
}

}  // namespace xdplb::daemon
