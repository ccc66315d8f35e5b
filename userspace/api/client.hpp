// The blocking client of the lbd API (docs/api.md), as lbctl uses it.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

#include "api/protocol.hpp"
#include "common/socket_address.hpp"

namespace xdplb::api {

// lbd could not be reached, or did not answer with a well-formed response.
class ClientError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// lbd's TCP listener, and the API key it asks for (docs/api.md, "TCP").
struct TcpEndpoint {
    SocketAddress address;
    std::string key;
};
// Where lbd serves the API: the path of its unix socket, or its TCP listener.
using Endpoint = std::variant<std::string, TcpEndpoint>;

inline constexpr std::chrono::milliseconds kDefaultReplyTimeout = std::chrono::seconds(30);

// One connection to lbd. After a ClientError the connection is closed and every
// further call fails, because the stream may be out of step with the requests.
class Client {
public:
    // Connects at once, and over TCP authenticates; throws ClientError
    // "cannot connect to lbd at PATH: ...", or lbd's refusal of the key.
    explicit Client(Endpoint endpoint, std::chrono::milliseconds reply_timeout = kDefaultReplyTimeout);
    ~Client();

    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Sends one request and waits at most the reply timeout for its response.
    // A response with ok=false is returned, not thrown: it is lbd's answer.
    Response call(const Request& request);
    // After a call() whose answer started a stream (docs/api.md, "Streams"):
    // the stream's next line, however long it takes to come; nullopt once lbd
    // has ended the stream.
    std::optional<std::string> next_streamed_line();

private:
    using Deadline = std::chrono::steady_clock::time_point;

    void connect_unix(const std::string& path);
    void connect_tcp(const TcpEndpoint& endpoint);
    // Opens the socket and connects it to `address`, of `length` bytes.
    void connect_to(int family, const void* address, std::size_t length);
    void authenticate(const std::string& key);
    void send_all(const std::string& bytes, Deadline deadline);
    // nullopt when lbd closes the connection between two lines and `end_allowed`.
    std::optional<std::string> receive_line(Deadline deadline, bool end_allowed);
    // false when lbd has closed the connection.
    bool receive_some(Deadline deadline);
    void wait_until_ready(short poll_events, Deadline deadline);
    void disconnect() noexcept;
    std::string peer() const;  // "lbd at PATH" or "lbd at ADDR:PORT", for messages

    std::string where_;  // the socket's path or the listener's address
    std::chrono::milliseconds reply_timeout_;
    int fd_ = -1;
    std::string received_;  // bytes read but not yet returned as a line
};

}  // namespace xdplb::api
