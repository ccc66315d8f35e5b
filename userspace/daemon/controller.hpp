// Owns the live configuration and changes it as one transaction: validate,
// write the maps, persist, and only then make it current. The maps hold the
// configuration as health makes it (health::served_config); the state file
// holds it as configured.
#pragma once

#include <functional>
#include <stdexcept>

#include "daemon/neighbours.hpp"
#include "dataplane/map_writer.hpp"
#include "health/serving_overlay.hpp"
#include "model/farm.hpp"
#include "state/state_store.hpp"

namespace xdplb::daemon {

// A failed change could not be undone: the maps may describe neither the old
// configuration nor the new one. lbd cannot go on serving and must stop.
class DataPlaneMismatch : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Controller {
public:
    // Writes `initial` (already validated, ids assigned) into the empty maps and saves it.
    // `neighbours` follows each change made, after it is made.
    Controller(const dataplane::MapWriter& writer, const state::StateStore& store, Neighbours& neighbours,
               model::Config initial);

    const model::Config& config() const { return config_; }

    // Makes `next` current. If writing the maps or saving fails, the maps are
    // restored to the current configuration and the error is rethrown, so a
    // failed change leaves nothing behind. If restoring fails too, throws
    // DataPlaneMismatch. Neighbour entries cannot fail a change: theirs are
    // only warnings.
    void commit(model::Config next);

    // Called after each change committed, with the new configuration.
    void on_change(std::function<void(const model::Config&)> follower) { follower_ = std::move(follower); }

    // Serves the configuration with this overlay of health from now on:
    // writes only what it changes (the selection tables of the farms whose
    // backends changed), saves nothing. On failure the maps are restored and
    // the error rethrown; DataPlaneMismatch if restoring fails too.
    void serve_health(health::ServingOverlay overlay);

private:
    // Writes the maps from serving served_ to serving `next`, undoing on failure.
    void write_served(const model::Config& next, const std::function<void()>& then);

    const dataplane::MapWriter& writer_;
    const state::StateStore& store_;
    Neighbours& neighbours_;
    model::Config config_;
    health::ServingOverlay overlay_;
    model::Config served_;
    std::function<void(const model::Config&)> follower_;
};

}  // namespace xdplb::daemon
