// How much media time a recording holds, read from the media's own timestamps as its bytes go
// by: MPEG-TS PES timestamps, MP3 and ADTS AAC frames, fragmented MP4 fragments (tfdt/trun with
// the init section's timescales) and WebM/Matroska block timecodes (one ContainerReader each).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace confcap::sink {

class ContainerReader;

/// Measures the media time of one piece (one container stream read from its start). Feed it the
/// piece's bytes in order, split anywhere. A stretch the timestamps jump over (back, or ahead by
/// more than a few seconds: the stream was away) is not counted. Not thread-safe; cheap enough to
/// run on every byte of the write path (it looks at headers, never copies media).
class CoverageMeter {
public:
    /// For a piece in the container named by `extension` ("ts", "mp3", "aac", "mp4", "webm",
    /// "mkv"); other containers are not measured.
    explicit CoverageMeter(std::string_view extension);
    ~CoverageMeter();
    CoverageMeter(CoverageMeter&&) noexcept;
    CoverageMeter& operator=(CoverageMeter&&) noexcept;

    /// Reads the next bytes of the piece.
    void feed(std::string_view bytes);
    /// Seconds of media seen so far: of the longest-covered elementary stream (video and audio
    /// usually agree).
    double seconds() const;
    /// True once the bytes were read as media: the container is one the meter knows and it
    /// found timestamps or frames in it.
    bool measured() const;

    /// The seconds covered by the timestamps of one elementary stream, given in `timescale`
    /// units per second as they arrive. Public for the container readers; exposed for tests.
    class Runs {
    public:
        explicit Runs(std::uint64_t timescale = 90'000, std::uint64_t wrap = 0)
            : timescale_(timescale), wrap_(wrap) {}
        /// A timestamp (decode order); `duration` of the unit it starts when known, else 0.
        void add(std::int64_t time, std::int64_t duration = 0);
        double seconds() const;

    private:
        std::uint64_t timescale_;
        std::uint64_t wrap_;  // timestamps wrap at this (MPEG-TS: 2^33); 0 for never
        bool started_ = false;
        std::int64_t runLength_ = 0;  // the current run so far, up to the last timestamp
        std::int64_t last_ = 0;
        std::int64_t lastDuration_ = 0;
        std::int64_t step_ = 0;    // a typical distance between timestamps
        std::int64_t closed_ = 0;  // the runs before the current one, in timescale units
    };

private:
    std::unique_ptr<ContainerReader> reader_;  // none for a container that is not measured
};

}  // namespace confcap::sink
