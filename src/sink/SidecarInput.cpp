// The sidecar a finished recording makes: its values (SidecarInput) as the Sidecar document.
#include "confcap/sink/GapJson.h"
#include "confcap/sink/Sidecar.h"

#include <algorithm>
#include <cmath>

namespace confcap::sink {

namespace {

using std::chrono::milliseconds;

/// The audio renditions the pieces' further tracks name, each name once.
std::vector<SidecarRendition> renditionsOf(const std::vector<PartPiece>& pieces) {
    std::vector<SidecarRendition> renditions;
    for (const auto& piece : pieces) {
        for (std::size_t t = 1; t < piece.tracks.size(); ++t) {
            const auto& track = piece.tracks[t];
            if (std::none_of(renditions.begin(), renditions.end(),
                             [&](const auto& r) { return r.name == track.name; })) {
                renditions.push_back({track.name, track.language});
            }
        }
    }
    return renditions;
}

}  // namespace

Sidecar sidecarOf(const SidecarInput& input) {
    const SinkStatus& counters = input.counters;
    Sidecar sidecar;
    sidecar.talk = input.talk;
    sidecar.stream = input.streamUrl;
    sidecar.windowStart = std::chrono::floor<std::chrono::seconds>(input.windowStart);
    sidecar.windowEnd = std::chrono::floor<std::chrono::seconds>(input.windowEnd);
    if (input.firstData) {
        // How promptly the recording began: the first byte's arrival after the window's start,
        // to the millisecond (negative: before it).
        sidecar.firstDataOffset =
            std::chrono::duration_cast<milliseconds>(*input.firstData - input.windowStart);
    }
    for (const auto& file : input.files) {
        sidecar.files.push_back(file.lexically_relative(input.outDir).generic_string());
    }
    sidecar.fileCheck = input.fileCheck;
    sidecar.audioRenditions = renditionsOf(input.pieces);
    sidecar.bytes = counters.bytes;
    sidecar.scheduledSeconds =
        roundedSeconds(std::chrono::duration<double>(input.windowEnd - input.windowStart).count());
    sidecar.coveredSeconds = roundedSeconds(counters.coveredSeconds);
    sidecar.coveredFromMedia = counters.measured;
    sidecar.gaps = counters.gaps;
    sidecar.variants = counters.variants;
    sidecar.segments = input.segments;
    sidecar.reconnects = counters.reconnects;
    sidecar.pieces = input.keptPieces;
    sidecar.merged = input.merged;
    const auto& final = input.files.front();
    sidecar.container = {std::string(toString(input.container)),
                         final.extension().string().substr(final.has_extension() ? 1 : 0),
                         input.tagged, input.chapters, input.finishError};
    if (!input.nfo.empty()) {
        sidecar.nfo = input.nfo.lexically_relative(input.outDir).generic_string();
    }
    sidecar.droppedBytes = counters.droppedBytes;
    if (counters.diskFullEpisodes > 0) {
        sidecar.diskFull = SidecarDiskFull{
            counters.diskFullEpisodes,
            roundedSeconds(static_cast<double>(counters.diskFullTime.count()) / 1000.0),
            counters.writeFailure};
    }
    sidecar.outcome = core::toString(input.outcome);
    sidecar.reason = input.reason;
    sidecar.finalizedBecause = input.finalizedBecause;
    sidecar.notes = input.notes;
    return sidecar;
}

std::string sidecarText(const SidecarInput& input) {
    return sidecarText(sidecarOf(input));
}

}  // namespace confcap::sink
