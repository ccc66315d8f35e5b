// What making one configuration into another changes, as an operator reads
// it: farms and backends, matched by name, added, removed or changed field by
// field. (config_diff.hpp is the data plane's view: whole farms by id.)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/farm.hpp"

namespace xdplb::model {

struct FieldChange {
    std::string field;  // as in the JSON form
    nlohmann::json before;
    nlohmann::json after;

    friend bool operator==(const FieldChange&, const FieldChange&) = default;
};

struct Change {
    enum class Kind { add, remove, change };
    Kind kind;
    std::string farm;
    std::optional<std::string> backend;  // none: the farm itself
    std::vector<FieldChange> fields;     // for Kind::change, by name

    friend bool operator==(const Change&, const Change&) = default;
};

// In the order of `after`'s farms, each farm's own change before its
// backends'; farms only in `before` last. A farm added brings its backends as
// added backends; a farm removed takes its backends with it. Empty when
// `after` serves what `before` does, whatever the order of the farms.
std::vector<Change> changes_between(const Config& before, const Config& after);

// [{"change": "add"|"remove"|"change", "farm": F, "backend": B (a backend's only),
//   "fields": [{"field": NAME, "from": VALUE, "to": VALUE}...] (a change's only)}...]
nlohmann::json changes_to_json(const std::vector<Change>& changes);

}  // namespace xdplb::model
