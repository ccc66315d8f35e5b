// lbd's /metrics endpoint: prometheus-cpp's HTTP server, on threads of its
// own, with one collectable that has each scrape gathered on lbd's event
// loop, where the configuration, health and counters are consistent.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "metrics/snapshot.hpp"

namespace prometheus {
class Exposer;
}

namespace xdplb::metrics {

class LoopCollectable;

class MetricsExporter {
public:
    using Gather = std::function<MetricsSnapshot()>;

    // Serves http://LISTEN/metrics, LISTEN as "ADDR:PORT" or "[ADDR6]:PORT".
    // `gather` runs on `io`'s thread. Throws std::runtime_error if LISTEN cannot be bound.
    MetricsExporter(boost::asio::io_context& io, const std::string& listen, Gather gather);
    ~MetricsExporter();
    MetricsExporter(const MetricsExporter&) = delete;
    MetricsExporter& operator=(const MetricsExporter&) = delete;

private:
    std::shared_ptr<LoopCollectable> collectable_;
    std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace xdplb::metrics
