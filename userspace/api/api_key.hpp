// The secret a TCP client of the API proves it holds (docs/api.md, "TCP").
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xdplb::api {

// The key file cannot be used; the message is one line naming the file.
class ApiKeyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ApiKey {
public:
    // Shorter keys could be guessed by trying them over the network.
    static constexpr std::size_t kMinBytes = 16;

    // The file's first line. The file must be a regular file that neither its
    // group nor others may read (a key others can read is no secret), and the key
    // printable ASCII without spaces, so that it travels intact in a JSON string.
    // Throws ApiKeyError.
    static ApiKey from_file(const std::filesystem::path& path);

    // Whether `offered` is the key, in a time that tells nothing about how much
    // of it is right, or how long the key is.
    bool matches(std::string_view offered) const;
    const std::string& text() const { return text_; }

private:
    explicit ApiKey(std::string text) : text_(std::move(text)) {}

    std::string text_;
};

}  // namespace xdplb::api
