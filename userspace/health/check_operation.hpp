// What every protocol check shares: one deadline and exactly one answer. A
// check runs its steps on the event loop; the first of its own verdict and
// the deadline answers, and abandon() then ends whatever it still has open,
// whose handlers find the check finished and do nothing.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include "health/health_state.hpp"

namespace xdplb::health {

using CheckDone = std::function<void(CheckResult)>;

class CheckOperation : public std::enable_shared_from_this<CheckOperation> {
public:
    CheckOperation(const CheckOperation&) = delete;
    CheckOperation& operator=(const CheckOperation&) = delete;
    virtual ~CheckOperation() = default;

    // Arms the deadline and runs the first step.
    void start();

protected:
    CheckOperation(boost::asio::io_context& io, std::chrono::milliseconds timeout, CheckDone done);

    virtual void begin() = 0;
    // Closes the sockets or kills the process, so that pending steps end.
    virtual void abandon() = 0;

    void succeed(std::string reason) { finish({true, std::move(reason)}); }
    void fail(std::string reason) { finish({false, std::move(reason)}); }
    // "connect: Connection refused": the step that failed, and why.
    void fail(const char* step, const boost::system::error_code& error);
    bool finished() const { return finished_; }
    // Named in the timeout's reason: "timeout after 500 ms reading the greeting".
    void set_step(const char* step) { step_ = step; }

    boost::asio::io_context& io_;

private:
    void finish(CheckResult result);

    boost::asio::steady_timer deadline_;
    std::chrono::milliseconds timeout_;
    CheckDone done_;
    const char* step_ = "starting";
    bool finished_ = false;
};

// Creates the check and starts it: it keeps itself alive until its steps end.
template <typename Check, typename... Args>
void launch(Args&&... args) {
    std::make_shared<Check>(std::forward<Args>(args)...)->start();
}

}  // namespace xdplb::health
