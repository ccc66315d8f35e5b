#include "sync/sync_key.hpp"

#include <fstream>
#include <iterator>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace xdplb::sync {

SyncKey::SyncKey(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {
    if (bytes_.size() < kMinBytes)
        throw SyncError("sync key has " + std::to_string(bytes_.size()) + " bytes, at least " +
                        std::to_string(kMinBytes) + " are needed");
}

SyncKey SyncKey::from_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw SyncError("cannot read sync key file " + path.string());
    std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!bytes.empty() && bytes.back() == '\n') bytes.pop_back();
    try {
        return SyncKey(std::move(bytes));
    } catch (const SyncError& e) {
        throw SyncError(path.string() + ": " + e.what());
    }
}

Mac SyncKey::mac(std::span<const std::uint8_t> data) const {
    Mac out{};
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), bytes_.data(), static_cast<int>(bytes_.size()), data.data(), data.size(), out.data(),
             &length) == nullptr ||
        length != out.size())
        throw SyncError("HMAC-SHA256 failed");
    return out;
}

bool SyncKey::verify(std::span<const std::uint8_t> data, std::span<const std::uint8_t> mac) const {
    if (mac.size() != kMacBytes) return false;
    Mac expected = this->mac(data);
    return CRYPTO_memcmp(expected.data(), mac.data(), kMacBytes) == 0;
}

}  // namespace xdplb::sync
