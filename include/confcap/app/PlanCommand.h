// `confcap plan`: what `record` would do with the same options, without recording.
#pragma once

#include <ostream>

#include "confcap/app/CommandLine.h"
#include "confcap/plan/Plan.h"
#include "confcap/schedule/Schedule.h"

namespace confcap::app {

/// The plan the options describe, from a loaded schedule: selection (respecting opt-outs unless
/// --include-optout), streams, padding and names. Throws core::UsageError for bad options or a
/// --stream naming an unknown room.
plan::Plan makePlanFor(const schedule::Schedule& schedule, const Arguments& arguments);

/// Prints the plan as the contract's JSON: {"jobs":[{"talk","stream","from","until","file"}],
/// "skipped":[{"talk","reason"}]}.
void printPlanJson(const plan::Plan& plan, std::ostream& out);

/// Prints the plan as a table in `zone` (UTC when empty).
void printPlanTable(const schedule::Schedule& schedule, const plan::Plan& plan,
                    const std::string& zone, const std::string& outDir, std::ostream& out);

/// Runs `confcap plan`; returns the exit code.
int runPlan(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app
