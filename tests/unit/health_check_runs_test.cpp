// Each protocol's check against servers scripted on loopback: what each
// check accepts, what it refuses, and the reason it gives.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <vector>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>

#include <boost/asio/ip/udp.hpp>

#include "event_loop.hpp"
#include "health/mysql_protocol.hpp"
#include "health/run_check.hpp"
#include "scripted_server.hpp"

namespace xdplb::health {
namespace {

using testing::Pieces;
using testing::Script;
using testing::script;
using testing::ScriptedServer;
using namespace std::chrono_literals;

model::HealthCheck loopback_check(model::CheckType type, std::uint16_t port) {
    model::HealthCheck check;
    check.type = type;
    check.address = *IpAddress::parse("127.0.0.1");
    check.port = port;
    check.timeout = 400ms;
    check.host = "127.0.0.1";
    return check;
}

CheckResult run_to_end(boost::asio::io_context& io, const model::HealthCheck& check) {
    std::optional<CheckResult> result;
    run_check(io, check, [&](CheckResult outcome) {
        result = std::move(outcome);
        io.stop();
    });
    // A check may answer before the loop runs (it could not even start).
    if (!result) testing::run_loop_for(io, 5s);
    return result.value_or(CheckResult{false, "test: no result"});
}

// A port on loopback where nothing listens: bound, never listening, so that no one else takes it meanwhile.
class ClosedPort {
public:
    explicit ClosedPort(boost::asio::io_context& io) : socket_(io) {
        socket_.open(boost::asio::ip::tcp::v4());
        socket_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    }
    std::uint16_t port() const { return socket_.local_endpoint().port(); }

private:
    boost::asio::ip::tcp::socket socket_;
};

std::optional<Pieces> when_contains(const std::string& received, const std::string& wanted, Pieces answer) {
    if (received.find(wanted) == std::string::npos) return std::nullopt;
    return answer;
}

// ---- tcp -------------------------------------------------------------------------

TEST(TcpCheck, HealthyWhenThePortAccepts) {
    boost::asio::io_context io;
    ScriptedServer server(io, {});
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::tcp, server.port()));
    EXPECT_TRUE(result.healthy) << result.reason;
    EXPECT_EQ(result.reason, "connected");
}

TEST(TcpCheck, DownWhenRefused) {
    boost::asio::io_context io;
    ClosedPort closed(io);
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::tcp, closed.port()));
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "connect: Connection refused");
}

TEST(TcpCheck, SendsAndFindsTheExpectedTextAcrossPartialReads) {
    boost::asio::io_context io;
    ScriptedServer server(io, script({}, [](const std::string& received) {
                                   return when_contains(received, "PING\r\n", {"+PO", "NG\r\n"});
                               }));
    model::HealthCheck check = loopback_check(model::CheckType::tcp, server.port());
    check.send = "PING\r\n";
    check.expect_body = "PONG";
    const CheckResult result = run_to_end(io, check);
    EXPECT_TRUE(result.healthy) << result.reason;
    EXPECT_EQ(server.received(), "PING\r\n");
}

TEST(TcpCheck, DownWhenTheReplyEndsWithoutTheText) {
    boost::asio::io_context io;
    ScriptedServer server(io, script({"-ERR busy\r\n"}, [](const std::string&) {
                                   return std::optional<Pieces>(Pieces{});
                               }));
    model::HealthCheck check = loopback_check(model::CheckType::tcp, server.port());
    check.send = "PING\r\n";
    check.expect_body = "PONG";
    const CheckResult result = run_to_end(io, check);
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "the reply ended without the expected text");
}

TEST(TcpCheck, TimesOutWaitingForTheText) {
    boost::asio::io_context io;
    ScriptedServer server(io, {});
    model::HealthCheck check = loopback_check(model::CheckType::tcp, server.port());
    check.expect_body = "READY";
    const auto started = std::chrono::steady_clock::now();
    const CheckResult result = run_to_end(io, check);
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "timeout after 400 ms waiting for the expected reply");
    EXPECT_GE(std::chrono::steady_clock::now() - started, 400ms);
}

// ---- http ------------------------------------------------------------------------

Script http_server(Pieces response) {
    return script({}, [response](const std::string& received) { return when_contains(received, "\r\n\r\n", response); });
}

