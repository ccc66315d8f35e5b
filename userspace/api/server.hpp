// lbd's API listener: a unix stream socket, one line per request, served from
// the daemon's single event loop.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

namespace xdplb::api {

class Server {
public:
    using LineHandler = std::function<std::string(const std::string& line)>;

    // Binds `path` with mode 0600. A stale socket file is replaced; a socket on
    // which another process still answers is an error (std::runtime_error).
    Server(boost::asio::io_context& io, std::string path, LineHandler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

private:
    void accept_next();

    boost::asio::io_context& io_;
    std::string path_;
    LineHandler handler_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
};

}  // namespace xdplb::api
