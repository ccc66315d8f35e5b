// lbd's API listener: a unix stream socket, one line per request, served from
// the daemon's single event loop.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "api/protocol.hpp"

namespace xdplb::api {

class Session;

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

class Server {
public:
    // Answers request lines, one response line each, in order. It gets every
    // line a client has sent so far at once (a pipelining client sends many),
    // so that it can save once for all of them.
    using LineHandler = std::function<std::vector<std::string>(const std::vector<std::string>& lines)>;
    // Answers a request for a stream, by command name. The requests a client
    // sent before it are answered first; those after it are not read.
    using StreamHandler = std::function<StreamAnswer(const Request& request, std::shared_ptr<Stream> stream)>;
    using StreamHandlers = std::map<std::string, StreamHandler>;

    // Binds `path` with mode 0600. A socket file on which nothing answers is
    // replaced; a socket on which another process still answers, or a file
    // that is not a socket, is an error (std::runtime_error).
    Server(boost::asio::io_context& io, std::string path, LineHandler handler, StreamHandlers streams = {});
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
    std::shared_ptr<const StreamHandlers> streams_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::vector<std::weak_ptr<Session>> sessions_;
};

}  // namespace xdplb::api