TEST(HttpCheck, HealthyOnA2xxStatusAndSendsTheHostHeader) {
    boost::asio::io_context io;
    ScriptedServer server(io, http_server({"HTTP/1.1 204 No Content\r\n\r\n"}));
    model::HealthCheck check = loopback_check(model::CheckType::http, server.port());
    check.path = "/health?full=1";
    check.host = "www.example.test";
    const CheckResult result = run_to_end(io, check);
    EXPECT_TRUE(result.healthy) << result.reason;
    EXPECT_EQ(result.reason, "status 204");
    EXPECT_TRUE(server.received().starts_with("GET /health?full=1 HTTP/1.1\r\n")) << server.received();
    EXPECT_NE(server.received().find("Host: www.example.test\r\n"), std::string::npos) << server.received();
}

TEST(HttpCheck, StatusLinesAgainstTheDefaultAndAnExpectedStatus) {
    struct Case {
        const char* status_line;
        std::optional<std::uint16_t> expected;
        bool healthy;
    };
    for (const Case& each : {Case{"HTTP/1.1 200 OK", std::nullopt, true}, Case{"HTTP/1.1 302 Found", std::nullopt, true},
                             Case{"HTTP/1.0 404 Not Found", std::nullopt, false},
                             Case{"HTTP/1.1 503 Service Unavailable", std::nullopt, false},
                             Case{"HTTP/1.1 200 OK", 204, false}, Case{"HTTP/1.1 418 I'm a teapot", 418, true}}) {
        boost::asio::io_context io;
        ScriptedServer server(io, http_server({std::string(each.status_line) + "\r\nContent-Length: 0\r\n\r\n"}));
        model::HealthCheck check = loopback_check(model::CheckType::http, server.port());
        check.expect_status = each.expected;
        const CheckResult result = run_to_end(io, check);
        EXPECT_EQ(result.healthy, each.healthy) << each.status_line << ": " << result.reason;
    }
}

TEST(HttpCheck, NamesTheStatusThatFailed) {
    boost::asio::io_context io;
    ScriptedServer server(io, http_server({"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"}));
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::http, server.port()));
    EXPECT_EQ(result.reason, "status 503, not the expected status");
}

TEST(HttpCheck, FindsTheBodyTextAcrossPartialReads) {
    boost::asio::io_context io;
    ScriptedServer server(io, http_server({"HTTP/1.1 200 OK\r\nContent-Le", "ngth: 13\r\n\r\nstat", "us: green"}));
    model::HealthCheck check = loopback_check(model::CheckType::http, server.port());
    check.expect_body = "green";
    const CheckResult result = run_to_end(io, check);
    EXPECT_TRUE(result.healthy) << result.reason;
    EXPECT_EQ(result.reason, "status 200, body contains the expected text");
}

TEST(HttpCheck, DownWhenTheBodyLacksTheText) {
    boost::asio::io_context io;
    ScriptedServer server(io, http_server({"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nstatus: red"}));
    model::HealthCheck check = loopback_check(model::CheckType::http, server.port());
    check.expect_body = "green";
    const CheckResult result = run_to_end(io, check);
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "status 200, the body lacks the expected text");
}

TEST(HttpCheck, DownOnAGarbageStatusLine) {
    boost::asio::io_context io;
    ScriptedServer server(io, http_server({"SSH-2.0-OpenSSH_9.2\r\n\r\n"}));
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::http, server.port()));
    EXPECT_FALSE(result.healthy);
    EXPECT_TRUE(result.reason.starts_with("response: ")) << result.reason;
}

TEST(HttpCheck, DownWhenTheServerClosesMidHeader) {
    boost::asio::io_context io;
    ScriptedServer server(io, http_server({"HTTP/1.1 200 OK\r\nContent-"}));
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::http, server.port()));
    EXPECT_FALSE(result.healthy);
    EXPECT_TRUE(result.reason.starts_with("response: ")) << result.reason;
}

TEST(HttpCheck, TimesOutWithoutAnAnswer) {
    boost::asio::io_context io;
    ScriptedServer server(io, {});
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::http, server.port()));
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "timeout after 400 ms waiting for the response");
}

// ---- https -----------------------------------------------------------------------

