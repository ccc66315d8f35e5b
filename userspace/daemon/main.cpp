// lbd: the xdplb daemon. Loads the data plane, restores the farms, serves the API.
#include <csignal>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "api/server.hpp"
#include "common/logging.hpp"
#include "daemon/commands.hpp"
#include "daemon/config_file.hpp"
#include "daemon/controller.hpp"
#include "daemon/options.hpp"
#include "daemon/system_setup.hpp"
#include "dataplane/counters.hpp"
#include "dataplane/map_writer.hpp"
#include "dataplane/program.hpp"
#include "model/operations.hpp"
#include "model/validation_error.hpp"
#include "state/state_store.hpp"

namespace xdplb::daemon {

namespace {

// The saved state, or the config file with the saved ids carried over.
model::Config initial_config(const Options& options, const state::StateStore& store) {
    model::Config saved = store.load().value_or(model::Config{});
    if (!options.config_file) return saved;
    spdlog::info("configuration from {}", *options.config_file);
    return model::with_ids_from(read_config_file(*options.config_file), saved);
}

int run(const Options& options) {
    state::StateStore store(options.state_dir);
    model::Config config = initial_config(options, store);

    ensure_bpffs();
    dataplane::Program program(options.conntrack_size);
    program.attach(options.interfaces);
    enable_forwarding(options.interfaces);
    dataplane::MapWriter writer(program);
    writer.write_settings({.snat_ports = options.snat_ports});
    Controller controller(writer, store, std::move(config));
    dataplane::CountersReader counters(program);
    Commands commands(controller, counters);

    boost::asio::io_context io;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](const boost::system::error_code&, int signal) {
        spdlog::info("{}: detaching and stopping", strsignal(signal));
        io.stop();
    });
    api::Server server(io, options.socket_path, [&commands](const std::string& line) { return commands.answer(line); });
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
