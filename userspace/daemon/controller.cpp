#include "daemon/controller.hpp"

#include <exception>
#include <string>

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

Controller::Controller(const dataplane::MapWriter& writer, const state::StateStore& store, model::Config initial)
    : writer_(writer), store_(store) {
    // The maps are new: every counter already starts from zero.
    writer_.apply(model::Config{}, initial);
    store_.save(initial);
    config_ = std::move(initial);
}

void Controller::commit(model::Config next) {
    try {
        writer_.reset_stats_of_new_ids(config_, next);
        writer_.apply(config_, next);
        store_.save(next);
    } catch (...) {
        const std::exception_ptr failure = std::current_exception();
        try {
            // Not a change of its own: ids coming back keep the counters they had.
            writer_.apply(next, config_);
        } catch (const std::exception& error) {
            throw DataPlaneMismatch("a change failed (" + describe(failure) + ") and undoing it failed too (" +
                                    error.what() + "): the data plane no longer matches the configuration");
        }
        throw;
    }
    config_ = std::move(next);
}

}  // namespace xdplb::daemon
