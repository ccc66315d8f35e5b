#include "health/udp_check.hpp"

#include <array>

#include <boost/asio/ip/udp.hpp>

#include "health/endpoint.hpp"

namespace xdplb::health {

namespace {

namespace asio = boost::asio;
using asio::ip::udp;

class UdpCheck : public CheckOperation {
public:
    UdpCheck(asio::io_context& io, const model::HealthCheck& check, CheckDone done)
        : CheckOperation(io, check.timeout, std::move(done)), check_(check), socket_(io) {}

private:
    // Connected, so that the kernel hands the port's ICMP unreachable to the
    // socket as ECONNREFUSED and filters out datagrams from anyone else.
    void begin() override {
        set_step("sending");
        socket_.async_connect(check_endpoint<udp::endpoint>(check_), [this, self = shared_from_this()](auto error) {
            if (finished()) return;
            if (error) return fail("connect", error);
            socket_.async_send(asio::buffer(check_.send), [this, self](auto error, std::size_t) {
                if (finished()) return;
                if (error) return fail("send", error);
                receive();
            });
        });
    }

    void receive() {
        set_step("waiting for an answer");
        socket_.async_receive(asio::buffer(answer_), [this, self = shared_from_this()](auto error, std::size_t size) {
            if (finished()) return;
            if (error == asio::error::connection_refused) return fail("port unreachable");
            if (error) return fail("receive", error);
            if (!check_.expect_body) return succeed("answered");
            if (std::string_view(answer_.data(), size).find(*check_.expect_body) != std::string_view::npos) {
                return succeed("answer contains the expected text");
            }
            fail("the answer lacks the expected text");
        });
    }

    void abandon() override {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    model::HealthCheck check_;
    udp::socket socket_;
    std::array<char, 4096> answer_{};  // a longer answer is searched in its start
};

}  // namespace

void run_udp_check(asio::io_context& io, const model::HealthCheck& check, CheckDone done) {
    launch<UdpCheck>(io, check, std::move(done));
}

}  // namespace xdplb::health
