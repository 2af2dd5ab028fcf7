// `confcap recut TALK --out DIR [--start …] [--end …]`: a recorded talk's file made again from
// its room's tape with new boundaries (run::recutTalk).
#pragma once

#include <ostream>

#include "confcap/app/CommandLine.h"

namespace confcap::app {

/// Runs recut; returns kExitOk, or throws core::UsageError (no or an unknown talk, a bad
/// --start/--end), core::InputError (no tape of the window) or core::OutputError (the file was
/// changed, or the new one cannot be written).
int runRecut(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app
