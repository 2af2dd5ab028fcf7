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
/// "summary"}], state "live", "not live" or "failed". With `shard` (--shard K/N), also
/// "shard":{"index","count","name"}; the other shards' talks are in "skipped".
void printPlanJson(const plan::Plan& plan, const std::optional<source::RecorderCommand>& recorder,
                   std::ostream& out, const std::vector<RoomStreamCheck>* checks = nullptr,
                   const std::optional<plan::Shard>& shard = std::nullopt);

/// Prints the stream checks as a table: room, what the check found, URL.
void printStreamChecks(const std::vector<RoomStreamCheck>& checks, std::ostream& out);

/// Prints the plan as a table in `zone` (UTC when empty); with an external `recorder`, each job
/// says what records it; with `shard`, which rooms it records and which shard has the others.
void printPlanTable(const schedule::Schedule& schedule, const plan::Plan& plan,
                    const std::optional<source::RecorderCommand>& recorder, const std::string& zone,
                    const std::string& outDir, std::ostream& out,
                    const std::optional<plan::Shard>& shard = std::nullopt);

/// `plan --shards N`: every room of the schedule, the shard of N that records it and its talks
/// in `plan`; then rooms and talks per shard.
void printShardsTable(const schedule::Schedule& schedule, const plan::Plan& plan, int count,
                      std::ostream& out);
/// The same as JSON: {"shards":N, "rooms":[{"room","key","shard","talks"}],
/// "perShard":[{"shard","name","rooms","talks"}]}.
void printShardsJson(const schedule::Schedule& schedule, const plan::Plan& plan, int count,
                     std::ostream& out);

/// Runs `confcap plan`; returns the exit code.
int runPlan(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app
