#include "confcap/app/RecutCommand.h"

#include <filesystem>
#include <map>

#include "confcap/app/ExitCode.h"
#include "confcap/app/RunOptions.h"
#include "confcap/app/ScheduleLoader.h"
#include "confcap/core/Error.h"
#include "confcap/core/Format.h"
#include "confcap/core/Time.h"
#include "confcap/run/HealthChecker.h"
#include "confcap/run/Recut.h"
#include "confcap/status/StatusBoard.h"

namespace confcap::app {

namespace {

std::string utc(std::chrono::system_clock::time_point t) {
    return core::formatUtc(std::chrono::floor<std::chrono::seconds>(t));
}

void print(std::ostream& out, const std::filesystem::path& outDir, const run::Recut& cut) {
    const auto& status = cut.result.status;
    out << "Cut again from the tape: " << cut.file.lexically_relative(outDir).string()
        << "\n  window " << utc(cut.newStart) << " to " << utc(cut.newEnd) << " (was "
        << utc(cut.oldStart) << " to " << utc(cut.oldEnd) << ")\n  "
        << core::formatBytes(status.bytes) << ", " << static_cast<long>(status.coveredSeconds)
        << " s of media, " << status.gaps.size() << (status.gaps.size() == 1 ? " gap" : " gaps")
        << "\n";
}

// The new cuts' content checked and their thumbnails drawn, as record does for a finished talk
// (not with --no-health, nor without ffmpeg); what the checks flag is told on `err`.
void checkContent(const Arguments& arguments, const std::filesystem::path& outDir,
                  const std::vector<run::Recut>& cuts, std::ostream& err) {
    const auto thresholds = healthOptions(arguments);
    const auto ffmpeg = run::HealthChecker::ffmpegOnPath();
    if (!thresholds || ffmpeg.empty() || cuts.empty()) {
        return;
    }
    run::HealthChecker::Options options;
    options.thresholds = *thresholds;
    options.ffmpeg = ffmpeg;
    options.outDir = outDir;
    status::StatusBoard board;
    {
        run::HealthChecker checker(options, board);
        for (const auto& cut : cuts) {
            const auto& talk = cut.result.talk;
            checker.submit(talk.guid.empty() ? talk.id : talk.guid, {talk.room, talk.title},
                           cut.result);
        }
        while (!checker.waitIdle(std::chrono::seconds(1))) {
        }
    }
    for (const auto& event : board.recentEvents(status::StatusBoard::kKeptEvents)) {
        if (event.level != status::Level::Info && event.level != status::Level::Debug) {
            err << "confcap: warning: \"" << event.mark.talk << "\": " << event.message << "\n";
        }
    }
}

// recut --schedule: every recorded talk whose times differ in the schedule, cut again.
int recutMoved(const Arguments& arguments, const std::filesystem::path& outDir, std::ostream& out,
               std::ostream& err) {
    const auto schedule = loadSchedule(arguments, err);
    run::MovedTalks moved(outDir);
    int cut = 0;
    int failed = 0;
    std::vector<run::Recut> cuts;
    for (const auto& result : moved.follow(scheduledTimes(schedule))) {
        if (result.cut) {
            print(out, outDir, *result.cut);
            cuts.push_back(*result.cut);
            ++cut;
        } else {
            err << "confcap: warning: \"" << result.title
                << "\" was not cut again: " << result.failure << "\n";
            ++failed;
        }
    }
    checkContent(arguments, outDir, cuts, err);
    out << cut << (cut == 1 ? " talk" : " talks") << " cut again for the schedule's times";
    if (failed > 0) {
        out << "; " << failed << " could not be";
    }
    out << ".\n";
    return failed > 0 ? kExitTalksFailed : kExitOk;
}

}  // namespace

std::vector<run::ScheduledTimes> scheduledTimes(const schedule::Schedule& schedule) {
    std::vector<run::ScheduledTimes> times;
    for (const auto& talk : schedule.talks) {
        times.push_back({talk.key(), talk.start, talk.end()});
    }
    return times;
}

int runRecut(const Arguments& arguments, std::ostream& out, std::ostream& err) {
    const auto& talks = arguments.positional();
    const bool bySchedule = arguments.has("schedule");
    if ((talks.size() != 1 && !bySchedule) || (!talks.empty() && bySchedule)) {
        throw core::UsageError(
            "recut takes one talk, or a schedule whose times it follows: confcap recut TALK "
            "--out DIR [--start …] [--end …], or confcap recut --out DIR --schedule SRC.");
    }
    run::RecutRequest request;
    request.outDir = arguments.value("out").value_or("recordings");
    std::error_code error;
    if (!std::filesystem::is_directory(request.outDir, error)) {
        throw core::InputError("The output folder " + core::quotedPath(request.outDir) +
                               " does not exist.");
    }
    if (bySchedule) {
        if (arguments.has("start") || arguments.has("end")) {
            throw core::UsageError(
                "recut --schedule takes the times from the schedule: leave out --start and --end.");
        }
        return recutMoved(arguments, request.outDir, out, err);
    }
    request.talk = talks.front();
    if (const auto start = arguments.value("start")) {
        request.start = run::boundaryEditFrom(*start, "start");
    }
    if (const auto end = arguments.value("end")) {
        request.end = run::boundaryEditFrom(*end, "end");
    }
    if (!request.start && !request.end) {
        err << "confcap: warning: neither --start nor --end given: the talk is cut again with the "
               "window it had.\n";
    }
    const auto cut = run::recutTalk(request);
    print(out, request.outDir, cut);
    checkContent(arguments, request.outDir, {cut}, err);
    return kExitOk;
}

}  // namespace confcap::app