// A TLS server with a throw-away self-signed certificate, answering one
// request per connection: enough to show that the https check completes a
// handshake with a certificate it cannot verify, and reads the answer.
class TlsServer {
public:
    TlsServer(boost::asio::io_context& io, std::string response)
        : context_(boost::asio::ssl::context::tls_server),
          acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}),
          response_(std::move(response)) {
        EVP_PKEY* key = EVP_EC_gen("P-256");
        X509* certificate = X509_new();
        ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
        X509_gmtime_adj(X509_getm_notBefore(certificate), 0);
        X509_gmtime_adj(X509_getm_notAfter(certificate), 3600);
        X509_set_pubkey(certificate, key);
        X509_NAME_add_entry_by_txt(X509_get_subject_name(certificate), "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("xdplb-test"), -1, -1, 0);
        X509_set_issuer_name(certificate, X509_get_subject_name(certificate));
        X509_sign(certificate, key, EVP_sha256());
        SSL_CTX_use_certificate(context_.native_handle(), certificate);
        SSL_CTX_use_PrivateKey(context_.native_handle(), key);
        X509_free(certificate);
        EVP_PKEY_free(key);
        accept();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    const std::string& sni() const { return sni_; }

private:
    using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

    void accept() {
        acceptor_.async_accept([this](auto error, boost::asio::ip::tcp::socket socket) {
            if (error) return;
            auto stream = std::make_shared<Stream>(std::move(socket), context_);
            stream->async_handshake(boost::asio::ssl::stream_base::server, [this, stream](auto error) {
                if (error) return;
                const char* name = SSL_get_servername(stream->native_handle(), TLSEXT_NAMETYPE_host_name);
                sni_ = name == nullptr ? "" : name;
                auto request = std::make_shared<std::string>();
                boost::asio::async_read_until(*stream, boost::asio::dynamic_buffer(*request), "\r\n\r\n",
                                              [this, stream, request](auto error, std::size_t) {
                                                  if (error) return;
                                                  boost::asio::async_write(*stream, boost::asio::buffer(response_),
                                                                           [stream](auto, auto) {});
                                              });
            });
            accept();
        });
    }

    boost::asio::ssl::context context_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::string response_;
    std::string sni_;
};

TEST(HttpsCheck, CompletesTheHandshakeWithoutVerifyingAndChecksTheStatus) {
    boost::asio::io_context io;
    TlsServer server(io, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    model::HealthCheck check = loopback_check(model::CheckType::https, server.port());
    check.host = "shop.example.test";
    const CheckResult result = run_to_end(io, check);
    EXPECT_TRUE(result.healthy) << result.reason;
    EXPECT_EQ(result.reason, "status 200");
    EXPECT_EQ(server.sni(), "shop.example.test");
}

TEST(HttpsCheck, DownWhenThePortDoesNotSpeakTls) {
    boost::asio::io_context io;
    ScriptedServer server(io, script({"HTTP/1.1 400 Bad Request\r\n\r\n"}));
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::https, server.port()));
    EXPECT_FALSE(result.healthy);
    EXPECT_TRUE(result.reason.starts_with("TLS handshake: ")) << result.reason;
}

// ---- mysql -----------------------------------------------------------------------

constexpr char kSalt[] = "abcdefgh12345678ABCD";  // 20 bytes

// A MariaDB 10.11 greeting: protocol 10, version, id, salt in two parts, capabilities, plugin.
std::string greeting_payload() {
    std::string payload("\x0a" "5.5.5-10.11.6-MariaDB\0", 23);
    payload += std::string("\x07\x00\x00\x00", 4);
    payload += std::string(kSalt, 8);
    payload += '\0';
    payload += std::string("\xfe\xf7", 2);  // capabilities, low: protocol 4.1, secure connection...
    payload += '\x21';
    payload += std::string("\x02\x00", 2);
    payload += std::string("\xff\x81", 2);  // capabilities, high: plugin auth...
    payload += '\x15';                      // 21 bytes of salt
    payload += std::string(10, '\0');
    payload += std::string(kSalt + 8, 12);
    payload += '\0';
    payload += std::string("mysql_native_password\0", 22);
    return payload;
}

std::string err_payload(std::uint16_t code, const std::string& message, bool with_state) {
    std::string payload = "\xff";
    payload += static_cast<char>(code & 0xff);
    payload += static_cast<char>(code >> 8);
    if (with_state) payload += "#28000";
    return payload + message;
}

const std::string kOkPayload("\x00\x00\x00\x02\x00\x00\x00", 7);

TEST(MysqlCheck, HealthyOnAValidGreetingReadInPieces) {
    boost::asio::io_context io;
    const std::string greeting = mysql::packet(greeting_payload(), 0);
    ScriptedServer server(io, script({greeting.substr(0, 2), greeting.substr(2, 30), greeting.substr(32)}));
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::mysql, server.port()));
    EXPECT_TRUE(result.healthy) << result.reason;
    EXPECT_EQ(result.reason, "greeting from 5.5.5-10.11.6-MariaDB");
}

