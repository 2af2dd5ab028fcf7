#include "confcap/sink/TalkFinisher.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "confcap/core/FileIo.h"
#include "confcap/core/Text.h"
#include "confcap/sink/RecordedGaps.h"

namespace confcap::sink {

namespace {

std::uint64_t bytesOf(const std::vector<std::filesystem::path>& files) {
    std::uint64_t bytes = 0;
    for (const auto& file : files) {
        std::error_code error;
        const auto size = std::filesystem::file_size(file, error);
        bytes += error ? 0 : size;
    }
    return bytes;
}

}  // namespace

FinishPlan planFinish(const FinalizeDecision& decision, bool interrupted, std::string_view why,
                      std::optional<Container> container, bool nfo) {
    FinishPlan plan;
    plan.outcome = decision.outcome;
    plan.reason = decision.reason;
    const bool kept = decision.outcome == core::Outcome::Recorded;
    if (!kept) {
        plan.step = interrupted ? FinishStep::Keep : FinishStep::Remove;
        if (interrupted) {
            // Nothing worth a file yet: the parts stay for the next run, as after a crash.
            plan.outcome = core::Outcome::Interrupted;
            plan.reason = "interrupted: " + std::string(why) +
                          " inside its window before it had enough to keep; the parts stay for "
                          "the next run with the same --out";
        }
        return plan;
    }
    plan.step = FinishStep::Publish;
    plan.tags = container.has_value();
    if (interrupted) {
        // A playable file now, kept in the container it was recorded in (the next run inside
        // the window adds to it: reopenPublished), with its tags.
        plan.outcome = core::Outcome::Interrupted;
        plan.reason = "interrupted: " + std::string(why) + " inside its window with " +
                      decision.reason.substr(decision.reason.find(' ') + 1) +
                      " so far; the next run with the same --out continues this file";
        return plan;
    }
    plan.container = container.value_or(Container::AsRecorded);
    plan.nfo = nfo;
    return plan;
}

TalkFinisher::TalkFinisher(const TalkSinkConfig& config, PartSet& parts, const Publisher& publisher,
                           const core::Clock& clock, SinkEnd end)
    : config_(config), parts_(parts), publisher_(publisher), clock_(clock), end_(std::move(end)) {}

Finished TalkFinisher::finish(std::string_view reason, bool interrupted) {
    noteTimeNotRunning();
    const FinalizeDecision decision = decide();
    end_.counters.bytes = decision.bytes;
    const auto plan = planFinish(decision, interrupted, reason, config_.container, config_.nfo);

    Finished finished;
    auto& result = finished.result;
    result.relativeStem = config_.relativeStem;
    result.talk = config_.talk;
    result.outcome = plan.outcome;
    result.reason = plan.reason;
    result.writeError = end_.stopped;
    result.notes = parts_.list().notes;
    result.notes.insert(result.notes.end(), decision.notes.begin(), decision.notes.end());
    if (plan.step != FinishStep::Publish) {
        finished.keepParts = plan.step == FinishStep::Keep;
        return finished;
    }
    // The segments' files are measured before publishing moves or joins them.
    auto segments = segmentsOf(decision.kept);
    const auto sidecar = [&](const Published& placed) {
        return sidecarFor(placed, result, reason, decision, segments);
    };
    const auto published = publisher_.publish(parts_, decision.kept, sidecar, finishingFor(plan));
    result.files = published.files;
    result.sidecar = published.sidecar;
    if (published.sidecar.empty()) {
        result.notes.push_back("Could not write the sidecar of " +
                               core::quotedPath(published.files.front()) + ".");
    }
    if (interrupted) {
        PartList now = parts_.list();
        now.progress = end_.counters;
        now.resume = end_.resume;
        finished.continuation = continuationOf(std::move(now), published, decision.kept,
                                               config_.outDir, config_.relativeStem);
    }
    return finished;
}

FinalizeResult TalkFinisher::failed(const std::exception& error) const {
    FinalizeResult failed;
    failed.outcome = core::Outcome::Failed;
    failed.reason =
        std::string("failed: ") + error.what() + " The parts are kept for a later recovery.";
    failed.relativeStem = config_.relativeStem;
    failed.talk = config_.talk;
    failed.notes = parts_.list().notes;
    return failed;
}

FinalizeResult TalkFinisher::interruptFailed(std::string_view reason,
                                             const std::exception& error) const {
    FinalizeResult result;
    result.outcome = core::Outcome::Interrupted;
    result.reason = "interrupted: " + std::string(reason) + " inside its window (" +
                    core::clause(error.what()) + "); the parts stay for the next run";
    result.relativeStem = config_.relativeStem;
    result.talk = config_.talk;
    return result;
}

void TalkFinisher::noteTimeNotRunning() {
    const auto& lastData = parts_.list().lastData;
    if (!end_.idleSinceRestart || !lastData) {
        return;
    }
    if (auto lost =
            gapNotRunningToEnd(*lastData, clock_.now(), config_.windowStart, config_.windowEnd)) {
        end_.counters.gaps.push_back(std::move(*lost));
    }
}

FinalizeDecision TalkFinisher::decide() const {
    FinalizeInput input;
    for (const auto& piece : parts_.list().pieces) {
        input.pieceBytes.push_back(parts_.bytesOf(piece));
    }
    const auto& counters = end_.counters;
    input.coveredSeconds = counters.coveredSeconds;
    input.measured = counters.measured;
    input.gaps = counters.gaps.size();
    if (counters.diskFullEpisodes > 0) {
        input.diskFull = std::max(std::chrono::seconds(1),
                                  std::chrono::round<std::chrono::seconds>(counters.diskFullTime));
    }
    input.minBytes = config_.minBytes;
    input.minDuration = config_.minDuration;
    input.scheduled =
        std::chrono::round<std::chrono::seconds>(config_.windowEnd - config_.windowStart);
    input.writeError = end_.stopped;
    return decideFinal(input);
}

Finishing TalkFinisher::finishingFor(const FinishPlan& plan) const {
    Finishing finishing;
    finishing.container = plan.container;
    if (plan.tags) {
        const auto firstData = parts_.list().firstData;
        const double mediaSeconds = end_.counters.coveredSeconds;
        finishing.tags = [this, firstData, mediaSeconds](std::string_view extension) {
            return fileTagsFor(config_.talk, extension, firstData, mediaSeconds);
        };
    }
    if (plan.nfo) {
        finishing.nfo = nfoText(config_.talk);
    }
    return finishing;
}

std::vector<SidecarInput::PieceSegments> TalkFinisher::segmentsOf(
    const std::vector<std::size_t>& kept) const {
    std::vector<SidecarInput::PieceSegments> segments;
    for (std::size_t n = 0; n < kept.size(); ++n) {
        for (const auto& track : parts_.list().pieces.at(kept[n]).tracks) {
            if (!track.segments.empty()) {
                std::error_code error;
                const auto size = std::filesystem::file_size(parts_.pathOf(track), error);
                segments.push_back({n + 1, track.track, error ? 0 : size, track.segments});
            }
        }
    }
    return segments;
}

std::string TalkFinisher::sidecarFor(const Published& placed, FinalizeResult& result,
                                     std::string_view reason, const FinalizeDecision& decision,
                                     std::vector<SidecarInput::PieceSegments> segments) {
    if (!placed.merged && placed.files.size() > 1) {
        result.reason += ", kept as " + std::to_string(placed.files.size()) + " separate files";
    }
    result.notes.insert(result.notes.end(), placed.notes.begin(), placed.notes.end());
    if (placed.tagged) {
        end_.counters.bytes = bytesOf(placed.files);
    }
    return sidecarText(
        sidecarInput(placed, result, reason, decision.kept.size(), std::move(segments)));
}

SidecarInput TalkFinisher::sidecarInput(const Published& published, const FinalizeResult& result,
                                        std::string_view reason, std::size_t keptPieces,
                                        std::vector<SidecarInput::PieceSegments> segments) const {
    const auto& list = parts_.list();
    SidecarInput input;
    input.talk = config_.talk;
    input.streamUrl = config_.streamUrl;
    input.windowStart = config_.windowStart;
    input.windowEnd = config_.windowEnd;
    input.outDir = config_.outDir;
    input.files = published.files;
    if (!published.files.empty()) {
        input.fileCheck = published.check ? published.check : fileCheckOf(published.files.front());
    }
    input.merged = published.merged;
    input.container = published.container;
    input.tagged = published.tagged;
    input.chapters = published.chapters;
    input.finishError = published.finishError;
    input.nfo = published.nfo;
    input.firstData = list.firstData;
    input.pieces = list.pieces;
    input.counters = end_.counters;
    input.keptPieces = keptPieces;
    input.segments = std::move(segments);
    input.outcome = result.outcome;
    input.reason = result.reason;
    input.notes = result.notes;
    input.finalizedBecause = std::string(reason);
    return input;
}

}  // namespace confcap::sink
