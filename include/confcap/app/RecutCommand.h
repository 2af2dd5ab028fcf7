// `confcap recut TALK --out DIR [--start …] [--end …]`: a recorded talk's file made again from
// its room's tape with new boundaries (run::recutTalk).
#pragma once

#include <ostream>
#include <vector>

#include "confcap/app/CommandLine.h"
#include "confcap/run/Recut.h"
#include "confcap/schedule/Schedule.h"

namespace confcap::app {

/// Each talk's key and times, as run::MovedTalks follows them. Pure.
std::vector<run::ScheduledTimes> scheduledTimes(const schedule::Schedule& schedule);

/// Runs recut; returns kExitOk, or throws core::UsageError (no or an unknown talk, a bad
/// --start/--end), core::InputError (no tape of the window) or core::OutputError (the file was
/// changed, or the new one cannot be written). With --schedule instead of a talk: every recorded
/// talk whose times differ there is cut again; kExitTalksFailed when one could not be.
int runRecut(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app