TEST(MysqlCheck, DownWhenTheGreetingIsAnError) {
    boost::asio::io_context io;
    ScriptedServer server(
        io, script({mysql::packet(err_payload(1130, "Host '198.18.0.1' is not allowed to connect", false), 0)}));
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::mysql, server.port()));
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason,
              "the server refused the connection: error 1130: Host '198.18.0.1' is not allowed to connect");
}

TEST(MysqlCheck, DownOnAServerThatSpeaksAnotherProtocol) {
    boost::asio::io_context io;
    ScriptedServer server(io, script({"SSH-2.0-OpenSSH_9.2\r\n"}));
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::mysql, server.port()));
    EXPECT_FALSE(result.healthy);
    EXPECT_NE(result.reason.find("is not what a MySQL server sends"), std::string::npos) << result.reason;
}

TEST(MysqlCheck, DownOnATruncatedGreeting) {
    boost::asio::io_context io;
    const std::string greeting = mysql::packet(greeting_payload(), 0);
    // The server closes after 30 bytes of a longer packet.
    ScriptedServer server(io, script({greeting.substr(0, 30)}, {}, true, true));
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::mysql, server.port()));
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "the server closed the connection mid-packet");
}

TEST(MysqlCheck, TimesOutOnAListenerThatSaysNothing) {
    boost::asio::io_context io;
    ScriptedServer server(io, {});
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::mysql, server.port()));
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "timeout after 400 ms waiting for the greeting");
}

std::string sha1(const std::string& bytes) {
    unsigned char digest[20];
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha1(), nullptr);
    return std::string(reinterpret_cast<char*>(digest), size);
}

// The server's side of mysql_native_password: it stores SHA1(SHA1(password))
// and accepts the scramble if SHA1(scramble XOR SHA1(salt + stored)) is that.
bool scramble_matches(const std::string& scramble, const std::string& salt, const std::string& password) {
    if (scramble.size() != 20) return false;
    const std::string stored = sha1(sha1(password));
    const std::string mask = sha1(salt + stored);
    std::string candidate(20, '\0');
    for (std::size_t i = 0; i < 20; ++i) candidate[i] = static_cast<char>(scramble[i] ^ mask[i]);
    return sha1(candidate) == stored;
}

// The complete packets' payloads, if `received` holds nothing else.
std::optional<std::vector<std::string>> whole_packets(const std::string& received) {
    std::vector<std::string> payloads;
    std::size_t at = 0;
    while (received.size() >= at + mysql::kHeaderSize) {
        const auto header = mysql::parse_header(std::string_view(received).substr(at, mysql::kHeaderSize));
        if (received.size() < at + mysql::kHeaderSize + header.payload_size) return std::nullopt;
        payloads.push_back(received.substr(at + mysql::kHeaderSize, header.payload_size));
        at += mysql::kHeaderSize + header.payload_size;
    }
    if (at != received.size()) return std::nullopt;
    return payloads;
}

const std::string kSwitchSalt = "zyxwvuts98765432ZYXW";

// A server that checks the login's user and scramble (after switching the
// authentication once, if asked), answers OK or ERR 1045, and then waits.
Script login_server(const std::string& password, bool switch_auth = false) {
    auto verdict = [password](const std::string& user, const std::string& scramble, const std::string& salt,
                              std::uint8_t sequence) {
        const bool ok = user == "monitor" && scramble_matches(scramble, salt, password);
        return Pieces{mysql::packet(ok ? kOkPayload : err_payload(1045, "Access denied for user 'monitor'", true), sequence)};
    };
    return script({mysql::packet(greeting_payload(), 0)},
            [=](const std::string& received) -> std::optional<Pieces> {
                const auto packets = whole_packets(received);
                if (!packets || packets->empty()) return std::nullopt;
                const std::string& response = packets->front();
                const std::size_t user_end = response.find('\0', 32);
                const std::string user = response.substr(32, user_end - 32);
                const std::string scramble =
                    response.substr(user_end + 2, static_cast<unsigned char>(response[user_end + 1]));
                if (packets->size() == 1 && !switch_auth) return verdict(user, scramble, kSalt, 2);
                if (packets->size() == 1) {
                    return Pieces{mysql::packet(std::string("\xfe" "mysql_native_password\0", 23) + kSwitchSalt + '\0', 2)};
                }
                if (packets->size() == 2 && switch_auth) return verdict(user, (*packets)[1], kSwitchSalt, 4);
                return std::nullopt;
            },
            false);
}

