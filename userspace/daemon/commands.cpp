#include "daemon/commands.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include <spdlog/spdlog.h>

#include "daemon/sessions.hpp"
#include "daemon/stats.hpp"
#include "daemon/stats_sampler.hpp"
#include "daemon/vrrp_status.hpp"
#include "model/config_changes.hpp"
#include "model/config_file.hpp"
#include "model/config_json.hpp"
#include "model/operations.hpp"
#include "model/validation_error.hpp"

namespace xdplb::daemon {

using nlohmann::json;
using model::ValidationError;

namespace {

// Takes one string field out of the arguments, leaving the rest to the model's parser.
std::string take_name(json& args, const char* field) {
    if (!args.contains(field) || !args[field].is_string()) {
        throw ValidationError(std::string("'") + field + "' is required and must be a string");
    }
    std::string value = args[field].get<std::string>();
    args.erase(field);
    return value;
}

void refuse_other_fields(const json& args, const std::vector<std::string>& allowed) {
    for (const auto& [key, unused] : args.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            throw ValidationError("unknown field '" + key + "'");
        }
    }
}

}  // namespace

Commands::Commands(Controller& controller, const dataplane::CountersReader& counters, const CounterHistory& history,
                   const dataplane::SessionTable& sessions, const HealthMonitor& health, const ha::VrrpNode* vrrp,
                   const sync::SyncService* sync)
    : controller_(controller),
      counters_(counters),
      history_(history),
      sessions_(sessions),
      health_(health),
      vrrp_(vrrp),
      sync_(sync) {}

std::string Commands::answer(const std::string& line) {
    try {
        return api::encode_success(run(api::parse_request(line)));
    } catch (const api::ProtocolError& error) {
        return api::encode_error(error.what());
    } catch (const ValidationError& error) {
        return api::encode_error(error.what());
    } catch (const DataPlaneMismatch&) {
        throw;  // lbd must stop: no answer can make up for it
    } catch (const std::exception& error) {
        spdlog::error("request failed: {}", error.what());
        return api::encode_error(std::string("lbd failed: ") + error.what());
    }
}

std::vector<std::string> Commands::answer_all(const std::vector<std::string>& lines) {
    std::vector<std::string> answers;
    std::vector<std::size_t> changes;  // the answers that a failed save takes back
    for (const std::string& line : lines) {
        const std::size_t unsaved = controller_.unsaved_changes();
        answers.push_back(answer(line));
        if (controller_.unsaved_changes() > unsaved) changes.push_back(answers.size() - 1);
    }
    try {
        controller_.save();
    } catch (const DataPlaneMismatch&) {
        throw;
    } catch (const std::exception& error) {
        spdlog::error("{} change(s) undone: {}", changes.size(), error.what());
        for (std::size_t index : changes) answers[index] = api::encode_error(std::string("lbd failed: ") + error.what());
    }
    return answers;
}

json Commands::run(const api::Request& request) {
    using Handler = json (Commands::*)(const json&);
    static const std::map<std::string, Handler> kHandlers = {
        {"farm.add", &Commands::farm_add},       {"farm.set", &Commands::farm_set},
        {"farm.del", &Commands::farm_del},       {"farm.list", &Commands::farm_list},
        {"farm.show", &Commands::farm_show},     {"backend.add", &Commands::backend_add},
        {"backend.set", &Commands::backend_set}, {"backend.del", &Commands::backend_del},
        {"stats", &Commands::stats},             {"sessions", &Commands::sessions},
        {"sessions.flush", &Commands::sessions_flush}, {"vrrp.status", &Commands::vrrp_status},
        {"config.export", &Commands::config_export}, {"config.apply", &Commands::config_apply},
    };
    auto handler = kHandlers.find(request.command);
    if (handler == kHandlers.end()) throw ValidationError("unknown command '" + request.command + "'");
    return (this->*handler->second)(request.args);
}

