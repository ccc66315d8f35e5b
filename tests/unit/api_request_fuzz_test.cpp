// Malformed request lines through the request parser: each is a request or a
// ProtocolError, never a crash or another exception.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/protocol.hpp"
#include "request_mutator.hpp"

namespace xdplb::api {
namespace {

constexpr int kLines = 20000;

const std::vector<std::string> kValidRequests = {
    R"({"command": "farm.add", "args": {"name": "web", "vip": "198.18.0.100", "port": 80, "proto": "tcp"}})",
    R"({"command": "backend.set", "args": {"farm": "web", "name": "b1", "weight": 3, "state": "drain"}})",
    R"({"command": "farm.list"})",
    R"({"command": "stats", "args": {"farm": "web"}})",
};

TEST(ApiRequestFuzz, EveryLineIsARequestOrAProtocolError) {
    testing::RequestMutator mutator(kValidRequests, 20261121);
    int refused = 0;
    for (int i = 0; i < kLines; ++i) {
        const std::string line = mutator.next_line();
        try {
            const Request request = parse_request(line);
            EXPECT_TRUE(request.args.is_object());
        } catch (const ProtocolError& error) {
            ++refused;
            EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
        } catch (const std::exception& error) {
            ADD_FAILURE() << "line " << i << ": " << error.what();
        }
    }
    // The mutations mostly break requests, and sometimes not.
    EXPECT_GT(refused, kLines / 4);
    EXPECT_LT(refused, kLines);
}

std::string nested(int depth) {
    return R"({"command": "farm.set", "args": {"port": )" + std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']') + "}}";
}

TEST(ApiRequestFuzz, DeepNestingIsRefusedBeforeItIsBuilt) {
    // The request object and args take two levels.
    EXPECT_NO_THROW(parse_request(nested(kMaxRequestDepth - 2)));
    try {
        parse_request(nested(kMaxRequestDepth - 1));
        ADD_FAILURE() << "nesting beyond the limit was taken";
    } catch (const ProtocolError& error) {
        EXPECT_STREQ(error.what(), "request nests arrays and objects deeper than 32 levels");
    }
    EXPECT_THROW(parse_request(nested(400000)), ProtocolError);
    EXPECT_THROW(parse_request(std::string(500000, '[')), ProtocolError);
}

}  // namespace
}  // namespace xdplb::api
