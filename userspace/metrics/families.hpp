// The metric families of a scrape (docs/metrics.md), built from a snapshot.
// Pure, so that what Prometheus reads is tested without a daemon.
#pragma once

#include <vector>

#include <prometheus/metric_family.h>

#include "metrics/snapshot.hpp"

namespace xdplb::metrics {

std::vector<prometheus::MetricFamily> metric_families(const MetricsSnapshot& snapshot);

}  // namespace xdplb::metrics