json Commands::farm_add(const json& args) {
    model::Farm farm = model::farm_from_json(args, model::kApiForm);
    controller_.change(model::add_farm(controller_.config(), farm));
    spdlog::info("farm {} added: {}:{}/{} {}", farm.name, farm.vip.to_string(), farm.port.to_string(), to_string(farm.proto),
                 to_string(farm.mode));
    return farm_view(farm.name);
}

json Commands::farm_set(const json& args) {
    json changes = args;
    std::string name = take_name(changes, "name");
    const model::Farm& current = model::existing_farm(controller_.config(), name);
    json merged = model::farm_to_json(current, model::kApiForm);
    merged.merge_patch(changes);
    merged["name"] = name;
    // merge_patch drops fields set to null; a null snat_addr means "back to the default".
    model::Farm settings = model::farm_from_json(merged, model::kApiForm);
    controller_.change(model::replace_farm_settings(controller_.config(), name, settings));
    spdlog::info("farm {} changed: {}", name, changes.dump());
    return farm_view(name);
}

json Commands::farm_del(const json& args) {
    json rest = args;
    std::string name = take_name(rest, "name");
    refuse_other_fields(rest, {});
    controller_.change(model::delete_farm(controller_.config(), name));
    spdlog::info("farm {} deleted", name);
    return nullptr;
}

json Commands::farm_list(const json& args) {
    refuse_other_fields(args, {});
    json farms = json::array();
    for (const model::Farm& farm : controller_.config().farms) farms.push_back(farm_view(farm.name));
    return farms;
}

json Commands::farm_show(const json& args) {
    json rest = args;
    std::string name = take_name(rest, "name");
    refuse_other_fields(rest, {});
    model::existing_farm(controller_.config(), name);
    return farm_view(name);
}

json Commands::backend_add(const json& args) {
    json fields = args;
    std::string farm_name = take_name(fields, "farm");
    model::Backend backend = model::backend_from_json(fields, model::kApiForm);
    controller_.change(model::add_backend(controller_.config(), farm_name, backend));
    spdlog::info("farm {}: backend {} added: {} weight {} priority {} {}", farm_name, backend.name,
                 backend.ip.to_string(), backend.weight, backend.priority, to_string(backend.state));
    return farm_view(farm_name);
}

json Commands::backend_set(const json& args) {
    json changes = args;
    std::string farm_name = take_name(changes, "farm");
    std::string name = take_name(changes, "name");
    std::vector<std::string> changeable = {"weight", "priority", "state", "maxconn"};
    changeable.insert(changeable.end(), model::backend_check_fields().begin(), model::backend_check_fields().end());
    refuse_other_fields(changes, changeable);
    const model::Farm& farm = model::existing_farm(controller_.config(), farm_name);
    json merged = model::backend_to_json(model::existing_backend(farm, name), model::kApiForm);
    merged.merge_patch(changes);
    model::Backend backend = model::backend_from_json(merged, model::kApiForm);
    controller_.change(model::replace_backend(controller_.config(), farm_name, backend));
    spdlog::info("farm {}: backend {} changed: {}", farm_name, name, changes.dump());
    return farm_view(farm_name);
}

json Commands::backend_del(const json& args) {
    json rest = args;
    std::string farm_name = take_name(rest, "farm");
    std::string name = take_name(rest, "name");
    refuse_other_fields(rest, {});
    controller_.change(model::delete_backend(controller_.config(), farm_name, name));
    spdlog::info("farm {}: backend {} deleted", farm_name, name);
    return farm_view(farm_name);
}

json Commands::stats(const json& args) {
    json rest = args;
    std::optional<std::string> only;
    if (rest.contains("farm")) only = take_name(rest, "farm");
    refuse_other_fields(rest, {});
    const model::Config& config = controller_.config();
    if (!only) return stats_view(config, read_counters(counters_, config), history_, true);
    const model::Config one{{model::existing_farm(config, *only)}};
    return stats_view(one, read_counters(counters_, one), history_, false);
}

