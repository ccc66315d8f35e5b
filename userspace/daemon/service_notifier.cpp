#include "daemon/service_notifier.hpp"

#include <cstdint>
#include <cstring>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

namespace xdplb::daemon {

namespace {

void notify(const std::string& message) {
    if (int error = sd_notify(0, message.c_str()); error < 0) {
        spdlog::warn("cannot notify the service manager: {}", std::strerror(-error));
    }
}

}  // namespace

ServiceNotifier::ServiceNotifier(boost::asio::io_context& io) : keepalive_timer_(io) {
    std::uint64_t watchdog_usec = 0;
    // Enabled only for the process systemd watches (WATCHDOG_PID), not for
    // one that merely inherited the environment.
    if (sd_watchdog_enabled(0, &watchdog_usec) > 0) {
        keepalive_interval_ = std::chrono::microseconds(watchdog_usec / 2);
    }
}

void ServiceNotifier::ready(const std::string& status) {
    notify("READY=1\nSTATUS=" + status);
    if (keepalive_interval_.count() > 0) schedule_keepalive();
}

void ServiceNotifier::stopping() {
    keepalive_timer_.cancel();
    notify("STOPPING=1");
}

void ServiceNotifier::schedule_keepalive() {
    notify("WATCHDOG=1");
    keepalive_timer_.expires_after(keepalive_interval_);
    keepalive_timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error) schedule_keepalive();
    });
}

}  // namespace xdplb::daemon
