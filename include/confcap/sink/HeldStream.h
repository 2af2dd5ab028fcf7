// What a talk sink holds while the disk is full: the steps of the stream it could not write yet,
// in arrival order and bounded in bytes, what it had to let go, and the episode's account (its
// length, the "disk full" gap, a note) when writing goes on or the recording ends. No I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "confcap/core/Media.h"
#include "confcap/sink/Recording.h"

namespace confcap::sink {

/// The stream held during one full disk. Not thread-safe (the sink's capture thread uses it).
class HeldStream {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    /// One step of the stream that could not be written yet.
    struct Step {
        enum class Kind { Chunk, Piece, Track };
        Kind kind = Kind::Chunk;
        core::Chunk chunk;  ///< Chunk: its bytes and uri are those below (see view())
        std::string bytes;
        std::string uri;
        core::StreamFormat format;  ///< Piece, Track
        bool newTimeline = false;   ///< Piece
        core::TrackInfo track;      ///< Track
        TimePoint arrived{};

        /// A copy of `chunk` that owns its bytes.
        static Step of(const core::Chunk& chunk);
        /// A new piece in `format`.
        static Step piece(const core::StreamFormat& format, bool newTimeline);
        /// A further track in `format`.
        static Step further(const core::TrackInfo& track, const core::StreamFormat& format);
        /// The chunk, viewing this step's bytes.
        core::Chunk view() const;
    };

    /// How one full disk ended.
    struct Episode {
        std::chrono::milliseconds length{0};  ///< how long the disk was full
        std::optional<RecordedGap> gap;       ///< the media let go, as one "disk full" gap
        std::string note;                     ///< one sentence for the sidecar's notes
        std::uint64_t droppedBytes = 0;       ///< bytes let go by end()
    };

    /// A full disk since `since` (UTC), because of `why` (the failed write as a sentence);
    /// at most `limit` bytes are held.
    HeldStream(TimePoint since, std::string why, std::size_t limit);

    /// Adds a step that arrived at `now`. To stay within the limit the oldest media steps are
    /// let go (pieces, tracks, initialization sections and the newest step stay, so that what is
    /// kept still plays); returns the bytes let go.
    std::uint64_t add(Step step, TimePoint now);
    bool empty() const noexcept { return steps_.empty(); }
    Step& front() { return steps_.front(); }
    /// The front step was written.
    void pop();
    /// The front step is let go: its progressive bytes hold no point a player can start at.
    void dropFront(TimePoint now);
    /// Whether writing is to be tried at `now` (once a second, or when `force`); a try is noted.
    bool due(TimePoint now, bool force);
    /// True while the next progressive bytes of the main track follow media let go.
    bool resync() const noexcept { return resync_; }
    void resynced() noexcept { resync_ = false; }
    const std::string& why() const noexcept { return why_; }

    /// Ends the full disk at `now`: what is still held is let go too. `windowStart` places the gap.
    Episode end(TimePoint now, TimePoint windowStart);

private:
    void lose(const Step& step, TimePoint until);

    TimePoint since_;
    TimePoint lastTry_;
    std::string why_;
    std::size_t limit_;
    std::deque<Step> steps_;
    std::size_t bytes_ = 0;
    // The main track's media let go: from when, until when, its HLS media time and sequences.
    std::optional<TimePoint> lostAt_;
    TimePoint lostUntil_{};
    double lostSeconds_ = 0;
    std::optional<std::int64_t> lostFirst_;
    std::optional<std::int64_t> lostLast_;
    bool resync_ = false;
};

}  // namespace confcap::sink
