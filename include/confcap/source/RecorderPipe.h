// The named pipe an external recorder writes the stream into: made for one run under a name that
// tells which confcap process made it, read without blocking, and gone with the run, or left
// behind only by a confcap that was killed, to be removed by the next one.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

namespace confcap::source {

/// A named pipe, open for reading. Used on one thread.
class RecorderPipe {
public:
    /// Makes the pipe ".recorder-<pid>-<n>.ts" in `folder` (made when missing; the current folder
    /// when empty) and opens it without blocking; its path is absolute, so that a program's
    /// command line names it wherever that runs. Throws core::SourceError (Permanent) when it
    /// cannot be made or opened; nothing it made is left then.
    explicit RecorderPipe(const std::filesystem::path& folder);
    /// Closes and removes the pipe, and the folders made for it when nothing else went into them
    /// (a capture's folder appears only with its file).
    ~RecorderPipe();
    RecorderPipe(const RecorderPipe&) = delete;
    RecorderPipe& operator=(const RecorderPipe&) = delete;

    /// The read end (non-blocking); -1 once closed.
    int fd() const noexcept { return fd_; }
    /// Where the pipe is, absolute: what the program's {output} names.
    const std::filesystem::path& path() const noexcept { return path_; }
    /// Closes the read end (after the writer's end of file); the pipe stays until destruction.
    void close() noexcept;

    /// Removes the named pipes in `folder` that a killed confcap left behind (those whose
    /// process no longer runs). Returns how many went. Never throws.
    static std::size_t removeStale(const std::filesystem::path& folder) noexcept;

private:
    void removeMadeFolders() noexcept;

    std::filesystem::path path_;
    std::vector<std::filesystem::path> madeFolders_;  // deepest first
    int fd_ = -1;
};

}  // namespace confcap::source
