// The API's commands (docs/api.md): JSON in, JSON out, every change through the controller.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/protocol.hpp"
#include "daemon/controller.hpp"
#include "daemon/counter_history.hpp"
#include "daemon/health_monitor.hpp"
#include "dataplane/counters.hpp"
#include "dataplane/session_table.hpp"
#include "ha/vrrp_node.hpp"
#include "sync/sync_service.hpp"

namespace xdplb::daemon {

class Commands {
public:
    // `counters` gives the totals of stats, `history` their rates; `vrrp`
    // is null when lbd runs without --vrrp-iface, `sync` without --sync-peer.
    Commands(Controller& controller, const dataplane::CountersReader& counters, const CounterHistory& history,
             const dataplane::SessionTable& sessions, const HealthMonitor& health, const ha::VrrpNode* vrrp,
             const sync::SyncService* sync = nullptr);

    // Runs one request. Throws model::ValidationError for a request that cannot
    // be accepted (nothing changed), other exceptions for failures of lbd itself.
    nlohmann::json run(const api::Request& request);

    // Request lines in, response lines out, in order: the requests a client
    // sent together are run in turn, and the changes among them saved once,
    // before any is answered. If that save fails, they are all undone and
    // each is answered with the failure. Protocol errors and exceptions
    // become error responses; only DataPlaneMismatch escapes, to stop lbd.
    std::vector<std::string> answer_all(const std::vector<std::string>& lines);

private:
    std::string answer(const std::string& line);

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
    nlohmann::json vrrp_status(const nlohmann::json& args);
    nlohmann::json config_export(const nlohmann::json& args);
    nlohmann::json config_apply(const nlohmann::json& args);

    nlohmann::json farm_view(const std::string& name) const;

    Controller& controller_;
    const dataplane::CountersReader& counters_;
    const CounterHistory& history_;
    const dataplane::SessionTable& sessions_;
    const HealthMonitor& health_;
    const ha::VrrpNode* vrrp_;
    const sync::SyncService* sync_;
};

}  // namespace xdplb::daemon
