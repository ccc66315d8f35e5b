#include "api/session.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace xdplb::api {

namespace {

// How much of an oversize request is read and thrown away before answering
// it: the client may still be sending, and a reply it cannot read because its
// send failed first ("Broken pipe") explains nothing. Far above anything lbctl
// sends; past it the connection just ends.
constexpr std::size_t kMaxDiscardedBytes = 64 * kMaxRequestBytes;

std::optional<std::string> offered_key(const std::string& line) {
    try {
        const Request request = parse_request(line);
        const auto key = request.args.find("key");
        if (request.command != kAuthCommand || request.args.size() != 1 || key == request.args.end() ||
            !key->is_string()) {
            return std::nullopt;
        }
        return key->get<std::string>();
    } catch (const ProtocolError&) {
        return std::nullopt;
    }
}

std::string seconds_of(std::chrono::milliseconds duration) {
    return fmt::format("{:g} s", duration.count() / 1000.0);
}

}  // namespace

Session::Session(Socket socket, std::string peer, std::shared_ptr<Listener> listener)
    : socket_(std::move(socket)),
      peer_(std::move(peer)),
      listener_(std::move(listener)),
      authenticated_(listener_->rules.key == nullptr),
      deadline_(socket_.get_executor()),
      buffer_(kMaxRequestBytes + 1) {
    const SessionRules& rules = listener_->rules;
    if (rules.requests_per_second > 0) limiter_.emplace(rules.requests_per_second, rules.request_burst);
}

void Session::start() {
    if (!authenticated_) {
        arm_deadline(listener_->rules.authentication_timeout, "did not authenticate");
    } else {
        arm_deadline(listener_->rules.idle_timeout, "was idle");
    }
    read_request();
}

void Session::close() {
    boost::system::error_code ignored;
    deadline_.cancel();
    socket_.close(ignored);
}

void Session::send(std::string line) {
    if (stream_ended_) return;
    if (queued_bytes_ + line.size() > kMaxQueuedStreamBytes && !outgoing_.empty()) {
        ++lost_lines_;
        return;
    }
    queued_bytes_ += line.size();
    outgoing_.push_back(std::move(line));
    write_next();
}

void Session::finish() {
    finishing_ = true;
    if (outgoing_.empty() && !writing_ && !starting_) {
        boost::asio::post(socket_.get_executor(), [self = shared_from_this()] { self->end_stream(); });
    }
}

void Session::on_close(std::function<void()> callback) { close_callbacks_.push_back(std::move(callback)); }

void Session::read_request() {
    boost::asio::async_read_until(socket_, buffer_, '\n',
                                  [self = shared_from_this()](const boost::system::error_code& error,
                                                              std::size_t length) { self->on_line(error, length); });
}

// A client that says nothing in time is closed: each connection holds a
// place among the few a listener takes. The timer does not keep the session alive.
void Session::arm_deadline(std::chrono::milliseconds timeout, const char* what) {
    if (timeout.count() <= 0) return;
    deadline_.expires_after(timeout);
    deadline_.async_wait([weak = weak_from_this(), timeout, what](const boost::system::error_code& error) {
        auto self = weak.lock();
        if (error || !self) return;
        spdlog::info("API: closing {}: it {} for {}", self->peer_, what, seconds_of(timeout));
        self->close();
    });
}

void Session::on_line(const boost::system::error_code& error, std::size_t length) {
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
    std::string responses;
    if (!authenticated_) {
        if (auto refusal = refusal_of_authentication(lines.front())) {
            reply(std::move(*refusal), /*then_close=*/true);
            return;
        }
        authenticated_ = true;
        responses = encode_success(nullptr);
        lines.erase(lines.begin());
    }
    arm_deadline(listener_->rules.idle_timeout, "was idle");
    serve(std::move(lines), std::move(responses));
}

std::optional<std::string> Session::refusal_of_authentication(const std::string& line) {
    const std::optional<std::string> key = offered_key(line);
    if (key && listener_->rules.key->matches(*key)) {
        spdlog::info("API: {} authenticated", peer_);
        return std::nullopt;
    }
    const std::uint64_t refused = ++listener_->refused_authentications;
    spdlog::warn("API: refused {}: {} ({} refused since start)", peer_,
                 key ? "wrong API key" : "its first request was not auth", refused);
    if (key) return encode_error("wrong API key");
    return encode_error(std::string("authenticate first: the first request must be {\"command\": \"") + kAuthCommand +
                        "\", \"args\": {\"key\": KEY}}");
}

std::size_t Session::within_rate(std::size_t count) {
    if (!limiter_) return count;
    const RateLimiter::Clock::time_point now = RateLimiter::Clock::now();
    std::size_t allowed = 0;
    while (allowed < count && limiter_->take(now)) ++allowed;
    return allowed;
}

