#include "sync/wire_format.hpp"

#include <sys/socket.h>
#include <netinet/in.h>

#include <cstring>
#include <string>
#include <type_traits>

#include "model/validate.hpp"

namespace xdplb::sync {

namespace {

constexpr std::uint8_t kMagic[4] = {'X', 'L', 'B', 'S'};

enum class RecordKind : std::uint8_t {
    connection_update = 1,
    connection_end = 2,
    persistence_update = 3,
    persistence_end = 4,
};

class Writer {
public:
    explicit Writer(Datagram& out) : out_(out) {}

    void u8(std::uint8_t value) { out_.push_back(value); }
    void u16(std::uint16_t value) { big_endian(value, 2); }
    void u32(std::uint32_t value) { big_endian(value, 4); }
    void u64(std::uint64_t value) { big_endian(value, 8); }
    // Kept in network byte order already: copied as is.
    void raw(const void* data, std::size_t size) {
        auto bytes = static_cast<const std::uint8_t*>(data);
        out_.insert(out_.end(), bytes, bytes + size);
    }
    void name(const std::string& text) {
        if (!model::is_valid_name(text)) throw SyncError("cannot send the name '" + text + "'");
        u8(static_cast<std::uint8_t>(text.size()));
        raw(text.data(), text.size());
    }

private:
    void big_endian(std::uint64_t value, int bytes) {
        for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    }

    Datagram& out_;
};

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}

    std::uint8_t u8() { return static_cast<std::uint8_t>(big_endian(1)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(big_endian(2)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(big_endian(4)); }
    std::uint64_t u64() { return big_endian(8); }
    void raw(void* out, std::size_t size) { std::memcpy(out, take(size).data(), size); }
    std::string name() {
        std::size_t length = u8();
        auto bytes = take(length);
        std::string text(bytes.begin(), bytes.end());
        if (!model::is_valid_name(text)) throw SyncError("a record has an invalid farm or backend name");
        return text;
    }
    bool at_end() const { return in_.empty(); }

private:
    std::span<const std::uint8_t> take(std::size_t size) {
        if (in_.size() < size) throw SyncError("datagram truncated");
        auto bytes = in_.first(size);
        in_ = in_.subspan(size);
        return bytes;
    }
    std::uint64_t big_endian(std::size_t bytes) {
        std::uint64_t value = 0;
        for (std::uint8_t b : take(bytes)) value = value << 8 | b;
        return value;
    }

    std::span<const std::uint8_t> in_;
};

// ----------------------------------------------------------------- fields
void write_address(Writer& out, const xdplb_addr& address) { out.raw(&address, sizeof address); }

void write_key(Writer& out, const xdplb_flow_key& key) {
    write_address(out, key.src);
    write_address(out, key.dst);
    out.raw(&key.sport, 2);
    out.raw(&key.dport, 2);
    out.u8(key.proto);
    out.u8(key.family);
}

void check_family(std::uint8_t family) {
    if (family != AF_INET && family != AF_INET6) throw SyncError("a record has an unknown address family");
}

// An IPv4 address has its last three words zero (abi.h), as the maps hash it.
xdplb_addr read_address(Reader& in, std::uint8_t family) {
    xdplb_addr address{};
    in.raw(&address, sizeof address);
    if (family == AF_INET && (address.words[1] | address.words[2] | address.words[3]) != 0)
        throw SyncError("a record has an IPv4 address longer than 4 bytes");
    return address;
}

xdplb_flow_key read_key(Reader& in) {
    xdplb_flow_key key{};
    in.raw(&key.src, sizeof key.src);
    in.raw(&key.dst, sizeof key.dst);
    in.raw(&key.sport, 2);
    in.raw(&key.dport, 2);
    key.proto = in.u8();
    key.family = in.u8();
    check_family(key.family);
    if (key.proto != IPPROTO_TCP && key.proto != IPPROTO_UDP) throw SyncError("a record has an unknown protocol");
    for (const xdplb_addr* address : {&key.src, &key.dst}) {
        Reader again({reinterpret_cast<const std::uint8_t*>(address), sizeof *address});
        read_address(again, key.family);
    }
    return key;
}

// ----------------------------------------------------------------- records
void write(Writer& out, const ConnectionUpdate& update) {
    out.u8(static_cast<std::uint8_t>(update.table));
    write_key(out, update.key);
    write_address(out, update.rewrite.new_src);
    write_address(out, update.rewrite.new_dst);
    out.raw(&update.rewrite.new_sport, 2);
    out.raw(&update.rewrite.new_dport, 2);
    out.u8(update.rewrite.direction);
    out.u8(update.rewrite.closing);
    out.u8(update.rewrite.replied);
    out.u32(update.idle_ms);
    out.name(update.farm);
    out.name(update.backend);
}

void write(Writer& out, const ConnectionEnd& end) { write_key(out, end.key); }

void write(Writer& out, const PersistenceUpdate& update) {
    out.name(update.farm);
    out.u8(update.family);
    write_address(out, update.source);
    out.name(update.backend);
    out.u32(update.idle_ms);
}

void write(Writer& out, const PersistenceEnd& end) {
    out.name(end.farm);
    out.u8(end.family);
    write_address(out, end.source);
}

RecordKind kind_of(const Record& record) {
    return std::visit(
        [](const auto& r) {
            using T = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<T, ConnectionUpdate>) return RecordKind::connection_update;
            if constexpr (std::is_same_v<T, ConnectionEnd>) return RecordKind::connection_end;
            if constexpr (std::is_same_v<T, PersistenceUpdate>) return RecordKind::persistence_update;
            if constexpr (std::is_same_v<T, PersistenceEnd>) return RecordKind::persistence_end;
        },
        record);
}

void write_record(Writer& out, const Record& record) {
    out.u8(static_cast<std::uint8_t>(kind_of(record)));
    std::visit([&](const auto& r) { write(out, r); }, record);
}

ConnectionUpdate read_connection_update(Reader& in) {
    ConnectionUpdate update;
    std::uint8_t table = in.u8();
    if (table > static_cast<std::uint8_t>(SyncTable::half_open)) throw SyncError("a record names an unknown table");
    update.table = static_cast<SyncTable>(table);
    update.key = read_key(in);
    update.rewrite.new_src = read_address(in, update.key.family);
    update.rewrite.new_dst = read_address(in, update.key.family);
    in.raw(&update.rewrite.new_sport, 2);
    in.raw(&update.rewrite.new_dport, 2);
    update.rewrite.direction = in.u8();
    update.rewrite.closing = in.u8();
    update.rewrite.replied = in.u8();
    if (update.rewrite.direction > XDPLB_DIR_DSR) throw SyncError("a record has an unknown direction");
    if (update.rewrite.closing > XDPLB_RESET) throw SyncError("a record has an unknown closing state");
    if (update.rewrite.replied > 1) throw SyncError("a record has an invalid replied flag");
    update.idle_ms = in.u32();
    update.farm = in.name();
    update.backend = in.name();
    return update;
}

PersistenceUpdate read_persistence_update(Reader& in) {
    PersistenceUpdate update;
    update.farm = in.name();
    update.family = in.u8();
    check_family(update.family);
    update.source = read_address(in, update.family);
    update.backend = in.name();
    update.idle_ms = in.u32();
    return update;
}

PersistenceEnd read_persistence_end(Reader& in) {
    PersistenceEnd end;
    end.farm = in.name();
    end.family = in.u8();
    check_family(end.family);
    end.source = read_address(in, end.family);
    return end;
}

Record read_record(Reader& in) {
    switch (static_cast<RecordKind>(in.u8())) {
    case RecordKind::connection_update: return read_connection_update(in);
    case RecordKind::connection_end: return ConnectionEnd{read_key(in)};
    case RecordKind::persistence_update: return read_persistence_update(in);
    case RecordKind::persistence_end: return read_persistence_end(in);
    }
    throw SyncError("a record of unknown kind");
}

void write_header(Writer& out, MessageType type, std::size_t records, std::uint64_t sequence) {
    out.raw(kMagic, sizeof kMagic);
    out.u8(kWireVersion);
    out.u8(static_cast<std::uint8_t>(type));
    out.u16(static_cast<std::uint16_t>(records));
    out.u64(sequence);
}

Datagram sealed(Datagram body, const SyncKey& key) {
    Mac mac = key.mac(body);
    body.insert(body.end(), mac.begin(), mac.end());
    if (body.size() > kMaxDatagramBytes) throw SyncError("sync datagram over " + std::to_string(kMaxDatagramBytes) + " bytes");
    return body;
}

}  // namespace

