// A real file system whose files can share blocks, for the overlap of back-to-back talks: a small
// XFS image (mkfs.xfs makes it with reflink on) mounted through a loop device on a temporary
// folder (root only). The blocks in use, and the blocks a file shares, tell what the files cost
// on disk.
#pragma once

#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "confcap/core/FileIo.h"
#include "support/RunProcess.h"
#include "support/TempDir.h"

namespace confcap::testing {

class SharingDisk {
public:
    /// Makes an XFS image of `megabytes` and mounts it on a new temporary folder. mounted() says
    /// whether it could be (root, mkfs.xfs and a loop device); why() says why not.
    explicit SharingDisk(int megabytes) {
        const auto image = dir_.path / "xfs.img";
        std::filesystem::create_directories(mountPoint());
        std::ofstream(image).close();
        std::filesystem::resize_file(image, static_cast<std::uintmax_t>(megabytes) * 1024 * 1024);
        const auto made = runProcess("/sbin/mkfs.xfs", {"-q", image.string()});
        if (made.exitCode != 0) {
            why_ = "mkfs.xfs could not make an XFS image (xfsprogs missing?): " + made.err;
            return;
        }
        const auto mount =
            runProcess("/bin/mount", {"-o", "loop", image.string(), mountPoint().string()});
        if (mount.exitCode != 0) {
            why_ = "mounting an XFS image failed (root and a loop device needed): " + mount.err;
            return;
        }
        mounted_ = true;
    }
    ~SharingDisk() {
        if (mounted_) {
            ::umount2(mountPoint().c_str(), MNT_DETACH);
        }
    }
    SharingDisk(const SharingDisk&) = delete;
    SharingDisk& operator=(const SharingDisk&) = delete;

    bool mounted() const noexcept { return mounted_; }
    const std::string& why() const noexcept { return why_; }
    std::filesystem::path path() const { return mountPoint(); }

    /// The bytes the file system has in use, after writing back what is cached.
    std::uint64_t usedBytes() const {
        ::sync();
        struct statvfs fs {};
        if (::statvfs(mountPoint().c_str(), &fs) != 0) {
            return 0;
        }
        return static_cast<std::uint64_t>(fs.f_blocks - fs.f_bfree) * fs.f_frsize;
    }

    /// The bytes of `file` whose blocks another file shares too (FIEMAP).
    static std::uint64_t sharedBytes(const std::filesystem::path& file) {
        const core::FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
        constexpr unsigned kExtents = 512;
        std::vector<std::uint8_t> buffer(sizeof(fiemap) + kExtents * sizeof(fiemap_extent));
        auto* map = reinterpret_cast<fiemap*>(buffer.data());
        map->fm_length = FIEMAP_MAX_OFFSET;
        map->fm_flags = FIEMAP_FLAG_SYNC;
        map->fm_extent_count = kExtents;
        if (fd.get() < 0 || ::ioctl(fd.get(), FS_IOC_FIEMAP, map) != 0) {
            return 0;
        }
        std::uint64_t shared = 0;
        for (unsigned i = 0; i < map->fm_mapped_extents; ++i) {
            if ((map->fm_extents[i].fe_flags & FIEMAP_EXTENT_SHARED) != 0) {
                shared += map->fm_extents[i].fe_length;
            }
        }
        return shared;
    }

private:
    std::filesystem::path mountPoint() const { return dir_.path / "xfs"; }

    TempDir dir_;
    bool mounted_ = false;
    std::string why_;
};

}  // namespace confcap::testing
