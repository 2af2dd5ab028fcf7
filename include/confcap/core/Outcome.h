// What became of a talk: the one vocabulary from the sink's decision to the end-of-run summary,
// the sidecar, the journal and the status page.
#pragma once

#include <iosfwd>
#include <optional>
#include <string_view>

namespace confcap::core {

enum class Outcome {
    Recorded,     ///< a final file was kept
    Discarded,    ///< too short (or, undecodable, too small): nothing kept
    Failed,       ///< no usable file (the stream never answered, a write failed, ...)
    Skipped,      ///< selected but not recorded (no stream for the room, opted out)
    Cancelled,    ///< removed from the schedule, or the run ended before its window
    Interrupted,  ///< confcap stopped inside the window; the next run continues it
};

/// "recorded", "discarded", "failed", "skipped", "cancelled", "interrupted". Pure.
const char* toString(Outcome outcome) noexcept;
/// The outcome toString() names; none for any other text. Pure.
std::optional<Outcome> outcomeNamed(std::string_view name) noexcept;

/// Writes toString(outcome): for log lines and test messages.
std::ostream& operator<<(std::ostream& out, Outcome outcome);

}  // namespace confcap::core
