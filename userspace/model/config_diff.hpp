// What a change touches: the farms that are not the same before and after it.
#pragma once

#include "model/farm.hpp"

namespace xdplb::model {

// The farms of `before` and of `after` that differ, matched by id: a farm that
// is new, gone, or changed in any field or backend appears in the side(s) it is
// in; a farm equal in both appears in neither. Both configurations valid, so
// that no id, backend id or (VIP, port, protocol) of a farm left out can also
// belong to a farm kept in: what is keyed by them needs only the farms kept.
struct ConfigDiff {
    Config before;
    Config after;
};

ConfigDiff differing_farms(const Config& before, const Config& after);

}  // namespace xdplb::model
