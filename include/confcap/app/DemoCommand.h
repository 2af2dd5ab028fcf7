// `confcap demo`: a fake conference on loopback (three rooms, talks seconds apart, a talk that
// moves, injected faults) recorded end to end by the real pipeline into ./demo-recordings.
#pragma once

#include <ostream>

#include "confcap/app/CommandLine.h"

namespace confcap::app {

/// Runs the demo; returns record's exit code.
int runDemo(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app
