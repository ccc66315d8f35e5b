#include "model/health_check.hpp"

#include <cctype>
#include <utility>

#include "model/farm.hpp"
#include "model/validation_error.hpp"

namespace xdplb::model {

namespace {

bool is_http(CheckType type) { return type == CheckType::http || type == CheckType::https; }
bool sends_payload(CheckType type) { return type == CheckType::tcp || type == CheckType::udp; }

// An option that only some check types use, with the field's name as the API spells it.
struct TypedOption {
    const char* field;
    bool (*set_in)(const CheckSettings&);
    bool (*applies_to)(CheckType);
    const char* types;
};

constexpr TypedOption kTypedOptions[] = {
    {"check_send", [](const CheckSettings& c) { return c.send.has_value(); }, sends_payload, "tcp and udp"},
    {"check_expect_body", [](const CheckSettings& c) { return c.expect_body.has_value(); },
     [](CheckType t) { return sends_payload(t) || is_http(t); }, "tcp, udp, http and https"},
    {"check_path", [](const CheckSettings& c) { return c.path.has_value(); }, is_http, "http and https"},
    {"check_expect", [](const CheckSettings& c) { return c.expect_status.has_value(); }, is_http, "http and https"},
    {"check_host", [](const CheckSettings& c) { return c.host.has_value(); }, is_http, "http and https"},
    {"check_user", [](const CheckSettings& c) { return c.user.has_value(); },
     [](CheckType t) { return t == CheckType::mysql; }, "mysql"},
    {"check_password_file", [](const CheckSettings& c) { return c.password_file.has_value(); },
     [](CheckType t) { return t == CheckType::mysql; }, "mysql"},
    {"check_command", [](const CheckSettings& c) { return c.command.has_value(); },
     [](CheckType t) { return t == CheckType::cmd; }, "cmd"},
};

bool has_control_character(const std::string& text) {
    for (char c : text) {
        if (std::iscntrl(static_cast<unsigned char>(c))) return true;
    }
    return false;
}

bool has_space_or_control(const std::string& text) {
    for (char c : text) {
        if (std::iscntrl(static_cast<unsigned char>(c)) || c == ' ') return true;
    }
    return false;
}

void check_options_apply(const CheckSettings& check, CheckType type, const std::string& where) {
    for (const TypedOption& option : kTypedOptions) {
        if (option.set_in(check) && !option.applies_to(type)) {
            throw ValidationError(where + ": " + option.field + " applies to " + option.types + " checks only, not " +
                                  to_string(type));
        }
    }
}

// The values a farm or a backend may set, each judged on its own.
void check_values(const CheckSettings& check, const std::string& where) {
    auto fail = [&](const std::string& problem) { throw ValidationError(where + ": " + problem); };
    if (check.send && check.send->size() > kMaxCheckPayload) fail("check_send is longer than 1024 bytes");
    if (check.expect_body && (check.expect_body->empty() || check.expect_body->size() > kMaxCheckPayload)) {
        fail("check_expect_body must be 1-1024 bytes");
    }
    if (check.path && (!check.path->starts_with("/") || check.path->size() > 1024 || has_space_or_control(*check.path))) {
        fail("check_path must start with '/' and hold no spaces or control characters (at most 1024 bytes)");
    }
    if (check.expect_status && (*check.expect_status < 100 || *check.expect_status > 599)) {
        fail("check_expect must be an HTTP status from 100 to 599");
    }
    if (check.host && (check.host->empty() || check.host->size() > 255 || has_space_or_control(*check.host))) {
        fail("check_host must be 1-255 characters without spaces or control characters");
    }
    if (check.user && (check.user->empty() || check.user->size() > 80 || has_control_character(*check.user))) {
        fail("check_user must be 1-80 characters without control characters");
    }
    if (check.password_file && !check.password_file->starts_with("/")) {
        fail("check_password_file must be an absolute path, not '" + *check.password_file + "'");
    }
    if (check.command && (check.command->empty() || check.command->size() > kMaxCheckCommand)) {
        fail("check_command must be 1-4096 bytes");
    }
}

// What a check of this type cannot run without.
void check_complete(CheckType type, const std::optional<std::string>& command, const std::optional<std::string>& user,
                    const std::optional<std::string>& password_file, const std::string& where) {
    if (type == CheckType::cmd && !command) throw ValidationError(where + ": a cmd check needs check_command");
    if (password_file && !user) throw ValidationError(where + ": check_password_file needs check_user");
}

template <typename Value>
std::optional<Value> overridden(const std::optional<Value>& own, const std::optional<Value>& inherited) {
    return own ? own : inherited;
}

// The farm's options reach a backend that runs the farm's check type, not one that runs another.
const CheckSettings& inherited_settings(const CheckSettings& farm_check, const CheckSettings& backend_check) {
    static const CheckSettings kNone;
    return !backend_check.type || backend_check.type == farm_check.type ? farm_check : kNone;
}

bool is_token_character(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Each HOST and PORT that stands as a word of its own, as Nagios-style
// commands spell their arguments: "check_tcp -H HOST -p PORT".
std::string with_tokens_replaced(const std::string& command, const std::string& host, const std::string& port) {
    std::string result;
    std::size_t i = 0;
    while (i < command.size()) {
        const bool starts_word = i == 0 || !is_token_character(command[i - 1]);
        bool replaced = false;
        for (const auto& [token, value] : {std::pair{"HOST", &host}, std::pair{"PORT", &port}}) {
            const std::size_t length = 4;
            const bool ends_word = i + length >= command.size() || !is_token_character(command[i + length]);
            if (starts_word && ends_word && command.compare(i, length, token) == 0) {
                result += *value;
                i += length;
                replaced = true;
                break;
            }
        }
        if (!replaced) result += command[i++];
    }
    return result;
}

}  // namespace

void validate_farm_check(const CheckSettings& check, const std::string& where) {
    const CheckType type = check.type.value_or(CheckType::none);
    check_values(check, where);
    check_options_apply(check, type, where);
    const std::uint32_t interval = check.interval_ms.value_or(kDefaultCheckIntervalMs);
    const std::uint32_t timeout = check.timeout_ms.value_or(kDefaultCheckTimeoutMs);
    // A check ends before the next one starts: fall checks then take at most
    // fall × interval + timeout to find a backend down.
    if (timeout > interval) {
        throw ValidationError(where + ": check_timeout (" + std::to_string(timeout) + " ms) must not exceed check_interval (" +
                              std::to_string(interval) + " ms)");
    }
    check_complete(type, check.command, check.user, check.password_file, where);
}

void validate_backend_check(const CheckSettings& farm_check, const CheckSettings& backend_check,
                            const std::string& where) {
    const bool farm_only = backend_check.interval_ms || backend_check.timeout_ms || backend_check.rise ||
                           backend_check.fall || backend_check.on_down || backend_check.slowstart_s;
    if (farm_only) {
        throw ValidationError(where + ": check timing, rise, fall, on_down and slowstart are the farm's settings");
    }
    const CheckType type = overridden(backend_check.type, farm_check.type).value_or(CheckType::none);
    check_values(backend_check, where);
    check_options_apply(backend_check, type, where);
    const CheckSettings& inherited = inherited_settings(farm_check, backend_check);
    check_complete(type, overridden(backend_check.command, inherited.command),
                   overridden(backend_check.user, inherited.user),
                   overridden(backend_check.password_file, inherited.password_file), where);
}

HealthCheck resolve_health_check(const Farm& farm, const Backend& backend) {
    const CheckSettings& own = backend.check;
    const CheckSettings& shared = farm.check;
    HealthCheck check;
    check.type = overridden(own.type, shared.type).value_or(CheckType::none);
    const CheckSettings& inherited = inherited_settings(shared, own);
    check.interval = std::chrono::milliseconds(shared.interval_ms.value_or(kDefaultCheckIntervalMs));
    check.timeout = std::chrono::milliseconds(shared.timeout_ms.value_or(kDefaultCheckTimeoutMs));
    check.rise = shared.rise.value_or(kDefaultCheckRise);
    check.fall = shared.fall.value_or(kDefaultCheckFall);
    check.on_down = shared.on_down.value_or(OnDown::keep);
    check.slowstart = std::chrono::seconds(shared.slowstart_s.value_or(0));
    check.address = backend.ip;
    // A backend without a port gets the client's: the farm's first port stands for them.
    check.port = overridden(own.port, inherited.port).value_or(backend.port.value_or(farm.port.ranges().front().first));
    check.send = overridden(own.send, inherited.send).value_or("");
    check.expect_body = overridden(own.expect_body, inherited.expect_body);
    check.path = overridden(own.path, inherited.path).value_or("/");
    check.expect_status = overridden(own.expect_status, inherited.expect_status);
    check.host = overridden(own.host, inherited.host).value_or(backend.ip.to_string());
    check.user = overridden(own.user, inherited.user);
    check.password_file = overridden(own.password_file, inherited.password_file);
    check.command = with_tokens_replaced(overridden(own.command, inherited.command).value_or(""),
                                         backend.ip.to_string(), std::to_string(check.port));
    return check;
}

}  // namespace xdplb::model
