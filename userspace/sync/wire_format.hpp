// The sync datagram, version 1 (all integers big-endian; addresses and ports
// as on the wire, as the maps keep them):
//
//   "XLBS" | version u8 = 1 | type u8 | record count u16 | sequence u64
//   | records... | HMAC-SHA256 of everything before it (32 bytes)
//
// A record is a kind byte and its fields (wire_format.cpp, docs/state-sync.md).
// Decoding is strict: a datagram is taken whole or not at all.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sync/records.hpp"
#include "sync/sequence.hpp"
#include "sync/sync_key.hpp"

namespace xdplb::sync {

inline constexpr std::uint8_t kWireVersion = 1;
// Under any path's MTU that the nodes' backend-side link has: 1500 less the
// IPv6 and UDP headers, with room to spare for a tunnel.
inline constexpr std::size_t kMaxDatagramBytes = 1400;
inline constexpr std::size_t kHeaderBytes = 16;

using Datagram = std::vector<std::uint8_t>;

// Throws SyncError when the message does not fit in kMaxDatagramBytes or a
// record has a name longer than a farm's or backend's may be.
Datagram encode(const Message& message, const SyncKey& key);

// The records in as few datagrams as kMaxDatagramBytes allows, numbered by
// `sequence`. No records: no datagram.
std::vector<Datagram> encode_batches(const std::vector<Record>& records, SequenceClock& sequence,
                                     std::uint64_t now_ns, const SyncKey& key);

// Checks the MAC first, then every field. Throws SyncError, a one-line reason.
Message decode(std::span<const std::uint8_t> datagram, const SyncKey& key);

}  // namespace xdplb::sync
