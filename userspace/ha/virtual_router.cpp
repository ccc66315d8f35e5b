#include "ha/virtual_router.hpp"

#include <utility>

namespace xdplb::ha {
namespace {

std::string milliseconds_text(std::chrono::microseconds duration) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(duration).count()) + " ms";
}

}  // namespace

std::string to_string(State state) {
    switch (state) {
    case State::backup:
        return "backup";
    case State::master:
        return "master";
    case State::fault:
        return "fault";
    case State::initialize:
        break;
    }
    return "init";
}

VirtualRouter::VirtualRouter(RouterConfig config, MayPreempt may_preempt)
    : config_(std::move(config)),
      may_preempt_(std::move(may_preempt)),
      master_advert_interval_(config_.advert_interval) {
    validate(config_);
    if (!may_preempt_) may_preempt_ = [] { return true; };
}

Actions VirtualRouter::start(TimePoint now) {
    if (state_ != State::initialize) return {};
    if (!interfaces_down_.empty()) {
        Actions actions;
        leave_service(State::fault, "tracked interface " + *interfaces_down_.begin() + " is down", actions);
        return actions;
    }
    return enter_service("started", now);
}

Actions VirtualRouter::advert_received(const Advert& advert, const IpAddress& source, TimePoint now) {
    if (advert.vrid != config_.vrid || source.family() != config_.primary_address.family() ||
        source == config_.primary_address) {
        return {};
    }
    if (state_ == State::backup) return advert_as_backup(advert, source, now);
    if (state_ == State::master) return advert_as_master(advert, source, now);
    return {};
}

Actions VirtualRouter::timer_expired(TimePoint now) {
    if (!deadline_ || now < *deadline_) return {};
    Actions actions;
    if (state_ == State::master) {
        actions.emplace_back(SendAdvert{config_.priority});
        deadline_ = now + config_.advert_interval;
    } else if (state_ == State::backup) {
        std::string reason =
            master_resigned_
                ? "the master resigned (priority 0)"
                : "no advert for the master down interval (" +
                      milliseconds_text(master_down_interval(config_.priority, master_advert_interval_)) + ")";
        become_master(reason, now, actions);
    }
    return actions;
}

Actions VirtualRouter::interface_changed(const std::string& name, bool up, TimePoint now) {
    if (!config_.tracked_interfaces.contains(name)) return {};
    if (up) {
        interfaces_down_.erase(name);
        if (state_ == State::fault && interfaces_down_.empty()) return enter_service("tracked interfaces up", now);
        return {};
    }
    interfaces_down_.insert(name);
    Actions actions;
    if (state_ == State::backup || state_ == State::master) {
        leave_service(State::fault, "tracked interface " + name + " is down", actions);
    }
    return actions;
}

Actions VirtualRouter::shutdown(TimePoint) {
    Actions actions;
    if (state_ != State::initialize) leave_service(State::initialize, "shutdown", actions);
    return actions;
}

bool VirtualRouter::wins_against(std::uint8_t priority, const IpAddress& source) const {
    if (config_.priority != priority) return config_.priority > priority;
    return config_.primary_address.bytes() > source.bytes();  // network byte order: numeric order
}

bool VirtualRouter::would_preempt(TimePoint now) {
    if (!config_.preempt && !is_owner()) return false;
    if (!lower_master_since_) lower_master_since_ = now;
    if (now - *lower_master_since_ < config_.preempt_delay) return false;
    return may_preempt_();
}

void VirtualRouter::follow_master(const Advert& advert, const IpAddress& source, TimePoint now) {
    master_advert_interval_ = Centiseconds(advert.max_advert_interval);
    deadline_ = now + master_down_interval(config_.priority, master_advert_interval_);
    master_address_ = source;
    master_resigned_ = false;
    if (advert.priority >= config_.priority) lower_master_since_.reset();
}

Actions VirtualRouter::advert_as_backup(const Advert& advert, const IpAddress& source, TimePoint now) {
    if (advert.priority == 0) {
        deadline_ = now + skew_time(config_.priority, master_advert_interval_);
        master_resigned_ = true;
        lower_master_since_.reset();
    } else if (advert.priority >= config_.priority || !would_preempt(now)) {
        follow_master(advert, source, now);
    }
    // Otherwise the advert is dropped and the master down timer runs out: preemption.
    return {};
}

Actions VirtualRouter::advert_as_master(const Advert& advert, const IpAddress& source, TimePoint now) {
    Actions actions;
    if (advert.priority != 0 && !wins_against(advert.priority, source)) {
        std::string reason =
            "advert from " + source.to_string() + " with priority " + std::to_string(advert.priority) +
            (advert.priority == config_.priority ? " and a higher address"
                                                 : " above ours (" + std::to_string(config_.priority) + ")");
        become_backup(reason, Centiseconds(advert.max_advert_interval), now, actions);
        master_address_ = source;
        return actions;
    }
    // A resigning or weaker router believes it is master: tell it at once who
    // is, and announce the addresses again, since the hosts it reached while
    // the two could not hear each other (a cut link back) send it our traffic.
    actions.emplace_back(SendAdvert{config_.priority});
    actions.emplace_back(AcquireAddresses{});
    deadline_ = now + config_.advert_interval;
    return actions;
}

Actions VirtualRouter::enter_service(const std::string& reason, TimePoint now) {
    Actions actions;
    // The owner starts as master (RFC 5798 6.4.1) unless the sync gate or a
    // preempt delay holds it: then it starts as backup and preempts later.
    bool owner_takes_over = is_owner() && config_.preempt_delay == std::chrono::milliseconds(0) && may_preempt_();
    if (owner_takes_over) {
        become_master(reason + ", owner of the addresses", now, actions);
    } else {
        become_backup(reason, config_.advert_interval, now, actions);
    }
    return actions;
}

void VirtualRouter::become_master(const std::string& reason, TimePoint now, Actions& actions) {
    actions.emplace_back(SendAdvert{config_.priority});
    actions.emplace_back(AcquireAddresses{});
    change_state(State::master, reason, actions);
    master_advert_interval_ = config_.advert_interval;
    deadline_ = now + config_.advert_interval;
    master_address_ = config_.primary_address;
}

void VirtualRouter::become_backup(const std::string& reason, Centiseconds master_interval, TimePoint now,
                                  Actions& actions) {
    actions.emplace_back(ReleaseAddresses{});
    change_state(State::backup, reason, actions);
    master_advert_interval_ = master_interval;
    deadline_ = now + master_down_interval(config_.priority, master_interval);
    master_address_.reset();
}

void VirtualRouter::leave_service(State next, const std::string& reason, Actions& actions) {
    if (state_ == State::master) actions.emplace_back(SendAdvert{0});
    actions.emplace_back(ReleaseAddresses{});
    change_state(next, reason, actions);
    deadline_.reset();
    master_address_.reset();
}

void VirtualRouter::change_state(State next, const std::string& reason, Actions& actions) {
    actions.emplace_back(Notify{state_, next, reason});
    state_ = next;
    master_resigned_ = false;
    lower_master_since_.reset();
}

}  // namespace xdplb::ha
