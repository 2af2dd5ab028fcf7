// The end of a talk's recording: decides from what its sink measured whether the talk is kept
// (decideFinal), then publishes it (Publisher: the final file, the sidecar, the .nfo) or lets
// the parts go, and makes the finalize result; for a clean stop inside the window also the part
// list that continues the published file.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Clock.h"
#include "confcap/core/Media.h"
#include "confcap/sink/FinalizeDecision.h"
#include "confcap/sink/Interruption.h"
#include "confcap/sink/PartSet.h"
#include "confcap/sink/Publisher.h"
#include "confcap/sink/Recording.h"
#include "confcap/sink/Sidecar.h"
#include "confcap/sink/TalkSinkConfig.h"

namespace confcap::sink {

/// What becomes of a recording once it is decided.
enum class FinishStep {
    Publish,  ///< published under the final name; the parts are removed
    Remove,   ///< not kept: the parts are removed
    Keep,     ///< interrupted before it was worth a file: the parts stay for the next run
};

/// How a decided recording is finished.
struct FinishPlan {
    FinishStep step = FinishStep::Remove;
    core::Outcome outcome = core::Outcome::Failed;
    std::string reason;  ///< the result's sentence
    /// What publishing does to the final file: the container, whether it gets the talk's tags,
    /// and whether a .nfo is written.
    Container container = Container::AsRecorded;
    bool tags = false;
    bool nfo = false;
};

/// The plan for `decision`: a kept recording is published, others removed. `interrupted` (a
/// clean stop inside the window, `why` says which) publishes a kept recording with outcome
/// Interrupted in the container it was recorded in (tagged when `container` is set), without
/// .nfo, and keeps the parts of one not worth a file yet. Pure.
FinishPlan planFinish(const FinalizeDecision& decision, bool interrupted, std::string_view why,
                      std::optional<Container> container, bool nfo);

/// What a sink knows at its end besides its part set, as values.
struct SinkEnd {
    SinkStatus counters;
    std::vector<core::HlsResumePoint> resume;
    /// Why writing stopped early (a write error, or the disk still full at the end); empty
    /// when it did not.
    std::string stopped;
    /// The sink continued an earlier run's parts and wrote nothing since: the stream ran on
    /// without confcap from the list's last data until now (at most the window's end).
    bool idleSinceRestart = false;
};

/// How finish() ended.
struct Finished {
    FinalizeResult result;  ///< without its status, which the sink fills in
    /// The parts and their list stay for the next run; otherwise they are to be removed.
    bool keepParts = false;
    /// Interrupted and published: the part list that continues the published file.
    Interruption continuation;
};

/// Finishes one talk sink's recording, once. Not thread-safe; the sink's capture has stopped.
class TalkFinisher {
public:
    /// `config`, `parts`, `publisher` and `clock` must outlive the finisher. `parts` has its
    /// files closed.
    TalkFinisher(const TalkSinkConfig& config, PartSet& parts, const Publisher& publisher,
                 const core::Clock& clock, SinkEnd end);

    /// Decides and, by planFinish(), publishes the kept pieces. `reason` says why the recording
    /// ends ("window ended"); it goes into the sidecar. Removes nothing: Finished::keepParts says
    /// what becomes of the parts. Throws what publishing throws (core::OutputError when nothing
    /// could be placed).
    Finished finish(std::string_view reason, bool interrupted);
    /// The result when finish() threw `error` on finalize: Failed, the parts kept for a later
    /// recovery.
    FinalizeResult failed(const std::exception& error) const;
    /// The result when finish() threw `error` on a clean stop: Interrupted, the parts kept for
    /// the next run.
    FinalizeResult interruptFailed(std::string_view reason, const std::exception& error) const;

    /// The counters as finishing settled them (the gap while no confcap ran, the bytes kept or
    /// published); also after finish() threw.
    const SinkStatus& counters() const noexcept { return end_.counters; }

private:
    void noteTimeNotRunning();
    FinalizeDecision decide() const;
    Finishing finishingFor(const FinishPlan& plan) const;
    std::vector<SidecarInput::PieceSegments> segmentsOf(const std::vector<std::size_t>& kept) const;
    std::string sidecarFor(const Published& placed, FinalizeResult& result, std::string_view reason,
                           const FinalizeDecision& decision,
                           std::vector<SidecarInput::PieceSegments> segments);
    SidecarInput sidecarInput(const Published& published, const FinalizeResult& result,
                              std::string_view reason, std::size_t keptPieces,
                              std::vector<SidecarInput::PieceSegments> segments) const;

    const TalkSinkConfig& config_;
    PartSet& parts_;
    const Publisher& publisher_;
    const core::Clock& clock_;
    SinkEnd end_;
};

}  // namespace confcap::sink
