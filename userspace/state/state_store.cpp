#include "state/state_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "model/config_json.hpp"
#include "model/validate.hpp"
#include "model/validation_error.hpp"

namespace xdplb::state {

namespace {

constexpr int kFormatVersion = 1;

[[noreturn]] void fail_errno(const std::string& what) {
    throw StateError(what + ": " + std::strerror(errno));
}

// Owns a file descriptor for the few lines that need one.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

void write_all(int fd, const std::string& text, const std::string& path) {
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_errno("cannot write " + path);
        written += static_cast<std::size_t>(n);
    }
}

// Makes a rename inside `directory` durable. By then the new file is in
// place and is what a restart reads: failing here would have the caller undo
// a change that the file keeps. A crash before the directory reaches the disk
// may bring back the previous file, and that is what the warning says.
void sync_directory_after_rename(const std::filesystem::path& directory, const std::filesystem::path& file) {
    FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
        spdlog::warn("saved {}, but cannot sync {} ({}): a crash now may bring back the previous state",
                     file.string(), directory.string(), std::strerror(errno));
    }
}

}  // namespace

StateStore::StateStore(std::filesystem::path directory)
    : directory_(std::move(directory)), file_(directory_ / "state.json") {}

std::optional<model::Config> StateStore::load() const {
    std::ifstream in(file_);
    if (!in) {
        if (!std::filesystem::exists(file_)) return std::nullopt;
        throw StateError("cannot read " + file_.string());
    }
    std::stringstream text;
    text << in.rdbuf();
    auto document = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    std::string where = "state file " + file_.string();
    if (document.is_discarded()) throw StateError(where + " is not valid JSON (corrupt?); it was left untouched");
    // value("version", 0) would throw on a string and read true or 1.5 as 1.
    bool known_version = document.is_object() && document.contains("version") &&
                         document["version"].is_number_integer() && document["version"] == kFormatVersion;
    if (!known_version || !document.contains("config")) {
        throw StateError(where + " is not an xdplb state file of version " + std::to_string(kFormatVersion));
    }
    try {
        model::Config config = model::config_from_json(document["config"], model::kStateForm);
        model::validate(config);
        return config;
    } catch (const model::ValidationError& error) {
        throw StateError(where + " is invalid: " + error.what());
    }
}

void StateStore::save(const model::Config& config) const {
    std::error_code error;
    std::filesystem::create_directories(directory_, error);
    if (error) throw StateError("cannot create " + directory_.string() + ": " + error.message());

    nlohmann::json document = {{"version", kFormatVersion},
                               {"config", model::config_to_json(config, model::kStateForm)}};
    std::filesystem::path temporary = file_;
    temporary += ".tmp";
    // A leftover temporary file from a crash may carry another mode: start afresh.
    ::unlink(temporary.c_str());
    {
        FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (fd.get() < 0) fail_errno("cannot create " + temporary.string());
        write_all(fd.get(), document.dump(2) + "\n", temporary.string());
        if (::fsync(fd.get()) != 0) fail_errno("cannot sync " + temporary.string());
    }
    if (::rename(temporary.c_str(), file_.c_str()) != 0) fail_errno("cannot replace " + file_.string());
    sync_directory_after_rename(directory_, file_);
}

}  // namespace xdplb::state
