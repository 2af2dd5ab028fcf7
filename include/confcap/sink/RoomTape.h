// A room's tape: the room's stream kept while the room records, with an index from wall-clock
// time to where the bytes lie (TapeIndex), so that a talk whose times were wrong can be cut again
// from it later (`confcap recut`). It lives in its own folder (OUT/.confcap/tape/<room>/): every
// piece (a connection, a new timeline) has its index "<id>.idx" and a file per track
// "<id>-t<track>.<ext>". Bytes a talk of the room wrote are not written again: the tape shares
// the talk's file through a hard link "<id>-t<track>-s<n>.<ext>", which keeps them when the
// talk's file is renamed, replaced by a new cut or deleted. The tape writes its own file only
// for what no talk wrote (between talks, or where a talk's disk was full). Files and index are
// appended to with POSIX write(), so what was written survives the process being killed; an
// index line cut off then is ignored by the reader.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "confcap/core/Clock.h"
#include "confcap/core/Media.h"
#include "confcap/sink/ChunkWrite.h"
#include "confcap/sink/TapeIndex.h"

namespace confcap::sink {

/// Writes one room's tape. The MediaSink calls come from the room's capture thread. A failure to
/// write (a full disk) never reaches the capture: the tape stops, says why once (error()), and
/// the talks record on. So it does when the disk's free space falls below what is to be kept
/// free (--min-free): the talks have the space.
class RoomTape final : public core::MediaSink {
public:
    /// A tape in `folder` (created when the first piece begins), its times from `clock`; it
    /// stops before the free space of its disk falls below `keepFree` bytes (0: never looked
    /// at), looked at as each piece begins and after every MiB written.
    RoomTape(std::filesystem::path folder, const core::Clock& clock, std::uint64_t keepFree = 0);
    ~RoomTape() override;
    RoomTape(const RoomTape&) = delete;
    RoomTape& operator=(const RoomTape&) = delete;

    void beginPiece(const core::StreamFormat& format, bool newTimeline) override;
    void beginTrack(const core::TrackInfo& track, const core::StreamFormat& format) override;
    void write(const core::Chunk& chunk) override;
    void gap(const core::Gap& gap) override;
    void reconnected() override;
    void variantSwitched(const core::VariantSwitch& change) override;

    /// A talk of the room wrote `chunk` whole into `file` at `offset`: when the tape gets the
    /// same chunk next, it refers to those bytes instead of writing them (the talk's own name in
    /// the MPEG-TS service description packets among them included). Called on the capture's
    /// thread by the talks' sinks, which get each chunk before the tape does.
    void shared(const core::Chunk& chunk, const std::filesystem::path& file, std::uint64_t offset);

    const std::filesystem::path& folder() const noexcept { return folder_; }
    /// Why the tape stopped being written; empty while it is written. Any thread.
    std::string error() const;
    /// The media bytes written to the tape's own files so far.
    std::uint64_t bytes() const noexcept { return bytes_; }
    /// The media bytes the tape refers to in the talks' files.
    std::uint64_t sharedBytes() const noexcept { return sharedBytes_; }

private:
    struct TrackFile {
        int fd = -1;
        std::uint64_t size = 0;
        core::StreamFormat format;
        std::filesystem::path sharing;  ///< the talk's file it shares now
        std::string link;               ///< its name in the folder
        int sharingFd = -1;             ///< that file, open for reading

        void close() noexcept;
    };
    // Notes `chunk` as bytes a talk's file holds, when one offered them; whether it did.
    bool refer(const core::Chunk& chunk, TrackFile& file);
    void closeFiles();
    void append(const TapeEvent& event);
    void fail(const std::string& what, int error);
    // Stops the tape when its disk has less than keepFree_ free; whether it goes on.
    bool roomLeft();

    std::filesystem::path folder_;
    const core::Clock& clock_;
    std::optional<TapePiece> piece_;
    int index_ = -1;  // the piece's index file
    std::map<int, TrackFile> tracks_;
    int pieces_ = 0;
    std::uint64_t bytes_ = 0;
    std::uint64_t sharedBytes_ = 0;
    std::vector<ChunkWrite> offers_;  ///< what talks wrote of the chunk being delivered
    int links_ = 0;                   ///< shared files linked so far
    std::uint64_t keepFree_ = 0;
    std::uint64_t sinceLook_ = 0;  ///< bytes written since the free space was looked at
    bool failed_ = false;
    mutable std::mutex mutex_;  ///< guards error_
    std::string error_;
};

/// Deletes the pieces of the tapes under `tapes` (one folder per room) whose last event is
/// older than `keep` before `now`, oldest first, with their files. Returns the bytes freed.
/// Errors are ignored: what cannot be deleted now is tried again next time.
std::uint64_t expireTapes(const std::filesystem::path& tapes, std::chrono::seconds keep,
                          std::chrono::system_clock::time_point now);

/// When one piece of a tape was written: its first event and its last (UTC).
struct TapeSpan {
    std::chrono::system_clock::time_point from;
    std::chrono::system_clock::time_point until;
};

/// What one room's tape holds, as `confcap summary` and the status timeline tell it.
struct TapeHolding {
    std::string room;  ///< the tape's folder name (the room's name, made safe for a file name)
    std::chrono::system_clock::time_point from;   ///< its first piece's first event
    std::chrono::system_clock::time_point until;  ///< its last piece's last event
    std::size_t pieces = 0;
    std::uint64_t bytes = 0;      ///< on disk only for it (not shared with a talk's file)
    std::vector<TapeSpan> spans;  ///< a span per piece, in the order they began
};

/// What the tape in `folder` (one room's) holds; pieces = 0 when it holds none.
TapeHolding tapeIn(const std::filesystem::path& folder);

/// The tapes under `tapes` (OUT/.confcap/tape), by room name; empty when there are none.
std::vector<TapeHolding> tapesIn(const std::filesystem::path& tapes);

/// Deletes pieces of the tapes under `tapes`, oldest first, until `bytes` are freed: a full disk
/// needs the space for the talks. A piece written to within `idle` of `now` (one being written)
/// is kept. Returns the bytes freed.
std::uint64_t freeTapeSpace(const std::filesystem::path& tapes, std::uint64_t bytes,
                            std::chrono::system_clock::time_point now, std::chrono::seconds idle);

}  // namespace confcap::sink
