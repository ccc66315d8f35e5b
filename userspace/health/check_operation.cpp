#include "health/check_operation.hpp"

#include <utility>

namespace xdplb::health {

CheckOperation::CheckOperation(boost::asio::io_context& io, std::chrono::milliseconds timeout, CheckDone done)
    : io_(io), deadline_(io), timeout_(timeout), done_(std::move(done)) {}

void CheckOperation::start() {
    deadline_.expires_after(timeout_);
    deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
        if (error || self->finished_) return;
        self->fail("timeout after " + std::to_string(self->timeout_.count()) + " ms " + self->step_);
    });
    begin();
}

void CheckOperation::fail(const char* step, const boost::system::error_code& error) {
    fail(std::string(step) + ": " + error.message());
}

void CheckOperation::finish(CheckResult result) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    abandon();
    done_(std::move(result));
}

}  // namespace xdplb::health
