#include "confcap/app/CaptureCommand.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <optional>

#include "confcap/app/ExitCode.h"
#include "confcap/app/RunDisplay.h"
#include "confcap/app/RunOptions.h"
#include "confcap/app/SignalWatcher.h"
#include "confcap/core/Error.h"
#include "confcap/core/Format.h"
#include "confcap/core/Text.h"
#include "confcap/run/Session.h"
#include "confcap/sink/PartSet.h"
#include "confcap/source/CommandSource.h"
#include "confcap/source/RecorderPipe.h"
#include "confcap/status/StatusBoard.h"
#include "confcap/status/TextFormat.h"

namespace confcap::app {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;
using Kind = capture::CaptureEvent::Kind;

constexpr auto kRedraw = milliseconds(500);

/// "1:05" or "1:01:05".
std::string clockTime(seconds value, bool hours) {
    const long long s = std::max<long long>(0, value.count());
    char text[32];
    if (hours) {
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    } else {
        std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
    }
    return text;
}

/// The part of a finalize reason after "recorded: ", "discarded: "...
std::string reasonDetail(const std::string& reason) {
    const auto colon = reason.find(": ");
    return colon == std::string::npos ? reason : reason.substr(colon + 2);
}

std::string fileList(const std::vector<std::filesystem::path>& files) {
    std::string text;
    for (const auto& file : files) {
        text += (text.empty() ? "" : ", ") + file.string();
    }
    return text;
}

/// Makes sure the recording's folder can be written before anything is fetched: the folder, or
/// the nearest existing folder above it, which the sink will create the rest in.
void checkWritable(const std::filesystem::path& folder) {
    std::error_code error;
    auto existing = std::filesystem::absolute(folder, error);
    while (!error && !std::filesystem::exists(existing, error) && existing.has_relative_path()) {
        existing = existing.parent_path();
    }
    if (error || !std::filesystem::is_directory(existing, error)) {
        throw core::OutputError("Cannot write the recording into " + folder.string() + ": " +
                                existing.string() + " is not a folder.");
    }
    if (::access(existing.c_str(), W_OK | X_OK) != 0) {
        throw core::OutputError("Cannot write the recording into " + folder.string() + ": " +
                                existing.string() + " is not writable.");
    }
}

/// The log of a capture: the progress line and the closing sentence say what a job's states and
/// the failures before any data say, so those are debug lines; the rest goes on as it is.
class CaptureReporter final : public run::Reporter {
public:
    CaptureReporter(status::StatusBoard& board, std::string key)
        : board_(board), key_(std::move(key)) {}

    void publish(run::Event event) override {
        const auto job = board_.job(key_);
        const bool received = job && job->bytes > 0;
        if (event.topic == run::Topic::Job || (event.topic == run::Topic::Stream && !received &&
                                               event.level >= run::Level::Warning)) {
            event.level = run::Level::Debug;
        }
        board_.publish(std::move(event));
    }
    void update(run::JobSnapshot snapshot) override { board_.update(std::move(snapshot)); }

private:
    status::StatusBoard& board_;
    std::string key_;
};

/// What the capture's stream did, for the closing sentence. Thread-safe.
struct StreamNotes {
    std::mutex mutex;
    std::string failure;    ///< the last failure, one sentence
    bool gaveUp = false;    ///< no more attempts were made before --for was over
    bool received = false;  ///< media arrived

    void take(const capture::CaptureEvent& event) {
        std::lock_guard lock(mutex);
        if (event.kind == Kind::Failed) {
            failure = event.message;
        } else if (event.kind == Kind::GaveUp) {
            gaveUp = event.errorKind != core::ErrorKind::Transient;
        } else if (event.kind == Kind::Connected || event.kind == Kind::Resumed) {
            received = true;
        }
    }
};

/// What `capture` was asked to record.
struct CaptureRequest {
    std::string url;
    core::Seconds length{0};  ///< --for
    CaptureTarget target;     ///< -o
};

/// The URL, --for and -o, checked. Throws core::UsageError for what is missing or wrong.
CaptureRequest captureRequest(const Arguments& arguments) {
    const auto& positional = arguments.positional();
    if (positional.empty()) {
        throw core::UsageError(
            "capture needs the stream's URL: confcap capture URL --for DURATION -o FILE.");
    }
    if (positional.size() > 1) {
        throw core::UsageError("capture records one URL; '" + positional[1] + "' is one too many.");
    }
    const std::string& url = positional.front();
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        throw core::UsageError("'" + url + "' is not an http:// or https:// URL.");
    }
    if (!arguments.value("for")) {
        throw core::UsageError(
            "capture needs --for DURATION, how long to record, e.g. --for 1h30m.");
    }
    const auto length = durationOption(arguments, "for", seconds(0));
    if (length <= seconds(0)) {
        throw core::UsageError("--for must be longer than 0s.");
    }
    const auto file = arguments.value("output");
    if (!file) {
        throw core::UsageError(
            "capture needs -o FILE, where to write the recording, e.g. -o "
            "talk.ts (the extension follows the stream).");
    }
    return {url, length, captureTarget(*file)};
}

