// lbd's API listeners: the unix stream socket, and optionally a TCP port whose
// clients must authenticate with the API key. One line per request, served
// from the daemon's single event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>

#include "api/api_key.hpp"
#include "api/session.hpp"
#include "common/socket_address.hpp"

namespace xdplb::api {

// Connections a listener serves at once; one more is answered with an error and closed.
inline constexpr std::size_t kMaxConnections = 64;

// What TCP clients, who may be anyone on the network, are allowed.
struct TcpListenerSettings {
    SocketAddress address;
    std::shared_ptr<const ApiKey> key;
    std::size_t max_connections = kMaxConnections;
    // Per connection: lbctl sends one request, a script pipelining changes a few hundred.
    double requests_per_second = 100;
    double request_burst = 200;
    std::chrono::milliseconds authentication_timeout = std::chrono::seconds(5);
    std::chrono::milliseconds idle_timeout = std::chrono::minutes(5);
};

class Server {
public:
    using LineHandler = api::LineHandler;
    using StreamHandler = api::StreamHandler;
    using StreamHandlers = api::StreamHandlers;

    // Binds `path` with mode 0600, its directory created 0755 if missing. A
    // socket file on which nothing answers is replaced; a socket on which
    // another process still answers, or a file that is not a socket, is an
    // error (std::runtime_error).
    Server(boost::asio::io_context& io, std::string path, LineHandler handler, StreamHandlers streams = {},
           std::size_t max_connections = kMaxConnections);
    // Listens on TCP; throws std::runtime_error when it cannot.
    Server(boost::asio::io_context& io, const TcpListenerSettings& settings, LineHandler handler,
           StreamHandlers streams = {});
    // Stops accepting, closes every client connection and removes the socket
    // file. Run it on the event loop's thread, or while the loop is not running.
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // TCP clients refused for a wrong key or for not authenticating first.
    std::uint64_t refused_authentications() const { return listener_->refused_authentications; }

private:
    using Acceptor = boost::asio::basic_socket_acceptor<boost::asio::generic::stream_protocol>;

    void accept_next();
    void admit(Session::Socket socket);

    std::string path_;  // the unix socket's; empty for TCP
    std::shared_ptr<Listener> listener_;
    std::size_t max_connections_;
    Acceptor acceptor_;
    std::vector<std::weak_ptr<Session>> sessions_;
};

}  // namespace xdplb::api
