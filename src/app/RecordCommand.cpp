#include "confcap/app/RecordCommand.h"
#include "confcap/app/RecutCommand.h"

#include <date/tz.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "RunFollowers.h"
#include "confcap/app/ExitCode.h"
#include "confcap/app/FavouritesReport.h"
#include "confcap/app/ListCommand.h"
#include "confcap/app/PlanCommand.h"
#include "confcap/app/RunDisplay.h"
#include "confcap/app/RunOptions.h"
#include "confcap/app/ScheduleLoader.h"
#include "confcap/app/SignalWatcher.h"
#include "confcap/app/StreamChecks.h"
#include "confcap/app/SummaryCommand.h"
#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/run/PocoTimer.h"
#include "confcap/run/Session.h"
#include "confcap/source/CommandSource.h"
#include "confcap/source/RecorderPipe.h"
#include "confcap/status/ServedFile.h"
#include "confcap/status/StatusServer.h"
#include "confcap/status/Summary.h"
#include "confcap/status/TerminalTable.h"
#include "confcap/status/TextFormat.h"

namespace confcap::app {

namespace {

/// Creates the output folder and its bookkeeping folder and proves they can be written, so a
/// read-only or missing disk is reported before any waiting starts.
void prepareOutputFolder(const std::filesystem::path& out) {
    std::error_code error;
    std::filesystem::create_directories(out / ".confcap", error);
    const auto probe = out / ".confcap" / ".write-test";
    std::ofstream file(probe);
    if (error || !file || !(file << "ok") || !file.flush()) {
        throw core::OutputError("Cannot write to the output folder " + out.string() + ": " +
                                (error ? error.message() : std::string(std::strerror(errno))) +
                                ".");
    }
    file.close();
    std::filesystem::remove(probe, error);
}

status::Mark markFor(const plan::Job& job, const date::time_zone* zone) {
    return markOf(job.talk.room, job.talk.start, job.talk.title, zone);
}

/// summary.html beside summary.json: this run's talks, with what their sidecars add.
void writeRunPage(const status::Summary& summary, const std::filesystem::path& outDir,
                  const date::time_zone* zone) {
    std::set<std::string> keys;
    for (const auto& entry : summary.entries()) {
        keys.insert(entry.key);
    }
    auto copies = readTalkCopies({outDir});
    std::erase_if(copies, [&keys](const TalkCopy& copy) { return keys.count(copy.key) == 0; });
    writeSummaryPage(copies, {outDir}, outDir / std::string(status::kSummaryPage), zone,
                     summary.finishedAt());
}

/// The plan without the talks another shard records: a shard's status, journal and summary
/// show its own talks only.
plan::Plan withoutOtherShards(plan::Plan plan) {
    std::erase_if(plan.skipped, [](const plan::Skipped& s) { return s.otherShard; });
    return plan;
}

/// The zone of the conference: the log, the table and the talks' marks show its local time;
/// null (UTC) when the schedule names none.
const date::time_zone* zoneOf(const schedule::Schedule& schedule) {
    return schedule.conference.timeZone.empty() ? nullptr
                                                : date::locate_zone(schedule.conference.timeZone);
}

/// "10:31" in the conference's zone, "10:31 UTC" without one.
std::string clockTextIn(const date::time_zone* zone, std::chrono::system_clock::time_point t) {
    const auto whole = std::chrono::floor<std::chrono::seconds>(t);
    return zone != nullptr ? date::format("%H:%M", zone->to_local(whole))
                           : date::format("%H:%M UTC", whole);
}

/// What `record` asks of its run, read in the order the options are checked.
run::Session::Options sessionOptions(const Arguments& arguments,
                                     const std::filesystem::path& outDir) {
    run::Session::Options options;
    options.recorder = recordingOptions(arguments);
    options.recorder.outDir = outDir;
    const auto tape = tapeOptions(arguments);
    options.recorder.keepTape = tape.keep;
    options.recorder.tapeBridge = tape.bridge;
    options.recorder.source.pipeFolder = outDir / ".confcap";
    options.recorder.source.recorderHome = outDir / ".confcap" / "recorder-home";
    options.refreshPeriod = durationOption(arguments, "refresh", core::Seconds(300));
    // The disk guard looks at --out's file system on the scheduler's tick: at the start, every
    // minute, and every 5 s while space is short.
    options.minFree = minFreeOption(arguments);
    statusPortOption(arguments);  // a bad --status-port is refused before waiting
    options.hooks = hookOptions(arguments);
    options.health = healthOptions(arguments);
    options.journal = true;
    options.finishLeftovers = true;
    return options;
}

/// The run's first lines: what it records, the talks it does not and why, and the rooms other
/// shards record.
void announcePlan(status::StatusBoard& board, const plan::Plan& plan, const Arguments& arguments,
                  const std::filesystem::path& outDir, const date::time_zone* zone) {
    board.publish(status::Level::Info, {},
                  "confcap " CONFCAP_VERSION ": " + std::to_string(plan.jobs.size()) +
                      (plan.jobs.size() == 1 ? " talk" : " talks") + " to record from " +
                      *arguments.value("schedule") + " into " + outDir.string());
    std::set<std::string> otherShardsRooms;
    for (const auto& skipped : plan.skipped) {
        if (skipped.otherShard) {
            otherShardsRooms.insert(skipped.talk.room);
            continue;
        }
        board.publish(status::Level::Warning, markFor({skipped.talk, {}, {}, {}, {}, {}}, zone),
                      "not recorded: " + skipped.reason);
    }
    if (const auto shard = planOptions(arguments).shard) {
        std::string rooms;
        for (const auto& room : otherShardsRooms) {
            rooms += (rooms.empty() ? "" : ", ") + room;
        }
        board.publish(status::Level::Info, {},
                      "shard " + plan::toString(*shard) + ": the talks of " +
                          std::to_string(otherShardsRooms.size()) +
                          (otherShardsRooms.size() == 1 ? " room" : " rooms") +
                          " are other shards' to record" +
                          (rooms.empty() ? "" : " (" + rooms + ")"));
    }
}

/// Says once of each room whose stream the chosen recorder cannot record that it is recorded
/// natively.
class NativeRoomNotes {
public:
    NativeRoomNotes(status::StatusBoard& board, std::optional<source::RecorderCommand> recorder)
        : board_(board), recorder_(std::move(recorder)) {}

