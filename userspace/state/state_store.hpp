// lbd's state file: the configuration with its data-plane ids, so a restart
// restores every farm exactly as it was.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>

#include "model/farm.hpp"

namespace xdplb::state {

class StateError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class StateStore {
public:
    explicit StateStore(std::filesystem::path directory);

    // The saved configuration, or nullopt when none was ever saved. A file that
    // cannot be read or parsed is a StateError and stays untouched.
    std::optional<model::Config> load() const;

    // Replaces the saved configuration atomically: a crash at any point leaves
    // either the old file or the new one, complete. Throws StateError unless
    // the new file is in place; once it is, a failure to make that durable is
    // only logged, because undoing the change would no longer undo the file.
    void save(const model::Config& config) const;

    const std::filesystem::path& file() const { return file_; }

private:
    std::filesystem::path directory_;
    std::filesystem::path file_;
};

}  // namespace xdplb::state
