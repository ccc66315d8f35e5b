#include "api/server.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "api/protocol.hpp"

namespace xdplb::api {

namespace {

using boost::asio::local::stream_protocol;

// One client connection: read a line, answer it, repeat until the client
// closes. A line over the size limit gets an error and the connection ends.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(stream_protocol::socket socket, const Server::LineHandler& handler)
        : socket_(std::move(socket)), handler_(handler), buffer_(kMaxLineBytes + 1) {}

    void read_request() {
        auto self = shared_from_this();
        boost::asio::async_read_until(socket_, buffer_, '\n',
                                      [self](const boost::system::error_code& error, std::size_t length) {
                                          self->on_line(error, length);
                                      });
    }

private:
    void on_line(const boost::system::error_code& error, std::size_t length) {
        if (error == boost::asio::error::not_found) {
            reply(encode_error("request is larger than 1 MiB"), /*then_close=*/true);
            return;
        }
        if (error) return;  // the client went away
        std::string line(boost::asio::buffers_begin(buffer_.data()),
                         boost::asio::buffers_begin(buffer_.data()) + static_cast<std::ptrdiff_t>(length) - 1);
        buffer_.consume(length);
        reply(handler_(line), /*then_close=*/false);
    }

    void reply(std::string response, bool then_close) {
        auto self = shared_from_this();
        response_ = std::move(response);
        boost::asio::async_write(socket_, boost::asio::buffer(response_),
                                 [self, then_close](const boost::system::error_code& error, std::size_t) {
                                     if (!error && !then_close) self->read_request();
                                 });
    }

    stream_protocol::socket socket_;
    const Server::LineHandler& handler_;
    boost::asio::streambuf buffer_;
    std::string response_;
};

bool someone_listens(boost::asio::io_context& io, const std::string& path) {
    stream_protocol::socket probe(io);
    boost::system::error_code error;
    probe.connect(stream_protocol::endpoint(path), error);
    return !error;
}

}  // namespace

Server::Server(boost::asio::io_context& io, std::string path, LineHandler handler)
    : io_(io), path_(std::move(path)), handler_(std::move(handler)), acceptor_(io) {
    std::filesystem::path socket_path(path_);
    if (socket_path.has_parent_path()) std::filesystem::create_directories(socket_path.parent_path());
    if (std::filesystem::exists(socket_path)) {
        if (someone_listens(io_, path_)) throw std::runtime_error("another lbd already serves " + path_);
        std::filesystem::remove(socket_path);
    }
    // Root-only from the first instant: the umask covers the moment between bind and chmod.
    mode_t previous = ::umask(0177);
    boost::system::error_code error;
    acceptor_.open(stream_protocol(), error);
    if (!error) acceptor_.bind(stream_protocol::endpoint(path_), error);
    ::umask(previous);
    if (!error) acceptor_.listen(boost::asio::socket_base::max_listen_connections, error);
    if (error) throw std::runtime_error("cannot listen on " + path_ + ": " + error.message());
    accept_next();
}

Server::~Server() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    std::error_code not_there;
    std::filesystem::remove(path_, not_there);
}

void Server::accept_next() {
    acceptor_.async_accept([this](const boost::system::error_code& error, stream_protocol::socket socket) {
        if (error == boost::asio::error::operation_aborted) return;
        if (!error) std::make_shared<Session>(std::move(socket), handler_)->read_request();
        accept_next();
    });
}

}  // namespace xdplb::api