/// The one job of a capture: from `start` for --for, ending early when the stream ends, writing
/// fails or the first request fails for good.
plan::Job captureJob(const CaptureRequest& request, core::Instant start) {
    plan::Job job;
    job.talk.id = request.target.stem.string();
    job.talk.title = request.target.stem.string();
    job.talk.room = request.target.stem.string();
    job.talk.start = start;
    job.talk.duration = std::chrono::duration_cast<seconds>(request.length);
    job.from = start;
    job.until = start + job.talk.duration;
    job.stream = request.url;
    job.fileStem = request.target.stem;
    job.ending.atStreamEnd = true;
    job.ending.onWriteFailure = true;
    job.ending.onFirstHttpError = true;
    job.ending.windowEnded = "the capture time ended";
    return job;
}

/// The capture's first lines: what it records, a recording it continues, the engine it uses.
void announceCapture(status::StatusBoard& board, const status::Mark& mark,
                     const CaptureRequest& request, const source::SourceOptions& sources) {
    const auto& target = request.target;
    board.publish(status::Level::Debug, mark,
                  "confcap " CONFCAP_VERSION ": recording " + request.url + " for " +
                      core::formatDuration(request.length) + " into " +
                      (target.folder / target.stem).string() + ".*");
    std::error_code ec;
    if (std::filesystem::exists(sink::PartSet::listPathFor(target.folder, target.stem), ec)) {
        board.publish(status::Level::Info, mark,
                      "continuing the recording an earlier capture left in " +
                          (target.folder / target.stem).string() + ".*");
    }
    if (source::nativeInstead(sources.recorder, request.url)) {
        board.publish(
            status::Level::Info, mark,
            sources.recorder->name + " cannot record HLS: the native engine records this stream");
    }
}

/// Draws the progress line of the job with `key`, once it is on the board.
void showProgress(RunDisplay& display, StreamNotes& notes, const std::string& key, seconds elapsed,
                  seconds total) {
    const auto now = display.board.job(key);
    if (!now) {
        return;
    }
    CaptureProgress progress;
    progress.receiving = now->state == run::JobState::Recording && now->bytes > 0;
    {
        std::lock_guard lock(notes.mutex);
        progress.problem = notes.failure;
    }
    progress.elapsed = elapsed;
    progress.total = total;
    progress.bytes = now->bytes;
    progress.bitsPerSecond = now->bitsPerSecond;
    progress.reconnects = now->reconnects;
    progress.gaps = now->gaps;
    progress.gapSeconds = now->gapSeconds;
    display.console.showBlock({progressLine(progress)});
}

/// The closing sentence of a job that was finalized with `result`; returns the exit code.
int closeCapture(const sink::FinalizeResult& result, RunDisplay& display, const status::Mark& mark,
                 StreamNotes& notes, const CaptureRequest& request, bool stopped,
                 const std::string& elapsed, std::ostream& out, std::ostream& err) {
    std::string failure;
    bool gaveUp = false;
    bool received = false;
    {
        std::lock_guard lock(notes.mutex);
        failure = notes.failure;
        gaveUp = notes.gaveUp;
        received = notes.received;
    }
    const std::string writeError = sink::writeFailureOf(result);
    for (const auto& note : result.notes) {
        display.board.publish(writeError.empty() ? status::Level::Info : status::Level::Debug, mark,
                              note);
    }
    const bool recorded = result.outcome == core::Outcome::Recorded;
    if (!writeError.empty()) {
        const auto kept = core::formatBytes(result.status.bytes) + ", " +
                          core::formatDuration(seconds(std::lround(result.status.coveredSeconds))) +
                          " of stream";
        err << "confcap: " << writeError << " "
            << (recorded
                    ? "What was written is kept: " + fileList(result.files) + " (" + kept + ")."
                : result.status.bytes == 0
                    ? std::string("Nothing was written.")
                    : "Nothing was kept: " + kept + " is below --min-size or --min-duration.")
            << "\n";
        return kExitIoError;
    }
    if (recorded) {
        out << "Recorded " << fileList(result.files) << ": " << reasonDetail(result.reason);
        if (!result.sidecar.empty()) {
            out << "; details in " << result.sidecar.string();
        }
        out << ".\n";
        return kExitOk;
    }
    if (result.status.bytes == 0 && !received) {
        std::string sentence = "Nothing was recorded: ";
        if (failure.empty()) {
            sentence += "no data arrived from " + request.url + " in " + elapsed;
        } else {
            sentence += core::clause(failure);
            if (!gaveUp) {
                sentence += " (retried until the end of --for " +
                            core::formatDuration(request.length) + ")";
            }
        }
        if (stopped) {
            sentence += ", and the capture was stopped";
        }
        err << "confcap: " << sentence << ".\n";
        return kExitUnavailable;
    }
    if (result.outcome == core::Outcome::Discarded) {
        err << "confcap: Discarded the recording of " << request.url << ": "
            << reasonDetail(result.reason) << ".\n";
        return kExitTalksFailed;
    }
    err << "confcap: Could not finish the recording of " << request.url << ": "
        << core::clause(reasonDetail(result.reason)) << ".\n";
    return kExitIoError;
}

}  // namespace

