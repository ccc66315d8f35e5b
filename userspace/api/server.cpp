#include "api/server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "api/protocol.hpp"

namespace xdplb::api {

using boost::asio::local::stream_protocol;

namespace {

// How much of an oversize request is read and thrown away before answering
// it: the client may still be sending, and a reply it cannot read because its
// send failed first ("Broken pipe") explains nothing. Far above anything lbctl
// sends; past it the connection just ends.
constexpr std::size_t kMaxDiscardedBytes = 64 * kMaxRequestBytes;

}  // namespace

// One client connection: read a line and every other complete line already
// received, answer them, repeat until the client closes. A line over the size
// limit is read to its end, answered with an error, and the connection ends.
// A stream request turns the connection into a Stream until either side ends it.
class Session : public std::enable_shared_from_this<Session>, public Stream {
public:
    Session(stream_protocol::socket socket, std::shared_ptr<const Server::LineHandler> handler,
            std::shared_ptr<const Server::StreamHandlers> streams)
        : socket_(std::move(socket)),
          handler_(std::move(handler)),
          streams_(std::move(streams)),
          buffer_(kMaxRequestBytes + 1) {}

    void read_request() {
        boost::asio::async_read_until(socket_, buffer_, '\n',
                                      [self = shared_from_this()](const boost::system::error_code& error,
                                                                  std::size_t length) { self->on_line(error, length); });
    }

