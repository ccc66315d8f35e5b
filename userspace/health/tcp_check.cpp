#include "health/tcp_check.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "health/endpoint.hpp"

namespace xdplb::health {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// The most of a reply searched for the expected text.
constexpr std::size_t kMaxReply = 64 * 1024;

class TcpCheck : public CheckOperation {
public:
    TcpCheck(asio::io_context& io, const model::HealthCheck& check, CheckDone done)
        : CheckOperation(io, check.timeout, std::move(done)), check_(check), socket_(io) {}

private:
    void begin() override {
        set_step("connecting");
        socket_.async_connect(check_endpoint<tcp::endpoint>(check_), [this, self = shared_from_this()](auto error) {
            if (finished()) return;
            if (error) return fail("connect", error);
            send();
        });
    }

    void send() {
        if (check_.send.empty()) return expect();
        set_step("sending");
        asio::async_write(socket_, asio::buffer(check_.send), [this, self = shared_from_this()](auto error, auto) {
            if (finished()) return;
            if (error) return fail("send", error);
            expect();
        });
    }

    void expect() {
        if (!check_.expect_body) return succeed(check_.send.empty() ? "connected" : "connected, sent");
        set_step("waiting for the expected reply");
        read_more();
    }

    void read_more() {
        socket_.async_read_some(asio::buffer(chunk_), [this, self = shared_from_this()](auto error, std::size_t size) {
            if (finished()) return;
            reply_.append(chunk_.data(), size);
            if (reply_.find(*check_.expect_body) != std::string::npos) return succeed("reply contains the expected text");
            if (error == asio::error::eof) return fail("the reply ended without the expected text");
            if (error) return fail("receive", error);
            if (reply_.size() > kMaxReply) return fail("no expected text in the first 64 KiB of the reply");
            read_more();
        });
    }

    void abandon() override {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    model::HealthCheck check_;
    tcp::socket socket_;
    std::array<char, 4096> chunk_{};
    std::string reply_;
};

}  // namespace

void run_tcp_check(asio::io_context& io, const model::HealthCheck& check, CheckDone done) {
    launch<TcpCheck>(io, check, std::move(done));
}

}  // namespace xdplb::health
