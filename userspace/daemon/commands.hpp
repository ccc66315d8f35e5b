// The API's commands (docs/api.md): JSON in, JSON out, every change through the controller.
#pragma once

#include <nlohmann/json.hpp>

#include "api/protocol.hpp"
#include "daemon/controller.hpp"
#include "daemon/health_monitor.hpp"
#include "dataplane/counters.hpp"
#include "dataplane/session_table.hpp"

namespace xdplb::daemon {

class Commands {
public:
    Commands(Controller& controller, const dataplane::CountersReader& counters,
             const dataplane::SessionTable& sessions, const HealthMonitor& health);

    // Runs one request. Throws model::ValidationError for a request that cannot
    // be accepted (nothing changed), other exceptions for failures of lbd itself.
    nlohmann::json run(const api::Request& request);

    // A whole line in, a whole line out: protocol errors and exceptions become
    // error responses. Only DataPlaneMismatch escapes, to stop lbd.
    std::string answer(const std::string& line);

private:
    nlohmann::json farm_add(const nlohmann::json& args);
    nlohmann::json farm_set(const nlohmann::json& args);
    nlohmann::json farm_del(const nlohmann::json& args);
    nlohmann::json farm_list(const nlohmann::json& args);
    nlohmann::json farm_show(const nlohmann::json& args);
    nlohmann::json backend_add(const nlohmann::json& args);
    nlohmann::json backend_set(const nlohmann::json& args);
    nlohmann::json backend_del(const nlohmann::json& args);
    nlohmann::json stats(const nlohmann::json& args);
    nlohmann::json sessions(const nlohmann::json& args);
    nlohmann::json sessions_flush(const nlohmann::json& args);

    nlohmann::json farm_view(const std::string& name) const;
    nlohmann::json counters_view(const dataplane::FlowCounters& counters) const;

    Controller& controller_;
    const dataplane::CountersReader& counters_;
    const dataplane::SessionTable& sessions_;
    const HealthMonitor& health_;
};

}  // namespace xdplb::daemon
