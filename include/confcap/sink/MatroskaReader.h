// The media time of a WebM or Matroska stream, read from its blocks' timecodes.
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

/// WebM/Matroska: every block's time (its cluster's timecode plus its own), per track, in the
/// segment's TimecodeScale (1 ms unless the Info says otherwise). Frames are skipped unread.
/// Not thread-safe.
class MatroskaReader final : public ContainerReader, private media::ElementStream {
public:
    MatroskaReader();
    void feed(std::string_view bytes) override;
    /// Of the longest-covered track.
    double seconds() const override;
    /// True once a block inside a cluster with a timecode was read.
    bool measured() const override;

private:
    Action decide(std::uint64_t id, std::optional<std::uint64_t> size) override;
    void element(std::uint64_t id, std::string_view body) override;

    std::uint64_t scale_ = 1'000'000;  // nanoseconds per timecode tick
    std::optional<std::uint64_t> cluster_;
    std::map<std::uint64_t, CoverageMeter::Runs> tracks_;
};

}  // namespace confcap::sink
