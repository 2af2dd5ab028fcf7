// How much media time a talk's recording covers over all its pieces: each piece's time from its
// own timestamps (CoverageMeter), else from its HLS segment lengths, else the wall time data
// flowed into it; added up over the pieces, an earlier run's included.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "confcap/sink/CoverageMeter.h"

namespace confcap::sink {

/// The coverage of one recording. Not thread-safe (the sink's capture thread uses it).
class RecordingCoverage {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    /// Goes on from what an earlier run covered.
    void resume(double seconds, bool measured) noexcept;
    /// A new piece in the container `extension` starts; the current one is added up.
    void startPiece(std::string_view extension);
    /// `bytes` of the current piece's main track were written at `now`; `segmentSeconds` is the
    /// length of the HLS segment they start, else 0.
    void wrote(std::string_view bytes, double segmentSeconds, TimePoint now);
    /// Data stopped flowing (a gap, a reconnect, a new piece, a full disk): the time until the
    /// next write is not counted.
    void paused() noexcept { lastWrite_.reset(); }

    /// Seconds covered so far.
    double seconds() const;
    /// True once any piece was read as media.
    bool measured() const;

private:
    double pieceSeconds() const;

    CoverageMeter meter_{""};    // the current piece's main track
    double pieceExtinf_ = 0;     // the current piece's HLS segment lengths
    double pieceWall_ = 0;       // the current piece's time with data flowing
    double earlierSeconds_ = 0;  // covered by the pieces before the current one
    bool earlierMeasured_ = false;
    std::optional<TimePoint> lastWrite_;
};

}  // namespace confcap::sink
