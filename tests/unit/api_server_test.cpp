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
#include <boost/asio/post.hpp>

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

}  // namespace
}  // namespace xdplb::api
