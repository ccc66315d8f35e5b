#include "api/server.hpp"

#include <gtest/gtest.h>

#include "temp_directory.hpp"
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/time.h>

#include "api/client.hpp"

namespace xdplb::api {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

// A Server on a temporary path, served by its own event-loop thread as lbd's
// main thread serves it; its handler answers every request with its command
// and notes how many lines it got at once.
class ApiServerTest : public ::testing::Test {
protected:
    void SetUp() override { path_ = (temp_.path() / "lbd.sock").string(); }

    void TearDown() override {
        stop_server();
        work_.reset();
        if (loop_.joinable()) loop_.join();
    }

    Server::LineHandler echo_command() {
        return [this](const std::vector<std::string>& lines) {
            handled_ += static_cast<int>(lines.size());
            largest_batch_ = std::max(largest_batch_.load(), lines.size());
            std::vector<std::string> answers;
            for (const std::string& line : lines) answers.push_back(encode_success(parse_request(line).command));
            return answers;
        };
    }

    void start_server(Server::StreamHandlers streams = {}) {
        server_ = std::make_unique<Server>(io_, path_, echo_command(), std::move(streams));
        loop_ = std::thread([this] { io_.run(); });
    }

    // A TCP listener on 127.0.0.1 with the key kKey; `adjust` changes its settings.
    void start_tcp_server(const std::function<void(TcpListenerSettings&)>& adjust = {}) {
        const fs::path key_file = directory_ / "api.key";
        { std::ofstream(key_file) << kKey << "\n"; }
        fs::permissions(key_file, fs::perms::owner_read | fs::perms::owner_write);
        TcpListenerSettings settings{*SocketAddress::parse("127.0.0.1:" + std::to_string(free_port())),
                                     std::make_shared<const ApiKey>(ApiKey::from_file(key_file))};
        if (adjust) adjust(settings);
        port_ = settings.address.port;
        server_ = std::make_unique<Server>(io_, settings, echo_command());
        loop_ = std::thread([this] { io_.run(); });
    }

    TcpEndpoint tcp_endpoint(const std::string& key = kKey) const {
        return {*SocketAddress::parse("127.0.0.1:" + std::to_string(port_)), key};
    }

