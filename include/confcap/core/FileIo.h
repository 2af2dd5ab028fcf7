// Low-level file helpers shared by the modules: owning and writing POSIX descriptors, finding a
// program the way a shell does, and naming a file in a message.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace confcap::core {

/// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
    ~FileDescriptor();
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const noexcept { return fd_; }
    /// Gives up the descriptor without closing it.
    int release() noexcept {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_;
};

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR. Returns false with errno set
/// when a write fails (ENOSPC, EFBIG, EPIPE...). Any thread.
bool writeAll(int fd, std::string_view bytes) noexcept;

/// Replaces the file at `path` with `bytes` so that it is either the old file or the whole new
/// one: written to a temporary file of its own beside it ("<path>.<pid>-<n>.tmp"), flushed to disk
/// (fsync), then renamed over `path`. On failure (a full disk) the temporary file is removed, the
/// old file is left whole, and false is returned with errno set. Any thread.
bool replaceFile(const std::filesystem::path& path, std::string_view bytes) noexcept;

/// The executable file `program` resolves to through the PATH variable (or `program` itself when
/// it holds a '/'); empty when none.
std::filesystem::path findOnPath(std::string_view program);

/// A path as messages name it: in double quotes. Pure.
std::string quotedPath(const std::filesystem::path& path);

}  // namespace confcap::core
