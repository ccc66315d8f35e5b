#include "api/client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace xdplb::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The bytes of one answer, written one piece at a time with a pause between pieces so that
// the client sees them in separate reads.
using Reply = std::vector<std::string>;
const Reply kSilence;

enum class Ending { close_after_replies, wait_for_client_to_close };

// A stand-in for lbd on a temporary unix socket: it serves one connection, reading a request
// line before each canned reply.
class FakeLbd {
public:
    FakeLbd(const FakeLbd&) = delete;
    FakeLbd& operator=(const FakeLbd&) = delete;

    FakeLbd(std::vector<Reply> replies, Ending ending = Ending::close_after_replies) {
        char directory_template[] = "/tmp/xdplb-client-test-XXXXXX";
        directory_ = ::mkdtemp(directory_template);
        path_ = directory_ + "/lbd.sock";
        listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        path_.copy(address.sun_path, sizeof address.sun_path - 1);
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listener_, 1) != 0) {
            ADD_FAILURE() << "fake lbd cannot listen at " << path_;
        }
        server_ = std::thread([this, replies = std::move(replies), ending] { serve(replies, ending); });
    }

    ~FakeLbd() {
        if (server_.joinable()) {
            server_.join();
        }
        ::close(listener_);
        ::unlink(path_.c_str());
        ::rmdir(directory_.c_str());
    }

    const std::string& path() const { return path_; }

    // The request lines received, once the connection is over.
    std::vector<std::string> requests() {
        server_.join();
        return requests_;
    }

private:
    static constexpr int kPatienceMs = 5000;  // so that a failing test cannot hang

    static bool readable(int fd) {
        pollfd watched{fd, POLLIN, 0};
        return ::poll(&watched, 1, kPatienceMs) == 1;
    }

    void serve(const std::vector<Reply>& replies, Ending ending) {
        if (!readable(listener_)) {
            return;
        }
        const int connection = ::accept(listener_, nullptr, nullptr);
        for (const Reply& reply : replies) {
            if (!read_request(connection) || !write_reply(connection, reply)) {
                break;
            }
        }
        if (ending == Ending::wait_for_client_to_close) {
            char byte;
            while (readable(connection) && ::read(connection, &byte, 1) > 0) {
            }
        }
        ::close(connection);
    }

    bool read_request(int connection) {
        std::string line;
        char byte;
        while (readable(connection) && ::read(connection, &byte, 1) == 1) {
            if (byte == '\n') {
                requests_.push_back(line);
                return true;
            }
            line += byte;
        }
        return false;
    }

    static bool write_reply(int connection, const Reply& reply) {
        for (const std::string& piece : reply) {
            std::this_thread::sleep_for(10ms);
            std::size_t written = 0;
            while (written < piece.size()) {
                const ssize_t count = ::send(connection, piece.data() + written,
                                             piece.size() - written, MSG_NOSIGNAL);
                if (count <= 0) {
                    return false;
                }
                written += static_cast<std::size_t>(count);
            }
        }
        return true;
    }

    std::string directory_;
    std::string path_;
    int listener_ = -1;
    std::thread server_;
    std::vector<std::string> requests_;
};

const Request kFarmList{"farm.list", json::object()};

// The message of the ClientError that the call causes, or "" if none.
std::string call_error_of(Client& client, const Request& request = kFarmList) {
    try {
        client.call(request);
    } catch (const ClientError& error) {
        return error.what();
    }
    return "";
}

TEST(ApiClient, SendsOneLineAndReturnsTheResult) {
    FakeLbd lbd({{R"({"ok": true, "result": [{"name": "web"}]})" "\n"}});
    const Request request{"farm.show", {{"name", "web"}}};
    {
        Client client(lbd.path());
        const Response response = client.call(request);
        EXPECT_TRUE(response.ok);
        EXPECT_EQ(response.result, json::parse(R"([{"name": "web"}])"));
    }
    const std::vector<std::string> requests = lbd.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0] + "\n", encode_request(request));
}

TEST(ApiClient, ReturnsLbdsErrorWithoutThrowing) {
    FakeLbd lbd({{R"({"ok": false, "error": "farm 'web' does not exist"})" "\n"}});
    Client client(lbd.path());
    const Response response = client.call(kFarmList);
    EXPECT_FALSE(response.ok);
    EXPECT_EQ(response.error, "farm 'web' does not exist");
}

