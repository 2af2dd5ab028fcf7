// Whether a talk's recording is kept, and why: a pure decision over what the recording holds,
// taken before anything is merged, moved or deleted.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "confcap/sink/Recording.h"

namespace confcap::sink {

/// What the decision looks at.
struct FinalizeInput {
    /// The bytes of each piece on disk, in order (every track of the piece together).
    std::vector<std::uint64_t> pieceBytes;
    /// Media time received, and whether it was read from the media (see SinkStatus).
    double coveredSeconds = 0;
    bool measured = false;
    std::uint64_t minBytes = 0;           ///< --min-size
    std::chrono::seconds minDuration{0};  ///< --min-duration
    std::chrono::seconds scheduled{0};    ///< the window's length
    std::size_t gaps = 0;
    std::string writeError;  ///< why writing stopped early; empty when it did not
    /// How long the disk was full while the talk recorded (told in the reason when not zero).
    std::chrono::seconds diskFull{0};
};

/// The decision.
struct FinalizeDecision {
    core::Outcome outcome = core::Outcome::Failed;
    /// "recorded: 12.3 MB covering 45m of the 50m window with 2 gaps", "discarded: …".
    std::string reason;
    /// The pieces to publish, by index; pieces left out (empty, or tiny beside larger ones) are
    /// not among them.
    std::vector<std::size_t> kept;
    std::uint64_t bytes = 0;  ///< of the kept pieces
    std::vector<std::string> notes;
};

/// A piece below this beside a larger one is a connection or recorder run that ended before it
/// delivered media (a header, an error page): merging it would only break the merge.
inline constexpr std::uint64_t kTinyPiece = 16 * 1024;

/// Decides: nothing written is Failed; media that covers `minDuration` is Recorded whatever its
/// size (a one-minute audio slot is small); measured media below it is Discarded; bytes that
/// could not be read as media are Discarded below `minBytes` or `minDuration` of wall time.
/// After a write error a recording that would be discarded is Failed instead. Pure.
FinalizeDecision decideFinal(const FinalizeInput& input);

}  // namespace confcap::sink
