// The media time of a fragmented MP4 stream (an init section, then fragments), read from each
// fragment's decode time and sample durations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

#include "confcap/media/ElementStream.h"
#include "confcap/sink/ContainerReader.h"
#include "confcap/sink/CoverageMeter.h"

namespace confcap::sink {

/// Fragmented MP4: each fragment's decode time (tfdt) and length (trun sample durations, else
/// the trex/tfhd defaults), per track, in the timescale the init section (moov) gives the track.
/// Fragments before the init section are not counted. Not thread-safe.
class Mp4Reader final : public ContainerReader, private media::ElementStream {
public:
    Mp4Reader();
    void feed(std::string_view bytes) override;
    /// Of the longest-covered track.
    double seconds() const override;
    /// True once a fragment (with its tfdt) of a track the init section describes was read.
    bool measured() const override;

private:
    Action decide(std::uint64_t id, std::optional<std::uint64_t> size) override;
    void element(std::uint64_t id, std::string_view body) override;
    void movie(std::string_view moov);
    void fragment(std::string_view moof);

    std::map<std::uint64_t, std::uint64_t> timescales_;
    std::map<std::uint64_t, std::uint64_t> defaultDurations_;
    std::map<std::uint64_t, CoverageMeter::Runs> tracks_;
};

}  // namespace confcap::sink