json Commands::sessions(const json& args) {
    json rest = args;
    SessionFilter filter;
    const model::Farm* farm = nullptr;
    if (rest.contains("farm")) farm = &model::existing_farm(controller_.config(), take_name(rest, "farm"));
    if (rest.contains("backend")) {
        if (farm == nullptr) throw ValidationError("'backend' needs 'farm': backend names are per farm");
        filter.backend_id = model::existing_backend(*farm, take_name(rest, "backend")).id;
    }
    if (rest.contains("client")) {
        std::string client = take_name(rest, "client");
        filter.client = IpAddress::parse(client);
        if (!filter.client) throw ValidationError("'client' must be an IPv4 or IPv6 address, not '" + client + "'");
    }
    refuse_other_fields(rest, {});
    if (farm != nullptr) filter.farm_id = farm->id;
    SessionSnapshot snapshot{sessions_.connections(), sessions_.persistence_entries(), sessions_.persistence_ttls(),
                             dataplane::data_plane_clock_ns()};
    return sessions_view(snapshot, controller_.config(), filter);
}

json Commands::sessions_flush(const json& args) {
    json rest = args;
    const model::Farm& farm = model::existing_farm(controller_.config(), take_name(rest, "farm"));
    std::optional<std::uint32_t> backend_id;
    std::string backend_name;
    if (rest.contains("backend")) {
        backend_name = take_name(rest, "backend");
        backend_id = model::existing_backend(farm, backend_name).id;
    }
    refuse_other_fields(rest, {});
    dataplane::FlushCount removed = sessions_.flush(farm.id, backend_id);
    spdlog::info("farm {}{}: flushed {} connection(s) and {} persistence entries", farm.name,
                 backend_id ? ", backend " + backend_name : "", removed.connections, removed.persistence);
    return {{"connections", removed.connections}, {"persistence", removed.persistence}};
}

json Commands::vrrp_status(const json& args) {
    refuse_other_fields(args, {});
    if (vrrp_ == nullptr) throw ValidationError("VRRP is off: lbd runs without --vrrp-iface");
    return vrrp_status_view(vrrp_->status(), sync_ ? std::optional(sync_->status()) : std::nullopt);
}

json Commands::config_export(const json& args) {
    refuse_other_fields(args, {});
    return model::config_file_json(controller_.config());
}

json Commands::config_apply(const json& args) {
    refuse_other_fields(args, {"config", "dry_run"});
    if (!args.contains("config")) throw ValidationError("'config' is required: the configuration to apply");
    bool dry_run = false;
    if (args.contains("dry_run")) {
        if (!args["dry_run"].is_boolean()) throw ValidationError("'dry_run' must be true or false");
        dry_run = args["dry_run"].get<bool>();
    }
    model::Config wanted = model::config_from_json(args["config"], model::kConfigForm);
    model::Config next = model::replace_config(controller_.config(), std::move(wanted));
    const std::vector<model::Change> changes = model::changes_between(controller_.config(), next);
    const bool apply = !dry_run && !changes.empty();
    if (apply) {
        controller_.change(std::move(next));
        spdlog::info("configuration applied: {} change(s)", changes.size());
    }
    return {{"changes", model::changes_to_json(changes)}, {"applied", apply}};
}

json Commands::farm_view(const std::string& name) const {
    const model::Farm& farm = model::existing_farm(controller_.config(), name);
    json view = model::farm_to_json(farm, model::kApiForm);
    view["backends"] = json::array();
    for (const model::Backend& backend : farm.backends) {
        json backend_view = model::backend_to_json(backend, model::kApiForm);
        backend_view.update(health_.health_view(backend.id));
        view["backends"].push_back(backend_view);
    }
    return view;
}

}  // namespace xdplb::daemon
