// Whether this node holds its peers' connection state, and so may take over
// from a live master: the gate VRRP preemption asks (docs/state-sync.md,
// "Bulk resync"). Pure: every event comes with the time.
//
// A node that starts, or returns from fault, asks its peers for everything
// and repeats the request every kRequestInterval until the master answers
// with "resync complete". A lone node must not wait forever: when no peer
// has sent anything for kQuietLimit, the wait ends (state "alone") and the
// gate opens. A node that becomes master is the source: in sync.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace xdplb::sync {

using SteadyClock = std::chrono::steady_clock;

inline constexpr std::chrono::milliseconds kRequestInterval{500};
// Well above how long a returning node's path to its peer takes to work
// again (the kernel reopens a veth's queue at its next link watch, and both
// sides resolve each other's address anew: 2.0-2.3 s measured), so that a
// node that hears its master always waits for the master's answer.
inline constexpr std::chrono::seconds kQuietLimit{10};

enum class SyncState {
    resyncing,  // asked for everything (or about to): may not preempt
    in_sync,    // a peer's bulk resync completed, or this node is the master
    alone,      // the wait ended with no peer heard: may preempt, without state
};

std::string_view to_string(SyncState state);  // "resyncing", "in_sync", "alone"

class Resync {
public:
    // Shut from the start: a node must not preempt before it has asked.
    SyncState state() const { return state_; }
    bool may_preempt() const { return state_ != SyncState::resyncing; }

    // Asks again from now on, whatever the state.
    void begin(SteadyClock::time_point now);
    // Whether a request is due now; if so, notes it as sent.
    bool request_due(SteadyClock::time_point now);
    // An authenticated datagram from a peer: it is alive, the wait goes on.
    void heard_from_peer(SteadyClock::time_point now);
    void completed();
    void became_master();
    // Ends the wait when no peer was heard for kQuietLimit. Returns whether it did.
    bool give_up_if_quiet(SteadyClock::time_point now);

private:
    SyncState state_ = SyncState::resyncing;
    std::optional<SteadyClock::time_point> last_request_;
    SteadyClock::time_point waiting_since_{};  // the request, or the last datagram heard
};

}  // namespace xdplb::sync
