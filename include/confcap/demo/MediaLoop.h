// A short clip turned into an endless live stream: cut into units (HLS segments, MP3 frame groups,
// WebM clusters) that are served over and over with their timestamps moved on each time round, so
// a recording of the loop plays as one continuous stream.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "confcap/demo/MediaFixture.h"

namespace confcap::demo {

/// Unit n of the endless stream is unit n % unitsPerLoop() of the clip, retimed by
/// n / unitsPerLoop() clip lengths: MPEG-TS PTS/DTS/PCR and continuity counters, fMP4 tfdt, sidx
/// and fragment numbers, WebM cluster timecodes. MP3 has no timestamps and is served as is.
/// Immutable after construction; safe to share between threads.
class MediaLoop {
public:
    enum class Format { Ts, Fmp4, Mp3, Webm };

    /// Reads and cuts the clip's files of `format` into units of about a second.
    /// Throws core::Error (Permanent) when a file is missing or not what ffmpeg writes.
    MediaLoop(const MediaClip& clip, Format format);

    Format format() const noexcept { return format_; }
    /// Bytes a stream must start with (fMP4 init segment, WebM header up to the first Cluster);
    /// empty for MPEG-TS and MP3.
    const std::string& header() const noexcept { return header_; }
    /// Units in one pass of the clip.
    std::int64_t unitsPerLoop() const noexcept { return static_cast<std::int64_t>(units_.size()); }
    /// Where unit `n` (n >= 0) starts, in media seconds from the start of the endless stream.
    double unitStart(std::int64_t n) const;
    /// How long unit `n` plays, in seconds.
    double unitSeconds(std::int64_t n) const;
    /// The unit playing at `mediaSeconds` (>= 0) of the endless stream.
    std::int64_t unitAt(double mediaSeconds) const;
    /// The bytes of unit `n` (n >= 0), retimed for its pass.
    std::string unit(std::int64_t n) const;

private:
    struct Unit {
        std::string bytes;
        double start = 0;  // seconds from the start of the pass
        double seconds = 0;
    };

    void loadSegments(const std::vector<std::filesystem::path>& files,
                      const std::vector<double>& seconds);
    void loadMp3(const std::filesystem::path& file);
    void loadWebm(const std::filesystem::path& file, double clipSeconds);
    void readFmp4Timescales();
    void countTsPackets();
    void retimeTs(std::string& bytes, std::int64_t pass) const;
    void retimeFmp4(std::string& bytes, std::int64_t pass) const;
    std::string retimeWebm(const std::string& cluster, std::int64_t pass) const;

    Format format_;
    std::string header_;
    std::vector<Unit> units_;
    double loopSeconds_ = 0;
    /// MPEG-TS: packets with payload per PID in one pass, modulo 16.
    std::array<std::uint8_t, 8192> tsPayloadPackets_{};
    /// fMP4: timescale of each track ID, from the init segment.
    std::map<std::uint32_t, std::uint32_t> timescales_;
};

}  // namespace confcap::demo
