#include "api/protocol.hpp"

#include <gtest/gtest.h>

namespace xdplb::api {
namespace {

using nlohmann::json;

std::string without_newline(const std::string& line) {
    EXPECT_TRUE(line.ends_with("\n")) << line;
    return line.substr(0, line.size() - 1);
}

// The message of the ProtocolError that parsing the line causes, or "" if none.
template <typename Parse>
std::string protocol_error_of(Parse parse, const std::string& line) {
    try {
        parse(line);
    } catch (const ProtocolError& error) {
        return error.what();
    }
    return "";
}

std::string request_error_of(const std::string& line) {
    return protocol_error_of(parse_request, line);
}

std::string response_error_of(const std::string& line) {
    return protocol_error_of(parse_response, line);
}

// A valid request line of exactly `size` bytes.
std::string request_line_of_size(std::size_t size) {
    const std::string frame = R"({"command":"x","args":{"pad":""}})";
    std::string line = frame;
    line.insert(line.size() - 3, size - frame.size(), 'a');
    return line;
}

TEST(ApiProtocol, RequestRoundTrip) {
    const Request sent{"backend.add", {{"farm", "web"}, {"name", "web1"}, {"port", nullptr}, {"weight", -5}}};
    const Request received = parse_request(without_newline(encode_request(sent)));
    EXPECT_EQ(received.command, sent.command);
    EXPECT_EQ(received.args, sent.args);
}

TEST(ApiProtocol, RequestWithoutArgsHasEmptyArgs) {
    const Request request = parse_request(R"({"command": "farm.list"})");
    EXPECT_EQ(request.command, "farm.list");
    EXPECT_EQ(request.args, json::object());
}

TEST(ApiProtocol, EncodedLinesHaveOneNewlineAtTheEnd) {
    const std::string with_newlines = "line one\nline two";
    for (const std::string& line : {encode_request({"farm.add", {{"name", with_newlines}}}),
                                    encode_success({{"text", with_newlines}}),
                                    encode_error(with_newlines)}) {
        EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
    }
}

TEST(ApiProtocol, SuccessRoundTrip) {
    const json result = {{"farms", json::array()}, {"reasons", {{"pass_no_farm", 3}}}};
    const Response response = parse_response(without_newline(encode_success(result)));
    EXPECT_TRUE(response.ok);
    EXPECT_EQ(response.result, result);
}

TEST(ApiProtocol, NullResultRoundTrip) {
    const Response response = parse_response(without_newline(encode_success(nullptr)));
    EXPECT_TRUE(response.ok);
    EXPECT_TRUE(response.result.is_null());
}

TEST(ApiProtocol, ErrorRoundTrip) {
    const Response response = parse_response(without_newline(encode_error("farm 'web' does not exist")));
    EXPECT_FALSE(response.ok);
    EXPECT_EQ(response.error, "farm 'web' does not exist");
}

TEST(ApiProtocol, InvalidUtf8IsReplacedNotThrown) {
    const std::string line = encode_error("bad \xff byte");
    EXPECT_EQ(parse_response(without_newline(line)).error, "bad \xEF\xBF\xBD byte");
}

TEST(ApiProtocol, RequestThatIsNotJson) {
    EXPECT_EQ(request_error_of("{\"command\": "), "request is not valid JSON");
    EXPECT_EQ(request_error_of(""), "request is not valid JSON");
    EXPECT_EQ(request_error_of("farm list"), "request is not valid JSON");
}

TEST(ApiProtocol, RequestThatIsNotAnObject) {
    EXPECT_EQ(request_error_of(R"(["farm.list"])"), "request must be a JSON object");
    EXPECT_EQ(request_error_of(R"("farm.list")"), "request must be a JSON object");
    EXPECT_EQ(request_error_of("null"), "request must be a JSON object");
}

TEST(ApiProtocol, RequestWithUnknownField) {
    EXPECT_EQ(request_error_of(R"({"command": "farm.list", "arg": {}})"), "request has unknown field 'arg'");
}

TEST(ApiProtocol, RequestWithoutStringCommand) {
    EXPECT_EQ(request_error_of(R"({"args": {}})"), "request needs a string field 'command'");
    EXPECT_EQ(request_error_of(R"({"command": 7})"), "request needs a string field 'command'");
}

TEST(ApiProtocol, RequestWithArgsNotAnObject) {
    EXPECT_EQ(request_error_of(R"({"command": "farm.del", "args": ["web"]})"),
              "request field 'args' must be an object");
}

TEST(ApiProtocol, RequestOfExactlyTheLimitIsAccepted) {
    const std::string line = request_line_of_size(kMaxRequestBytes);
    ASSERT_EQ(line.size(), kMaxRequestBytes);
    EXPECT_EQ(parse_request(line).command, "x");
}

TEST(ApiProtocol, RequestOverTheLimitIsRefused) {
    EXPECT_EQ(request_error_of(request_line_of_size(kMaxRequestBytes + 1)), "request is larger than 1 MiB");
}

TEST(ApiProtocol, ResponseErrors) {
    EXPECT_EQ(response_error_of("{"), "response is not valid JSON");
    EXPECT_EQ(response_error_of("[true]"), "response must be a JSON object");
    EXPECT_EQ(response_error_of(R"({"result": 1})"), "response needs a boolean field 'ok'");
    EXPECT_EQ(response_error_of(R"({"ok": "yes"})"), "response needs a boolean field 'ok'");
    EXPECT_EQ(response_error_of(std::string(kMaxResponseBytes + 1, ' ')), "response is larger than 64 MiB");
}

TEST(ApiProtocol, ErrorResponseWithoutMessage) {
    EXPECT_EQ(parse_response(R"({"ok": false})").error, "lbd sent an error without a message");
    EXPECT_EQ(parse_response(R"({"ok": false, "error": 42})").error, "lbd sent an error without a message");
}

TEST(ApiProtocol, SuccessWithoutResultIsNull) {
    const Response response = parse_response(R"({"ok": true})");
    EXPECT_TRUE(response.ok);
    EXPECT_TRUE(response.result.is_null());
}

}  // namespace
}  // namespace xdplb::api