TEST(ApiClient, AssemblesAResponseFromPieces) {
    FakeLbd lbd({{R"({"ok": tr)", R"(ue, "result": )", "42}", "\n"}});
    Client client(lbd.path());
    EXPECT_EQ(client.call(kFarmList).result, 42);
}

TEST(ApiClient, ReceivesAResponseLargerThanOneRead) {
    const std::string big(300 * 1024, 'x');
    FakeLbd lbd({{encode_success(big)}});
    Client client(lbd.path());
    EXPECT_EQ(client.call(kFarmList).result, big);
}

TEST(ApiClient, CarriesSeveralRequestsOnOneConnection) {
    // Both answers arrive at once: the second must wait in the client until asked for.
    FakeLbd lbd({{encode_success(1) + encode_success(2)}, kSilence});
    Client client(lbd.path());
    EXPECT_EQ(client.call(kFarmList).result, 1);
    EXPECT_EQ(client.call(kFarmList).result, 2);
}

TEST(ApiClient, EndOfStreamInTheMiddleOfAResponse) {
    FakeLbd lbd({{R"({"ok": true, "res)"}});
    Client client(lbd.path());
    EXPECT_EQ(call_error_of(client),
              "lbd at " + lbd.path() + " closed the connection in the middle of a response");
}

TEST(ApiClient, EndOfStreamBeforeAnyResponse) {
    FakeLbd lbd({kSilence});
    Client client(lbd.path());
    EXPECT_EQ(call_error_of(client), "lbd at " + lbd.path() + " closed the connection without answering");
}

TEST(ApiClient, InvalidResponse) {
    FakeLbd lbd({{"<html>\n"}});
    Client client(lbd.path());
    EXPECT_EQ(call_error_of(client),
              "lbd at " + lbd.path() + " sent an invalid response: response is not valid JSON");
}

TEST(ApiClient, ResponseOverTheLimit) {
    FakeLbd lbd({{std::string(kMaxResponseBytes + 1, 'x')}}, Ending::wait_for_client_to_close);
    Client client(lbd.path());
    EXPECT_EQ(call_error_of(client), "lbd at " + lbd.path() + " sent a response larger than 64 MiB");
}

TEST(ApiClient, GivesUpWhenLbdDoesNotAnswer) {
    FakeLbd lbd({kSilence}, Ending::wait_for_client_to_close);
    Client client(lbd.path(), 100ms);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(call_error_of(client), "lbd at " + lbd.path() + " did not answer within 100 ms");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(ApiClient, RefusesFurtherCallsAfterAnError) {
    FakeLbd lbd({{"{\n"}}, Ending::wait_for_client_to_close);
    Client client(lbd.path());
    EXPECT_NE(call_error_of(client), "");
    EXPECT_EQ(call_error_of(client),
              "the connection to lbd at " + lbd.path() + " was closed after an earlier error");
}

TEST(ApiClient, LbdGoneBeforeTheRequestIsAnErrorNotASignal) {
    FakeLbd lbd({}, Ending::close_after_replies);
    Client client(lbd.path());
    lbd.requests();  // the fake has closed the connection
    const Request huge{"farm.add", {{"name", std::string(4 * 1024 * 1024, 'n')}}};
    EXPECT_NE(call_error_of(client, huge), "");
}

TEST(ApiClient, NothingListening) {
    const std::string path = "/tmp/xdplb-client-test-no-such-dir/lbd.sock";
    try {
        Client client(path);
        FAIL() << "connected to nothing";
    } catch (const ClientError& error) {
        EXPECT_STREQ(error.what(), ("cannot connect to lbd at " + path + ": No such file or directory").c_str());
    }
}

TEST(ApiClient, SocketPathTooLong) {
    const std::string path = "/tmp/" + std::string(200, 'x');
    try {
        Client client(path);
        FAIL() << "connected to an impossible path";
    } catch (const ClientError& error) {
        EXPECT_STREQ(error.what(), ("cannot connect to lbd at " + path +
                                    ": the socket path is longer than 107 bytes").c_str());
    }
}

}  // namespace
}  // namespace xdplb::api
