#include "api/server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <spdlog/spdlog.h>

#include "api/protocol.hpp"

namespace xdplb::api {

using boost::asio::generic::stream_protocol;
using boost::asio::ip::tcp;
namespace local = boost::asio::local;

namespace {

bool someone_listens(boost::asio::io_context& io, const std::string& path) {
    local::stream_protocol::socket probe(io);
    boost::system::error_code error;
    probe.connect(local::stream_protocol::endpoint(path), error);
    return !error;
}

// A socket left by an lbd that did not stop cleanly is replaced; anything
// else at the path is not lbd's to remove.
void remove_stale_socket(boost::asio::io_context& io, const std::string& path) {
    struct stat status {};
    if (::lstat(path.c_str(), &status) != 0) return;  // nothing there, or bind() will say what is wrong
    if (!S_ISSOCK(status.st_mode)) throw std::runtime_error(path + " exists and is not a socket; not replacing it");
    if (someone_listens(io, path)) throw std::runtime_error("another lbd already serves " + path);
    if (::unlink(path.c_str()) != 0) {
        throw std::runtime_error("cannot remove the stale socket " + path + ": " + std::strerror(errno));
    }
}

// Created root's (lbd runs as root) when missing, whatever the umask: others
// may find the socket, whose own mode keeps them out.
void create_socket_directory(const std::filesystem::path& directory) {
    const mode_t previous = ::umask(0022);
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    ::umask(previous);
    if (error) {
        throw std::runtime_error("cannot create " + directory.string() + ", the directory of the API socket: " +
                                 error.message());
    }
}

// Whoever may write to the socket's directory could put their own socket in
// lbd's place; a sticky directory (/tmp) lets only the owner remove it.
void refuse_directory_others_write(const std::filesystem::path& directory) {
    struct stat status {};
    if (::stat(directory.c_str(), &status) != 0) return;  // bind() will say what is wrong
    if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (status.st_mode & S_ISVTX) == 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
        throw std::runtime_error("others may write to " + directory.string() + " (mode " + mode +
                                 "), the directory of the API socket: they could replace the socket");
    }
}

// "198.18.0.2:40000" for a TCP client; a unix socket's clients have no name.
std::string peer_of(const Session::Socket& socket) {
    boost::system::error_code error;
    const stream_protocol::endpoint remote = socket.remote_endpoint(error);
    if (error || (remote.protocol().family() != AF_INET && remote.protocol().family() != AF_INET6)) {
        return "a local client";
    }
    tcp::endpoint address;
    std::memcpy(address.data(), remote.data(), remote.size());
    address.resize(remote.size());
    std::ostringstream text;
    text << address;
    return text.str();
}

tcp::endpoint tcp_endpoint_of(const SocketAddress& address) {
    const auto& bytes = address.address.bytes();
    if (address.address.family() == IpAddress::Family::v4) {
        return {boost::asio::ip::address_v4({bytes[0], bytes[1], bytes[2], bytes[3]}), address.port};
    }
    return {boost::asio::ip::address_v6(bytes), address.port};
}

}  // namespace

Server::Server(boost::asio::io_context& io, std::string path, LineHandler handler, StreamHandlers streams,
               std::size_t max_connections)
    : path_(std::move(path)),
      listener_(std::make_shared<Listener>(Listener{std::move(handler), std::move(streams), {}})),
      max_connections_(max_connections),
      acceptor_(io) {
    const std::filesystem::path socket_path(path_);
    const std::filesystem::path directory = socket_path.has_parent_path() ? socket_path.parent_path() : ".";
    create_socket_directory(directory);
    refuse_directory_others_write(directory);
    remove_stale_socket(io, path_);
    // Root-only from the first instant: the umask covers the moment between bind and listen.
    const mode_t previous = ::umask(0177);
    boost::system::error_code error;
    acceptor_.open(local::stream_protocol(), error);
    if (!error) acceptor_.bind(local::stream_protocol::endpoint(path_), error);
    ::umask(previous);
    if (!error) acceptor_.listen(boost::asio::socket_base::max_listen_connections, error);
    if (error) throw std::runtime_error("cannot listen on " + path_ + ": " + error.message());
    accept_next();
}

Server::Server(boost::asio::io_context& io, const TcpListenerSettings& settings, LineHandler handler,
               StreamHandlers streams)
    : listener_(std::make_shared<Listener>(
          Listener{std::move(handler), std::move(streams),
                   SessionRules{settings.key, settings.requests_per_second, settings.request_burst,
                                settings.authentication_timeout, settings.idle_timeout}})),
      max_connections_(settings.max_connections),
      acceptor_(io) {
    const tcp::endpoint endpoint = tcp_endpoint_of(settings.address);
    boost::system::error_code error;
    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(boost::asio::socket_base::max_listen_connections, error);
    if (error) throw std::runtime_error("cannot listen on " + settings.address.to_string() + ": " + error.message());
    accept_next();
}

Server::~Server() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (const std::weak_ptr<Session>& session : sessions_) {
        if (auto live = session.lock()) live->close();
    }
    if (path_.empty()) return;
    std::error_code not_there;
    std::filesystem::remove(path_, not_there);
}

void Server::accept_next() {
    acceptor_.async_accept([this](const boost::system::error_code& error, Session::Socket socket) {
        if (error == boost::asio::error::operation_aborted) return;
        if (!error) admit(std::move(socket));
        accept_next();
    });
}

void Server::admit(Session::Socket socket) {
    std::erase_if(sessions_, [](const std::weak_ptr<Session>& session) { return session.expired(); });
    std::string peer = peer_of(socket);
    if (sessions_.size() >= max_connections_) {
        spdlog::warn("API: refused {}: already {} connections", peer, sessions_.size());
        // A fresh socket's send buffer takes the line at once; a client that cannot read it loses nothing else.
        const std::string refusal =
            encode_error("too many connections to lbd (" + std::to_string(max_connections_) + "); try again later");
        boost::system::error_code ignored;
        socket.non_blocking(true, ignored);
        socket.write_some(boost::asio::buffer(refusal), ignored);
        socket.shutdown(Session::Socket::shutdown_both, ignored);
        return;
    }
    auto session = std::make_shared<Session>(std::move(socket), std::move(peer), listener_);
    sessions_.push_back(session);
    session->start();
}

}  // namespace xdplb::api
