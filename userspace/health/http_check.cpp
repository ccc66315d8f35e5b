#include "health/http_check.hpp"

#include <optional>

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "health/endpoint.hpp"

namespace xdplb::health {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

// The most of a body read to look for the expected text.
constexpr std::uint64_t kMaxBody = 1024 * 1024;

bool status_expected(const model::HealthCheck& check, unsigned status) {
    if (check.expect_status) return status == *check.expect_status;
    return status >= 200 && status < 400;
}

// One context for every https check: it holds no verification settings
// beyond "none" and no client certificate.
asio::ssl::context& tls_context() {
    static asio::ssl::context context = [] {
        asio::ssl::context created(asio::ssl::context::tls_client);
        created.set_verify_mode(asio::ssl::verify_none);
        return created;
    }();
    return context;
}

// Stream is a TCP socket (http) or a TLS stream over one (https).
template <typename Stream>
class HttpCheck : public CheckOperation {
public:
    HttpCheck(asio::io_context& io, const model::HealthCheck& check, CheckDone done, Stream stream)
        : CheckOperation(io, check.timeout, std::move(done)), check_(check), stream_(std::move(stream)) {}

private:
    static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

    tcp::socket& socket() {
        if constexpr (kTls) {
            return stream_.next_layer();
        } else {
            return stream_;
        }
    }

    void begin() override {
        set_step("connecting");
        socket().async_connect(check_endpoint<tcp::endpoint>(check_), [this, self = shared_from_this()](auto error) {
            if (finished()) return;
            if (error) return fail("connect", error);
            if constexpr (kTls) {
                handshake();
            } else {
                send_request();
            }
        });
    }

    void handshake() {
        if constexpr (kTls) {
            set_step("in the TLS handshake");
            // SNI with a name, as a browser would send it; never with an address.
            boost::system::error_code not_an_address;
            asio::ip::make_address(check_.host, not_an_address);
            if (not_an_address) SSL_set_tlsext_host_name(stream_.native_handle(), check_.host.c_str());
            stream_.async_handshake(asio::ssl::stream_base::client, [this, self = shared_from_this()](auto error) {
                if (finished()) return;
                if (error) return fail("TLS handshake", error);
                send_request();
            });
        }
    }

    void send_request() {
        set_step("sending the request");
        request_ = {http::verb::get, check_.path, 11};
        request_.set(http::field::host, check_.host);
        request_.set(http::field::user_agent, "xdplb-health-check");
        request_.set(http::field::connection, "close");
        http::async_write(stream_, request_, [this, self = shared_from_this()](auto error, std::size_t) {
            if (finished()) return;
            if (error) return fail("send", error);
            read_header();
        });
    }

    void read_header() {
        set_step("waiting for the response");
        parser_.emplace();
        parser_->body_limit(kMaxBody);
        http::async_read_header(stream_, buffer_, *parser_, [this, self = shared_from_this()](auto error, std::size_t) {
            if (finished()) return;
            if (error) return fail("response", error);
            const unsigned status = parser_->get().result_int();
            const std::string status_text = "status " + std::to_string(status);
            if (!status_expected(check_, status)) return fail(status_text + ", not the expected status");
            if (!check_.expect_body) return succeed(status_text);
            read_body(status_text);
        });
    }

    void read_body(std::string status_text) {
        set_step("reading the body");
        http::async_read(stream_, buffer_, *parser_,
                         [this, self = shared_from_this(), status_text](auto error, std::size_t) {
                             if (finished()) return;
                             if (error) return fail("body", error);
                             if (parser_->get().body().find(*check_.expect_body) == std::string::npos) {
                                 return fail(status_text + ", the body lacks the expected text");
                             }
                             succeed(status_text + ", body contains the expected text");
                         });
    }

    void abandon() override {
        boost::system::error_code ignored;
        socket().close(ignored);
    }

    model::HealthCheck check_;
    Stream stream_;
    boost::beast::flat_buffer buffer_;
    http::request<http::empty_body> request_;
    std::optional<http::response_parser<http::string_body>> parser_;
};

}  // namespace

void run_http_check(asio::io_context& io, const model::HealthCheck& check, CheckDone done) {
    if (check.type == model::CheckType::https) {
        using TlsStream = asio::ssl::stream<tcp::socket>;
        launch<HttpCheck<TlsStream>>(io, check, std::move(done), TlsStream(io, tls_context()));
    } else {
        launch<HttpCheck<tcp::socket>>(io, check, std::move(done), tcp::socket(io));
    }
}

}  // namespace xdplb::health
