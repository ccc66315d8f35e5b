#include "health/scheduler.hpp"

namespace xdplb::health {

struct Scheduler::Entry {
    Entry(boost::asio::io_context& io, std::uint32_t id, model::HealthCheck settings)
        : backend_id(id), check(std::move(settings)), timer(io) {}

    std::uint32_t backend_id;
    model::HealthCheck check;
    boost::asio::steady_timer timer;
    bool stopped = false;
};

Scheduler::Scheduler(boost::asio::io_context& io, OnResult on_result, Runner run)
    : io_(io), on_result_(std::move(on_result)), run_(std::move(run)), random_(std::random_device{}()) {}

Scheduler::~Scheduler() { set_checks({}); }

void Scheduler::set_checks(const std::map<std::uint32_t, model::HealthCheck>& checks) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        auto wanted = checks.find(it->first);
        if (wanted != checks.end() && wanted->second == it->second->check) {
            ++it;
            continue;
        }
        it->second->stopped = true;
        it->second->timer.cancel();
        it = entries_.erase(it);
    }
    for (const auto& [backend_id, check] : checks) {
        if (check.type == model::CheckType::none || entries_.contains(backend_id)) continue;
        auto entry = std::make_shared<Entry>(io_, backend_id, check);
        entries_.emplace(backend_id, entry);
        std::uniform_int_distribution<std::int64_t> phase(0, check.interval.count() - 1);
        entry->timer.expires_after(std::chrono::milliseconds(phase(random_)));
        entry->timer.async_wait([this, entry](const boost::system::error_code& error) {
            if (!error && !entry->stopped) start_check(entry);
        });
    }
}

// The next check is timed from this one's start: a backend is checked once
// an interval whatever its checks take (the timeout is at most the interval).
void Scheduler::start_check(const std::shared_ptr<Entry>& entry) {
    const auto started = std::chrono::steady_clock::now();
    std::uniform_int_distribution<std::int64_t> early(0, entry->check.interval.count() / 20);
    entry->timer.expires_at(started + entry->check.interval - std::chrono::milliseconds(early(random_)));
    run_(io_, entry->check, [this, entry, started](CheckResult result) {
        if (entry->stopped) return;
        on_result_(entry->backend_id, result, std::chrono::steady_clock::now() - started);
        if (entry->stopped) return;  // the result changed the configuration
        entry->timer.async_wait([this, entry](const boost::system::error_code& error) {
            if (!error && !entry->stopped) start_check(entry);
        });
    });
}

}  // namespace xdplb::health
