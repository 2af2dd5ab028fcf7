// `confcap plan`: what `record` would do with the same options, without recording.
#pragma once

#include <optional>
#include <ostream>

#include "confcap/app/CommandLine.h"
#include "confcap/app/Conference.h"
#include "confcap/app/StreamChecks.h"
#include "confcap/plan/Plan.h"
#include "confcap/schedule/Schedule.h"
#include "confcap/source/RecorderCommand.h"

namespace confcap::app {

/// The plan the options describe, from a loaded schedule: selection (respecting opt-outs unless
/// --include-optout), streams (--stream, --stream-template, then the --conference's), padding and
/// names. Throws core::UsageError for bad options or a --stream naming an unknown room, and with
/// `requireTalks` when the selection picks no talk (see requireSelectedTalks).
plan::Plan makePlanFor(const schedule::Schedule& schedule, const Arguments& arguments,
                       const std::optional<ConferenceChoice>& conference = std::nullopt,
                       bool requireTalks = false);

/// Prints the plan as the contract's JSON: {"jobs":[{"talk","stream","recorder","from","until",
/// "file"}], "skipped":[{"talk","reason"}]}; "recorder" says what records the stream (see
/// source::recorderFor). With `checks` (--check-streams), also "streams":[{"room","url","state",
/// "summary"}], state "live", "not live" or "failed".
void printPlanJson(const plan::Plan& plan, const std::optional<source::RecorderCommand>& recorder,
                   std::ostream& out, const std::vector<RoomStreamCheck>* checks = nullptr);

/// Prints the stream checks as a table: room, what the check found, URL.
void printStreamChecks(const std::vector<RoomStreamCheck>& checks, std::ostream& out);

/// Prints the plan as a table in `zone` (UTC when empty); with an external `recorder`, each job
/// says what records it.
void printPlanTable(const schedule::Schedule& schedule, const plan::Plan& plan,
                    const std::optional<source::RecorderCommand>& recorder, const std::string& zone,
                    const std::string& outDir, std::ostream& out);

/// Runs `confcap plan`; returns the exit code.
int runPlan(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app
