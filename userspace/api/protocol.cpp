#include "protocol.hpp"

namespace xdplb::api {

using nlohmann::json;

namespace {

json parse_object(const std::string& line, const char* what, std::size_t max_bytes,
                  json::parser_callback_t check = nullptr) {
    if (line.size() > max_bytes) {
        throw ProtocolError(std::string(what) + " is larger than " + std::to_string(max_bytes >> 20) + " MiB");
    }
    json value = json::parse(line, check, /*allow_exceptions=*/false);
    if (value.is_discarded()) {
        throw ProtocolError(std::string(what) + " is not valid JSON");
    }
    if (!value.is_object()) {
        throw ProtocolError(std::string(what) + " must be a JSON object");
    }
    return value;
}

std::string line_of(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string encode_request(const Request& request) {
    return line_of({{"command", request.command}, {"args", request.args}});
}

std::string encode_success(const json& result) {
    return line_of({{"ok", true}, {"result", result}});
}

std::string encode_error(const std::string& message) {
    return line_of({{"ok", false}, {"error", message}});
}

std::string encode_lost_notice(std::uint64_t count) { return line_of({{"lost", count}}); }

Request parse_request(const std::string& line) {
    // Thrown from inside the parser, before a deep value is built.
    const auto refuse_deep_nesting = [](int depth, json::parse_event_t, json&) {
        if (depth >= kMaxRequestDepth) {  // the request object itself is at depth 0
            throw ProtocolError("request nests arrays and objects deeper than " + std::to_string(kMaxRequestDepth) +
                                " levels");
        }
        return true;
    };
    json value = parse_object(line, "request", kMaxRequestBytes, refuse_deep_nesting);
    for (const auto& [key, unused] : value.items()) {
        if (key != "command" && key != "args") {
            throw ProtocolError("request has unknown field '" + key + "'");
        }
    }
    if (!value.contains("command") || !value["command"].is_string()) {
        throw ProtocolError("request needs a string field 'command'");
    }
    Request request{value["command"].get<std::string>()};
    if (value.contains("args")) {
        if (!value["args"].is_object()) {
            throw ProtocolError("request field 'args' must be an object");
        }
        request.args = value["args"];
    }
    return request;
}

Response parse_response(const std::string& line) {
    json value = parse_object(line, "response", kMaxResponseBytes);
    if (!value.contains("ok") || !value["ok"].is_boolean()) {
        throw ProtocolError("response needs a boolean field 'ok'");
    }
    Response response;
    response.ok = value["ok"].get<bool>();
    if (response.ok) {
        response.result = value.value("result", json());
    } else {
        const json& error = value.value("error", json());
        response.error = error.is_string() ? error.get<std::string>() : "lbd sent an error without a message";
    }
    return response;
}

}  // namespace xdplb::api