    // Whatever is pending ends with operation_aborted, and the session with it.
    void close() {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    void send(std::string line) override {
        if (stream_ended_) return;
        if (queued_bytes_ + line.size() > kMaxQueuedStreamBytes && !outgoing_.empty()) {
            ++lost_lines_;
            return;
        }
        queued_bytes_ += line.size();
        outgoing_.push_back(std::move(line));
        write_next();
    }

    void finish() override {
        finishing_ = true;
        if (outgoing_.empty() && !writing_ && !starting_) {
            boost::asio::post(socket_.get_executor(), [self = shared_from_this()] { self->end_stream(); });
        }
    }

    void on_close(std::function<void()> callback) override { close_callbacks_.push_back(std::move(callback)); }

private:
    void on_line(const boost::system::error_code& error, std::size_t length) {
        if (error == boost::asio::error::not_found) {
            discarded_ = buffer_.size();
            buffer_.consume(buffer_.size());
            discard_rest_of_line();
            return;
        }
        if (error) return;  // the client went away, or the server closed the session
        std::vector<std::string> lines{take_line(length)};
        read_what_is_waiting();
        while (auto more = complete_line_length()) lines.push_back(take_line(*more));
        const auto stream_request = std::find_if(lines.begin(), lines.end(), [this](const std::string& line) {
            return stream_handler_of(line) != nullptr;
        });
        std::string responses;
        if (stream_request != lines.begin()) {
            for (const std::string& response : (*handler_)({lines.begin(), stream_request})) responses += response;
        }
        if (stream_request == lines.end()) {
            reply(std::move(responses), /*then_close=*/false);
            return;
        }
        const Server::StreamHandler& start = *stream_handler_of(*stream_request);
        // What the handler sends while it starts waits behind its answer.
        starting_ = true;
        StreamAnswer answer = start(parse_request(*stream_request), shared_from_this());
        starting_ = false;
        responses += answer.first_line;
        if (!answer.streaming) {
            reply(std::move(responses), /*then_close=*/false);
            return;
        }
        queued_bytes_ += responses.size();
        outgoing_.push_front(std::move(responses));
        write_next();
        watch_for_close();
    }

    const Server::StreamHandler* stream_handler_of(const std::string& line) const {
        try {
            const auto found = streams_->find(parse_request(line).command);
            return found == streams_->end() ? nullptr : &found->second;
        } catch (const ProtocolError&) {
            return nullptr;  // the line handler answers it
        }
    }

    void write_next() {
        if (writing_ || starting_ || outgoing_.empty()) return;
        writing_ = true;
        boost::asio::async_write(socket_, boost::asio::buffer(outgoing_.front()),
                                 [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                                     self->on_written(error);
                                 });
    }

    void on_written(const boost::system::error_code& error) {
        writing_ = false;
        if (error) {
            end_stream();
            return;
        }
        queued_bytes_ -= outgoing_.front().size();
        outgoing_.pop_front();
        if (outgoing_.empty() && lost_lines_ > 0) {
            send(encode_lost_notice(lost_lines_));
            lost_lines_ = 0;
        }
        if (outgoing_.empty() && finishing_) {
            end_stream();
            return;
        }
        write_next();
    }

    // A streaming client sends nothing more; its reads end when it goes away.
    void watch_for_close() {
        socket_.async_read_some(boost::asio::buffer(discard_chunk_),
                                [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                                    if (error) {
                                        self->end_stream();
                                        return;
                                    }
                                    self->watch_for_close();
                                });
    }

    void end_stream() {
        if (stream_ended_) return;
        stream_ended_ = true;
        close();
        for (auto& callback : std::exchange(close_callbacks_, {})) callback();
    }

    // Moves what the client has sent and lbd has not read yet into the buffer,
    // without waiting: a pipelining client's requests are then run together,
    // however little the read that completed took.
    void read_what_is_waiting() {
        boost::system::error_code error;
        const std::size_t waiting = socket_.available(error);
        const std::size_t room = buffer_.max_size() - buffer_.size();
        if (error || waiting == 0 || room == 0) return;
        const std::size_t read = socket_.read_some(buffer_.prepare(std::min(waiting, room)), error);
        if (!error) buffer_.commit(read);
    }

    // The length of the next line in the buffer, its newline included, if it is all there.
    // (buffers_begin points into the buffer sequence it is given: `data` must outlive it.)
    std::optional<std::size_t> complete_line_length() const {
        const auto data = buffer_.data();
        auto begin = boost::asio::buffers_begin(data);
        auto end = boost::asio::buffers_end(data);
        auto newline = std::find(begin, end, '\n');
        if (newline == end) return std::nullopt;
        return static_cast<std::size_t>(newline - begin) + 1;
    }

    std::string take_line(std::size_t length) {
        const auto data = buffer_.data();
        auto begin = boost::asio::buffers_begin(data);
        std::string line(begin, begin + static_cast<std::ptrdiff_t>(length) - 1);
        buffer_.consume(length);
        return line;
    }

    void discard_rest_of_line() {
        socket_.async_read_some(boost::asio::buffer(discard_chunk_),
                                [self = shared_from_this()](const boost::system::error_code& error,
                                                            std::size_t length) { self->on_discarded(error, length); });
    }

    void on_discarded(const boost::system::error_code& error, std::size_t length) {
        if (error) return;
        discarded_ += length;
        bool line_ended = std::memchr(discard_chunk_.data(), '\n', length) != nullptr;
        if (!line_ended && discarded_ <= kMaxDiscardedBytes) {
            discard_rest_of_line();
            return;
        }
        reply(encode_error("request is larger than 1 MiB"), /*then_close=*/true);
    }

    void reply(std::string response, bool then_close) {
        response_ = std::move(response);
        boost::asio::async_write(socket_, boost::asio::buffer(response_),
                                 [self = shared_from_this(), then_close](const boost::system::error_code& error,
                                                                         std::size_t) {
                                     if (!error && !then_close) self->read_request();
                                 });
    }

    stream_protocol::socket socket_;
    std::shared_ptr<const Server::LineHandler> handler_;
    std::shared_ptr<const Server::StreamHandlers> streams_;
    boost::asio::streambuf buffer_;
    std::string response_;
    std::array<char, 64 * 1024> discard_chunk_{};
    std::size_t discarded_ = 0;  // bytes of an oversize request read so far
    // As a stream:
    std::deque<std::string> outgoing_;  // the front one is being written
    std::size_t queued_bytes_ = 0;
    std::uint64_t lost_lines_ = 0;  // dropped since the last lost notice
    bool writing_ = false;
    bool starting_ = false;  // the stream handler is running
    bool finishing_ = false;
    bool stream_ended_ = false;
    std::vector<std::function<void()>> close_callbacks_;
};

namespace {

bool someone_listens(boost::asio::io_context& io, const std::string& path) {
    stream_protocol::socket probe(io);
    boost::system::error_code error;
    probe.connect(stream_protocol::endpoint(path), error);
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

}  // namespace

Server::Server(boost::asio::io_context& io, std::string path, LineHandler handler, StreamHandlers streams)
    : io_(io),
      path_(std::move(path)),
      handler_(std::make_shared<const LineHandler>(std::move(handler))),
      streams_(std::make_shared<const StreamHandlers>(std::move(streams))),
      acceptor_(io) {
    std::filesystem::path socket_path(path_);
    if (socket_path.has_parent_path()) std::filesystem::create_directories(socket_path.parent_path());
    remove_stale_socket(io_, path_);
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
    for (const std::weak_ptr<Session>& session : sessions_) {
        if (auto live = session.lock()) live->close();
    }
    std::error_code not_there;
    std::filesystem::remove(path_, not_there);
}

void Server::accept_next() {
    acceptor_.async_accept([this](const boost::system::error_code& error, stream_protocol::socket socket) {
        if (error == boost::asio::error::operation_aborted) return;
        if (!error) {
            std::erase_if(sessions_, [](const std::weak_ptr<Session>& session) { return session.expired(); });
            auto session = std::make_shared<Session>(std::move(socket), handler_, streams_);
            sessions_.push_back(session);
            session->read_request();
        }
        accept_next();
    });
}

}  // namespace xdplb::api
