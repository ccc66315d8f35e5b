-- bench/lib/wrk_summary.lua -- a wrk script that adds, after wrk's own
-- report, one JSON line for bench/suites/http.sh: the responses wrk counted,
-- the time it ran, its socket and status errors and two latency percentiles.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"responses": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "status_errors": %d, "latency_p50_us": %d, ' ..
    '"latency_p99_us": %d}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.timeout, errors.status, latency:percentile(50), latency:percentile(99)))
end
