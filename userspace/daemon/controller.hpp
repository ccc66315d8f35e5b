// Owns the live configuration and changes it as one transaction: validate,
// write the maps, persist, and only then make it current.
#pragma once

#include <stdexcept>

#include "daemon/neighbours.hpp"
#include "dataplane/map_writer.hpp"
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

private:
    const dataplane::MapWriter& writer_;
    const state::StateStore& store_;
    Neighbours& neighbours_;
    model::Config config_;
};

}  // namespace xdplb::daemon