model::HealthCheck login_check(std::uint16_t port, const std::string& password_file) {
    model::HealthCheck check = loopback_check(model::CheckType::mysql, port);
    check.user = "monitor";
    check.password_file = password_file;
    return check;
}

class PasswordFile {
public:
    explicit PasswordFile(const std::string& password) {
        std::ofstream(path_) << password << "\n";
    }
    ~PasswordFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_ = ::testing::TempDir() + "/xdplb_mysql_password_" + std::to_string(::getpid());
};

TEST(MysqlCheck, LogsInWithTheNativePasswordAndQuits) {
    boost::asio::io_context io;
    PasswordFile password("s3cret pass");
    ScriptedServer server(io, login_server("s3cret pass"));
    const CheckResult result = run_to_end(io, login_check(server.port(), password.path()));
    EXPECT_TRUE(result.healthy) << result.reason;
    EXPECT_EQ(result.reason, "logged in to 5.5.5-10.11.6-MariaDB");
    testing::run_loop_for(io, 100ms);
    EXPECT_TRUE(server.received().ends_with(mysql::packet(mysql::com_quit_payload(), 0)));
}

TEST(MysqlCheck, DownWhenTheLoginIsRefused) {
    boost::asio::io_context io;
    PasswordFile password("wrong");
    ScriptedServer server(io, login_server("s3cret pass"));
    const CheckResult result = run_to_end(io, login_check(server.port(), password.path()));
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "login refused: error 1045: Access denied for user 'monitor'");
}

TEST(MysqlCheck, FollowsASwitchToTheNativePasswordWithANewSalt) {
    boost::asio::io_context io;
    PasswordFile password("s3cret pass");
    ScriptedServer server(io, login_server("s3cret pass", true));
    const CheckResult result = run_to_end(io, login_check(server.port(), password.path()));
    EXPECT_TRUE(result.healthy) << result.reason;
}

TEST(MysqlCheck, DownWhenThePasswordFileCannotBeRead) {
    boost::asio::io_context io;
    ScriptedServer server(io, login_server("s3cret pass"));
    const CheckResult result = run_to_end(io, login_check(server.port(), "/nonexistent/xdplb.pass"));
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "cannot read the password file /nonexistent/xdplb.pass");
}

// ---- mysql protocol ---------------------------------------------------------------

TEST(MysqlProtocol, ParsesAGreeting) {
    const mysql::Greeting greeting = mysql::parse_greeting(greeting_payload());
    EXPECT_EQ(greeting.server_version, "5.5.5-10.11.6-MariaDB");
    EXPECT_EQ(greeting.salt, kSalt);
    EXPECT_EQ(greeting.auth_plugin, "mysql_native_password");
}

TEST(MysqlProtocol, RefusesEveryTruncationOfAGreeting) {
    const std::string payload = greeting_payload();
    // Up to the end of the salt's second part: the plugin name may be cut short by old servers.
    const std::size_t salt_end = payload.find("mysql_native_password") - 1;
    for (std::size_t size = 0; size < salt_end; ++size) {
        EXPECT_THROW(mysql::parse_greeting(payload.substr(0, size)), mysql::ProtocolError) << size << " bytes";
    }
}

TEST(MysqlProtocol, RefusesGarbageAndOtherProtocolVersions) {
    std::string v9 = greeting_payload();
    v9[0] = 9;
    EXPECT_THROW(mysql::parse_greeting(v9), mysql::ProtocolError);
    EXPECT_THROW(mysql::parse_greeting("HTTP/1.1 400 Bad Request\r\n"), mysql::ProtocolError);
    std::string binary_version = greeting_payload();
    binary_version[3] = '\x01';
    EXPECT_THROW(mysql::parse_greeting(binary_version), mysql::ProtocolError);
}

TEST(MysqlProtocol, AnErrorGreetingGivesTheServersReason) {
    try {
        mysql::parse_greeting(err_payload(1040, "Too many connections", false));
        FAIL() << "accepted an error packet";
    } catch (const mysql::ProtocolError& error) {
        EXPECT_STREQ(error.what(), "the server refused the connection: error 1040: Too many connections");
    }
}

TEST(MysqlProtocol, TheScrambleIsWhatTheServerAccepts) {
    const std::string scramble = mysql::native_password_scramble("s3cret", kSalt);
    EXPECT_TRUE(scramble_matches(scramble, kSalt, "s3cret"));
    EXPECT_FALSE(scramble_matches(scramble, kSalt, "other"));
    EXPECT_TRUE(mysql::native_password_scramble("", kSalt).empty());
}