    void operator()(const plan::Plan& plan) {
        for (const auto& job : plan.jobs) {
            if (source::nativeInstead(recorder_, job.stream) &&
                rooms_.insert(job.talk.room).second) {
                board_.publish(
                    status::Level::Info, {job.talk.room, {}},
                    recorder_->name +
                        " cannot record HLS: this room is recorded by the native engine");
            }
        }
    }

private:
    status::StatusBoard& board_;
    std::optional<source::RecorderCommand> recorder_;
    std::set<std::string> rooms_;
};

/// The status server of --status-port; none without.
std::unique_ptr<status::StatusServer> serveStatus(
    const Arguments& arguments, const status::StatusBoard& board, const core::Clock& clock,
    const run::Session& session, const std::filesystem::path& outDir, const date::time_zone* zone) {
    const auto port = statusPortOption(arguments);
    if (!port) {
        return nullptr;
    }
    status::StatusServer::Options options;
    options.port = *port;
    options.bind = arguments.value("status-bind").value_or("127.0.0.1");
    options.outputDir = outDir;
    options.authFile = arguments.value("status-auth").value_or("");
    options.tlsCertificate = arguments.value("status-tls-cert").value_or("");
    options.tlsKey = arguments.value("status-tls-key").value_or("");
    options.zone = zone;
    options.scheduleRefreshes = [&session] {
        return session.refreshes().value_or(run::ScheduleRefresher::Counts{});
    };
    options.refreshPeriod = session.refreshPeriod();
    if (session.hookCounts()) {
        options.hookResults = [&session] {
            const auto counts = session.hookCounts().value_or(run::HookCounts{});
            return std::map<std::string, std::uint64_t>{
                {run::toString(run::HookState::Ok), counts.ok},
                {run::toString(run::HookState::Failed), counts.failed},
                {run::toString(run::HookState::TimedOut), counts.timedOut},
                {run::toString(run::HookState::Interrupted), counts.interrupted}};
        };
    }
    return std::make_unique<status::StatusServer>(board, clock, options);
}

/// What a status server reachable from other hosts shows to whom, said once at the start;
/// nothing for one on loopback with credentials asked over TLS.
std::optional<std::string> exposureWarning(const Arguments& arguments,
                                           const status::StatusServer& server) {
    if (server.loopbackOnly()) {
        return std::nullopt;
    }
    const auto where = server.url("/");
    if (!arguments.has("status-auth")) {
        return "The status server at " + where +
               " asks for no credentials (--status-auth): whoever reaches it can read the run's "
               "status, its log lines and /metrics, and list and download every recording under " +
               "/recordings/.";
    }
    if (!arguments.has("status-tls-cert")) {
        return "The status server at " + where +
               " asks for credentials, but without --status-tls-cert they and the recordings "
               "cross the network unencrypted.";
    }
    return std::nullopt;
}

/// A pre-flight of the rooms with a talk in the next hour, beside the recording: it only
/// informs, since a room that is not live now may be live at its talk. The bandwidth an HLS
/// master playlist announces for the chosen variant is the disk guard's rate for the room until
/// its recording has measured one.
std::jthread preflight(status::StatusBoard& board, run::Session& session, plan::Plan plan,
                       source::SourceOptions options, const core::Clock& clock) {
    return std::jthread(
        [&board, &session, plan = std::move(plan), options = std::move(options), &clock] {
            const auto now = std::chrono::floor<std::chrono::seconds>(clock.now());
            for (const auto& c :
                 checkRoomStreams(plan, {options.caFile, std::chrono::seconds(10), options.variant},
                                  std::make_pair(now, now + std::chrono::hours(1)))) {
                if (c.check.bandwidth > 0) {
                    session.announce(c.room, static_cast<double>(c.check.bandwidth));
                }
                const bool live = c.check.state == source::StreamCheck::State::Live;
                board.publish(live ? status::Level::Info : status::Level::Warning, {c.room, {}},
                              "stream check: " + c.check.summary +
                                  (live ? "" : "; each talk's window is tried to its end anyway"));
            }
        });
}

/// Prints the summary and writes summary.json and summary.html; returns the exit code.
int endRun(RunDisplay& display, const run::Session& session, const std::filesystem::path& outDir,
           const date::time_zone* zone, std::ostream& out, std::ostream& err) {
    const auto jobs = display.board.jobs();
    auto summary = status::Summary::fromJobs(jobs);
    summary.addHooks(session.hookRecords());
    display.console.clearBlock();
    summary.print(out);
    summary.setZone(zone == nullptr ? std::string() : std::string(zone->name()));
    try {
        summary.writeJson(status::Summary::defaultPath(outDir));
        writeRunPage(summary, outDir, zone);
    } catch (const core::Error& e) {
        err << "confcap: " << e.what() << "\n";
    }
    // A write that failed (disk full, file size limit) is told once, and is its own exit code.
    const auto end = run::sessionEndOf(display.board.jobs());
    if (end.writeFailures > 0) {
        err << "confcap: Writing failed for " << end.writeFailures
            << (end.writeFailures == 1 ? " talk" : " talks") << " (" << core::clause(end.writeError)
            << "); what was written is kept, and each sidecar lists what was lost.\n";
        return kExitIoError;
    }
    return end.failed == 0 && end.discarded == 0 ? kExitOk : kExitTalksFailed;
}

}  // namespace

int runRecord(const Arguments& given, std::ostream& out, std::ostream& err) {
    // Everything a user can get wrong is checked before any waiting starts.
    const auto conference = resolveConference(given, err);
    const auto arguments = withFavouritesSchedule(withConference(given, conference));
    const auto outDir = outputFolder(arguments);
    planOptions(arguments);  // a bad --shard, --pad-before or --name is refused before waiting
    auto options = sessionOptions(arguments, outDir);
    ScheduleReader scheduleReader;
    FavouritesReader favouritesReader;
    favouritesReader.read(arguments, err);
    auto schedule = *scheduleReader.read(arguments, err);
    std::set<std::string> unmatched;  // favourites entries naming no talk, already reported
    auto currentPlan = [&] {
        select::FavouriteMatches matches;
        auto plan =
            makePlanFor(schedule, arguments, conference, true, favouritesReader.lists(), &matches);
        warnUnmatchedFavourites(matches, err);
        unmatched = unmatchedEntries(matches);
        return plan;
    }();
    reportConferenceRooms(conference, schedule, err);
    prepareOutputFolder(outDir);
    source::RecorderPipe::removeStale(outDir / ".confcap");

    core::SystemClock clock;
    const auto* zone = zoneOf(schedule);
    RunDisplay display(arguments, zone, zone == nullptr);
    auto& board = display.board;
    SignalWatcher signals;
    NativeRoomNotes noteRecorders(board, options.recorder.source.recorder);
    // The schedule is re-read every --refresh, and at once on SIGHUP, which re-reads the config
    // file too: selection, streams and padding may change.
    // The favourites lists are re-read with it (see FavouritesInRun).
    Arguments active = arguments;  // the options in force
    FavouritesInRun favourites(favouritesReader, board, std::move(unmatched));
    // Finished talks the schedule moves are cut again from the tape.
    std::optional<run::MovedTalks> moved;
    if (options.recorder.keepTape.count() > 0) {
        moved.emplace(outDir);
    }
    auto times = scheduledTimes(schedule);  // of the schedule read last
    run::Session* running = nullptr;        // once it is made
    options.refresh = [&](bool everything) -> std::optional<plan::Plan> {
        if (everything && active.has("config")) {
            active = active.withConfigReloaded(kRecord);
        }
        const bool favouritesChanged = favourites.reread(active);
        std::ostringstream warnings;
        auto fresh = scheduleReader.read(active, warnings, everything || favouritesChanged);
        if (fresh) {
            times = scheduledTimes(*fresh);
        }
        if (moved) {
            followMovedTalks(*moved, times, board, clock.now(), running, zone);
        }
        if (!fresh) {
            return std::nullopt;
        }
        select::FavouriteMatches found;
        auto plan = withoutOtherShards(
            makePlanFor(*fresh, active, conference, false, favouritesReader.lists(), &found));
        favourites.noteUnmatched(found);
        return plan;
    };
    options.planChanged = [&noteRecorders](const plan::Plan& plan) { noteRecorders(plan); };
    options.refreshFallback = [&scheduleReader] { return scheduleReader.fallback(); };
    options.zone = zone;
    options.jobs = [&board] { return board.jobs(); };
    options.marker = [zone](const plan::Job& job) { return markFor(job, zone); };
    options.clockText = [zone](auto t) { return clockTextIn(zone, t); };
    const auto sources = options.recorder.source;
    run::Session session(std::move(options), clock, board);
    running = &session;
    // Before anything starts: a port in use or an auth or TLS file that cannot be used ends
    // the run here.
    auto server = serveStatus(arguments, board, clock, session, outDir, zone);

    announcePlan(board, currentPlan, arguments, outDir, zone);
    currentPlan = withoutOtherShards(std::move(currentPlan));
    noteRecorders(currentPlan);
    session.start(currentPlan);

    run::PocoTimer tableTimer;
    status::TerminalTable table(board, display.console, clock, tableTimer,
                                {.zone = zone, .utc = !zone});
    table.start();
    if (server) {
        board.publish(status::Level::Info, {}, "status page at " + server->url("/"));
        if (const auto warning = exposureWarning(arguments, *server)) {
            board.publish(status::Level::Warning, {}, *warning);
        }
    }
    auto checks = preflight(board, session, currentPlan, sources, clock);
    signals.onReload([&session, &server, &board] {
        session.refreshNow();
        if (server) {
            try {
                server->reload();
            } catch (const core::Error& e) {
                board.publish(status::Level::Warning, {},
                              std::string(e.what()) + " The status server keeps what it had.");
            }
        }
    });
    signals.onStop([&session] { session.interrupt(); });

    session.waitForEnd(arguments.flag("exit-when-done"), std::chrono::milliseconds(200));
    checks.join();
    if (session.interrupted()) {
        board.publish(status::Level::Info, {},
                      "stopping: the talks under way are published as they are, and the next "
                      "run with the same --out continues them (Ctrl-C again to quit at once)");
    }
    session.finish("confcap stopped");
    signals.onStop({});
    // The reload callback uses the session and the server: it ends before either goes away.
    signals.onReload({});
    table.stop();
    const int code = endRun(display, session, outDir, zone, out, err);
    server.reset();
    return code;
}

}  // namespace confcap::app
