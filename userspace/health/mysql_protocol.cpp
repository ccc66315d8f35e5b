#include "health/mysql_protocol.hpp"

#include <openssl/evp.h>

#include <array>

namespace xdplb::health::mysql {

namespace {

constexpr std::uint8_t kProtocolVersion = 10;
constexpr std::uint8_t kErrMarker = 0xff;
constexpr std::uint8_t kOkMarker = 0x00;
constexpr std::uint8_t kAuthSwitchMarker = 0xfe;
constexpr std::uint8_t kComQuit = 0x01;
constexpr std::size_t kSaltSize = 20;
constexpr std::uint8_t kCharsetUtf8 = 33;  // utf8_general_ci
constexpr std::uint32_t kMaxClientPacket = 16 * 1024 * 1024;

// Capability flags (the protocol's names).
constexpr std::uint32_t kClientLongPassword = 0x1;
constexpr std::uint32_t kClientProtocol41 = 0x200;
constexpr std::uint32_t kClientSecureConnection = 0x8000;
constexpr std::uint32_t kClientPluginAuth = 0x80000;

// Reads a payload front to back; running past its end is a truncated packet.
class Reader {
public:
    Reader(std::string_view bytes, const char* what) : bytes_(bytes), what_(what) {}

    std::uint32_t integer(std::size_t size) {
        need(size);
        std::uint32_t value = 0;
        for (std::size_t i = 0; i < size; ++i) value |= std::uint32_t{static_cast<std::uint8_t>(bytes_[i])} << (8 * i);
        bytes_.remove_prefix(size);
        return value;
    }

    std::string_view take(std::size_t size) {
        need(size);
        std::string_view taken = bytes_.substr(0, size);
        bytes_.remove_prefix(size);
        return taken;
    }

    std::string_view null_terminated() {
        const std::size_t end = bytes_.find('\0');
        if (end == std::string_view::npos) throw ProtocolError(std::string(what_) + " is truncated");
        std::string_view text = bytes_.substr(0, end);
        bytes_.remove_prefix(end + 1);
        return text;
    }

    // The last field, which some servers end with a NUL and others do not.
    std::string_view rest() {
        std::string_view text = bytes_;
        if (!text.empty() && text.back() == '\0') text.remove_suffix(1);
        bytes_ = {};
        return text;
    }

private:
    void need(std::size_t size) const {
        if (bytes_.size() < size) throw ProtocolError(std::string(what_) + " is truncated");
    }

