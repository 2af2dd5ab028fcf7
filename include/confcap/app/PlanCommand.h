// `confcap plan`: what `record` would do with the same options, without recording.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "confcap/app/CommandLine.h"
#include "confcap/app/Conference.h"
#include "confcap/app/FavouritesReport.h"
#include "confcap/app/StreamChecks.h"
#include "confcap/plan/DiskForecast.h"
#include "confcap/plan/Plan.h"
#include "confcap/run/DiskGuard.h"
#include "confcap/schedule/Schedule.h"
#include "confcap/select/Favourites.h"
#include "confcap/select/Selector.h"
#include "confcap/source/RecorderCommand.h"

namespace confcap::app {

/// The plan the options describe, from a loaded schedule: selection (respecting opt-outs unless
/// --include-optout), streams (--stream, --stream-template, then the --conference's), padding and
/// names. Throws core::UsageError for bad options or a --stream naming an unknown room, and with
/// `requireTalks` when the selection picks no talk (see requireSelectedTalks).
/// With `favourites`, the talks they name are selected as --talk would (see
/// app::applyFavourites); `matches`, when given, receives what became of each entry.
plan::Plan makePlanFor(const schedule::Schedule& schedule, const Arguments& arguments,
                       const std::optional<ConferenceChoice>& conference = std::nullopt,
                       bool requireTalks = false,
                       const std::vector<select::FavouriteList>& favourites = {},
                       select::FavouriteMatches* matches = nullptr);

/// The selection rules `plan` and `record` apply: the options' (ListCommand.h), respecting
/// opt-outs unless --include-optout.
select::SelectionRules planRules(const Arguments& arguments);

/// What `plan` says about the disk: the forecast from `now`, each room's rate and where it came
/// from, and the free space of --out.
struct PlanForecast {
    plan::DiskForecast forecast;
    std::vector<std::pair<std::string, plan::RoomRate>> rooms;  ///< by room name
    /// --out's file system (its nearest existing folder); none when it cannot be read.
    std::optional<run::DiskSpace> space;
    std::uint64_t reserveBytes = 0;  ///< --min-free on that file system; 0 without `space`
    /// When the free space runs out at the forecast rates; none when it fits or is unknown.
    std::optional<core::Instant> runsOutAt;
    /// What the room tapes hold (none with --keep-tape 0), and how long they are kept.
    std::optional<plan::TapeForecast> tape;
    core::Seconds keepTape{0};
    /// --out's file system shares blocks between files (XFS, btrfs): the overlap of a room's
    /// windows is on disk once.
    bool sharesBlocks = false;
};

/// The forecast of `plan`'s jobs at `now`: rooms at the rate `checks` found announced (the
/// chosen HLS variant's BANDWIDTH), else the one assumed for their kind. Pure.
PlanForecast planForecast(const plan::Plan& plan, const std::vector<RoomStreamCheck>* checks,
                          core::Instant now, const std::optional<run::DiskSpace>& space,
                          const run::MinFree& minFree);

/// --keep-tape and --tape-bridge as record reads them (48h and 30m by default).
struct TapeOptions {
    core::Seconds keep{48 * 3600};
    core::Seconds bridge{30 * 60};
};
TapeOptions tapeOptions(const Arguments& arguments);

/// The space of the file system that holds `folder`, or would hold it once created (its nearest
/// existing parent); none when that cannot be read.
std::optional<run::DiskSpace> spaceFor(const std::filesystem::path& folder);

/// Prints the forecast: the peak rate at once and bytes per hour at it, the whole selection and
/// what of it is still to come, the free space of `outDir`, and each room's rate.
void printForecast(const PlanForecast& forecast, const std::string& outDir, const std::string& zone,
                   std::ostream& out);

/// Prints the plan as the contract's JSON: {"jobs":[{"talk","stream","recorder","from","until",
/// "file"}], "skipped":[{"talk","reason"}]}; "recorder" says what records the stream (see
/// source::recorderFor). With `checks` (--check-streams), also "streams":[{"room","url","state",
/// "summary"}], state "live", "not live" or "failed". With `shard` (--shard K/N), also
/// "shard":{"index","count","name"}; the other shards' talks are in "skipped". With `forecast`,
/// also "forecast":{"peak_bits_per_second","peak_bytes_per_hour","total_bytes","needed_bytes",
/// "free_bytes","min_free_bytes","fits","runs_out_at","rooms":[{"room","bits_per_second",
/// "source"}]}, "free_bytes", "min_free_bytes", "fits" and "runs_out_at" null when unknown.
/// With `favourites` (--favourites), also "favourites": favouritesJson().
void printPlanJson(const plan::Plan& plan, const std::optional<source::RecorderCommand>& recorder,
                   std::ostream& out, const std::vector<RoomStreamCheck>* checks = nullptr,
                   const std::optional<plan::Shard>& shard = std::nullopt,
                   const PlanForecast* forecast = nullptr,
                   const std::vector<FavouriteOutcome>* favourites = nullptr);

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
