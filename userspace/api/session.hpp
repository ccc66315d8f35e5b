// One client connection of lbd's API (docs/api.md): it reads request lines,
// has them answered, and may turn into a stream of lines from lbd.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>

#include "api/api_key.hpp"
#include "api/protocol.hpp"
#include "api/rate_limiter.hpp"

namespace xdplb::api {

// The sending end of a stream of lines to one client (docs/api.md, "Streams").
class Stream {
public:
    virtual ~Stream() = default;
    // Queues one line (newline included). While more than kMaxQueuedStreamBytes
    // wait for a slow client, lines are dropped and counted, and a lost notice
    // tells the client how many once the queue has drained.
    virtual void send(std::string line) = 0;
    // Ends the stream once what is queued has been written.
    virtual void finish() = 0;
    // `callback` runs once, when the stream ends: finished, closed by the
    // client, or broken. Never from inside send() or finish().
    virtual void on_close(std::function<void()> callback) = 0;
};

inline constexpr std::size_t kMaxQueuedStreamBytes = 1 << 20;

// How a stream request was answered: its first line, and whether the stream
// goes on (else the line is an error and the connection takes requests again).
struct StreamAnswer {
    std::string first_line;
    bool streaming = false;
};

// Answers request lines, one response line each, in order. It gets every
// line a client has sent so far at once (a pipelining client sends many),
// so that it can save once for all of them.
using LineHandler = std::function<std::vector<std::string>(const std::vector<std::string>& lines)>;
// Answers a request for a stream, by command name. The requests a client
// sent before it are answered first; those after it are not read.
using StreamHandler = std::function<StreamAnswer(const Request& request, std::shared_ptr<Stream> stream)>;
using StreamHandlers = std::map<std::string, StreamHandler>;

// What a listener asks of its clients.
struct SessionRules {
    std::shared_ptr<const ApiKey> key;  // null: no authentication (the unix socket's mode guards it)
    double requests_per_second = 0;     // per connection, 0: no limit
    double request_burst = 0;           // requests at once beyond the rate
    std::chrono::milliseconds authentication_timeout{0};
    std::chrono::milliseconds idle_timeout{0};  // 0: none
};

// What the sessions of one listener share with it; they may outlive it in the
// event loop's queue.
struct Listener {
    LineHandler handler;
    StreamHandlers streams;
    SessionRules rules;
    std::uint64_t refused_authentications = 0;
};

class Session : public std::enable_shared_from_this<Session>, public Stream {
public:
    using Socket = boost::asio::generic::stream_protocol::socket;

    // `peer` names the client in log messages.
    Session(Socket socket, std::string peer, std::shared_ptr<Listener> listener);

    void start();
    // Whatever is pending ends with operation_aborted, and the session with it.
    void close();

    void send(std::string line) override;
    void finish() override;
    void on_close(std::function<void()> callback) override;

private:
    void read_request();
    void on_line(const boost::system::error_code& error, std::size_t length);
    // The lines after authentication and the rate limit, answered after `responses`.
    void serve(std::vector<std::string> lines, std::string responses);
    // The answer to a connection's first line when it must authenticate;
    // nullopt: authenticated. Refusals close the connection.
    std::optional<std::string> refusal_of_authentication(const std::string& line);
    // How many of `count` lines received now the rate limit lets through.
    std::size_t within_rate(std::size_t count);
    void arm_deadline(std::chrono::milliseconds timeout, const char* what);

    const StreamHandler* stream_handler_of(const std::string& line) const;
    void write_next();
    void on_written(const boost::system::error_code& error);
    void watch_for_close();
    void end_stream();
    void read_what_is_waiting();
    std::optional<std::size_t> complete_line_length() const;
    std::string take_line(std::size_t length);
    void discard_rest_of_line();
    void on_discarded(const boost::system::error_code& error, std::size_t length);
    void reply(std::string response, bool then_close);

    Socket socket_;
    std::string peer_;
    std::shared_ptr<Listener> listener_;
    bool authenticated_;
    std::optional<RateLimiter> limiter_;
    boost::asio::steady_timer deadline_;
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

}  // namespace xdplb::api