    // A port of 127.0.0.1 that nothing listens on (as far as one can tell).
    static std::uint16_t free_port() {
        boost::asio::io_context probe;
        boost::asio::ip::tcp::acceptor acceptor(
            probe, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        return acceptor.local_endpoint().port();
    }

    std::uint64_t refused_authentications() {
        std::promise<std::uint64_t> count;
        boost::asio::post(io_, [&] { count.set_value(server_->refused_authentications()); });
        return count.get_future().get();
    }

    static constexpr const char* kKey = "0123456789abcdef-the-key";
    std::uint16_t port_ = 0;

    // Destroys the server on its event loop's thread, as ~Server requires.
    void stop_server() {
        if (!server_) return;
        std::promise<void> done;
        boost::asio::post(io_, [&] {
            server_.reset();
            done.set_value();
        });
        done.get_future().wait();
    }

    // The message of the runtime_error that constructing a Server causes, or "" if none.
    std::string construction_error() {
        try {
            Server server(io_, path_, echo_command());
        } catch (const std::runtime_error& error) {
            return error.what();
        }
        return "";
    }

    testing::TempDirectory temp_{"server-test"};
    const fs::path& directory_ = temp_.path();
    std::string path_;
    boost::asio::io_context io_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
        boost::asio::make_work_guard(io_)};
    std::unique_ptr<Server> server_;
    std::thread loop_;
    std::atomic<int> handled_{0};
    std::atomic<std::size_t> largest_batch_{0};
};

const Request kFarmList{"farm.list", json::object()};

TEST_F(ApiServerTest, AnswersEachLineWithTheHandler) {
    start_server();
    Client client(path_, 5s);
    EXPECT_EQ(client.call(kFarmList).result, "farm.list");
    EXPECT_EQ(client.call({"stats", json::object()}).result, "stats");
}

TEST_F(ApiServerTest, HandsPipelinedRequestsOverTogetherAndAnswersThemInOrder) {
    start_server();
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path_.copy(address.sun_path, sizeof address.sun_path - 1);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    // One write: the three lines are in the server's buffer at its first read.
    const std::string requests = encode_request(kFarmList) + encode_request({"stats", json::object()}) +
                                 encode_request({"farm.show", json::object()});
    ASSERT_EQ(::write(fd, requests.data(), requests.size()), static_cast<ssize_t>(requests.size()));
    std::string received;
    std::array<char, 4096> chunk{};
    while (std::count(received.begin(), received.end(), '\n') < 3) {
        const ssize_t n = ::read(fd, chunk.data(), chunk.size());
        ASSERT_GT(n, 0);
        received.append(chunk.data(), static_cast<std::size_t>(n));
    }
    ::close(fd);
    EXPECT_EQ(received, encode_success("farm.list") + encode_success("stats") + encode_success("farm.show"));
    EXPECT_EQ(largest_batch_, 3u);
}

TEST_F(ApiServerTest, TheSocketIsForRootAlone) {
    start_server();
    struct stat status {};
    ASSERT_EQ(::stat(path_.c_str(), &status), 0);
    EXPECT_TRUE(S_ISSOCK(status.st_mode));
    EXPECT_EQ(status.st_mode & 0777, 0600u);
}

TEST_F(ApiServerTest, AnswersAnOversizeRequestWithAnErrorTheClientCanRead) {
    start_server();
    Client client(path_, 5s);
    const Request huge{"farm.add", {{"name", std::string(4 * kMaxRequestBytes, 'n')}}};
    Response response;
    ASSERT_NO_THROW(response = client.call(huge));
    EXPECT_FALSE(response.ok);
    EXPECT_EQ(response.error, "request is larger than 1 MiB");
    EXPECT_EQ(handled_, 0);
}

TEST_F(ApiServerTest, ReplacesASocketNobodyAnswersOn) {
    const int stale = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path_.copy(address.sun_path, sizeof address.sun_path - 1);
    ASSERT_EQ(::bind(stale, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ::close(stale);  // the file stays, as after an lbd that was killed
    start_server();
    Client client(path_, 5s);
    EXPECT_EQ(client.call(kFarmList).result, "farm.list");
}

TEST_F(ApiServerTest, RefusesAPathAnotherServerAnswersOn) {
    start_server();
    EXPECT_EQ(construction_error(), "another lbd already serves " + path_);
    Client client(path_, 5s);
    EXPECT_EQ(client.call(kFarmList).result, "farm.list");
}

TEST_F(ApiServerTest, RefusesToReplaceAFileThatIsNotASocket) {
    { std::ofstream(path_) << "precious\n"; }
    EXPECT_EQ(construction_error(), path_ + " exists and is not a socket; not replacing it");
    std::ifstream kept(path_);
    std::string content;
    std::getline(kept, content);
    EXPECT_EQ(content, "precious");
}

TEST_F(ApiServerTest, RefusesToReplaceASymlink) {
    fs::create_symlink(directory_ / "elsewhere", path_);
    EXPECT_EQ(construction_error(), path_ + " exists and is not a socket; not replacing it");
    EXPECT_TRUE(fs::is_symlink(path_));
}

TEST_F(ApiServerTest, ClosesLiveConnectionsAndRemovesTheSocketWhenDestroyed) {
    start_server();
    Client client(path_, 5s);
    EXPECT_EQ(client.call(kFarmList).result, "farm.list");
    stop_server();
    EXPECT_FALSE(fs::exists(path_));
    // Closed: the request cannot even be sent, or is never answered.
    EXPECT_THROW(client.call(kFarmList), ClientError);
    EXPECT_EQ(handled_, 1);
}

// A stream handler that sends `lines` lines of about 100 bytes, then ends the
// stream unless told to keep it open; "refuse" in the args refuses it.
Server::StreamHandler numbered_lines(int lines, bool finish, std::promise<void>* closed = nullptr) {
    return [=](const Request& request, std::shared_ptr<Stream> stream) {
        if (request.args.contains("refuse")) return StreamAnswer{encode_error("refused"), false};
        if (closed != nullptr) stream->on_close([closed] { closed->set_value(); });
        for (int i = 0; i < lines; ++i) stream->send(json{{"n", i}, {"pad", std::string(90, 'x')}}.dump() + "\n");
        if (finish) stream->finish();
        return StreamAnswer{encode_success("streaming"), true};
    };
}

const Request kWatch{"watch", json::object()};

TEST_F(ApiServerTest, StreamsLinesAfterItsAnswerUntilTheHandlerFinishes) {
    start_server({{"watch", numbered_lines(3, true)}});
    Client client(path_, 5s);
    EXPECT_EQ(client.call(kWatch).result, "streaming");
    for (int i = 0; i < 3; ++i) {
        const std::optional<std::string> line = client.next_streamed_line();
        ASSERT_TRUE(line);
        EXPECT_EQ(json::parse(*line)["n"], i);
    }
    EXPECT_EQ(client.next_streamed_line(), std::nullopt);
}

TEST_F(ApiServerTest, RequestsBeforeAStreamAreAnsweredFirst) {
    start_server({{"watch", numbered_lines(1, true)}});
    Client client(path_, 5s);
    EXPECT_EQ(client.call(kFarmList).result, "farm.list");
    EXPECT_EQ(client.call(kWatch).result, "streaming");
    ASSERT_TRUE(client.next_streamed_line());
    EXPECT_EQ(client.next_streamed_line(), std::nullopt);
}

TEST_F(ApiServerTest, ARefusedStreamLeavesTheConnectionTakingRequests) {
    start_server({{"watch", numbered_lines(1, true)}});
    Client client(path_, 5s);
    const Response refused = client.call({"watch", {{"refuse", true}}});
    EXPECT_FALSE(refused.ok);
    EXPECT_EQ(refused.error, "refused");
    EXPECT_EQ(client.call(kFarmList).result, "farm.list");
}

TEST_F(ApiServerTest, AClientThatLeavesClosesItsStream) {
    std::promise<void> closed;
    start_server({{"watch", numbered_lines(1, false, &closed)}});
    {
        Client client(path_, 5s);
        EXPECT_EQ(client.call(kWatch).result, "streaming");
    }
    EXPECT_EQ(closed.get_future().wait_for(5s), std::future_status::ready);
}

TEST_F(ApiServerTest, ASlowClientLosesLinesAndIsToldHowMany) {
    constexpr int kSent = 40000;  // about 4 MiB, sent before the client reads anything
    start_server({{"watch", numbered_lines(kSent, true)}});
    Client client(path_, 5s);
    EXPECT_EQ(client.call(kWatch).result, "streaming");
    int kept = 0;
    std::uint64_t lost = 0;
    int previous = -1;
    while (const std::optional<std::string> line = client.next_streamed_line()) {
        const json parsed = json::parse(*line);
        if (parsed.contains("lost")) {
            lost += parsed["lost"].get<std::uint64_t>();
            continue;
        }
        EXPECT_GT(parsed["n"].get<int>(), previous);
        previous = parsed["n"].get<int>();
        ++kept;
    }
    EXPECT_GT(lost, 0u);
    EXPECT_LT(static_cast<std::size_t>(kept) * 100, 2 * kMaxQueuedStreamBytes);
    EXPECT_EQ(kept + lost, static_cast<std::uint64_t>(kSent));
}

TEST_F(ApiServerTest, CreatesTheSocketsDirectoryForRootAloneToWriteWhateverTheUmask) {
    path_ = (directory_ / "run" / "xdplb" / "lbd.sock").string();
    const mode_t previous = ::umask(0);
    start_server();
    ::umask(previous);
    struct stat status {};
    ASSERT_EQ(::stat((directory_ / "run" / "xdplb").c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0755u);
    ASSERT_EQ(::stat(path_.c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600u);
}

TEST_F(ApiServerTest, RefusesADirectoryOthersMayWriteTo) {
    const fs::path open = directory_ / "open";
    fs::create_directory(open);
    fs::permissions(open, fs::perms::all);
    path_ = (open / "lbd.sock").string();
    EXPECT_EQ(construction_error(), "others may write to " + open.string() +
                                        " (mode 0777), the directory of the API socket: they could replace the socket");
    EXPECT_FALSE(fs::exists(path_));
    fs::permissions(open, fs::perms::sticky_bit, fs::perm_options::add);
    EXPECT_EQ(construction_error(), "");
}

TEST_F(ApiServerTest, RefusesTheConnectionBeyondTheMostItServes) {
    server_ = std::make_unique<Server>(io_, path_, echo_command(), Server::StreamHandlers{}, 2);
    loop_ = std::thread([this] { io_.run(); });
    Client first(path_, 5s);
    Client second(path_, 5s);
    EXPECT_EQ(first.call(kFarmList).result, "farm.list");
    EXPECT_EQ(second.call(kFarmList).result, "farm.list");
    Client third(path_, 5s);
    try {
        const Response refused = third.call(kFarmList);
        EXPECT_EQ(refused.error, "too many connections to lbd (2); try again later");
    } catch (const ClientError&) {
        // The refusal closed the connection before the request could be sent.
    }
    EXPECT_EQ(second.call(kFarmList).result, "farm.list");
}

// A TCP connection to the listener for what Client would never send; reads
// give up after 5 s.
class RawConnection {
public:
    explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const timeval timeout{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
    ~RawConnection() { ::close(fd_); }

    bool connected() const { return connected_; }
    void send(const std::string& bytes) { ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size())); }
    // What lbd sends until it closes the connection; "TIMEOUT" appended if it does not within 5 s.
    std::string read_to_end() {
        std::string received;
        std::array<char, 4096> chunk{};
        for (;;) {
            const ssize_t count = ::recv(fd_, chunk.data(), chunk.size(), 0);
            if (count == 0 || (count < 0 && errno == ECONNRESET)) return received;
            if (count < 0) return received + "TIMEOUT";
            received.append(chunk.data(), static_cast<std::size_t>(count));
        }
    }
    // The next `lines` lines, or what came before lbd closed the connection or 5 s passed.
    std::string read_lines(int lines) {
        std::string received;
        std::array<char, 4096> chunk{};
        while (std::count(received.begin(), received.end(), '\n') < lines) {
            const ssize_t count = ::recv(fd_, chunk.data(), chunk.size(), 0);
            if (count <= 0) break;
            received.append(chunk.data(), static_cast<std::size_t>(count));
        }
        return received;
    }

private:
    int fd_;
    bool connected_ = false;
};

std::string auth_line(const std::string& key) { return encode_request({kAuthCommand, {{"key", key}}}); }

TEST_F(ApiServerTest, ServesATcpClientThatHasTheKey) {
    start_tcp_server();
    Client client(tcp_endpoint(), 5s);
    EXPECT_EQ(client.call(kFarmList).result, "farm.list");
    EXPECT_EQ(client.call({"stats", json::object()}).result, "stats");
    EXPECT_EQ(refused_authentications(), 0u);
}

TEST_F(ApiServerTest, RefusesAWrongKeyClosesTheConnectionAndCountsIt) {
    start_tcp_server();
    for (const char* wrong : {"0123456789abcdef-the-kex", "0123456789abcdef-the-key-and-more", "", "0"}) {
        try {
            Client client(tcp_endpoint(wrong), 5s);
            ADD_FAILURE() << "key '" << wrong << "' was taken";
        } catch (const ClientError& error) {
            EXPECT_NE(std::string(error.what()).find("refused the connection: wrong API key"), std::string::npos)
                << error.what();
        }
    }
    RawConnection raw(port_);
    raw.send(auth_line("nope-nope-nope-nope") + encode_request(kFarmList));
    EXPECT_EQ(raw.read_to_end(), encode_error("wrong API key"));
    EXPECT_EQ(refused_authentications(), 5u);
    EXPECT_EQ(handled_, 0);
}

TEST_F(ApiServerTest, ATcpClientMustAuthenticateBeforeAnythingElse) {
    start_tcp_server();
    for (const std::string& first : {encode_request(kFarmList), std::string("garbage\n"),
                                    encode_request({kAuthCommand, {{"key", kKey}, {"more", 1}}}),
                                    encode_request({kAuthCommand, {{"key", 42}}})}) {
        RawConnection raw(port_);
        raw.send(first + auth_line(kKey) + encode_request(kFarmList));
        const std::string answer = raw.read_to_end();
        EXPECT_NE(answer.find("authenticate first"), std::string::npos) << first << " -> " << answer;
        EXPECT_EQ(std::count(answer.begin(), answer.end(), '\n'), 1) << answer;
    }
    EXPECT_EQ(handled_, 0);
}

TEST_F(ApiServerTest, RequestsSentWithTheAuthenticationAreAnswered) {
    start_tcp_server();
    RawConnection raw(port_);
    raw.send(auth_line(kKey) + encode_request(kFarmList) + encode_request({"stats", json::object()}));
    EXPECT_EQ(raw.read_lines(3), encode_success(nullptr) + encode_success("farm.list") + encode_success("stats"));
}

TEST_F(ApiServerTest, ClosesATcpClientThatDoesNotAuthenticateInTime) {
    start_tcp_server([](TcpListenerSettings& settings) { settings.authentication_timeout = 200ms; });
    RawConnection silent(port_);
    EXPECT_EQ(silent.read_to_end(), "");
    RawConnection half_line(port_);
    half_line.send(R"({"command": "auth", "args": {"key": ")");
    EXPECT_EQ(half_line.read_to_end(), "");
}

TEST_F(ApiServerTest, ClosesAnIdleTcpClient) {
    start_tcp_server([](TcpListenerSettings& settings) { settings.idle_timeout = 200ms; });
    RawConnection raw(port_);
    raw.send(auth_line(kKey) + encode_request(kFarmList));
    EXPECT_EQ(raw.read_to_end(), encode_success(nullptr) + encode_success("farm.list"));
}

TEST_F(ApiServerTest, RefusesTcpRequestsBeyondTheRateAndKeepsTheConnection) {
    start_tcp_server([](TcpListenerSettings& settings) {
        settings.requests_per_second = 0.001;
        settings.request_burst = 3;
    });
    RawConnection raw(port_);
    std::string requests = auth_line(kKey);
    for (int i = 0; i < 5; ++i) requests += encode_request(kFarmList);
    raw.send(requests);
    const std::string limited =
        encode_error("rate limited: at most 0.001 requests per second (bursts of 3) on a connection");
    EXPECT_EQ(raw.read_lines(6), encode_success(nullptr) + encode_success("farm.list") + encode_success("farm.list") +
                                     encode_success("farm.list") + limited + limited);
    raw.send(encode_request(kFarmList));
    EXPECT_EQ(raw.read_lines(1), limited);
    EXPECT_EQ(handled_, 3);
}

TEST_F(ApiServerTest, AnswersAnOversizeTcpRequestWithAnError) {
    start_tcp_server();
    Client client(tcp_endpoint(), 5s);
    const Response response = client.call({"farm.add", {{"name", std::string(2 * kMaxRequestBytes, 'n')}}});
    EXPECT_FALSE(response.ok);
    EXPECT_EQ(response.error, "request is larger than 1 MiB");
    EXPECT_EQ(handled_, 0);
}

TEST_F(ApiServerTest, RefusesTcpConnectionsBeyondTheMostAndTakesNewOnesOnceOnesClose) {
    start_tcp_server([](TcpListenerSettings& settings) { settings.max_connections = 2; });
    auto first = std::make_unique<Client>(tcp_endpoint(), 5s);
    Client second(tcp_endpoint(), 5s);
    RawConnection third(port_);
    EXPECT_EQ(third.read_to_end(), encode_error("too many connections to lbd (2); try again later"));
    first.reset();
    // The server sees the first connection end when its read does: soon, not at once.
    std::optional<Client> fourth;
    for (int attempt = 0; attempt < 50 && !fourth; ++attempt) {
        try {
            fourth.emplace(tcp_endpoint(), 5s);
        } catch (const ClientError&) {
            std::this_thread::sleep_for(100ms);
        }
    }
    ASSERT_TRUE(fourth);
    EXPECT_EQ(fourth->call(kFarmList).result, "farm.list");
}

}  // namespace
}  // namespace xdplb::api
