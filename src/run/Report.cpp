#include "confcap/run/Report.h"

namespace confcap::run {

const char* toString(JobState state) noexcept {
    switch (state) {
        case JobState::Waiting:
            return "Waiting";
        case JobState::Recording:
            return "Recording";
        case JobState::Retrying:
            return "Retrying";
        case JobState::Finalizing:
            return "Finalizing";
        case JobState::Recorded:
            return "Recorded";
        case JobState::Discarded:
            return "Discarded";
        case JobState::Failed:
            return "Failed";
        case JobState::Skipped:
            return "Skipped";
        case JobState::Cancelled:
            return "Cancelled";
        case JobState::Interrupted:
            return "Interrupted";
    }
    return "Unknown";
}

bool isActive(JobState state) noexcept {
    return state == JobState::Recording || state == JobState::Retrying ||
           state == JobState::Finalizing;
}

bool isFinal(JobState state) noexcept {
    return state != JobState::Waiting && !isActive(state);
}

JobState stateOf(core::Outcome outcome) noexcept {
    switch (outcome) {
        case core::Outcome::Recorded:
            return JobState::Recorded;
        case core::Outcome::Discarded:
            return JobState::Discarded;
        case core::Outcome::Failed:
            return JobState::Failed;
        case core::Outcome::Skipped:
            return JobState::Skipped;
        case core::Outcome::Cancelled:
            return JobState::Cancelled;
        case core::Outcome::Interrupted:
            return JobState::Interrupted;
    }
    return JobState::Failed;
}

core::Outcome outcomeOf(JobState state) noexcept {
    switch (state) {
        case JobState::Recorded:
            return core::Outcome::Recorded;
        case JobState::Discarded:
            return core::Outcome::Discarded;
        case JobState::Failed:
            return core::Outcome::Failed;
        case JobState::Skipped:
            return core::Outcome::Skipped;
        case JobState::Interrupted:
            return core::Outcome::Interrupted;
        default:
            return core::Outcome::Cancelled;
    }
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
