#include "metrics/exporter.hpp"

#include <chrono>
#include <future>

#include <boost/asio/post.hpp>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <spdlog/spdlog.h>

#include "metrics/families.hpp"

namespace xdplb::metrics {

namespace {

// A loop that has not answered by then is stuck: the scrape gets nothing
// rather than holding the HTTP thread (and lbd's shutdown) any longer.
constexpr std::chrono::seconds kGatherTimeout{3};

}  // namespace

class LoopCollectable : public prometheus::Collectable {
public:
    LoopCollectable(boost::asio::io_context& io, MetricsExporter::Gather gather)
        : io_(io), gather_(std::move(gather)) {}

    // Called on an HTTP thread; must not throw (the server is C).
    std::vector<prometheus::MetricFamily> Collect() const override {
        auto task = std::make_shared<std::packaged_task<MetricsSnapshot()>>(gather_);
        std::future<MetricsSnapshot> snapshot = task->get_future();
        boost::asio::post(io_, [task] { (*task)(); });
        if (snapshot.wait_for(kGatherTimeout) != std::future_status::ready) {
            spdlog::warn("metrics: lbd's loop did not answer within {} s; the scrape is empty",
                         kGatherTimeout.count());
            return {};
        }
        try {
            return metric_families(snapshot.get());
        } catch (const std::exception& error) {
            spdlog::error("metrics: {}; the scrape is empty", error.what());
            return {};
        }
    }

private:
    boost::asio::io_context& io_;
    MetricsExporter::Gather gather_;
};

MetricsExporter::MetricsExporter(boost::asio::io_context& io, const std::string& listen, Gather gather)
    : collectable_(std::make_shared<LoopCollectable>(io, std::move(gather))) {
    try {
        // One thread: scrapes are rare, and each waits for the loop anyway.
        exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
    } catch (const std::exception& error) {
        throw std::runtime_error("cannot serve metrics on " + listen + ": " + error.what());
    }
    exposer_->RegisterCollectable(collectable_);
}

MetricsExporter::~MetricsExporter() = default;

}  // namespace xdplb::metrics
