#include "api/api_key.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace xdplb::api {

namespace {

using Digest = std::array<unsigned char, SHA256_DIGEST_LENGTH>;

// Comparing digests of equal size hides the key's length as well as its content.
Digest digest_of(std::string_view text) {
    Digest digest{};
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
    return digest;
}

bool printable_without_spaces(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char character) { return character > ' ' && character < 0x7f; });
}

}  // namespace

ApiKey ApiKey::from_file(const std::filesystem::path& path) {
    const std::string name = "API key file " + path.string();
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) throw ApiKeyError("cannot read " + name + ": " + std::strerror(errno));
    if (!S_ISREG(status.st_mode)) throw ApiKeyError(name + " is not a regular file");
    if ((status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
        throw ApiKeyError(name + " has mode " + mode + ": its group or others may use it; chmod 600 it");
    }
    std::ifstream in(path);
    std::string key;
    if (!in || !std::getline(in, key)) throw ApiKeyError("cannot read " + name + " (or it is empty)");
    if (key.size() < kMinBytes) {
        throw ApiKeyError(name + ": the key has " + std::to_string(key.size()) + " characters, at least " +
                          std::to_string(kMinBytes) + " are needed");
    }
    if (!printable_without_spaces(key)) {
        throw ApiKeyError(name + ": the key must be printable ASCII without spaces (e.g. openssl rand -hex 32)");
    }
    return ApiKey(std::move(key));
}

bool ApiKey::matches(std::string_view offered) const {
    const Digest expected = digest_of(text_);
    const Digest given = digest_of(offered);
    return CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

}  // namespace xdplb::api
