// A TCP server on loopback for the health checks' tests: each connection is
// answered by a script (what to send at once, then what to answer to what
// was received), so a test states exactly the bytes a server sends.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <array>
#include <chrono>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

namespace xdplb::testing {

// Bytes sent in pieces, with a pause between two pieces, so that the other
// end reads them in as many reads.
using Pieces = std::vector<std::string>;
inline constexpr std::chrono::milliseconds kPiecePause{30};

// Given all that the connection received so far: what to send, or none to wait for more.
using Answer = std::function<std::optional<Pieces>(const std::string& received)>;

struct Script {
    Pieces on_connect;  // sent as soon as a connection is accepted
    Answer answer;
    bool close_after_answer = true;
    bool close_after_on_connect = false;  // then nothing is read or answered
};

inline Script script(Pieces on_connect, Answer answer = {}, bool close_after_answer = true,
                     bool close_after_on_connect = false) {
    return Script{std::move(on_connect), std::move(answer), close_after_answer, close_after_on_connect};
}

class ScriptedServer {
public:
    ScriptedServer(boost::asio::io_context& io, Script script)
        : io_(io), script_(std::move(script)), acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        accept();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    const std::string& received() const { return *received_; }

private:
    using Socket = boost::asio::ip::tcp::socket;

    void accept() {
        acceptor_.async_accept([this](auto error, Socket socket) {
            if (error) return;
            auto connection = std::make_shared<Socket>(std::move(socket));
            // Each piece is sent at once, not held back until the last one is acknowledged.
            connection->set_option(boost::asio::ip::tcp::no_delay(true));
            received_->clear();
            write(connection, script_.on_connect, script_.close_after_on_connect);
            accept();
        });
    }

    void write(const std::shared_ptr<Socket>& connection, Pieces pieces, bool then_close) {
        if (pieces.empty()) {
            boost::system::error_code ignored;
            if (then_close) connection->shutdown(Socket::shutdown_both, ignored);
            if (!then_close) read(connection);
            return;
        }
        auto data = std::make_shared<std::string>(pieces.front());
        pieces.erase(pieces.begin());
        boost::asio::async_write(*connection, boost::asio::buffer(*data),
                                 [this, connection, data, pieces, then_close](auto error, auto) {
                                     if (error) return;
                                     if (pieces.empty()) return write(connection, pieces, then_close);
                                     auto pause = std::make_shared<boost::asio::steady_timer>(io_, kPiecePause);
                                     pause->async_wait([this, connection, pieces, then_close, pause](auto) {
                                         write(connection, pieces, then_close);
                                     });
                                 });
    }

    void read(const std::shared_ptr<Socket>& connection) {
        auto chunk = std::make_shared<std::array<char, 4096>>();
        connection->async_read_some(boost::asio::buffer(*chunk), [this, connection, chunk](auto error, std::size_t size) {
            if (error) return;
            received_->append(chunk->data(), size);
            if (script_.answer) {
                if (auto answer = script_.answer(*received_)) return write(connection, *answer, script_.close_after_answer);
            }
            read(connection);
        });
    }

    boost::asio::io_context& io_;
    Script script_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<std::string> received_ = std::make_shared<std::string>();
};

}  // namespace xdplb::testing
