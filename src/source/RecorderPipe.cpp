#include "confcap/source/RecorderPipe.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "confcap/core/Error.h"

namespace confcap::source {

namespace {

// A larger pipe lets the program write on while a sink's disk write is slow.
constexpr int kPipeSize = 1024 * 1024;
constexpr const char* kPipePrefix = ".recorder-";

std::filesystem::path pipePath(const std::filesystem::path& folder) {
    std::error_code ec;
    const std::filesystem::path base =
        std::filesystem::absolute(folder.empty() ? std::filesystem::path(".") : folder, ec);
    static std::atomic<unsigned> pipes{0};
    return base /
           (kPipePrefix + std::to_string(::getpid()) + "-" + std::to_string(++pipes) + ".ts");
}

}  // namespace

RecorderPipe::RecorderPipe(const std::filesystem::path& folder) : path_(pipePath(folder)) {
    std::error_code ec;
    for (auto made = path_.parent_path();
         !made.empty() && !std::filesystem::exists(made, ec) && !ec; made = made.parent_path()) {
        madeFolders_.push_back(made);
    }
    std::filesystem::create_directories(path_.parent_path(), ec);
    std::filesystem::remove(path_, ec);
    if (::mkfifo(path_.c_str(), 0600) != 0) {
        const int error = errno;
        removeMadeFolders();
        throw core::SourceError("Cannot make the named pipe " + path_.string() +
                                    " for the recorder: " + std::string(std::strerror(error)) +
                                    " (the output folder must allow named pipes).",
                                core::ErrorKind::Permanent);
    }
    fd_ = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) {
        const int error = errno;
        std::filesystem::remove(path_, ec);
        removeMadeFolders();
        throw core::SourceError("Cannot open the named pipe " + path_.string() + ": " +
                                    std::string(std::strerror(error)) + ".",
                                core::ErrorKind::Permanent);
    }
    ::fcntl(fd_, F_SETPIPE_SZ, kPipeSize);
}

RecorderPipe::~RecorderPipe() {
    close();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    removeMadeFolders();
}

void RecorderPipe::close() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

// Deepest first; a folder that holds anything stays.
void RecorderPipe::removeMadeFolders() noexcept {
    std::error_code ec;
    for (const auto& folder : madeFolders_) {
        if (!std::filesystem::remove(folder, ec)) {
            break;
        }
    }
}

std::size_t RecorderPipe::removeStale(const std::filesystem::path& folder) noexcept {
    std::size_t removed = 0;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
         it.increment(ec)) {
        // ".recorder-<pid>-<n>.ts", made by the process <pid>.
        const std::string name = it->path().filename().string();
        std::error_code entryError;
        if (!name.starts_with(kPipePrefix) || !it->is_fifo(entryError)) {
            continue;
        }
        const int pid = std::atoi(name.c_str() + std::strlen(kPipePrefix));
        if (pid > 0 && (::kill(pid, 0) == 0 || errno != ESRCH)) {
            continue;
        }
        if (std::filesystem::remove(it->path(), entryError)) {
            ++removed;
        }
    }
    return removed;
}

}  // namespace confcap::source
