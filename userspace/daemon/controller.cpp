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
    // The maps are new: every counter already starts from zero.
    writer_.apply(model::Config{}, initial);
    store_.save(initial);
    config_ = std::move(initial);
    saved_ = config_;
    neighbours_.update(model::Config{}, config_);
}

void Controller::change(model::Config next) {
    try {
        writer_.reset_stats_of_new_ids(config_, next);
        writer_.apply(config_, next);
    } catch (...) {
        restore_maps(next, config_, std::current_exception());
        throw;
    }
    config_ = std::move(next);
    ++unsaved_changes_;
}

void Controller::save() {
    if (unsaved_changes_ == 0) return;
    try {
        store_.save(config_);
    } catch (...) {
        restore_maps(config_, saved_, std::current_exception());
        config_ = saved_;
        unsaved_changes_ = 0;
        throw;
    }
    unsaved_changes_ = 0;
    const model::Config previous = std::exchange(saved_, config_);
    neighbours_.update(previous, config_);
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

}  // namespace xdplb::daemon
