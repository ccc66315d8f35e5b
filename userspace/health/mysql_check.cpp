#include "health/mysql_check.hpp"

#include <array>
#include <fstream>
#include <functional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "health/endpoint.hpp"
#include "health/mysql_protocol.hpp"

namespace xdplb::health {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr const char* kNativePassword = "mysql_native_password";

// The first line of the file, without its line end; read at each check, so
// that a changed password is used at once.
std::optional<std::string> read_password(const std::string& path) {
    std::ifstream file(path);
    if (!file) return std::nullopt;
    std::string password;
    std::getline(file, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
}

class MysqlCheck : public CheckOperation {
public:
    MysqlCheck(asio::io_context& io, const model::HealthCheck& check, CheckDone done)
        : CheckOperation(io, check.timeout, std::move(done)), check_(check), socket_(io) {}

private:
    using OnPacket = std::function<void(std::string_view payload)>;

    void begin() override {
        if (check_.password_file) {
            auto password = read_password(*check_.password_file);
            if (!password) return fail("cannot read the password file " + *check_.password_file);
            password_ = std::move(*password);
        }
        set_step("connecting");
        socket_.async_connect(check_endpoint<tcp::endpoint>(check_), [this, self = shared_from_this()](auto error) {
            if (finished()) return;
            if (error) return fail("connect", error);
            set_step("waiting for the greeting");
            read_packet([this](std::string_view payload) { on_greeting(payload); });
        });
    }

    void on_greeting(std::string_view payload) {
        const mysql::Greeting greeting = mysql::parse_greeting(payload);
        if (!check_.user) return succeed("greeting from " + greeting.server_version);
        server_version_ = greeting.server_version;
        set_step("logging in");
        send(mysql::handshake_response(*check_.user, password_, greeting));
    }

    void on_login_reply(std::string_view payload) {
        const mysql::LoginAnswer answer = mysql::parse_login_reply(payload);
        if (answer.reply == mysql::LoginReply::ok) return quit();
        if (answer.auth_plugin != kNativePassword) {
            return fail("the server asks for authentication by " + answer.auth_plugin + ", which the check does not speak");
        }
        send(mysql::native_password_scramble(password_, answer.salt));
    }

    // The server closes the session on COM_QUIT: the check is done once it is sent.
    void quit() {
        set_step("quitting");
        auto packet = std::make_shared<std::string>(mysql::packet(mysql::com_quit_payload(), 0));
        asio::async_write(socket_, asio::buffer(*packet), [this, self = shared_from_this(), packet](auto error, auto) {
            if (finished()) return;
            if (error) return fail("quit", error);
            succeed("logged in to " + server_version_);
        });
    }

    // Each packet of the login answers the last one the server sent.
    void send(std::string_view payload) {
        auto packet = std::make_shared<std::string>(mysql::packet(payload, ++sequence_));
        asio::async_write(socket_, asio::buffer(*packet), [this, self = shared_from_this(), packet](auto error, auto) {
            if (finished()) return;
            if (error) return fail("send", error);
            read_packet([this](std::string_view reply) { on_login_reply(reply); });
        });
    }

    void read_packet(OnPacket on_packet) {
        asio::async_read(socket_, asio::buffer(header_),
                         [this, self = shared_from_this(), on_packet](auto error, std::size_t) {
                             if (finished()) return;
                             if (error == asio::error::eof) return fail("the server closed the connection " + std::string(step_name()));
                             if (error) return fail("receive", error);
                             const mysql::PacketHeader header =
                                 mysql::parse_header(std::string_view(header_.data(), header_.size()));
                             if (header.payload_size > mysql::kMaxCheckedPacket) {
                                 return fail("a packet of " + std::to_string(header.payload_size) +
                                             " bytes is not what a MySQL server sends here");
                             }
                             sequence_ = header.sequence;
                             read_payload(header.payload_size, on_packet);
                         });
    }

    void read_payload(std::size_t size, OnPacket on_packet) {
        payload_.resize(size);
        asio::async_read(socket_, asio::buffer(payload_),
                         [this, self = shared_from_this(), on_packet](auto error, std::size_t) {
                             if (finished()) return;
                             if (error == asio::error::eof) return fail("the server closed the connection mid-packet");
                             if (error) return fail("receive", error);
                             try {
                                 on_packet(payload_);
                             } catch (const mysql::ProtocolError& problem) {
                                 fail(problem.what());
                             }
                         });
    }

    const char* step_name() const { return check_.user && !server_version_.empty() ? "during the login" : "before its greeting"; }

    void abandon() override {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    model::HealthCheck check_;
    tcp::socket socket_;
    std::string password_;
    std::string server_version_;
    std::array<char, mysql::kHeaderSize> header_{};
    std::string payload_;
    std::uint8_t sequence_ = 0;
};

}  // namespace

void run_mysql_check(asio::io_context& io, const model::HealthCheck& check, CheckDone done) {
    launch<MysqlCheck>(io, check, std::move(done));
}

}  // namespace xdplb::health
