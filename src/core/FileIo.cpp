#include "confcap/core/FileIo.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace confcap::core {

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool writeAll(int fd, std::string_view bytes) noexcept {
    while (!bytes.empty()) {
        const auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool replaceFile(const std::filesystem::path& path, std::string_view bytes) noexcept {
    // A name of this call's own: two processes (or threads) replacing the same file never write
    // into one temporary file.
    static std::atomic<unsigned> calls{0};
    std::string temporary;
    try {
        temporary = path.string() + "." + std::to_string(::getpid()) + "-" +
                    std::to_string(calls.fetch_add(1)) + ".tmp";
    } catch (...) {
        errno = ENOMEM;
        return false;
    }
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return false;
    }
    bool ok = writeAll(fd, bytes) && ::fsync(fd) == 0;
    int error = ok ? 0 : errno;
    if (::close(fd) != 0 && ok) {
        ok = false;
        error = errno;
    }
    if (ok && ::rename(temporary.c_str(), path.c_str()) != 0) {
        ok = false;
        error = errno;
    }
    if (!ok) {
        ::unlink(temporary.c_str());
        errno = error;
    }
    return ok;
}

std::filesystem::path findOnPath(std::string_view program) {
    if (program.find('/') != std::string_view::npos) {
        std::error_code ec;
        return std::filesystem::is_regular_file(program, ec) &&
                       ::access(std::string(program).c_str(), X_OK) == 0
                   ? std::filesystem::path(program)
                   : std::filesystem::path();
    }
    const char* path = std::getenv("PATH");
    std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
        const auto colon = dirs.find(':');
        const auto dir = dirs.substr(0, colon);
        dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
        const auto candidate =
            std::filesystem::path(dir.empty() ? "." : std::string(dir)) / std::string(program);
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return {};
}

std::string quotedPath(const std::filesystem::path& path) {
    return "\"" + path.string() + "\"";
}

}  // namespace confcap::core
