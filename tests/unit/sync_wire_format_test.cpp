#include <arpa/inet.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "sync/wire_format.hpp"
#include "temp_directory.hpp"

namespace xdplb::sync {
namespace {

SyncKey test_key() {
    std::string text = "0123456789abcdef";
    return SyncKey({text.begin(), text.end()});
}

xdplb_addr ipv4(const char* text) {
    xdplb_addr address{};
    ::inet_pton(AF_INET, text, &address.words[0]);
    return address;
}

xdplb_addr ipv6(const char* text) {
    xdplb_addr address{};
    ::inet_pton(AF_INET6, text, &address.words[0]);
    return address;
}

xdplb_flow_key client_key() {
    xdplb_flow_key key{};
    key.src = ipv4("198.18.0.2");
    key.dst = ipv4("198.18.0.100");
    key.sport = htons(46000);
    key.dport = htons(80);
    key.proto = IPPROTO_TCP;
    key.family = AF_INET;
    return key;
}

ConnectionUpdate client_half() {
    ConnectionUpdate update;
    update.table = SyncTable::established;
    update.key = client_key();
    update.rewrite.new_src = ipv4("198.18.1.1");
    update.rewrite.new_dst = ipv4("198.18.1.11");
    update.rewrite.new_sport = htons(22687);
    update.rewrite.new_dport = htons(80);
    update.rewrite.direction = XDPLB_DIR_TO_BACKEND;
    update.rewrite.replied = 1;
    update.idle_ms = 1500;
    update.farm = "web";
    update.backend = "b1";
    return update;
}

std::vector<std::uint8_t> from_hex(const std::string& hex) {
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(std::stoi(hex.substr(i, 2), nullptr, 16));
    return bytes;
}

std::string zeros(int bytes) { return std::string(2 * bytes, '0'); }

TEST(SyncWireFormat, EncodesAConnectionEndByteForByte) {
    Message message{MessageType::records, 0x0102030405060708, {ConnectionEnd{client_key()}}};
    // Header, the record (kind 2, the key without its padding), then the
    // HMAC-SHA256 of all that under the key, computed apart with Python's hmac.
    auto expected = from_hex("584c4253" "01" "01" "0001" "0102030405060708" "02" "c6120002" + zeros(12) +
                             "c6120064" + zeros(12) + "b3b0" "0050" "06" "02" +
                             "f4ae33c83dba3ece9879dddc342e55d236e4bb46aafb994d1894f007b2ac94b4");
    EXPECT_EQ(encode(message, test_key()), expected);
    EXPECT_EQ(decode(expected, test_key()), message);
}

TEST(SyncWireFormat, RoundTripsEveryKindOfRecord) {
    PersistenceUpdate sticky{"web6", AF_INET6, ipv6("fd00::2"), "b-2", 60000};
    PersistenceEnd forgotten{"web6", AF_INET6, ipv6("fd00::3")};
    ConnectionUpdate half_open = client_half();
    half_open.table = SyncTable::half_open;
    half_open.rewrite.replied = 0;
    Message message{MessageType::records, 42, {client_half(), half_open, ConnectionEnd{client_key()}, sticky, forgotten}};
    EXPECT_EQ(decode(encode(message, test_key()), test_key()), message);
}

TEST(SyncWireFormat, RoundTripsTheResyncSignals) {
    for (MessageType type : {MessageType::resync_request, MessageType::resync_complete}) {
        Message message{type, 7, {}};
        EXPECT_EQ(decode(encode(message, test_key()), test_key()), message);
    }
}

TEST(SyncWireFormat, BatchesRecordsUnderTheDatagramLimitInSequence) {
    std::vector<Record> records(100, client_half());
    SequenceClock sequence;
    auto datagrams = encode_batches(records, sequence, 1000, test_key());
    ASSERT_GT(datagrams.size(), 1u);
    std::size_t decoded = 0;
    std::uint64_t last_sequence = 0;
    for (const Datagram& datagram : datagrams) {
        EXPECT_LE(datagram.size(), kMaxDatagramBytes);
        Message message = decode(datagram, test_key());
        EXPECT_GT(message.sequence, last_sequence);
        last_sequence = message.sequence;
        decoded += message.records.size();
    }
    EXPECT_EQ(decoded, records.size());
    // Full datagrams: no fewer would do.
    std::size_t record_bytes = (datagrams[0].size() - kHeaderBytes - kMacBytes) / decode(datagrams[0], test_key()).records.size();
    EXPECT_GT(datagrams[0].size() + record_bytes, kMaxDatagramBytes);
    EXPECT_TRUE(encode_batches({}, sequence, 1000, test_key()).empty());
}

TEST(SyncWireFormat, RefusesATamperedDatagram) {
    Datagram good = encode({MessageType::records, 9, {client_half()}}, test_key());
    for (std::size_t i = 0; i < good.size(); ++i) {
        Datagram bad = good;
        bad[i] ^= 0x01;
        EXPECT_THROW(decode(bad, test_key()), SyncError) << "byte " << i;
    }
}

TEST(SyncWireFormat, RefusesAnotherKey) {
    std::string other = "fedcba9876543210";
    Datagram datagram = encode({MessageType::records, 9, {client_half()}}, test_key());
    EXPECT_THROW(decode(datagram, SyncKey({other.begin(), other.end()})), SyncError);
}

TEST(SyncWireFormat, RefusesEveryTruncation) {
    Datagram good = encode({MessageType::records, 9, {client_half()}}, test_key());
    for (std::size_t length = 0; length < good.size(); ++length)
        EXPECT_THROW(decode(std::span(good).first(length), test_key()), SyncError) << length;
}

// Datagrams signed with the right key whose content is wrong: what a buggy
// or newer peer might send.
TEST(SyncWireFormat, RefusesWellSignedNonsense) {
    SyncKey key = test_key();
    auto resigned = [&](Datagram body) {
        body.resize(body.size() - kMacBytes);
        Mac mac = key.mac(body);
        body.insert(body.end(), mac.begin(), mac.end());
        return body;
    };
    Datagram good = encode({MessageType::records, 9, {client_half()}}, key);
    auto with = [&](std::size_t offset, std::uint8_t value) {
        Datagram bad = good;
        bad[offset] = value;
        return resigned(bad);
    };
    EXPECT_THROW(decode(with(4, 2), key), SyncError);    // version
    EXPECT_THROW(decode(with(5, 9), key), SyncError);    // message type
    EXPECT_THROW(decode(with(7, 2), key), SyncError);    // more records than sent
    EXPECT_THROW(decode(with(7, 0), key), SyncError);    // bytes after the records
    EXPECT_THROW(decode(with(16, 7), key), SyncError);   // record kind
    EXPECT_THROW(decode(with(17, 2), key), SyncError);   // table
    EXPECT_THROW(decode(with(22, 1), key), SyncError);   // an IPv4 address's unused bytes
    EXPECT_THROW(decode(with(54, 17 + 1), key), SyncError);  // protocol
    EXPECT_THROW(decode(with(55, 3), key), SyncError);       // family
    EXPECT_THROW(decode(with(92, 3), key), SyncError);       // direction
    EXPECT_THROW(decode(with(93, 4), key), SyncError);       // closing
    EXPECT_THROW(decode(with(94, 2), key), SyncError);       // replied
    EXPECT_THROW(decode(with(100, '/'), key), SyncError);    // a name's character
    EXPECT_THROW(decode(with(99, 0), key), SyncError);       // an empty name
    EXPECT_NO_THROW(decode(resigned(good), key));
}

TEST(SyncWireFormat, RefusesToSendAnInvalidName) {
    ConnectionUpdate update = client_half();
    update.farm = std::string(33, 'a');
    EXPECT_THROW(encode({MessageType::records, 1, {update}}, test_key()), SyncError);
}

// Random bytes, and random changes to a good datagram signed anew: decoding
// throws SyncError or returns, never anything else.
TEST(SyncWireFormat, SurvivesAFuzzLoop) {
    SyncKey key = test_key();
    std::mt19937 random(7);
    Datagram good = encode({MessageType::records, 9, {client_half(), ConnectionEnd{client_key()}}}, key);
    for (int round = 0; round < 20000; ++round) {
        Datagram bytes = good;
        bytes.resize(bytes.size() - kMacBytes);
        int changes = 1 + random() % 4;
        for (int i = 0; i < changes; ++i) {
            switch (random() % 3) {
            case 0: bytes[random() % bytes.size()] = static_cast<std::uint8_t>(random()); break;
            case 1: bytes.resize(random() % (bytes.size() + 1)); break;
            case 2: bytes.push_back(static_cast<std::uint8_t>(random())); break;
            }
            if (bytes.empty()) bytes.push_back(0);
        }
        if (round % 2 == 0) {
            Mac mac = key.mac(bytes);
            bytes.insert(bytes.end(), mac.begin(), mac.end());
        }
        try {
            decode(bytes, key);
        } catch (const SyncError&) {
        }
    }
}

TEST(SyncKey, ComesFromAFileWithoutItsTrailingNewline) {
    testing::TempDirectory directory("sync-key");
    auto path = directory.path() / "key";
    std::ofstream(path) << "0123456789abcdef\n";
    Datagram datagram = encode({MessageType::resync_request, 1, {}}, test_key());
    EXPECT_NO_THROW(decode(datagram, SyncKey::from_file(path)));
}

TEST(SyncKey, RefusesAShortOrMissingFile) {
    testing::TempDirectory directory("sync-key");
    auto path = directory.path() / "key";
    std::ofstream(path) << "short\n";
    EXPECT_THROW(SyncKey::from_file(path), SyncError);
    EXPECT_THROW(SyncKey::from_file(directory.path() / "missing"), SyncError);
}

}  // namespace
}  // namespace xdplb::sync