Datagram encode(const Message& message, const SyncKey& key) {
    if (message.type != MessageType::records && !message.records.empty())
        throw SyncError("only a records message carries records");
    Datagram out;
    Writer writer(out);
    write_header(writer, message.type, message.records.size(), message.sequence);
    for (const Record& record : message.records) write_record(writer, record);
    return sealed(std::move(out), key);
}

std::vector<Datagram> encode_batches(const std::vector<Record>& records, SequenceClock& sequence,
                                     std::uint64_t now_ns, const SyncKey& key) {
    std::vector<Datagram> datagrams;
    Datagram body;
    std::size_t in_body = 0;
    auto flush = [&] {
        if (in_body == 0) return;
        Datagram out;
        Writer writer(out);
        write_header(writer, MessageType::records, in_body, sequence.next(now_ns));
        out.insert(out.end(), body.begin(), body.end());
        datagrams.push_back(sealed(std::move(out), key));
        body.clear();
        in_body = 0;
    };
    for (const Record& record : records) {
        Datagram encoded;
        Writer writer(encoded);
        write_record(writer, record);
        if (kHeaderBytes + body.size() + encoded.size() + kMacBytes > kMaxDatagramBytes) flush();
        body.insert(body.end(), encoded.begin(), encoded.end());
        ++in_body;
    }
    flush();
    return datagrams;
}

Message decode(std::span<const std::uint8_t> datagram, const SyncKey& key) {
    if (datagram.size() < kHeaderBytes + kMacBytes) throw SyncError("datagram truncated");
    if (datagram.size() > kMaxDatagramBytes) throw SyncError("datagram too long");
    auto body = datagram.first(datagram.size() - kMacBytes);
    if (!key.verify(body, datagram.last(kMacBytes))) throw SyncError("datagram fails authentication");

    Reader in(body);
    std::uint8_t magic[sizeof kMagic];
    in.raw(magic, sizeof magic);
    if (std::memcmp(magic, kMagic, sizeof kMagic) != 0) throw SyncError("not a sync datagram");
    if (std::uint8_t version = in.u8(); version != kWireVersion)
        throw SyncError("sync wire version " + std::to_string(version) + " is not supported");
    Message message;
    std::uint8_t type = in.u8();
    if (type < static_cast<std::uint8_t>(MessageType::records) ||
        type > static_cast<std::uint8_t>(MessageType::resync_complete))
        throw SyncError("sync message of unknown type");
    message.type = static_cast<MessageType>(type);
    std::uint16_t count = in.u16();
    message.sequence = in.u64();
    if (message.type != MessageType::records && count != 0) throw SyncError("only a records message carries records");
    for (std::uint16_t i = 0; i < count; ++i) message.records.push_back(read_record(in));
    if (!in.at_end()) throw SyncError("datagram has bytes after its records");
    return message;
}

}  // namespace xdplb::sync
