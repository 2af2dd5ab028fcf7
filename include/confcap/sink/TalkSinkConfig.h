// What a talk sink is told about its talk: where the final file goes, the window, the
// thresholds that decide whether it is kept, and how it is finished.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "confcap/sink/FileTags.h"
#include "confcap/sink/TalkMetadata.h"

namespace confcap::sink {

/// What a TalkSink needs to know about its talk, as plain values.
struct TalkSinkConfig {
    std::filesystem::path outDir;  ///< the output folder (--out)
    /// The final file's path relative to `outDir` without extension (see fileStemFor); the
    /// sink appends "." and the stream's extension.
    std::filesystem::path relativeStem;
    std::chrono::system_clock::time_point windowStart;  ///< UTC, padding included
    std::chrono::system_clock::time_point windowEnd;    ///< UTC, padding included
    std::uint64_t minBytes = 0;                         ///< --min-size
    std::chrono::seconds minDuration{0};                ///< --min-duration, of covered time
    std::string streamUrl;
    TalkMetadata talk;  ///< goes into the sidecar, the file's tags and the .nfo
    /// --container: the final file is remuxed into it with the talk's tags; it is placed as
    /// recorded, untagged, when unset.
    std::optional<Container> container;
    bool nfo = false;  ///< --nfo
    /// Take the talk, the window, the thresholds and the stream from the part list an earlier
    /// run left (finishing it after a restart) rather than from here.
    bool adoptPartList = false;
    /// While the disk is full, what the stream delivers is held in memory up to this many bytes
    /// and written when space comes back; the oldest media beyond it is lost (a "disk full" gap).
    std::size_t holdBytes = 16 * 1024 * 1024;
};
}  // namespace confcap::sink
