// The stream pre-flight of `plan --check-streams` and of `record`'s start: each room's stream
// checked once, all rooms at the same time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/plan/Plan.h"
#include "confcap/source/StreamCheck.h"

namespace confcap::app {

/// One room's stream and what its check found.
struct RoomStreamCheck {
    std::string room;
    std::string url;
    source::StreamCheck check;
};

/// Checks the stream of each room with a job in `plan`, once per distinct room and URL, in
/// parallel; with `window`, only rooms with a job whose recording window overlaps it
/// ([first, second), UTC). In room order. Never throws for a stream that fails.
std::vector<RoomStreamCheck> checkRoomStreams(
    const plan::Plan& plan, const source::StreamCheckOptions& options,
    std::optional<std::pair<core::Instant, core::Instant>> window = std::nullopt);

}  // namespace confcap::app
