// One VRRPv3 virtual router as RFC 5798 6.4 runs it, plus keepalived's fault
// state for tracked interfaces, preempt delay, and a gate the connection-state
// sync holds shut until this node may take over from a live master.
//
// Pure: every event comes with the time, every effect goes out as an action
// for the caller to carry out in order, and deadline() says when to call
// timer_expired. Tests drive it with a clock of their own.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "common/ip_address.hpp"
#include "ha/vrrp_advert.hpp"
#include "ha/vrrp_config.hpp"

namespace xdplb::ha {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

enum class State : std::uint8_t { initialize, backup, master, fault };
std::string to_string(State state);  // as lbctl vrrp status shows it: init, backup, master, fault

// Send an advert for this router with this priority (0: the master leaves).
struct SendAdvert {
    std::uint8_t priority = 0;
    friend bool operator==(const SendAdvert&, const SendAdvert&) = default;
};
// Add the virtual addresses, then announce them: gratuitous ARP, unsolicited
// neighbour advertisements.
struct AcquireAddresses {
    friend bool operator==(const AcquireAddresses&, const AcquireAddresses&) = default;
};
// Remove the virtual addresses; also given on entering backup or fault from
// init, so that addresses a crashed run left behind go.
struct ReleaseAddresses {
    friend bool operator==(const ReleaseAddresses&, const ReleaseAddresses&) = default;
};
// The state changed: log it, run the notify command.
struct Notify {
    State from = State::initialize;
    State to = State::initialize;
    std::string reason;  // one line
    friend bool operator==(const Notify&, const Notify&) = default;
};
using Action = std::variant<SendAdvert, AcquireAddresses, ReleaseAddresses, Notify>;
using Actions = std::vector<Action>;

class VirtualRouter {
public:
    // "May become master": asked before this node takes over from a live
    // master of lower priority (preemption, or the owner starting). The
    // sync layer answers false until this node's resync is complete. A
    // master that falls silent or resigns is replaced whatever the answer:
    // holding back then would leave the addresses unserved.
    using MayPreempt = std::function<bool()>;

    // Validates `config` (std::invalid_argument). Starts in init.
    explicit VirtualRouter(
        RouterConfig config, MayPreempt may_preempt = [] { return true; });

    Actions start(TimePoint now);
    // A decoded advert and its packet's source. Adverts of another VRID or
    // family, and this node's own, are ignored.
    Actions advert_received(const Advert& advert, const IpAddress& source, TimePoint now);
    // Call at deadline(); an early or stray call does nothing.
    Actions timer_expired(TimePoint now);
    // Links of untracked interfaces are ignored. Before start the state of
    // tracked ones is recorded, so that start goes straight to fault.
    Actions interface_changed(const std::string& name, bool up, TimePoint now);
    // Back to init; a master first sends priority 0 so that a backup takes
    // over after its skew time rather than its master down interval.
    Actions shutdown(TimePoint now);

    State state() const { return state_; }
    // When timer_expired is due: the next advert (master) or the master
    // down timer (backup); none in init and fault.
    std::optional<TimePoint> deadline() const { return deadline_; }
    // This node as master; the sender of the adverts a backup follows.
    std::optional<IpAddress> master_address() const { return master_address_; }
    Centiseconds master_advert_interval() const { return master_advert_interval_; }

private:
    bool is_owner() const { return config_.priority == kOwnerPriority; }
    bool wins_against(std::uint8_t priority, const IpAddress& source) const;
    bool would_preempt(TimePoint now);
    void follow_master(const Advert& advert, const IpAddress& source, TimePoint now);

    Actions advert_as_backup(const Advert& advert, const IpAddress& source, TimePoint now);
    Actions advert_as_master(const Advert& advert, const IpAddress& source, TimePoint now);
    // From init or fault: what startup does when every tracked link is up.
    Actions enter_service(const std::string& reason, TimePoint now);
    void become_master(const std::string& reason, TimePoint now, Actions& actions);
    void become_backup(const std::string& reason, Centiseconds master_interval, TimePoint now, Actions& actions);
    // Fault and init: a master resigns first.
    void leave_service(State next, const std::string& reason, Actions& actions);
    void change_state(State next, const std::string& reason, Actions& actions);

    RouterConfig config_;
    MayPreempt may_preempt_;
    State state_ = State::initialize;
    std::optional<TimePoint> deadline_;
    std::optional<IpAddress> master_address_;
    Centiseconds master_advert_interval_;
    // Backup: the master down timer was cut to the skew time by a resigning master.
    bool master_resigned_ = false;
    // Backup: since when a lower-priority master has been heard; preempt delay counts from here.
    std::optional<TimePoint> lower_master_since_;
    std::set<std::string> interfaces_down_;  // tracked ones only
};

}  // namespace xdplb::ha
