#include "confcap/run/Report.h"

namespace confcap::run {

namespace {

/// The outcome's word as a state's name: "Recorded", "Discarded", ...
const char* doneName(core::Outcome outcome) noexcept {
    switch (outcome) {
        case core::Outcome::Recorded:
            return "Recorded";
        case core::Outcome::Discarded:
            return "Discarded";
        case core::Outcome::Failed:
            return "Failed";
        case core::Outcome::Skipped:
            return "Skipped";
        case core::Outcome::Cancelled:
            return "Cancelled";
        case core::Outcome::Interrupted:
            return "Interrupted";
    }
    return "Unknown";
}

}  // namespace

const char* toString(JobState state) noexcept {
    switch (state.phase()) {
        case JobPhase::Waiting:
            return "Waiting";
        case JobPhase::Recording:
            return "Recording";
        case JobPhase::Retrying:
            return "Retrying";
        case JobPhase::Finalizing:
            return "Finalizing";
        case JobPhase::Done:
            return state.outcome() ? doneName(*state.outcome()) : "Unknown";
    }
    return "Unknown";
}

bool isActive(JobState state) noexcept {
    return state.phase() == JobPhase::Recording || state.phase() == JobPhase::Retrying ||
           state.phase() == JobPhase::Finalizing;
}

bool isFinal(JobState state) noexcept {
    return state.phase() == JobPhase::Done;
}

JobState stateOf(core::Outcome outcome) noexcept {
    return JobState::done(outcome);
}

core::Outcome outcomeOf(JobState state) noexcept {
    return state.outcome().value_or(core::Outcome::Cancelled);
}

const char* toString(Level level) noexcept {
    switch (level) {
        case Level::Debug:
            return "debug";
        case Level::Info:
            return "info";
        case Level::Warning:
            return "warning";
        case Level::Error:
            return "error";
    }
    return "unknown";
}

}  // namespace confcap::run