    std::string_view bytes_;
    const char* what_;
};

void put_integer(std::string& out, std::uint32_t value, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

bool printable(std::string_view text) {
    for (char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
    }
    return true;
}

// An ERR packet's code and message: "error 1130: Host '198.18.0.1' is not allowed to connect".
[[noreturn]] void throw_server_error(std::string_view payload, const char* when) {
    Reader reader(payload.substr(1), "the error packet");
    const std::uint32_t code = reader.integer(2);
    std::string_view message = reader.rest();
    // After the handshake a '#' and a five-character SQL state precede the message.
    if (message.size() >= 6 && message[0] == '#') message.remove_prefix(6);
    const std::string shown = printable(message) ? std::string(message) : "(unreadable message)";
    throw ProtocolError(std::string(when) + ": error " + std::to_string(code) + ": " + shown);
}

using Digest = std::array<unsigned char, 20>;

Digest sha1(std::string_view first, std::string_view second = {}) {
    Digest digest{};
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    if (context == nullptr) throw std::bad_alloc();
    bool ok = EVP_DigestInit_ex(context, EVP_sha1(), nullptr) == 1 &&
              EVP_DigestUpdate(context, first.data(), first.size()) == 1 &&
              EVP_DigestUpdate(context, second.data(), second.size()) == 1 &&
              EVP_DigestFinal_ex(context, digest.data(), nullptr) == 1;
    EVP_MD_CTX_free(context);
    if (!ok) throw std::runtime_error("SHA1 failed in libcrypto");
    return digest;
}

std::string_view as_text(const Digest& digest) {
    return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace

PacketHeader parse_header(std::string_view header) {
    Reader reader(header, "the packet header");
    PacketHeader parsed;
    parsed.payload_size = reader.integer(3);
    parsed.sequence = static_cast<std::uint8_t>(reader.integer(1));
    return parsed;
}

std::string packet(std::string_view payload, std::uint8_t sequence) {
    std::string out;
    put_integer(out, static_cast<std::uint32_t>(payload.size()), 3);
    out.push_back(static_cast<char>(sequence));
    out.append(payload);
    return out;
}

Greeting parse_greeting(std::string_view payload) {
    if (payload.empty()) throw ProtocolError("empty greeting");
    if (static_cast<std::uint8_t>(payload[0]) == kErrMarker) throw_server_error(payload, "the server refused the connection");
    Reader reader(payload, "the greeting");
    const std::uint32_t version = reader.integer(1);
    if (version != kProtocolVersion) {
        throw ProtocolError("not a MySQL greeting (protocol version " + std::to_string(version) + ", not 10)");
    }
    Greeting greeting;
    const std::string_view server_version = reader.null_terminated();
    if (server_version.empty() || !printable(server_version)) throw ProtocolError("the greeting's server version is not text");
    greeting.server_version = server_version;
    reader.integer(4);  // connection id
    greeting.salt = reader.take(8);
    if (reader.integer(1) != 0) throw ProtocolError("the greeting's filler byte is not zero");
    greeting.capabilities = reader.integer(2);
    if ((greeting.capabilities & kClientProtocol41) == 0) {
        throw ProtocolError("the server does not speak protocol 4.1");
    }
    reader.integer(1);  // character set
    reader.integer(2);  // status flags
    greeting.capabilities |= reader.integer(2) << 16;
    const std::size_t salt_size = reader.integer(1);
    reader.take(10);  // reserved (MariaDB: its own capabilities)
    if ((greeting.capabilities & kClientSecureConnection) != 0) {
        // The second part is at least 13 bytes, its last one a NUL.
        const std::size_t second_part = std::max<std::size_t>(13, salt_size > 8 ? salt_size - 8 : 0);
        greeting.salt += reader.take(second_part);
        greeting.salt.resize(std::min(greeting.salt.size(), kSaltSize));
    }
    if ((greeting.capabilities & kClientPluginAuth) != 0) greeting.auth_plugin = reader.rest();
    if (greeting.salt.size() != kSaltSize) throw ProtocolError("the greeting's salt is not 20 bytes");
    return greeting;
}

std::string native_password_scramble(std::string_view password, std::string_view salt) {
    if (password.empty()) return {};
    const Digest once = sha1(password);
    const Digest twice = sha1(as_text(once));
    const Digest salted = sha1(salt, as_text(twice));
    std::string scramble(once.size(), '\0');
    for (std::size_t i = 0; i < once.size(); ++i) scramble[i] = static_cast<char>(once[i] ^ salted[i]);
    return scramble;
}

std::string handshake_response(std::string_view user, std::string_view password, const Greeting& greeting) {
    const std::string scramble = native_password_scramble(password, greeting.salt);
    std::string out;
    put_integer(out, kClientLongPassword | kClientProtocol41 | kClientSecureConnection | kClientPluginAuth, 4);
    put_integer(out, kMaxClientPacket, 4);
    out.push_back(static_cast<char>(kCharsetUtf8));
    out.append(23, '\0');
    out.append(user);
    out.push_back('\0');
    out.push_back(static_cast<char>(scramble.size()));
    out.append(scramble);
    out.append("mysql_native_password");
    out.push_back('\0');
    return out;
}

LoginAnswer parse_login_reply(std::string_view payload) {
    if (payload.empty()) throw ProtocolError("empty answer to the login");
    const auto marker = static_cast<std::uint8_t>(payload[0]);
    if (marker == kErrMarker) throw_server_error(payload, "login refused");
    if (marker == kOkMarker) return {};
    if (marker == kAuthSwitchMarker) {
        Reader reader(payload.substr(1), "the authentication switch");
        LoginAnswer answer{LoginReply::auth_switch, std::string(reader.null_terminated()), {}};
        answer.salt = reader.rest();
        return answer;
    }
    throw ProtocolError("unexpected answer to the login (first byte " + std::to_string(marker) + ")");
}

std::string com_quit_payload() { return std::string(1, static_cast<char>(kComQuit)); }

}  // namespace xdplb::health::mysql
