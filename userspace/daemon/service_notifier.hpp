// lbd's messages to the service manager that started it (sd_notify(3)): that it
// is ready, that it is stopping, and the watchdog's keep-alives. Under
// systemd's Type=notify (deploy/systemd/lbd.service) they make `systemctl
// start` return only once lbd serves, and let systemd restart an lbd whose
// event loop hangs. Started any other way (no NOTIFY_SOCKET), each is a no-op.
#pragma once

#include <chrono>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace xdplb::daemon {

class ServiceNotifier {
public:
    explicit ServiceNotifier(boost::asio::io_context& io);
    ServiceNotifier(const ServiceNotifier&) = delete;
    ServiceNotifier& operator=(const ServiceNotifier&) = delete;

    // Once the program is attached and the API socket accepts: READY=1 with
    // `status` for `systemctl status`, then, if the service has a watchdog,
    // WATCHDOG=1 from the event loop at half its interval.
    void ready(const std::string& status);
    // When shutdown begins: STOPPING=1, and no more keep-alives.
    void stopping();

private:
    void schedule_keepalive();

    boost::asio::steady_timer keepalive_timer_;
    std::chrono::microseconds keepalive_interval_{0};
};

}  // namespace xdplb::daemon