TEST(MysqlProtocol, LoginReplies) {
    EXPECT_EQ(mysql::parse_login_reply(kOkPayload).reply, mysql::LoginReply::ok);
    const auto switched = mysql::parse_login_reply(std::string("\xfe" "caching_sha2_password\0", 23) + "salt" + '\0');
    EXPECT_EQ(switched.reply, mysql::LoginReply::auth_switch);
    EXPECT_EQ(switched.auth_plugin, "caching_sha2_password");
    EXPECT_EQ(switched.salt, "salt");
    EXPECT_THROW(mysql::parse_login_reply(err_payload(1045, "Access denied", true)), mysql::ProtocolError);
    EXPECT_THROW(mysql::parse_login_reply(""), mysql::ProtocolError);
    EXPECT_THROW(mysql::parse_login_reply("\x03"), mysql::ProtocolError);
}

// ---- udp -------------------------------------------------------------------------

// Answers each datagram with `answer`, or not at all when it is empty.
class UdpResponder {
public:
    UdpResponder(boost::asio::io_context& io, std::string answer)
        : socket_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}), answer_(std::move(answer)) {
        receive();
    }
    std::uint16_t port() const { return socket_.local_endpoint().port(); }
    const std::string& received() const { return received_; }

private:
    void receive() {
        socket_.async_receive_from(boost::asio::buffer(buffer_), peer_, [this](auto error, std::size_t size) {
            if (error) return;
            received_.assign(buffer_.data(), size);
            if (!answer_.empty()) socket_.send_to(boost::asio::buffer(answer_), peer_);
            receive();
        });
    }

    boost::asio::ip::udp::socket socket_;
    boost::asio::ip::udp::endpoint peer_;
    std::array<char, 2048> buffer_{};
    std::string answer_;
    std::string received_;
};

TEST(UdpCheck, HealthyWhenAnsweredWithTheExpectedText) {
    boost::asio::io_context io;
    UdpResponder responder(io, "pong 42");
    model::HealthCheck check = loopback_check(model::CheckType::udp, responder.port());
    check.send = "ping";
    check.expect_body = "pong";
    const CheckResult result = run_to_end(io, check);
    EXPECT_TRUE(result.healthy) << result.reason;
    EXPECT_EQ(responder.received(), "ping");
}

TEST(UdpCheck, DownWhenTheAnswerLacksTheText) {
    boost::asio::io_context io;
    UdpResponder responder(io, "error");
    model::HealthCheck check = loopback_check(model::CheckType::udp, responder.port());
    check.expect_body = "pong";
    EXPECT_EQ(run_to_end(io, check).reason, "the answer lacks the expected text");
}

TEST(UdpCheck, TimesOutWithoutAnAnswer) {
    boost::asio::io_context io;
    UdpResponder responder(io, "");
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::udp, responder.port()));
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "timeout after 400 ms waiting for an answer");
}

TEST(UdpCheck, DownAtOnceOnPortUnreachable) {
    boost::asio::io_context io;
    std::uint16_t closed_port = 0;
    {
        UdpResponder gone(io, "");
        closed_port = gone.port();
    }
    const CheckResult result = run_to_end(io, loopback_check(model::CheckType::udp, closed_port));
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "port unreachable");
}

// ---- cmd -------------------------------------------------------------------------

model::HealthCheck command_check(const std::string& command) {
    model::HealthCheck check;
    check.type = model::CheckType::cmd;
    check.timeout = 400ms;
    check.command = command;
    return check;
}

TEST(CommandCheck, ExitStatusZeroIsHealthy) {
    boost::asio::io_context io;
    EXPECT_TRUE(run_to_end(io, command_check("test 1 -eq 1")).healthy);
    const CheckResult failed = run_to_end(io, command_check("exit 2"));
    EXPECT_FALSE(failed.healthy);
    EXPECT_EQ(failed.reason, "exit status 2");
}

TEST(CommandCheck, TheTimeoutKillsTheCommandAndItsChildren) {
    boost::asio::io_context io;
    const std::string marker = ::testing::TempDir() + "/xdplb_cmd_check_" + std::to_string(::getpid());
    std::remove(marker.c_str());
    const CheckResult result = run_to_end(io, command_check("sleep 1 && touch " + marker));
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.reason, "timeout after 400 ms running the command");
    testing::run_loop_for(io, 1200ms);
    EXPECT_FALSE(std::ifstream(marker).good()) << "the command went on after its timeout";
}

}  // namespace
}  // namespace xdplb::health
