#include "api/client.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstring>
#include <utility>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

namespace xdplb::api {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::size_t kReceiveChunkBytes = 64 * 1024;

std::string errno_text() {
    return std::strerror(errno);
}

std::string describe(milliseconds duration) {
    if (duration.count() % 1000 == 0) {
        return std::to_string(duration.count() / 1000) + " s";
    }
    return std::to_string(duration.count()) + " ms";
}

timeval to_timeval(milliseconds duration) {
    return {static_cast<time_t>(duration.count() / 1000),
            static_cast<suseconds_t>(duration.count() % 1000 * 1000)};
}

Response parse_from(const std::string& line, const std::string& peer) {
    try {
        return parse_response(line);
    } catch (const ProtocolError& error) {
        throw ClientError(peer + " sent an invalid response: " + error.what());
    }
}

}  // namespace

Client::Client(Endpoint endpoint, milliseconds reply_timeout) : reply_timeout_(reply_timeout) {
    if (const auto* path = std::get_if<std::string>(&endpoint)) {
        where_ = *path;
        connect_unix(*path);
        return;
    }
    const TcpEndpoint& tcp = std::get<TcpEndpoint>(endpoint);
    where_ = tcp.address.to_string();
    connect_tcp(tcp);
    authenticate(tcp.key);
}

Client::~Client() {
    disconnect();
}

Response Client::call(const Request& request) {
    if (fd_ < 0) {
        throw ClientError("the connection to " + peer() + " was closed after an earlier error");
    }
    const Deadline deadline = steady_clock::now() + reply_timeout_;
    try {
        send_all(encode_request(request), deadline);
        return parse_from(*receive_line(deadline, /*end_allowed=*/false), peer());
    } catch (const ClientError&) {
        disconnect();
        throw;
    }
}

void Client::connect_unix(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.empty()) {
        throw ClientError("cannot connect to " + peer() + ": the socket path is empty");
    }
    if (path.size() >= sizeof(address.sun_path)) {
        throw ClientError("cannot connect to " + peer() + ": the socket path is longer than " +
                          std::to_string(sizeof(address.sun_path) - 1) + " bytes");
    }
    std::copy(path.begin(), path.end(), address.sun_path);
    connect_to(AF_UNIX, &address, sizeof address);
}

void Client::connect_tcp(const TcpEndpoint& endpoint) {
    const auto& bytes = endpoint.address.address.bytes();
    if (endpoint.address.address.family() == IpAddress::Family::v4) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(endpoint.address.port);
        std::memcpy(&address.sin_addr, bytes.data(), 4);
        connect_to(AF_INET, &address, sizeof address);
    } else {
        sockaddr_in6 address{};
        address.sin6_family = AF_INET6;
        address.sin6_port = htons(endpoint.address.port);
        std::memcpy(&address.sin6_addr, bytes.data(), 16);
        connect_to(AF_INET6, &address, sizeof address);
    }
}

void Client::connect_to(int family, const void* address, std::size_t length) {
    const std::string cannot_connect = "cannot connect to " + peer() + ": ";
    fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        throw ClientError(cannot_connect + errno_text());
    }
    // While lbd's listen backlog is full, or a TCP handshake goes unanswered,
    // connect() waits; on Linux the send timeout bounds that.
    const timeval timeout = to_timeval(reply_timeout_);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    while (::connect(fd_, static_cast<const sockaddr*>(address), static_cast<socklen_t>(length)) != 0) {
        if (errno != EINTR) {
            const std::string reason = errno == EINPROGRESS ? "no answer within " + describe(reply_timeout_)
                                                            : errno_text();
            disconnect();
            throw ClientError(cannot_connect + reason);
        }
    }
}

void Client::authenticate(const std::string& key) {
    const Response response = call({kAuthCommand, {{"key", key}}});
    if (!response.ok) {
        disconnect();
        throw ClientError(peer() + " refused the connection: " + response.error);
    }
}

void Client::send_all(const std::string& bytes, Deadline deadline) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        wait_until_ready(POLLOUT, deadline);
        // MSG_DONTWAIT: a blocking send of a large request could outlast the deadline.
        // MSG_NOSIGNAL: lbd going away must be an error, not a SIGPIPE that kills lbctl.
        const ssize_t count =
            ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (count >= 0) {
            sent += static_cast<std::size_t>(count);
        } else if (errno != EINTR && errno != EAGAIN) {
            throw ClientError("cannot send to " + peer() + ": " + errno_text());
        }
    }
}

std::optional<std::string> Client::next_streamed_line() {
    if (fd_ < 0) throw ClientError("the connection to " + peer() + " was closed after an earlier error");
    try {
        return receive_line(Deadline::max(), /*end_allowed=*/true);
    } catch (const ClientError&) {
        disconnect();
        throw;
    }
}

std::optional<std::string> Client::receive_line(Deadline deadline, bool end_allowed) {
    std::size_t searched = 0;
    for (;;) {
        const std::size_t newline = received_.find('\n', searched);
        if (newline != std::string::npos) {
            std::string line = received_.substr(0, newline);
            received_.erase(0, newline + 1);
            return line;
        }
        if (received_.size() > kMaxResponseBytes) {
            throw ClientError(peer() + " sent a response larger than " + std::to_string(kMaxResponseBytes >> 20) +
                              " MiB");
        }
        searched = received_.size();
        if (receive_some(deadline)) continue;
        if (end_allowed && received_.empty()) return std::nullopt;
        throw ClientError(peer() + (received_.empty() ? " closed the connection without answering"
                                                      : " closed the connection in the middle of a response"));
    }
}

bool Client::receive_some(Deadline deadline) {
    char chunk[kReceiveChunkBytes];
    for (;;) {
        wait_until_ready(POLLIN, deadline);
        const ssize_t count = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
        if (count > 0) {
            received_.append(chunk, static_cast<std::size_t>(count));
            return true;
        }
        if (count == 0) return false;
        if (errno != EINTR && errno != EAGAIN) {
            throw ClientError("cannot receive from " + peer() + ": " + errno_text());
        }
    }
}

void Client::wait_until_ready(short poll_events, Deadline deadline) {
    for (;;) {
        const auto left = std::chrono::ceil<milliseconds>(deadline - steady_clock::now());
        if (left.count() <= 0) {
            throw ClientError(peer() + " did not answer within " + describe(reply_timeout_));
        }
        pollfd watched{fd_, poll_events, 0};
        const int ready = ::poll(&watched, 1, static_cast<int>(std::min<long long>(left.count(), INT_MAX)));
        if (ready > 0) {
            return;
        }
        if (ready < 0 && errno != EINTR) {
            throw ClientError("cannot wait for " + peer() + ": " + errno_text());
        }
    }
}

void Client::disconnect() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    received_.clear();
}

std::string Client::peer() const {
    return "lbd at " + where_;
}

}  // namespace xdplb::api
