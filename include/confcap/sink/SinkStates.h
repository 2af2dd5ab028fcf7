// The life of a talk sink as a state machine: which moves between SinkStates are allowed, and
// the one function that moves a sink's counters to a new state.
#pragma once

#include <string_view>

#include "confcap/sink/Recording.h"

namespace confcap::sink {

/// "waiting", "recording", "disk full", "write failed", "finalized".
std::string_view toString(SinkState state) noexcept;

/// Whether a sink may move from `from` to `to`. Recording -> Recording is a further piece; no
/// other state moves to itself, and nothing leaves Finalized. Pure.
bool transitionAllowed(SinkState from, SinkState to) noexcept;

/// The one place a sink's state changes: `status.state` becomes `to`. Throws std::logic_error
/// for a move transitionAllowed() does not allow, leaving `status` as it was.
void transition(SinkStatus& status, SinkState to);

}  // namespace confcap::sink
