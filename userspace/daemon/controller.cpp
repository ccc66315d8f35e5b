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
    neighbours_.update(model::Config{}, config_);
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
    const model::Config previous = std::exchange(config_, std::move(next));
    neighbours_.update(previous, config_);
}

}  // namespace xdplb::daemon
