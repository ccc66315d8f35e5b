// The framing of the lbd API (docs/api.md): one JSON object per line each way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace xdplb::api {

// What lbd reads of one request line: requests are small, and a client must
// not make lbd buffer much.
inline constexpr std::size_t kMaxRequestBytes = 1 << 20;
// How deep a request's arrays and objects may nest: the deepest request is a
// few levels, and lbd's handling of a value recurses over its depth.
inline constexpr int kMaxRequestDepth = 32;
// What a client reads of one response line: lbd's answers grow with the
// configuration (a listing of 1000 farms of 10 backends is a few MiB).
inline constexpr std::size_t kMaxResponseBytes = 64 << 20;
inline constexpr const char* kDefaultSocketPath = "/run/xdplb/lbd.sock";

// A request or response that does not follow the protocol.
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The first request of a TCP connection (docs/api.md, "Authentication").
inline constexpr const char* kAuthCommand = "auth";

struct Request {
    std::string command;
    nlohmann::json args = nlohmann::json::object();
};

struct Response {
    bool ok = false;
    nlohmann::json result;  // when ok
    std::string error;      // when not ok
};

// Each encode_* returns one line, newline included.
std::string encode_request(const Request& request);
std::string encode_success(const nlohmann::json& result);
std::string encode_error(const std::string& message);
// A stream's line saying that `count` of its lines were dropped: {"lost": N}.
std::string encode_lost_notice(std::uint64_t count);

// Each parse_* takes one line (without its newline) and throws ProtocolError.
Request parse_request(const std::string& line);
Response parse_response(const std::string& line);

}  // namespace xdplb::api
