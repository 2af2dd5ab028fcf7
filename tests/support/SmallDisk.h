// A real small file system for the tests of a full disk: a tmpfs of a few megabytes mounted on
// a temporary folder (root only), and a ballast file that fills it up and is deleted again, the
// way a user frees space in the middle of the night.
#pragma once

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "support/MediaTestSupport.h"

namespace confcap::testing {

class SmallDisk {
public:
    /// Mounts a tmpfs of `megabytes` on a new temporary folder. mounted() says whether it could
    /// be (root only); why() says why not.
    explicit SmallDisk(int megabytes) {
        const auto options = "size=" + std::to_string(megabytes) + "m";
        if (::mount("tmpfs", dir_.path.c_str(), "tmpfs", 0, options.c_str()) == 0) {
            mounted_ = true;
        } else {
            why_ = std::string("mounting a tmpfs failed: ") + std::strerror(errno) +
                   " (the full-disk tests need root)";
        }
    }
    ~SmallDisk() {
        if (mounted_) {
            ::umount2(dir_.path.c_str(), MNT_DETACH);
        }
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;

    bool mounted() const noexcept { return mounted_; }
    const std::string& why() const noexcept { return why_; }
    const std::filesystem::path& path() const noexcept { return dir_.path; }

    /// Writes a ballast file until the disk is full; returns its size.
    std::uintmax_t fill() {
        const auto file = dir_.path / "ballast";
        const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        const std::string block(64 * 1024, 'x');
        if (fd >= 0) {
            // Whole blocks, then single pages, then bytes, so nothing is left over.
            for (std::size_t size : {block.size(), std::size_t{4096}, std::size_t{1}}) {
                while (::write(fd, block.data(), size) == static_cast<ssize_t>(size)) {
                }
            }
            ::close(fd);
        }
        std::error_code error;
        const auto size = std::filesystem::file_size(file, error);
        return error ? 0 : size;
    }
    /// Deletes the ballast: the space is back.
    void free() {
        std::error_code ignored;
        std::filesystem::remove(dir_.path / "ballast", ignored);
    }

private:
    TempDir dir_;
    bool mounted_ = false;
    std::string why_;
};

}  // namespace confcap::testing
