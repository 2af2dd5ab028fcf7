#include "confcap/app/RecordCommand.h"

#include <Poco/JSON/Object.h>

#include <date/tz.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "confcap/app/ExitCode.h"
#include "confcap/app/ListCommand.h"
#include "confcap/app/PlanCommand.h"
#include "confcap/app/RunOptions.h"
#include "confcap/app/ScheduleLoader.h"
#include "confcap/app/SignalWatcher.h"
#include "confcap/app/StreamChecks.h"
#include "confcap/app/SummaryCommand.h"
#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/run/CaptureRecorder.h"
#include "confcap/run/DiskGuard.h"
#include "confcap/run/HealthChecker.h"
#include "confcap/run/HookRunner.h"
#include "confcap/run/PocoTimer.h"
#include "confcap/run/ScheduleRefresher.h"
#include "confcap/run/Scheduler.h"
#include "confcap/sink/Recovery.h"
#include "confcap/source/CommandSource.h"
#include "confcap/source/RecorderPipe.h"
#include "confcap/status/Console.h"
#include "confcap/status/LogWriter.h"
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

/// "10:30 Opening" in the conference's zone.
status::Mark markFor(const plan::Job& job, const date::time_zone* zone) {
    const auto local = zone != nullptr ? zone->to_local(job.talk.start)
                                       : date::local_seconds(job.talk.start.time_since_epoch());
    return {job.talk.room, date::format("%H:%M", local) + " " + job.talk.title};
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

/// The content health checker of a run; none with --no-health.
std::unique_ptr<run::HealthChecker> makeHealthChecker(
    const std::optional<health::Thresholds>& thresholds, status::StatusBoard& board,
    const std::filesystem::path& outDir, const date::time_zone* zone) {
    if (!thresholds) {
        return nullptr;
    }
    run::HealthChecker::Options options;
    options.thresholds = *thresholds;
    options.ffmpeg = run::HealthChecker::ffmpegOnPath();
    options.outDir = outDir;
    options.zone = zone;
    options.recordingJobs = [&board] { return board.jobs(); };
    return std::make_unique<run::HealthChecker>(options, board);
}

/// A normal end waits for the last talks' checks, so the summary has them; a stop ends them at
/// once.
void finishHealthChecks(run::HealthChecker& checker, status::StatusBoard& board,
                        const SignalWatcher& signals) {
    if (!signals.stopRequested() && !checker.waitIdle(std::chrono::milliseconds(0))) {
        board.publish(status::Level::Info, {}, "checking the last talks' content (Ctrl-C to skip)");
        while (!checker.waitIdle(std::chrono::milliseconds(200)) && !signals.stopRequested()) {
        }
    }
    checker.stop();
}

}  // namespace

