#include "ha/vrrp_advert.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace xdplb::ha {
namespace {

constexpr std::uint8_t kVersion = 3;
constexpr std::uint8_t kTypeAdvertisement = 1;
constexpr std::size_t kChecksumOffset = 6;

std::size_t address_size(IpAddress::Family family) { return family == IpAddress::Family::v4 ? 4 : 16; }

void check_encodable(const Advert& advert, const IpEnvelope& envelope) {
    auto fail = [](const std::string& why) { throw std::invalid_argument("cannot encode VRRP advert: " + why); };
    if (envelope.source.family() != envelope.destination.family()) fail("source and destination differ in family");
    if (advert.vrid == 0) fail("VRID 0");
    if (advert.max_advert_interval == 0 || advert.max_advert_interval > kMaxAdvertInterval) {
        fail("advert interval " + std::to_string(advert.max_advert_interval) + " cs is not in 1-4095");
    }
    if (advert.addresses.empty() || advert.addresses.size() > kMaxAdvertAddresses) {
        fail(std::to_string(advert.addresses.size()) + " addresses, not 1-255");
    }
    for (const IpAddress& address : advert.addresses) {
        if (address.family() != envelope.source.family()) {
            fail("address " + address.to_string() + " is not of the packet's family");
        }
    }
}

}  // namespace

std::vector<std::uint8_t> encode_advert(const Advert& advert, const IpEnvelope& envelope, Ipv4Checksum ipv4_checksum) {
    check_encodable(advert, envelope);
    std::size_t size = address_size(envelope.source.family());
    std::vector<std::uint8_t> message{
        static_cast<std::uint8_t>(kVersion << 4 | kTypeAdvertisement),
        advert.vrid,
        advert.priority,
        static_cast<std::uint8_t>(advert.addresses.size()),
        static_cast<std::uint8_t>(advert.max_advert_interval >> 8),  // the reserved 4 bits stay zero
        static_cast<std::uint8_t>(advert.max_advert_interval & 0xff),
        0,
        0,
    };
    for (const IpAddress& address : advert.addresses) {
        message.insert(message.end(), address.bytes().begin(), address.bytes().begin() + size);
    }
    std::uint16_t checksum = vrrp_checksum(message, envelope.source, envelope.destination, ipv4_checksum);
    message[kChecksumOffset] = static_cast<std::uint8_t>(checksum >> 8);
    message[kChecksumOffset + 1] = static_cast<std::uint8_t>(checksum & 0xff);
    return message;
}

std::string to_string(AdvertError error) {
    switch (error) {
    case AdvertError::family_mismatch:
        return "source and destination addresses of different families";
    case AdvertError::ttl_not_255:
        return "TTL or hop limit is not 255: not sent from this link";
    case AdvertError::truncated:
        return "shorter than the 8-byte VRRP header";
    case AdvertError::bad_version:
        return "VRRP version is not 3";
    case AdvertError::bad_type:
        return "VRRP type is not 1 (advertisement)";
    case AdvertError::length_mismatch:
        return "length does not match the address count";
    case AdvertError::bad_checksum:
        return "bad checksum";
    case AdvertError::zero_interval:
        return "advert interval is 0";
    }
    return "unknown advert error";
}

std::variant<Advert, AdvertError> decode_advert(std::span<const std::uint8_t> message, const IpEnvelope& envelope,
                                                Ipv4Checksum ipv4_checksum) {
    IpAddress::Family family = envelope.source.family();
    if (envelope.destination.family() != family) return AdvertError::family_mismatch;
    if (envelope.ttl != kVrrpTtl) return AdvertError::ttl_not_255;
    if (message.size() < kAdvertHeaderSize) return AdvertError::truncated;
    if (message[0] >> 4 != kVersion) return AdvertError::bad_version;
    if ((message[0] & 0x0f) != kTypeAdvertisement) return AdvertError::bad_type;
    std::size_t count = message[3];
    std::size_t size = address_size(family);
    if (message.size() != kAdvertHeaderSize + count * size) return AdvertError::length_mismatch;
    if (vrrp_checksum(message, envelope.source, envelope.destination, ipv4_checksum) != 0) {
        return AdvertError::bad_checksum;
    }
    Advert advert;
    advert.vrid = message[1];
    advert.priority = message[2];
    advert.max_advert_interval = static_cast<std::uint16_t>((message[4] & 0x0f) << 8 | message[5]);
    if (advert.max_advert_interval == 0) return AdvertError::zero_interval;
    for (std::size_t i = 0; i < count; ++i) {
        std::array<std::uint8_t, 16> bytes{};
        auto first = message.begin() + static_cast<std::ptrdiff_t>(kAdvertHeaderSize + i * size);
        std::copy(first, first + static_cast<std::ptrdiff_t>(size), bytes.begin());
        advert.addresses.push_back(IpAddress::from_bytes(family, bytes));
    }
    return advert;
}

}  // namespace xdplb::ha
