// lbd: the xdplb daemon. Loads the data plane, restores the farms, serves the API.
#include <csignal>
#include <iostream>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "api/server.hpp"
#include "common/logging.hpp"
#include "daemon/commands.hpp"
#include "daemon/config_file.hpp"
#include "daemon/controller.hpp"
#include "daemon/health_monitor.hpp"
#include "daemon/instance_lock.hpp"
#include "daemon/metrics_gatherer.hpp"
#include "daemon/neighbours.hpp"
#include "daemon/options.hpp"
#include "daemon/stats_sampler.hpp"
#include "daemon/system_setup.hpp"
#include "daemon/tracer.hpp"
#include "daemon/upkeep.hpp"
#include "dataplane/counters.hpp"
#include "dataplane/map_writer.hpp"
#include "dataplane/program.hpp"
#include "dataplane/session_table.hpp"
#include "ha/vrrp_node.hpp"
#include "metrics/exporter.hpp"
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
    return model::with_ids_from(read_config_file(*options.config_file), saved);
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
        spdlog::info("{}: detaching and stopping", strsignal(signal));
        if (vrrp) vrrp->stop();
        io.stop();
    });
}

// A node that starts or returns from fault (into backup) asks its peers for
// their connections before it may preempt; a master is the state's source.
// A master stepping down to backup keeps what it had.
void sync_follows_vrrp(sync::SyncService& state_sync, ha::State from, ha::State to) {
    if (to == ha::State::backup && from != ha::State::master) state_sync.begin_resync();
    if (to == ha::State::master) state_sync.became_master();
}

int run(const Options& options) {
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

    ensure_bpffs();
    dataplane::Program program(options.conntrack_size, options.halfopen_size);
    program.attach(options.interfaces);
    enable_forwarding(options.interfaces);
    warn_if_snat_ports_overlap_local_ports(options.data_plane.snat_ports);
    dataplane::MapWriter writer(program);
    writer.write_settings(options.data_plane);
    Neighbours neighbours(program.interfaces());
    Controller controller(writer, store, neighbours, std::move(config));
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

    api::Server server(
        io, options.socket_path,
        [&commands](const std::vector<std::string>& lines) { return commands.answer_all(lines); },
        {{"trace", [&tracer](const api::Request& request, std::shared_ptr<api::Stream> stream) {
              return tracer.start(request, std::move(stream));
          }}});
    spdlog::info("ready: {} farm(s), API on {}", controller.config().farms.size(), options.socket_path);
    io.run();
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
    setup_logging(options->verbose);
    try {
        return daemon::run(*options);
    } catch (const std::exception& error) {
        spdlog::critical("{}", error.what());
        return 1;
    }
}
