// lbd: the xdplb daemon. Loads the data plane, restores the farms, serves the API.
#include <csignal>
#include <iostream>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "api/api_key.hpp"
#include "api/server.hpp"
#include "common/logging.hpp"
#include "daemon/commands.hpp"
#include "daemon/controller.hpp"
#include "daemon/health_monitor.hpp"
#include "daemon/instance_lock.hpp"
#include "daemon/metrics_gatherer.hpp"
#include "daemon/neighbours.hpp"
#include "daemon/options.hpp"
#include "daemon/service_notifier.hpp"
#include "daemon/stats_sampler.hpp"
#include "daemon/system_setup.hpp"
#include "daemon/tracer.hpp"
#include "daemon/upkeep.hpp"
#include "dataplane/counters.hpp"
#include "dataplane/map_writer.hpp"
#include "dataplane/pins.hpp"
#include "dataplane/program.hpp"
#include "dataplane/session_table.hpp"
#include "ha/vrrp_node.hpp"
#include "metrics/exporter.hpp"
#include "model/config_file.hpp"
#include "model/operations.hpp"
#include "model/validation_error.hpp"
#include "state/state_store.hpp"
#include "sync/sync_service.hpp"

namespace xdplb::daemon {

namespace {

// The saved state, or the config file with the saved ids carried over.
model::Config initial_config(const Options& options, const state::StateStore& store) {
    model::Config saved = store.load().value_or(model::Config{});
    if (!options.config_file) return saved;
    spdlog::info("configuration from {}", *options.config_file);
    return model::with_ids_from(model::read_config_file(*options.config_file), saved);
}

// SIGINT and SIGTERM stop lbd. SIGHUP, which would kill it by default, is
// only noted: there is nothing to reload, every change goes through the API.
// A VRRP master hands over first (priority 0, addresses removed), so that the
// backup takes over at once.
void handle_signals(boost::asio::signal_set& signals, boost::asio::io_context& io, std::optional<ha::VrrpNode>& vrrp) {
    signals.async_wait([&signals, &io, &vrrp](const boost::system::error_code& error, int signal) {
        if (error) return;
        if (signal == SIGHUP) {
            spdlog::warn("SIGHUP ignored: lbd has no reload; use lbctl");
            handle_signals(signals, io, vrrp);
            return;
        }
        spdlog::info("{}: stopping", strsignal(signal));
        if (vrrp) vrrp->stop();
        io.stop();
    });
}

// lbd --check-config: the verdict on stdout, or the fault, one line, on stderr.
int check_config(const std::string& path) {
    try {
        model::read_config_file(path);
        std::cout << path << ": OK\n";
        return 0;
    } catch (const model::ValidationError& error) {
        std::cerr << error.what() << "\n";
        return 1;
    }
}

// The TCP listener's settings, its key read at once: a key file anyone may
// read stops lbd before it touches the data plane.
std::optional<api::TcpListenerSettings> tcp_api_settings(const Options& options) {
    if (!options.api_listen) return std::nullopt;
    return api::TcpListenerSettings{*options.api_listen,
                                    std::make_shared<const api::ApiKey>(api::ApiKey::from_file(*options.api_key_file))};
}

// --detach-on-exit: however lbd ends once its program is attached (a signal,
// or an error while starting), the data plane goes with it.
class DetachOnExit {
public:
    DetachOnExit(const Options& options, const dataplane::Pins& pins) : options_(options), pins_(pins) {}
    ~DetachOnExit() {
        if (options_.detach_on_exit) dataplane::remove_data_plane(options_.interfaces, pins_);
    }
    DetachOnExit(const DetachOnExit&) = delete;
    DetachOnExit& operator=(const DetachOnExit&) = delete;

private:
    const Options& options_;
    const dataplane::Pins& pins_;
};

// lbd --unload: what --detach-on-exit does at the end, for a data plane an
// lbd left behind.
int unload(const Options& options) {
    InstanceLock lock(options.state_dir);
    dataplane::remove_data_plane(options.interfaces, dataplane::Pins(prepare_pin_dir(options.pin_dir)));
    return 0;
}

// A node that starts or returns from fault (into backup) asks its peers for
// their connections before it may preempt; a master is the state's source.
// A master stepping down to backup keeps what it had.
void sync_follows_vrrp(sync::SyncService& state_sync, ha::State from, ha::State to) {
    if (to == ha::State::backup && from != ha::State::master) state_sync.begin_resync();
    if (to == ha::State::master) state_sync.became_master();
}

int run(const Options& options) {
    const std::optional<api::TcpListenerSettings> tcp_api = tcp_api_settings(options);
    // Before anything else: a second lbd must leave the first one's
    // interfaces, maps and socket alone.
    InstanceLock lock(options.state_dir);
    // Caught from the start, so that a signal during startup cannot kill lbd
    // halfway, with its program attached.
    boost::asio::io_context io;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    std::optional<ha::VrrpNode> vrrp;
    handle_signals(signals, io, vrrp);

    state::StateStore store(options.state_dir);
    model::Config config = initial_config(options, store);

    const dataplane::Pins pins(prepare_pin_dir(options.pin_dir));
    dataplane::Program program(options.conntrack_size, options.halfopen_size, options.bpf_object);
    program.attach(options.interfaces, pins);
    const DetachOnExit detach_on_exit(options, pins);
    enable_forwarding(options.interfaces);
    warn_if_snat_ports_overlap_local_ports(options.data_plane.snat_ports);
    dataplane::MapWriter writer(program);
    writer.write_settings(options.data_plane);
    Neighbours neighbours(program.interfaces());
    // Adopted maps describe the configuration the previous lbd saved last.
    const model::Config in_maps = program.reused_maps() ? store.load().value_or(model::Config{}) : model::Config{};
    Controller controller(writer, store, neighbours, std::move(config), in_maps);
    dataplane::CountersReader counters(program);
    dataplane::SessionTable sessions(program);
    HealthMonitor health(io, controller, sessions);
    health.follow(controller.config());
    StatsSampler sampler(io, counters, controller);
    sampler.start();
    std::optional<sync::SyncService> state_sync;
    if (options.sync) {
        state_sync.emplace(io, *options.sync, program, controller.config(),
                           [&vrrp] { return vrrp && vrrp->state() == ha::State::master; });
        state_sync->start();
    }
    if (options.vrrp) {
        vrrp.emplace(
            io, *options.vrrp, [&state_sync] { return !state_sync || state_sync->may_preempt(); },
            [&state_sync](ha::State from, ha::State to) {
                if (state_sync) sync_follows_vrrp(*state_sync, from, to);
            });
        vrrp->start();
    }
    const sync::SyncService* sync_view = state_sync ? &*state_sync : nullptr;
    Commands commands(controller, counters, sampler.history(), sessions, health, vrrp ? &*vrrp : nullptr, sync_view);
    Upkeep upkeep(io, program, options.data_plane);
    if (state_sync) upkeep.set_listener(&*state_sync);
    upkeep.start();
    MetricsGatherer gatherer(controller, counters, health, upkeep, {options.conntrack_size, options.halfopen_size},
                             options.data_plane.snat_ports, vrrp ? &*vrrp : nullptr, sync_view);
    std::optional<metrics::MetricsExporter> exporter;
    if (options.metrics_listen) {
        exporter.emplace(io, *options.metrics_listen, [&gatherer] { return gatherer.gather(); });
        spdlog::info("metrics on http://{}/metrics", *options.metrics_listen);
    }

    Tracer tracer(io, program, controller);

    const api::Server::LineHandler answer = [&commands](const std::vector<std::string>& lines) {
        return commands.answer_all(lines);
    };
    const api::Server::StreamHandlers streams = {
        {"trace", [&tracer](const api::Request& request, std::shared_ptr<api::Stream> stream) {
             return tracer.start(request, std::move(stream));
         }}};
    std::optional<api::Server> tcp_server;
    if (tcp_api) {
        tcp_server.emplace(io, *tcp_api, answer, streams);
        spdlog::info("API on tcp {} too, for clients with the key", tcp_api->address.to_string());
    }
    api::Server server(io, options.socket_path, answer, streams);
    const std::string status =
        std::to_string(controller.config().farms.size()) + " farm(s), API on " + options.socket_path;
    spdlog::info("ready: {}", status);
    ServiceNotifier notifier(io);
    notifier.ready(status);
    io.run();
    // io.run() returns once a signal stopped the loop; the data plane stays
    // (unless --detach-on-exit) for the next lbd to adopt.
    notifier.stopping();
    return 0;
}

}  // namespace

}  // namespace xdplb::daemon

int main(int argc, char** argv) {
    using namespace xdplb;
    std::optional<daemon::Options> options;
    try {
        options = daemon::parse_options(argc, argv);
    } catch (const daemon::UsageError& error) {
        std::cerr << "lbd: " << error.what() << " (see lbd --help)\n";
        return 2;
    }
    if (!options) return 0;
    if (options->check_config_file) return daemon::check_config(*options->check_config_file);
    setup_logging(options->verbose);
    try {
        return options->unload ? daemon::unload(*options) : daemon::run(*options);
    } catch (const std::exception& error) {
        spdlog::critical("{}", error.what());
        return 1;
    }
}
