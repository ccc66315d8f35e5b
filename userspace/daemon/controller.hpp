// Owns the live configuration. Each change is one transaction on the maps:
// written completely, or undone. Changes are saved together: save() writes
// every change made since the last save in one atomic replacement of the
// state file, or undoes them all, so that a pipelined burst of requests
// costs one save rather than one each. The maps hold the configuration as
// health makes it (health::served_config); the state file holds it as
// configured.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <stdexcept>
#include <vector>

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
    // Writes `initial` (already validated, ids assigned) into the maps, which
    // describe `in_maps` (empty for new maps, what an earlier lbd saved for
    // adopted ones), and saves it. `neighbours` follows the changes, once they
    // are saved.
    Controller(const dataplane::MapWriter& writer, const state::StateStore& store, Neighbours& neighbours,
               model::Config initial, const model::Config& in_maps = {});

    const model::Config& config() const { return config_; }
    // The configuration as the maps serve it: config() with health applied.
    const model::Config& served() const { return served_; }

    // Writes `next` (validated) into the maps and makes it current, unsaved.
    // If writing fails, the maps are restored to the current configuration
    // and the error is rethrown, so a failed change leaves nothing behind. If
    // restoring fails too, throws DataPlaneMismatch.
    void change(model::Config next);

    // How many changes save() would write; a caller tells by it whether a
    // request changed anything.
    std::size_t unsaved_changes() const { return unsaved_changes_; }

    // Saves the current configuration if it has unsaved changes, then updates
    // the neighbour entries (which cannot fail: theirs are only warnings). If
    // saving fails, every unsaved change is undone in the maps too and the
    // error is rethrown; if undoing fails, throws DataPlaneMismatch.
    void save();

    // Adds a follower, called whenever the current configuration changes (a
    // change, or unsaved changes undone) with the new one; followers are
    // called in the order they were added.
    void on_change(std::function<void(const model::Config&)> follower) { followers_.push_back(std::move(follower)); }

    // Serves the configuration with this overlay of health from now on:
    // writes only what it changes (the selection tables of the farms whose
    // backends changed), saves nothing. On failure the maps are restored and
    // the error rethrown; DataPlaneMismatch if restoring fails too.
    void serve_health(health::ServingOverlay overlay);

private:
    // Writes the maps from serving served_ to serving `next`, or restores them and rethrows.
    void write_served(const model::Config& next) const;
    // Brings the maps from `from` back to `to`, or throws DataPlaneMismatch naming `failure`.
    void restore_maps(const model::Config& from, const model::Config& to, const std::exception_ptr& failure) const;
    void make_current(model::Config next, model::Config next_served);

    const dataplane::MapWriter& writer_;
    const state::StateStore& store_;
    Neighbours& neighbours_;
    model::Config config_;
    model::Config saved_;  // what the state file holds
    std::size_t unsaved_changes_ = 0;
    health::ServingOverlay overlay_;
    model::Config served_;  // what the maps hold: config_ with overlay_
    std::vector<std::function<void(const model::Config&)>> followers_;
};

}  // namespace xdplb::daemon
