#include "metrics/exporter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace xdplb::metrics {
namespace {

using boost::asio::ip::tcp;

// A port on 127.0.0.1 that the returned acceptor holds.
tcp::acceptor held_port(boost::asio::io_context& io) {
    return tcp::acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
}

// GET /metrics over plain HTTP/1.0; the whole answer, headers included.
std::string http_get_metrics(unsigned short port) {
    boost::asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    boost::asio::write(socket, boost::asio::buffer(std::string("GET /metrics HTTP/1.0\r\n\r\n")));
    std::string answer;
    boost::system::error_code end;
    boost::asio::read(socket, boost::asio::dynamic_buffer(answer), end);
    return answer;
}

// The exporter's loop, running on a thread of its own as lbd's would.
class RunningLoop {
public:
    RunningLoop() : thread_([this] { io.run(); }) {}
    ~RunningLoop() {
        work_.reset();
        io.stop();
        thread_.join();
    }
    boost::asio::io_context io;

private:
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io.get_executor()};
    std::thread thread_;
};

TEST(MetricsExporter, ServesTheSnapshotGatheredOnTheLoop) {
    RunningLoop loop;
    boost::asio::io_context probe;
    unsigned short port = 0;
    {
        tcp::acceptor free = held_port(probe);
        port = free.local_endpoint().port();
    }  // released for the exporter
    std::thread::id gathered_on;
    MetricsExporter exporter(loop.io, "127.0.0.1:" + std::to_string(port), [&gathered_on] {
        gathered_on = std::this_thread::get_id();
        MetricsSnapshot snapshot;
        snapshot.version = "9.9.9";
        snapshot.farms.push_back({"web", {}, {}});
        return snapshot;
    });
    const std::string answer = http_get_metrics(port);
    EXPECT_NE(answer.find(" 200 "), std::string::npos) << answer;
    EXPECT_NE(answer.find("\nxdplb_build_info{version=\"9.9.9\"} 1\n"), std::string::npos) << answer;
    EXPECT_NE(answer.find("\nxdplb_farm_backends_up{farm=\"web\"} 0\n"), std::string::npos) << answer;
    EXPECT_NE(gathered_on, std::thread::id());
    EXPECT_NE(gathered_on, std::this_thread::get_id()) << "gathered on the loop's thread, not the caller's";
}

TEST(MetricsExporter, ABusyPortIsAClearError) {
    boost::asio::io_context io;
    tcp::acceptor taken = held_port(io);
    const std::string listen = "127.0.0.1:" + std::to_string(taken.local_endpoint().port());
    try {
        MetricsExporter exporter(io, listen, [] { return MetricsSnapshot{}; });
        FAIL() << "bound a port that is taken";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("cannot serve metrics on " + listen), std::string::npos)
            << error.what();
    }
}

}  // namespace
}  // namespace xdplb::metrics
