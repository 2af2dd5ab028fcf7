// Back-to-back talks of a room both keep the stretch where their padded windows overlap, because
// each talk's file stands alone. On a file system whose files can share blocks (XFS, btrfs), that
// stretch needs to be on disk only once:
// - the later talk begins its MPEG-TS file with null packets, so many that the chunk it starts
//   with lies at the same place within a block as in the earlier talk's file;
// - when the earlier talk finishes, the blocks of its tail are shared with the later talk's file
//   (FIDEDUPERANGE: the kernel compares the bytes and shares only blocks that are equal).
// A file system without shared blocks (ext4) gets neither.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/sink/ChunkWrite.h"

namespace confcap::sink {

/// Two talk files of a room that hold the same bytes: `earlier` from `earlierOffset` on holds
/// what `later` holds from `laterOffset` on, until either ends.
struct Overlap {
    std::filesystem::path earlier;
    std::uint64_t earlierOffset = 0;
    std::filesystem::path later;
    std::uint64_t laterOffset = 0;
};

/// What the talks of one room tell each other about their writes. The talks' sinks get each chunk
/// one after the other on the room's capture thread; finishing talks ask from other threads.
class OverlapLedger {
public:
    /// A ledger for files whose blocks are `blockSize` bytes (a power of two, at least 512).
    explicit OverlapLedger(std::uint64_t blockSize);

    /// False once sharing blocks failed for a reason other than differing bytes (an XFS made
    /// without reflink): the talks then stop aligning their files.
    bool sharing() const;

    /// A talk wrote `chunk` whole into `file` at `offset`.
    void wrote(const core::Chunk& chunk, const std::filesystem::path& file, std::uint64_t offset);
    /// Where a talk other than the one writing `file` put `chunk`, when one got it just before.
    std::optional<Overlap> writtenElsewhere(const core::Chunk& chunk,
                                            const std::filesystem::path& file) const;
    /// Notes that `overlap.later` holds from `overlap.laterOffset` on what `overlap.earlier`
    /// holds from its offset on, for the earlier talk to share when it finishes.
    void pair(Overlap overlap);
    /// Takes the overlaps whose earlier file is `file`.
    std::vector<Overlap> takeOverlapsOf(const std::filesystem::path& file);

    /// Shares the equal blocks of `overlap` between its files; the earlier file gives up its
    /// own. Returns the bytes now shared. Never throws; a failure other than differing bytes
    /// turns sharing() off.
    std::uint64_t share(const Overlap& overlap);

    /// How many MPEG-TS null packets to write at `at` so that the next byte lies where `other`
    /// lies within a block; none when no number of packets gets it there (`other` - `at` is not
    /// a multiple of 4). Pure.
    std::optional<std::size_t> paddingPackets(std::uint64_t at, std::uint64_t other) const;

private:
    const std::uint64_t blockSize_;
    mutable std::mutex mutex_;
    std::vector<ChunkWrite> last_;  ///< the writes of the chunk delivered last
    std::vector<Overlap> overlaps_;
    bool sharing_ = true;
};

/// The block size of `folder`'s file system when its files can share blocks (XFS, btrfs);
/// none elsewhere.
std::optional<std::uint64_t> sharedBlockSize(const std::filesystem::path& folder);

/// `count` MPEG-TS null packets (PID 0x1FFF), which every demuxer skips.
std::string nullPackets(std::size_t count);

}  // namespace confcap::sink
