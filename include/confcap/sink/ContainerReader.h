// Reading a container's own timestamps as its bytes go by, for CoverageMeter: the interface every
// container's reader implements and which reader reads which container.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>

#include "confcap/sink/CoverageMeter.h"

namespace confcap::sink {

/// Reads one container stream from its start and tells the media time its timestamps cover
/// (see CoverageMeter). Not thread-safe.
class ContainerReader {
public:
    virtual ~ContainerReader() = default;
    /// Reads the next bytes of the stream, split anywhere.
    virtual void feed(std::string_view bytes) = 0;
    /// Seconds of media seen so far.
    virtual double seconds() const = 0;
    /// True once the bytes were read as media: timestamps or frames were found.
    virtual bool measured() const = 0;
};

/// The reader for the container named by `extension`: "ts" (TsReader), "mp3" and "aac"
/// (AudioFrameReader), "mp4" (Mp4Reader), "webm" and "mkv" (MatroskaReader); nullptr for any
/// other. Pure.
std::unique_ptr<ContainerReader> containerReaderFor(std::string_view extension);

/// The seconds of the longest-covered stream among `streams` (keyed by PID or track); 0 when
/// there is none. Pure.
double longestRun(const std::map<std::uint64_t, CoverageMeter::Runs>& streams);

}  // namespace confcap::sink
