#include "confcap/sink/SinkStates.h"

#include <stdexcept>
#include <string>

namespace confcap::sink {

std::string_view toString(SinkState state) noexcept {
    switch (state) {
        case SinkState::Waiting:
            return "waiting";
        case SinkState::Recording:
            return "recording";
        case SinkState::DiskFull:
            return "disk full";
        case SinkState::WriteFailed:
            return "write failed";
        case SinkState::Finalized:
            return "finalized";
    }
    return "unknown";
}

bool transitionAllowed(SinkState from, SinkState to) noexcept {
    switch (from) {
        case SinkState::Waiting:
            return to == SinkState::Recording || to == SinkState::WriteFailed ||
                   to == SinkState::Finalized;
        case SinkState::Recording:
            return to == SinkState::Recording || to == SinkState::DiskFull ||
                   to == SinkState::WriteFailed || to == SinkState::Finalized;
        case SinkState::DiskFull:
            // Space came back (with or without a piece open), or writing failed for good.
            return to == SinkState::Waiting || to == SinkState::Recording ||
                   to == SinkState::WriteFailed || to == SinkState::Finalized;
        case SinkState::WriteFailed:
            return to == SinkState::Finalized;
        case SinkState::Finalized:
            return false;
    }
    return false;
}

void transition(SinkStatus& status, SinkState to) {
    if (!transitionAllowed(status.state, to)) {
        throw std::logic_error("a talk sink cannot move from " +
                               std::string(toString(status.state)) + " to " +
                               std::string(toString(to)));
    }
    status.state = to;
}

}  // namespace confcap::sink
