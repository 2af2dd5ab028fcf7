#include "confcap/sink/OverlapLedger.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "confcap/core/FileIo.h"

namespace confcap::sink {

namespace {

constexpr std::uint64_t kPacket = 188;
/// One request shares at most this much: file systems cap a request (btrfs at 16 MiB), and the
/// later talk's writes wait while a request compares its bytes.
constexpr std::uint64_t kStep = 4u << 20;

}  // namespace

OverlapLedger::OverlapLedger(std::uint64_t blockSize) : blockSize_(blockSize) {}

bool OverlapLedger::sharing() const {
    std::lock_guard lock(mutex_);
    return sharing_;
}

void OverlapLedger::wrote(const core::Chunk& chunk, const std::filesystem::path& file,
                          std::uint64_t offset) {
    std::lock_guard lock(mutex_);
    if (!last_.empty() && !last_.front().of(chunk)) {
        last_.clear();
    }
    last_.emplace_back(chunk, file, offset);
}

std::optional<Overlap> OverlapLedger::writtenElsewhere(const core::Chunk& chunk,
                                                       const std::filesystem::path& file) const {
    std::lock_guard lock(mutex_);
    for (const auto& write : last_) {
        if (write.of(chunk) && write.file != file) {
            return Overlap{write.file, write.offset, file, 0};
        }
    }
    return std::nullopt;
}

void OverlapLedger::pair(Overlap overlap) {
    std::lock_guard lock(mutex_);
    overlaps_.push_back(std::move(overlap));
}

std::vector<Overlap> OverlapLedger::takeOverlapsOf(const std::filesystem::path& file) {
    std::lock_guard lock(mutex_);
    std::vector<Overlap> taken;
    std::erase_if(overlaps_, [&](Overlap& overlap) {
        if (overlap.earlier != file) {
            return false;
        }
        taken.push_back(std::move(overlap));
        return true;
    });
    return taken;
}

std::optional<std::size_t> OverlapLedger::paddingPackets(std::uint64_t at,
                                                         std::uint64_t other) const {
    // Packets are 188 bytes, 4 times an odd number, so every place within a block that lies a
    // multiple of 4 bytes away is reached by fewer than blockSize / 4 packets.
    for (std::uint64_t packets = 0; packets < blockSize_ / 4; ++packets) {
        if ((at + packets * kPacket) % blockSize_ == other % blockSize_) {
            return static_cast<std::size_t>(packets);
        }
    }
    return std::nullopt;
}

std::uint64_t OverlapLedger::share(const Overlap& overlap) {
    const core::FileDescriptor later(::open(overlap.later.c_str(), O_RDONLY | O_CLOEXEC));
    const core::FileDescriptor earlier(::open(overlap.earlier.c_str(), O_WRONLY | O_CLOEXEC));
    struct stat laterStat {};
    struct stat earlierStat {};
    if (later.get() < 0 || earlier.get() < 0 || ::fstat(later.get(), &laterStat) != 0 ||
        ::fstat(earlier.get(), &earlierStat) != 0 ||
        overlap.earlierOffset % blockSize_ != overlap.laterOffset % blockSize_) {
        return 0;
    }
    // Whole blocks only: from the first block boundary on, up to the last one both files reach.
    const std::uint64_t skip = (blockSize_ - overlap.earlierOffset % blockSize_) % blockSize_;
    std::uint64_t from = overlap.earlierOffset + skip;
    std::uint64_t source = overlap.laterOffset + skip;
    const auto sizeOf = [](const struct stat& s) { return static_cast<std::uint64_t>(s.st_size); };
    if (sizeOf(earlierStat) <= from || sizeOf(laterStat) <= source) {
        return 0;
    }
    std::uint64_t left = std::min(sizeOf(earlierStat) - from, sizeOf(laterStat) - source);
    left -= left % blockSize_;

    // One file_dedupe_range with room for the one destination it names.
    std::vector<std::uint64_t> buffer(
        (sizeof(file_dedupe_range) + sizeof(file_dedupe_range_info)) / sizeof(std::uint64_t) + 1);
    auto* request = reinterpret_cast<file_dedupe_range*>(buffer.data());
    std::uint64_t shared = 0;
    while (left > 0) {
        std::fill(buffer.begin(), buffer.end(), 0);
        request->src_offset = source;
        request->src_length = std::min(left, kStep);
        request->dest_count = 1;
        request->info[0].dest_fd = earlier.get();
        request->info[0].dest_offset = from;
        if (::ioctl(later.get(), FIDEDUPERANGE, request) != 0 || request->info[0].status < 0) {
            std::lock_guard lock(mutex_);
            sharing_ = false;  // not a file system that shares blocks after all
            break;
        }
        // Differing bytes (a reconnect in one of them) leave this step as it is; the next may
        // agree again.
        if (request->info[0].status == FILE_DEDUPE_RANGE_SAME) {
            shared += request->info[0].bytes_deduped;
        }
        const auto step = request->src_length;
        from += step;
        source += step;
        left -= step;
    }
    return shared;
}

std::optional<std::uint64_t> sharedBlockSize(const std::filesystem::path& folder) {
    struct statfs fs {};
    if (::statfs(folder.c_str(), &fs) != 0) {
        return std::nullopt;
    }
    const auto type = static_cast<std::uint64_t>(fs.f_type);
    const auto block = static_cast<std::uint64_t>(fs.f_bsize);
    const bool sharesBlocks = type == XFS_SUPER_MAGIC || type == BTRFS_SUPER_MAGIC;
    if (!sharesBlocks || block < 512 || block > (1u << 16) || (block & (block - 1)) != 0) {
        return std::nullopt;
    }
    return block;
}

std::string nullPackets(std::size_t count) {
    std::string packet(kPacket, '\xff');
    packet[0] = '\x47';
    packet[1] = '\x1f';  // PID 0x1FFF
    packet[3] = '\x10';  // payload only, continuity counter 0
    std::string packets;
    packets.reserve(count * kPacket);
    for (std::size_t i = 0; i < count; ++i) {
        packets += packet;
    }
    return packets;
}

}  // namespace confcap::sink