CaptureTarget captureTarget(const std::string& file) {
    const std::filesystem::path path(file);
    const auto name = path.filename();
    if (file.empty() || name.empty() || name == "." || name == "..") {
        throw core::UsageError("-o '" + file +
                               "' names a folder; give a file name such as talk.ts (its "
                               "extension follows the stream).");
    }
    CaptureTarget target;
    target.folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    target.stem = name.stem();
    return target;
}

std::string progressLine(const CaptureProgress& progress) {
    const bool hours = progress.total >= std::chrono::hours(1);
    std::string line = progress.receiving ? "recording " : "waiting for the stream ";
    line += clockTime(progress.elapsed, hours) + " / " + clockTime(progress.total, hours);
    line += "  " + core::formatBytes(progress.bytes);
    if (progress.receiving) {
        line += "  " + core::formatRate(progress.bitsPerSecond);
    }
    if (progress.reconnects > 0) {
        line += "  " + std::to_string(progress.reconnects) +
                (progress.reconnects == 1 ? " reconnect" : " reconnects");
    }
    if (progress.gaps > 0) {
        line += "  " + std::to_string(progress.gaps) + (progress.gaps == 1 ? " gap" : " gaps") +
                " (" + core::formatSeconds(progress.gapSeconds) + ")";
    }
    if (!progress.receiving && !progress.problem.empty()) {
        line += "  " + core::clause(progress.problem);
    }
    return line;
}

int runCapture(const Arguments& arguments, std::ostream& out, std::ostream& err) {
    const auto request = captureRequest(arguments);
    const auto& target = request.target;
    auto recording = recordingOptions(arguments);
    recording.outDir = target.folder;
    recording.source.pipeFolder = target.folder;
    // What an external recorder keeps for itself stays beside the file, and goes afterwards.
    recording.source.recorderHome =
        target.folder / (".confcap-recorder-home-" + std::to_string(::getpid()));
    checkWritable(target.folder);
    source::RecorderPipe::removeStale(target.folder);

    // Before any other thread starts, so that every thread has the signals blocked.
    SignalWatcher signals;
    RunDisplay display(arguments, nullptr, false);
    const status::Mark mark{target.stem.string(), {}};
    const bool showsProgress = display.console.terminal() && !arguments.flag("quiet");

    // One job, recorded by the session `record` uses, over a length of time that steps of the
    // system clock do not change.
    core::SteadyWallClock clock;
    plan::Plan plan;
    plan.jobs.push_back(captureJob(request, std::chrono::floor<seconds>(clock.now())));
    const auto key = plan.jobs.front().talk.key();
    announceCapture(display.board, mark, request, recording.source);

    StreamNotes notes;
    CaptureReporter reporter(display.board, key);
    run::Session::Options options;
    options.recorder = recording;
    options.tick = kRedraw;
    options.keepOpenOnStop = false;
    options.marker = [&mark](const plan::Job&) { return run::Mark{mark.room, mark.talk}; };
    options.onCaptureEvent = [&notes](const capture::CaptureEvent& event, const auto&) {
        notes.take(event);
    };
    run::Session session(std::move(options), clock, reporter);
    session.start(plan);
    signals.onStop([&session] { session.interrupt(); });

    const auto steadyStart = SteadyClock::now();
    while (!session.interrupted() && !session.done()) {
        if (showsProgress) {
            showProgress(display, notes, key,
                         std::chrono::duration_cast<seconds>(SteadyClock::now() - steadyStart),
                         request.length);
        }
        session.waitForEnd(true, milliseconds(50), SteadyClock::now() + kRedraw);
    }
    if (session.interrupted()) {
        display.board.publish(status::Level::Info, mark,
                              "stopping: finishing the file (Ctrl-C again to quit at once)");
    }
    session.finish("the capture was stopped");
    signals.onStop({});
    std::error_code ec;
    std::filesystem::remove_all(recording.source.recorderHome, ec);
    display.console.clearBlock();
    const auto elapsed =
        core::formatDuration(std::chrono::round<seconds>(SteadyClock::now() - steadyStart));

    const auto finalized = session.result(key);
    if (!finalized) {
        // The job never started: its file could not be made.
        const auto snapshot = display.board.job(key);
        err << "confcap: " << (snapshot ? snapshot->reason : std::string("Nothing was recorded."))
            << "\n";
        return kExitIoError;
    }
    return closeCapture(*finalized, display, mark, notes, request, session.interrupted(), elapsed,
                        out, err);
}

}  // namespace confcap::app
