// The parts of the MySQL/MariaDB client protocol a health check speaks:
// packets, the v10 greeting, mysql_native_password, OK/ERR, COM_QUIT.
// Pure functions over bytes, so that each rule is tested on its own.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xdplb::health::mysql {

// The bytes are not what a MySQL server sends: the message says why.
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kHeaderSize = 4;
inline constexpr std::size_t kMaxCheckedPacket = 64 * 1024;  // a greeting or an answer is far smaller

struct PacketHeader {
    std::size_t payload_size = 0;
    std::uint8_t sequence = 0;
};

PacketHeader parse_header(std::string_view header);  // exactly kHeaderSize bytes
std::string packet(std::string_view payload, std::uint8_t sequence);

struct Greeting {
    std::string server_version;
    std::uint32_t capabilities = 0;
    std::string salt;         // the 20 bytes mysql_native_password scrambles with
    std::string auth_plugin;  // empty when the server names none
};

// A v10 greeting's payload. An ERR packet instead (the server refuses this
// host, or has too many connections) and anything malformed or truncated
// throw ProtocolError with a one-line reason.
Greeting parse_greeting(std::string_view payload);

// SHA1(password) XOR SHA1(salt + SHA1(SHA1(password))); empty for no password.
std::string native_password_scramble(std::string_view password, std::string_view salt);

// The client's answer to the greeting (HandshakeResponse41), as payload.
std::string handshake_response(std::string_view user, std::string_view password, const Greeting& greeting);

// What the server said to the login.
enum class LoginReply : std::uint8_t { ok, auth_switch };
struct LoginAnswer {
    LoginReply reply = LoginReply::ok;
    std::string auth_plugin;  // auth_switch: the plugin asked for, and its salt
    std::string salt;
};
// OK, or a switch to another authentication method; ERR throws ProtocolError
// with the server's code and message.
LoginAnswer parse_login_reply(std::string_view payload);

std::string com_quit_payload();

}  // namespace xdplb::health::mysql
