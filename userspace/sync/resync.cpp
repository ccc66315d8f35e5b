#include "sync/resync.hpp"

namespace xdplb::sync {

std::string_view to_string(SyncState state) {
    switch (state) {
    case SyncState::resyncing: return "resyncing";
    case SyncState::in_sync: return "in_sync";
    case SyncState::alone: return "alone";
    }
    return "unknown";
}

void Resync::begin(SteadyClock::time_point now) {
    state_ = SyncState::resyncing;
    last_request_.reset();
    waiting_since_ = now;
}

bool Resync::request_due(SteadyClock::time_point now) {
    if (state_ != SyncState::resyncing) return false;
    if (last_request_ && now - *last_request_ < kRequestInterval) return false;
    last_request_ = now;
    return true;
}

void Resync::heard_from_peer(SteadyClock::time_point now) { waiting_since_ = now; }

void Resync::completed() { state_ = SyncState::in_sync; }

void Resync::became_master() { state_ = SyncState::in_sync; }

bool Resync::give_up_if_quiet(SteadyClock::time_point now) {
    if (state_ != SyncState::resyncing || !last_request_ || now - waiting_since_ < kQuietLimit) return false;
    state_ = SyncState::alone;
    return true;
}

}  // namespace xdplb::sync
