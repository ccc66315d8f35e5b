#include "health/run_check.hpp"

#include "health/command_check.hpp"
#include "health/http_check.hpp"
#include "health/mysql_check.hpp"
#include "health/tcp_check.hpp"
#include "health/udp_check.hpp"

namespace xdplb::health {

void run_check(boost::asio::io_context& io, const model::HealthCheck& check, CheckDone done) {
    switch (check.type) {
    case model::CheckType::tcp:
        return run_tcp_check(io, check, std::move(done));
    case model::CheckType::http:
    case model::CheckType::https:
        return run_http_check(io, check, std::move(done));
    case model::CheckType::mysql:
        return run_mysql_check(io, check, std::move(done));
    case model::CheckType::udp:
        return run_udp_check(io, check, std::move(done));
    case model::CheckType::cmd:
        return run_command_check(io, check, std::move(done));
    case model::CheckType::none:
        break;
    }
    done({true, "not checked"});
}

}  // namespace xdplb::health
