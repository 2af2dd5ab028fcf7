#include "confcap/sink/FinalizeDecision.h"

#include <algorithm>
#include <cmath>

#include "confcap/core/Format.h"
#include "confcap/core/Text.h"
#include "confcap/core/Time.h"

namespace confcap::sink {

namespace {

std::string duration(double seconds) {
    return core::formatDuration(std::chrono::seconds(std::llround(std::max(seconds, 0.0))));
}

}  // namespace

FinalizeDecision decideFinal(const FinalizeInput& input) {
    FinalizeDecision decision;
    const bool anyLarge = std::any_of(input.pieceBytes.begin(), input.pieceBytes.end(),
                                      [](std::uint64_t b) { return b >= kTinyPiece; });
    int tiny = 0;
    for (std::size_t i = 0; i < input.pieceBytes.size(); ++i) {
        const auto bytes = input.pieceBytes[i];
        if (bytes == 0 || (anyLarge && bytes < kTinyPiece)) {
            tiny += bytes == 0 ? 0 : 1;
            continue;
        }
        decision.kept.push_back(i);
        decision.bytes += bytes;
    }
    if (tiny > 0) {
        decision.notes.push_back(std::to_string(tiny) + (tiny == 1 ? " piece" : " pieces") +
                                 " under " + core::formatBytes(kTinyPiece) +
                                 " left out: a connection or recorder run that ended before it "
                                 "delivered media.");
    }
    const bool failedWrite = !input.writeError.empty();
    const std::string stopped =
        failedWrite ? " after writing stopped early (" + core::clause(input.writeError) + ")" : "";
    const auto drop = [&](std::string why) {
        decision.outcome = failedWrite ? core::Outcome::Failed : core::Outcome::Discarded;
        decision.reason = std::string(core::toString(decision.outcome)) + ": " + why + stopped;
        decision.kept.clear();
        return decision;
    };
    if (decision.bytes == 0) {
        decision.outcome = core::Outcome::Failed;
        decision.reason =
            failedWrite ? "failed: nothing was written (" + core::clause(input.writeError) + ")"
                        : "failed: no stream data arrived";
        decision.kept.clear();
        return decision;
    }
    const auto minDuration = static_cast<double>(input.minDuration.count());
    if (input.coveredSeconds < minDuration) {
        return drop(duration(input.coveredSeconds) + " of " +
                    (input.measured ? "media" : "stream") + " is below --min-duration " +
                    core::formatDuration(input.minDuration));
    }
    if (!input.measured && decision.bytes < input.minBytes) {
        // Only bytes that could not be read as media are judged by their size.
        return drop(core::formatBytes(decision.bytes) +
                    " that could not be read as media is "
                    "below --min-size " +
                    core::formatBytes(input.minBytes));
    }
    decision.outcome = core::Outcome::Recorded;
    decision.reason = "recorded: " + core::formatBytes(decision.bytes) + " covering " +
                      duration(input.coveredSeconds) + " of the " +
                      core::formatDuration(input.scheduled) + " window";
    if (input.gaps > 0) {
        decision.reason +=
            " with " + std::to_string(input.gaps) + (input.gaps == 1 ? " gap" : " gaps");
    }
    if (input.diskFull.count() > 0) {
        decision.reason += ", the disk full for " + core::formatDuration(input.diskFull);
    }
    decision.reason += stopped;
    return decision;
}

}  // namespace confcap::sink
