// VRRPv3 adverts to bytes and back: byte-exact packets laid out by hand from
// RFC 5798 5.2, every check a receiver makes (7.1), and garbage.
#include "ha/vrrp_advert.hpp"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

namespace xdplb::ha {
namespace {

using Bytes = std::vector<std::uint8_t>;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

const IpEnvelope kIpv4Envelope{ip("198.18.0.1"), ip("224.0.0.18"), 255};
const IpEnvelope kIpv6Envelope{ip("fe80::1"), ip("ff02::12"), 255};

const Advert kIpv4Advert{51, 100, 100, {ip("198.18.0.100")}};
// Version 3 | type 1, VRID 51, priority 100, 1 address | reserved 0, interval
// 0x064 | checksum (see vrrp_checksum_test) | 198.18.0.100.
const Bytes kIpv4Bytes{0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0xfd, 0x4d, 0xc6, 0x12, 0x00, 0x64};

const Advert kIpv6Advert{51, 200, 10, {ip("fe80::51"), ip("fd00::51")}};
const Bytes kIpv6Bytes{0x31, 0x33, 0xc8, 0x02, 0x00, 0x0a, 0x0c, 0x6d,                              //
                       0xfe, 0x80, 0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0x51,   // fe80::51
                       0xfd, 0x00, 0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0x51};  // fd00::51

// The message with its checksum made right again after an edit.
Bytes resummed(Bytes message, const IpEnvelope& envelope) {
    message[6] = message[7] = 0;
    std::uint16_t checksum =
        vrrp_checksum(message, envelope.source, envelope.destination, Ipv4Checksum::with_pseudo_header);
    message[6] = static_cast<std::uint8_t>(checksum >> 8);
    message[7] = static_cast<std::uint8_t>(checksum & 0xff);
    return message;
}

AdvertError error_of(const Bytes& message, const IpEnvelope& envelope) {
    auto result = decode_advert(message, envelope);
    EXPECT_TRUE(std::holds_alternative<AdvertError>(result)) << "decoded, expected an error";
    return std::holds_alternative<AdvertError>(result) ? std::get<AdvertError>(result) : AdvertError{};
}

TEST(VrrpAdvert, EncodesIpv4ByteForByte) { EXPECT_EQ(encode_advert(kIpv4Advert, kIpv4Envelope), kIpv4Bytes); }

TEST(VrrpAdvert, EncodesIpv6ByteForByte) { EXPECT_EQ(encode_advert(kIpv6Advert, kIpv6Envelope), kIpv6Bytes); }

TEST(VrrpAdvert, DecodesWhatItEncodes) {
    EXPECT_EQ(std::get<Advert>(decode_advert(kIpv4Bytes, kIpv4Envelope)), kIpv4Advert);
    EXPECT_EQ(std::get<Advert>(decode_advert(kIpv6Bytes, kIpv6Envelope)), kIpv6Advert);
}

TEST(VrrpAdvert, DecodesKeepalivedsAdvert) {
    // Captured from keepalived 2.0 (github.com/acassen/keepalived issue 1490).
    Bytes message{0x31, 0x02, 0x96, 0x03, 0x00, 0x64, 0x08, 0x2d, 185, 203, 112, 1, 10, 0, 0, 1, 10, 0, 8, 1};
    Advert expected{2, 150, 100, {ip("185.203.112.1"), ip("10.0.0.1"), ip("10.0.8.1")}};
    EXPECT_EQ(std::get<Advert>(decode_advert(message, {ip("10.0.0.3"), ip("224.0.0.18"), 255})), expected);
}

TEST(VrrpAdvert, UnicastAdvertsSumTheirOwnDestination) {
    IpEnvelope unicast{ip("198.18.0.1"), ip("198.18.0.2"), 255};
    Bytes message = encode_advert(kIpv4Advert, unicast);
    EXPECT_NE(message, kIpv4Bytes);
    EXPECT_EQ(std::get<Advert>(decode_advert(message, unicast)), kIpv4Advert);
    EXPECT_EQ(error_of(message, kIpv4Envelope), AdvertError::bad_checksum);
}

TEST(VrrpAdvert, Ipv4ChecksumWithoutPseudoHeaderForVendorsThatSumSo) {
    Bytes message = encode_advert(kIpv4Advert, kIpv4Envelope, Ipv4Checksum::message_only);
    EXPECT_EQ(message[6], 0xa3);
    EXPECT_EQ(message[7], 0xf0);
    EXPECT_EQ(std::get<Advert>(decode_advert(message, kIpv4Envelope, Ipv4Checksum::message_only)), kIpv4Advert);
    EXPECT_EQ(error_of(message, kIpv4Envelope), AdvertError::bad_checksum) << "the modes do not mix";
}

TEST(VrrpAdvert, CarriesTheLargestIntervalAndAddressCount) {
    Advert advert{255, 255, kMaxAdvertInterval, {}};
    for (int i = 0; i < 255; ++i) {
        advert.addresses.push_back(
            IpAddress::from_bytes(IpAddress::Family::v4, {198, 18, 1, static_cast<std::uint8_t>(i)}));
    }
    Bytes message = encode_advert(advert, kIpv4Envelope);
    ASSERT_EQ(message.size(), 8u + 255 * 4);
    EXPECT_EQ(message[3], 255);
    EXPECT_EQ(message[4], 0x0f);
    EXPECT_EQ(message[5], 0xff);
    EXPECT_EQ(std::get<Advert>(decode_advert(message, kIpv4Envelope)), advert);
}

TEST(VrrpAdvert, RefusesToEncodeWhatNoReceiverWouldAccept) {
    auto refused = [](Advert advert, IpEnvelope envelope = kIpv4Envelope) {
        EXPECT_THROW(encode_advert(advert, envelope), std::invalid_argument);
    };
    Advert advert = kIpv4Advert;
    advert.vrid = 0;
    refused(advert);
    advert = kIpv4Advert;
    advert.max_advert_interval = 0;
    refused(advert);
    advert.max_advert_interval = kMaxAdvertInterval + 1;
    refused(advert);
    advert = kIpv4Advert;
    advert.addresses.clear();
    refused(advert);
    advert.addresses.assign(256, ip("198.18.0.100"));
    refused(advert);
    advert.addresses = {ip("198.18.0.100"), ip("fd00::1")};
    refused(advert);
    refused(kIpv4Advert, {ip("198.18.0.1"), ip("ff02::12"), 255});
    refused(kIpv4Advert, kIpv6Envelope);
}

TEST(VrrpAdvert, RejectsSourceAndDestinationOfDifferentFamilies) {
    EXPECT_EQ(error_of(kIpv4Bytes, {ip("198.18.0.1"), ip("ff02::12"), 255}), AdvertError::family_mismatch);
}

TEST(VrrpAdvert, RejectsAnyTtlButTheLinksOwn) {
    for (std::uint8_t ttl : {0, 1, 64, 254}) {
        EXPECT_EQ(error_of(kIpv4Bytes, {kIpv4Envelope.source, kIpv4Envelope.destination, ttl}),
                  AdvertError::ttl_not_255);
        EXPECT_EQ(error_of(kIpv6Bytes, {kIpv6Envelope.source, kIpv6Envelope.destination, ttl}),
                  AdvertError::ttl_not_255);
    }
}

TEST(VrrpAdvert, RejectsLessThanAHeader) {
    for (std::size_t size = 0; size < kAdvertHeaderSize; ++size) {
        EXPECT_EQ(
            error_of(Bytes(kIpv4Bytes.begin(), kIpv4Bytes.begin() + static_cast<std::ptrdiff_t>(size)), kIpv4Envelope),
            AdvertError::truncated)
            << size << " bytes";
    }
}

TEST(VrrpAdvert, RejectsOtherVersionsIncludingVrrpv2) {
    for (std::uint8_t version : {0, 1, 2, 4, 15}) {
        Bytes message = kIpv4Bytes;
        message[0] = static_cast<std::uint8_t>(version << 4 | 1);
        EXPECT_EQ(error_of(resummed(message, kIpv4Envelope), kIpv4Envelope), AdvertError::bad_version) << int(version);
    }
}

TEST(VrrpAdvert, RejectsUnknownTypes) {
    for (std::uint8_t type : {0, 2, 15}) {
        Bytes message = kIpv4Bytes;
        message[0] = static_cast<std::uint8_t>(0x30 | type);
        EXPECT_EQ(error_of(resummed(message, kIpv4Envelope), kIpv4Envelope), AdvertError::bad_type) << int(type);
    }
}

TEST(VrrpAdvert, RejectsALengthThatDisagreesWithTheCount) {
    Bytes message = kIpv4Bytes;
    message[3] = 2;  // one address short
    EXPECT_EQ(error_of(resummed(message, kIpv4Envelope), kIpv4Envelope), AdvertError::length_mismatch);
    message = kIpv4Bytes;
    message.push_back(0);  // a trailing byte
    EXPECT_EQ(error_of(message, kIpv4Envelope), AdvertError::length_mismatch);
    message.insert(message.end(), {0, 0, 0});  // a whole uncounted address
    EXPECT_EQ(error_of(message, kIpv4Envelope), AdvertError::length_mismatch);
    // IPv4-sized addresses in an IPv6 packet.
    EXPECT_EQ(error_of(kIpv4Bytes, kIpv6Envelope), AdvertError::length_mismatch);
    // IPv6-sized addresses in an IPv4 packet.
    EXPECT_EQ(error_of(kIpv6Bytes, kIpv4Envelope), AdvertError::length_mismatch);
}

TEST(VrrpAdvert, RejectsAnyChangeTheChecksumCovers) {
    for (std::size_t i = 0; i < kIpv6Bytes.size(); ++i) {
        if (i == 0 || i == 3) continue;  // version, type and count fail earlier checks
        Bytes message = kIpv6Bytes;
        message[i] ^= 0x01;
        EXPECT_EQ(error_of(message, kIpv6Envelope), AdvertError::bad_checksum) << "byte " << i;
    }
    EXPECT_EQ(error_of(kIpv6Bytes, {ip("fe80::2"), ip("ff02::12"), 255}), AdvertError::bad_checksum)
        << "the source is in the pseudo-header";
    EXPECT_EQ(error_of(kIpv4Bytes, {ip("198.18.0.1"), ip("198.18.0.2"), 255}), AdvertError::bad_checksum)
        << "the destination is in the pseudo-header";
}

TEST(VrrpAdvert, RejectsAZeroInterval) {
    Bytes message = kIpv4Bytes;
    message[5] = 0;
    EXPECT_EQ(error_of(resummed(message, kIpv4Envelope), kIpv4Envelope), AdvertError::zero_interval);
}

TEST(VrrpAdvert, IgnoresTheReservedBits) {
    Bytes message = kIpv4Bytes;
    message[4] |= 0xf0;
    EXPECT_EQ(std::get<Advert>(decode_advert(resummed(message, kIpv4Envelope), kIpv4Envelope)), kIpv4Advert);
}

TEST(VrrpAdvert, DecodesAnAdvertWithoutAddresses) {
    // RFC 5798 asks senders for at least one; receivers are not told to drop
    // one without, and the state machine needs none.
    Bytes message = resummed({0x31, 0x33, 0x64, 0x00, 0x00, 0x64, 0x00, 0x00}, kIpv4Envelope);
    EXPECT_TRUE(std::get<Advert>(decode_advert(message, kIpv4Envelope)).addresses.empty());
}

TEST(VrrpAdvert, EveryErrorReadsAsOneLine) {
    for (int error = 0; error <= static_cast<int>(AdvertError::zero_interval); ++error) {
        std::string text = to_string(static_cast<AdvertError>(error));
        EXPECT_FALSE(text.empty());
        EXPECT_EQ(text.find('\n'), std::string::npos);
        EXPECT_NE(text, "unknown advert error") << error;
    }
}

TEST(VrrpAdvert, SurvivesGarbageAndMangledAdverts) {
    // Random bytes, and valid adverts with bytes flipped, cut or appended,
    // half of them with the checksum made right so that the later checks run.
    // Whatever decodes must encode back to the same bytes (reserved bits
    // aside) and decode to the same advert.
    std::mt19937 random(5798);
    std::uniform_int_distribution<int> byte(0, 255);
    int decoded = 0;
    int rejected = 0;
    for (int round = 0; round < 20000; ++round) {
        const IpEnvelope& envelope = round % 2 ? kIpv6Envelope : kIpv4Envelope;
        Bytes message;
        if (round % 4 < 2) {
            message.resize(static_cast<std::size_t>(byte(random) % 48));
            for (auto& b : message) b = static_cast<std::uint8_t>(byte(random));
        } else {
            message = round % 2 ? kIpv6Bytes : kIpv4Bytes;
            for (int edits = 1 + byte(random) % 3; edits > 0; --edits) {
                std::size_t at = static_cast<std::size_t>(byte(random)) % message.size();
                switch (byte(random) % 3) {
                case 0:
                    message[at] = static_cast<std::uint8_t>(byte(random));
                    break;
                case 1:
                    if (message.size() > 1) message.resize(at);
                    break;
                default:
                    message.push_back(static_cast<std::uint8_t>(byte(random)));
                }
                if (message.empty()) message.push_back(0x31);
            }
        }
        if (round % 3 == 0 && message.size() >= kAdvertHeaderSize) message = resummed(message, envelope);
        auto result = decode_advert(message, envelope);
        if (std::holds_alternative<AdvertError>(result)) {
            ++rejected;
            continue;
        }
        ++decoded;
        const Advert& advert = std::get<Advert>(result);
        if (advert.addresses.empty()) continue;  // decodable, not sendable
        Bytes again = encode_advert(advert, envelope);
        EXPECT_EQ(decode_advert(again, envelope), result);
        if ((message[4] & 0xf0) == 0) {
            EXPECT_EQ(again, message);
        }
    }
    EXPECT_GT(decoded, 100) << "the mangling should leave some adverts valid";
    EXPECT_GT(rejected, 10000);
}

}  // namespace
}  // namespace xdplb::ha