void Session::serve(std::vector<std::string> lines, std::string responses) {
    const std::size_t allowed = within_rate(lines.size());
    const std::string over_rate =
        allowed < lines.size()
            ? encode_error(fmt::format("rate limited: at most {:g} requests per second (bursts of {:g}) on a connection",
                                       listener_->rules.requests_per_second, listener_->rules.request_burst))
            : "";
    const std::size_t refused = lines.size() - allowed;
    lines.resize(allowed);
    const auto stream_request = std::find_if(lines.begin(), lines.end(), [this](const std::string& line) {
        return stream_handler_of(line) != nullptr;
    });
    if (stream_request != lines.begin()) {
        for (const std::string& response : listener_->handler({lines.begin(), stream_request})) responses += response;
    }
    if (stream_request == lines.end()) {
        for (std::size_t count = 0; count < refused; ++count) responses += over_rate;
        reply(std::move(responses), /*then_close=*/false);
        return;
    }
    const StreamHandler& start = *stream_handler_of(*stream_request);
    // What the handler sends while it starts waits behind its answer.
    starting_ = true;
    StreamAnswer answer = start(parse_request(*stream_request), shared_from_this());
    starting_ = false;
    responses += answer.first_line;
    if (!answer.streaming) {
        reply(std::move(responses), /*then_close=*/false);
        return;
    }
    deadline_.cancel();  // a stream lasts as long as its request asked
    queued_bytes_ += responses.size();
    outgoing_.push_front(std::move(responses));
    write_next();
    watch_for_close();
}

const StreamHandler* Session::stream_handler_of(const std::string& line) const {
    try {
        const auto found = listener_->streams.find(parse_request(line).command);
        return found == listener_->streams.end() ? nullptr : &found->second;
    } catch (const ProtocolError&) {
        return nullptr;  // the line handler answers it
    }
}

void Session::write_next() {
    if (writing_ || starting_ || outgoing_.empty()) return;
    writing_ = true;
    boost::asio::async_write(socket_, boost::asio::buffer(outgoing_.front()),
                             [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                                 self->on_written(error);
                             });
}

void Session::on_written(const boost::system::error_code& error) {
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
void Session::watch_for_close() {
    socket_.async_read_some(boost::asio::buffer(discard_chunk_),
                            [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                                if (error) {
                                    self->end_stream();
                                    return;
                                }
                                self->watch_for_close();
                            });
}

void Session::end_stream() {
    if (stream_ended_) return;
    stream_ended_ = true;
    close();
    for (auto& callback : std::exchange(close_callbacks_, {})) callback();
}

// Moves what the client has sent and lbd has not read yet into the buffer,
// without waiting: a pipelining client's requests are then run together,
// however little the read that completed took.
void Session::read_what_is_waiting() {
    boost::system::error_code error;
    const std::size_t waiting = socket_.available(error);
    const std::size_t room = buffer_.max_size() - buffer_.size();
    if (error || waiting == 0 || room == 0) return;
    const std::size_t read = socket_.read_some(buffer_.prepare(std::min(waiting, room)), error);
    if (!error) buffer_.commit(read);
}

// The length of the next line in the buffer, its newline included, if it is all there.
// (buffers_begin points into the buffer sequence it is given: `data` must outlive it.)
std::optional<std::size_t> Session::complete_line_length() const {
    const auto data = buffer_.data();
    auto begin = boost::asio::buffers_begin(data);
    auto end = boost::asio::buffers_end(data);
    auto newline = std::find(begin, end, '\n');
    if (newline == end) return std::nullopt;
    return static_cast<std::size_t>(newline - begin) + 1;
}

std::string Session::take_line(std::size_t length) {
    const auto data = buffer_.data();
    auto begin = boost::asio::buffers_begin(data);
    std::string line(begin, begin + static_cast<std::ptrdiff_t>(length) - 1);
    buffer_.consume(length);
    return line;
}

void Session::discard_rest_of_line() {
    socket_.async_read_some(boost::asio::buffer(discard_chunk_),
                            [self = shared_from_this()](const boost::system::error_code& error,
                                                        std::size_t length) { self->on_discarded(error, length); });
}

void Session::on_discarded(const boost::system::error_code& error, std::size_t length) {
    if (error) return;
    discarded_ += length;
    bool line_ended = std::memchr(discard_chunk_.data(), '\n', length) != nullptr;
    if (!line_ended && discarded_ <= kMaxDiscardedBytes) {
        discard_rest_of_line();
        return;
    }
    reply(encode_error("request is larger than 1 MiB"), /*then_close=*/true);
}

void Session::reply(std::string response, bool then_close) {
    response_ = std::move(response);
    boost::asio::async_write(socket_, boost::asio::buffer(response_),
                             [self = shared_from_this(), then_close](const boost::system::error_code& error,
                                                                     std::size_t) {
                                 if (error) return;
                                 if (then_close) {
                                     self->close();
                                     return;
                                 }
                                 self->read_request();
                             });
}

}  // namespace xdplb::api
