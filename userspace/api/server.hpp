// lbd's API listener: a unix stream socket, one line per request, served from
// the daemon's single event loop.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

namespace xdplb::api {

class Session;

class Server {
public:
    // Answers request lines, one response line each, in order. It gets every
    // line a client has sent so far at once (a pipelining client sends many),
    // so that it can save once for all of them.
    using LineHandler = std::function<std::vector<std::string>(const std::vector<std::string>& lines)>;

    // Binds `path` with mode 0600. A socket file on which nothing answers is
    // replaced; a socket on which another process still answers, or a file
    // that is not a socket, is an error (std::runtime_error).
    Server(boost::asio::io_context& io, std::string path, LineHandler handler);
    // Stops accepting, closes every client connection and removes the socket
    // file. Run it on the event loop's thread, or while the loop is not running.
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

private:
    void accept_next();

    boost::asio::io_context& io_;
    std::string path_;
    // Shared with the sessions, whose handlers may outlive the server in the
    // event loop's queue.
    std::shared_ptr<const LineHandler> handler_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::vector<std::weak_ptr<Session>> sessions_;
};

}  // namespace xdplb::api
