// What changed in a table since the last walk, for the master to send. lbd's
// upkeep already reads every entry once a second; the tracker compares what
// it reads with what the peers were last told, so the data path pays nothing
// for sync (docs/state-sync.md).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <xdplb/abi.h>

#include "dataplane/session_table.hpp"

namespace xdplb::sync {

// A connection entry as a peer copies it: the clock and the next hop left out.
struct TrackedFlow {
    dataplane::TableKind table = dataplane::TableKind::established;
    xdplb_flow flow{};
};

// Whether a peer's copy of `was` still says all that `now` says, but for the clock.
bool same_for_peer(const TrackedFlow& was, const TrackedFlow& now);
bool same_for_peer(const xdplb_persistence& was, const xdplb_persistence& now);
std::uint64_t last_seen_ns(const TrackedFlow& entry);
std::uint64_t last_seen_ns(const xdplb_persistence& entry);

template <class Key>
struct KeyBytesHash {
    std::size_t operator()(const Key& key) const {
        return std::hash<std::string_view>{}({reinterpret_cast<const char*>(&key), sizeof key});
    }
};

template <class Key>
struct KeyBytesEqual {
    bool operator()(const Key& a, const Key& b) const { return std::memcmp(&a, &b, sizeof a) == 0; }
};

template <class Key, class Value>
class ChangeTracker {
public:
    // Notes the entry as seen in this walk. Returns whether a peer must be
    // told of it: it is new, changed, or was used since it was last sent
    // at least `refresh_ns` later, so that a peer's copy, whose clock only
    // sync moves, never goes stale while the connection lives here.
    bool saw(const Key& key, const Value& value, std::uint64_t refresh_ns) {
        auto [at, added] = sent_.try_emplace(key, Sent{value, walk_});
        Sent& sent = at->second;
        sent.walk = walk_;
        bool due = added || !same_for_peer(sent.value, value) ||
                   last_seen_ns(value) >= last_seen_ns(sent.value) + refresh_ns;
        if (due) sent.value = value;
        return due;
    }

    // Ends the walk: the keys sent before and not seen in it are gone.
    std::vector<Key> finish_walk() {
        std::vector<Key> gone;
        for (auto at = sent_.begin(); at != sent_.end();) {
            if (at->second.walk != walk_) {
                gone.push_back(at->first);
                at = sent_.erase(at);
            } else {
                ++at;
            }
        }
        ++walk_;
        return gone;
    }

    // Every entry as last sent: what a bulk resync sends.
    template <class Visit>
    void for_each(Visit visit) const {
        for (const auto& [key, sent] : sent_) visit(key, sent.value);
    }

    std::size_t size() const { return sent_.size(); }

private:
    struct Sent {
        Value value;
        std::uint64_t walk;
    };

    std::uint64_t walk_ = 0;
    std::unordered_map<Key, Sent, KeyBytesHash<Key>, KeyBytesEqual<Key>> sent_;
};

using ConnectionTracker = ChangeTracker<xdplb_flow_key, TrackedFlow>;
using PersistenceTracker = ChangeTracker<xdplb_persistence_key, xdplb_persistence>;

}  // namespace xdplb::sync