int runRecord(const Arguments& given, std::ostream& out, std::ostream& err) {
    // Everything a user can get wrong is checked before any waiting starts.
    const auto conference = resolveConference(given, err);
    const auto arguments = withConference(given, conference);
    const auto outDir = outputFolder(arguments);
    planOptions(arguments);  // a bad --shard, --pad-before or --name is refused before waiting
    const auto sources = sourceOptions(arguments);
    const auto minBytes = arguments.has("min-size")
                              ? parseSize("min-size", *arguments.value("min-size"))
                              : std::uint64_t{512} * 1024;
    const auto minDuration = durationOption(arguments, "min-duration", core::Seconds(10));
    const auto container = containerOption(arguments);
    const auto refresh = durationOption(arguments, "refresh", core::Seconds(300));
    const auto minFree = minFreeOption(arguments);
    std::optional<std::uint16_t> statusPort;
    if (const auto port = arguments.value("status-port")) {
        const int value = std::atoi(port->c_str());
        if (value < 0 || value > 65535 || std::to_string(value) != *port) {
            throw core::UsageError("--status-port '" + *port + "' is not a port number (0-65535).");
        }
        statusPort = static_cast<std::uint16_t>(value);
    }
    auto hookSettings = hookOptions(arguments);
    const auto healthThresholds = healthOptions(arguments);
    ScheduleReader scheduleReader;
    auto schedule = *scheduleReader.read(arguments, err);
    auto currentPlan = makePlanFor(schedule, arguments, conference, true);
    reportConferenceRooms(conference, schedule, err);
    prepareOutputFolder(outDir);
    source::RecorderPipe::removeStale(outDir / ".confcap");

    core::SystemClock clock;
    status::StatusBoard board;
    status::Console console(STDERR_FILENO);
    status::LogWriter::Options logOptions;
    logOptions.verbosity = arguments.flag("quiet")     ? status::Verbosity::Quiet
                           : arguments.flag("verbose") ? status::Verbosity::Verbose
                                                       : status::Verbosity::Normal;
    logOptions.logFile = arguments.value("log-file").value_or("");
    // The log, the table and the talks' marks all show the conference's local time.
    const date::time_zone* zone = schedule.conference.timeZone.empty()
                                      ? nullptr
                                      : date::locate_zone(schedule.conference.timeZone);
    logOptions.zone = zone;
    logOptions.utc = zone == nullptr;
    status::LogWriter log(console, logOptions);
    board.addListener(log.listener());

    SignalWatcher signals;

    run::Scheduler* scheduler = nullptr;
    run::CaptureRecorder::Options recorderOptions;
    recorderOptions.outDir = outDir;
    recorderOptions.minBytes = minBytes;
    recorderOptions.minDuration = minDuration;
    recorderOptions.container = container;
    recorderOptions.nfo = arguments.flag("nfo");
    recorderOptions.source = sources;
    recorderOptions.source.pipeFolder = outDir / ".confcap";
    recorderOptions.source.recorderHome = outDir / ".confcap" / "recorder-home";
    run::CaptureRecorder recorder(
        recorderOptions,
        [&scheduler](const capture::CaptureEvent& event, const std::vector<std::string>& keys) {
            if (scheduler != nullptr) {
                scheduler->captureEvent(event, keys);
            }
        });
    run::Journal journal(outDir / ".confcap" / "journal.json");
    // Each finished talk's --on-recorded hook runs on the runner's threads, never on the
    // scheduler's or a capture's.
    std::unique_ptr<run::HookRunner> hooks;
    if (hookSettings) {
        hookSettings->journal = &journal;
        hooks = std::make_unique<run::HookRunner>(*hookSettings, board);
        // Talks an earlier run finished whose hook did not finish get it now.
        hooks->resumePending();
    }
    // Each finished talk's content is checked on the checker's threads at the lowest priority,
    // and each recording talk's last minute once a minute.
    auto healthChecker = makeHealthChecker(healthThresholds, board, outDir, zone);
    run::Scheduler::Options schedulerOptions;
    schedulerOptions.journal = &journal;
    schedulerOptions.onFinalized = [&hooks, &healthChecker](const std::string& key,
                                                            const status::Mark& mark,
                                                            const sink::FinalizeResult& result) {
        if (hooks) {
            hooks->submit(key, mark, result);
        }
        if (healthChecker) {
            healthChecker->submit(key, mark, result);
        }
    };
    schedulerOptions.clockText = [zone](std::chrono::system_clock::time_point t) {
        const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
        return zone != nullptr ? date::format("%H:%M", zone->to_local(seconds))
                               : date::format("%H:%M UTC", seconds);
    };
    // The disk guard looks at --out's file system on the scheduler's tick: at the start, every
    // minute, and every 5 s while space is short.
    run::DiskGuard::Options guardOptions;
    guardOptions.minFree = minFree;
    guardOptions.folder = outDir.string();
    guardOptions.clockText = schedulerOptions.clockText;
    run::DiskGuard diskGuard(run::freeSpaceOf(outDir), board, guardOptions);
    schedulerOptions.diskGuard = &diskGuard;
    run::PocoTimer timer;
    run::Scheduler theScheduler(
        clock, timer, recorder, board, [zone](const plan::Job& job) { return markFor(job, zone); },
        schedulerOptions);
    scheduler = &theScheduler;

    board.publish(status::Level::Info, {},
                  "confcap " CONFCAP_VERSION ": " + std::to_string(currentPlan.jobs.size()) +
                      " talks to record from " + *arguments.value("schedule") + " into " +
                      outDir.string());
    std::set<std::string> otherShardsRooms;
    for (const auto& skipped : currentPlan.skipped) {
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
    currentPlan = withoutOtherShards(std::move(currentPlan));
    // A room whose stream the chosen recorder cannot record is recorded natively: said once.
    std::set<std::string> nativeRooms;
    const auto noteRecorders = [&](const plan::Plan& plan) {
        for (const auto& job : plan.jobs) {
            if (source::nativeInstead(sources.recorder, job.stream) &&
                nativeRooms.insert(job.talk.room).second) {
                board.publish(status::Level::Info, {job.talk.room, {}},
                              sources.recorder->name +
                                  " cannot record HLS: this room is recorded by the native engine");
            }
        }
    };
    noteRecorders(currentPlan);
    // What an earlier run left (stopped or killed inside a window): a talk whose window is still
    // open is continued by its job into the same file; every other leftover is finished now, and
    // a talk of the plan that it belongs to keeps that outcome.
    {
        const auto now = std::chrono::floor<std::chrono::seconds>(clock.now());
        std::set<std::string> open;
        std::map<std::string, const plan::Job*> byStem;
        for (const auto& job : currentPlan.jobs) {
            byStem[job.fileStem.generic_string()] = &job;
            if (job.from <= now && now < job.until) {
                open.insert(job.fileStem.generic_string());
            }
        }
        const auto results = sink::recoverLeftovers(
            outDir, sink::PieceMerger(),
            [&](const std::filesystem::path& stem) {
                return open.count(stem.generic_string()) > 0;
            },
            recorderOptions.container, recorderOptions.nfo);
        for (const auto& result : results) {
            const auto job = byStem.find(result.relativeStem.generic_string());
            const auto mark = job != byStem.end() ? markFor(*job->second, zone) : status::Mark{};
            board.publish(result.outcome == core::Outcome::Failed ? status::Level::Warning
                                                                  : status::Level::Info,
                          mark, "finished the recording an earlier run left: " + result.reason);
            const auto key = job != byStem.end() ? job->second->talk.key()
                                                 : result.relativeStem.generic_string();
            if (hooks) {
                hooks->submit(key, mark, result);
            }
            if (healthChecker) {
                healthChecker->submit(key, mark, result);
            }
            if (job != byStem.end()) {
                try {
                    journal.record(job->second->talk.key(),
                                   {run::stateOf(result.outcome),
                                    result.files.empty()
                                        ? std::string()
                                        : result.files.front().lexically_relative(outDir).string(),
                                    result.reason});
                } catch (const core::OutputError& e) {
                    board.publish(status::Level::Warning, mark, e.what());
                }
            }
        }
    }
    theScheduler.applyPlan(currentPlan);
    theScheduler.start();

    // The schedule is re-read every --refresh, and at once on SIGHUP, which re-reads the config
    // file too: selection, streams and padding may change.
    Arguments active = arguments;  // the options in force
    run::PocoTimer refreshTimer;
    run::ScheduleRefresher refresher(
        clock, refreshTimer, theScheduler, board, currentPlan,
        [&](bool everything) -> std::optional<plan::Plan> {
            if (everything && active.has("config")) {
                active = active.withConfigReloaded(kRecord);
            }
            std::ostringstream warnings;
            auto fresh = scheduleReader.read(active, warnings, everything);
            if (!fresh) {
                return std::nullopt;
            }
            return withoutOtherShards(makePlanFor(*fresh, active, conference));
        },
        refresh, noteRecorders, [&scheduleReader] { return scheduleReader.fallback(); });

    status::TerminalTable::Options tableOptions;
    tableOptions.zone = zone;
    tableOptions.utc = zone == nullptr;
    run::PocoTimer tableTimer;
    status::TerminalTable table(board, console, clock, tableTimer, tableOptions);
    table.start();
    std::unique_ptr<status::StatusServer> server;
    if (statusPort) {
        status::StatusServer::Options serverOptions;
        serverOptions.port = *statusPort;
        serverOptions.bind = arguments.value("status-bind").value_or("127.0.0.1");
        serverOptions.outputDir = outDir;
        serverOptions.zone = zone;
        serverOptions.scheduleRefreshes = [&refresher] { return refresher.counts(); };
        serverOptions.refreshPeriod = refresher.period();
        if (hooks) {
            serverOptions.hookResults = [&hooks] {
                const auto counts = hooks->counts();
                return std::map<std::string, std::uint64_t>{
                    {run::toString(run::HookState::Ok), counts.ok},
                    {run::toString(run::HookState::Failed), counts.failed},
                    {run::toString(run::HookState::TimedOut), counts.timedOut},
                    {run::toString(run::HookState::Interrupted), counts.interrupted}};
            };
        }
        server = std::make_unique<status::StatusServer>(board, clock, serverOptions);
        board.publish(status::Level::Info, {}, "status page at " + server->url("/"));
    }

    // A pre-flight of the rooms with a talk in the next hour, beside the recording: it only
    // informs, since a room that is not live now may be live at its talk.
    // The bandwidth an HLS master playlist announces for the chosen variant is the disk guard's
    // rate for the room until its recording has measured one.
    std::jthread preflight([&board, &diskGuard, plan = currentPlan, options = sources, &clock] {
        const auto now = std::chrono::floor<std::chrono::seconds>(clock.now());
        for (const auto& c :
             checkRoomStreams(plan, {options.caFile, std::chrono::seconds(10), options.variant},
                              std::make_pair(now, now + std::chrono::hours(1)))) {
            if (c.check.bandwidth > 0) {
                diskGuard.announce(c.room, static_cast<double>(c.check.bandwidth));
            }
            const bool live = c.check.state == source::StreamCheck::State::Live;
            board.publish(live ? status::Level::Info : status::Level::Warning, {c.room, {}},
                          "stream check: " + c.check.summary +
                              (live ? "" : "; each talk's window is tried to its end anyway"));
        }
    });

    signals.onReload([&] { refresher.refreshNow(); });
    refresher.start();

    const bool exitWhenDone = arguments.flag("exit-when-done");
    signals.wait([&] { return exitWhenDone && theScheduler.done(); },
                 std::chrono::milliseconds(200));
    preflight.join();
    if (signals.stopRequested()) {
        board.publish(status::Level::Info, {},
                      "stopping: the talks under way are published as they are, and the next "
                      "run with the same --out continues them (Ctrl-C again to quit at once)");
    }
    refresher.stop();
    theScheduler.stop("confcap stopped");
    if (hooks) {
        // A normal end waits for the hooks (each bounded by --hook-timeout); a stop gives the
        // running ones a moment, and what is left runs on the next start.
        if (!signals.stopRequested() && !hooks->waitIdle(std::chrono::milliseconds(0))) {
            board.publish(status::Level::Info, {},
                          "waiting for the --on-recorded hooks to finish (Ctrl-C to leave them "
                          "for the next run)");
            while (!hooks->waitIdle(std::chrono::milliseconds(200)) && !signals.stopRequested()) {
            }
        }
        if (signals.stopRequested() && !hooks->waitIdle(std::chrono::milliseconds(0))) {
            board.publish(status::Level::Info, {},
                          "stopping: hooks still running get a few seconds to finish; the next "
                          "run with the same --out runs the rest");
        }
        hooks->stop();
    }
    if (healthChecker) {
        finishHealthChecks(*healthChecker, board, signals);
    }
    table.stop();

    auto summary = status::Summary::fromJobs(board.jobs());
    if (hooks) {
        summary.addHooks(hooks->records());
    }
    console.clearBlock();
    summary.print(out);
    summary.setZone(zone == nullptr ? std::string() : std::string(zone->name()));
    try {
        summary.writeJson(status::Summary::defaultPath(outDir));
        writeRunPage(summary, outDir, zone);
    } catch (const core::Error& e) {
        err << "confcap: " << e.what() << "\n";
    }
    server.reset();
    // A write that failed (disk full, file size limit) is told once, and is its own exit code.
    std::size_t writeFailures = 0;
    std::string writeError;
    for (const auto& job : board.jobs()) {
        if (!job.writeError.empty()) {
            ++writeFailures;
            writeError = job.writeError;
        }
    }
    if (writeFailures > 0) {
        err << "confcap: Writing failed for " << writeFailures
            << (writeFailures == 1 ? " talk" : " talks") << " (" << core::clause(writeError)
            << "); what was written is kept, and each sidecar lists what was lost.\n";
        return kExitIoError;
    }
    const bool allRecorded =
        summary.count(core::Outcome::Failed) == 0 && summary.count(core::Outcome::Discarded) == 0;
    return allRecorded ? kExitOk : kExitTalksFailed;
}

}  // namespace confcap::app
