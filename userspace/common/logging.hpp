// Logging for lbd: plain lines on stderr that journald and a terminal both read well.
#pragma once

namespace xdplb {

// Under systemd (JOURNAL_STREAM set) each line carries a syslog priority prefix
// such as "<4>" and no timestamp, since journald adds its own; on a terminal
// lines carry a timestamp and the level name.
void setup_logging(bool verbose);

}  // namespace xdplb
