#include "confcap/app/CaptureCommand.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>

#include "confcap/app/ExitCode.h"
#include "confcap/app/RunOptions.h"
#include "confcap/app/SignalWatcher.h"
#include "confcap/core/Error.h"
#include "confcap/core/Format.h"
#include "confcap/core/Text.h"
#include "confcap/record/CommandSource.h"
#include "confcap/record/RoomCapture.h"
#include "confcap/record/TalkSink.h"
#include "confcap/status/Console.h"
#include "confcap/status/LogWriter.h"
#include "confcap/status/StatusBoard.h"
#include "confcap/status/TextFormat.h"

namespace confcap::app {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;
using Kind = record::CaptureEvent::Kind;

constexpr auto kRedraw = milliseconds(500);
// The rate shown is measured over this much of the recent past.
constexpr auto kRateWindow = seconds(5);

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

/// What the capture's thread tells the command's thread. Thread-safe.
struct CaptureState {
    std::mutex mutex;
    std::condition_variable changed;
    std::atomic<bool> received{false};  ///< a write reached the file
    bool receiving = false;             ///< media flows now
    bool gaveUp = false;
    bool ended = false;      ///< the stream is a finished recording (VOD, or ended when first read)
    bool attempted = false;  ///< a connection attempt has been made
    std::string failure;
    core::ErrorKind failureKind = core::ErrorKind::Transient;
    std::string writeError;

    template <typename Change>
    void update(Change change) {
        {
            std::lock_guard lock(mutex);
            change();
        }
        changed.notify_all();
    }
};

/// Feeds the talk sink and turns its first write failure into a stop of the whole capture,
/// rather than a capture that goes on downloading into a sink that drops everything.
class CaptureSink final : public record::MediaSink {
public:
    CaptureSink(record::TalkSink& sink, CaptureState& state) : sink_(sink), state_(state) {}

    void beginPiece(const record::StreamFormat& format, bool newTimeline) override {
        try {
            sink_.beginPiece(format, newTimeline);
        } catch (const core::OutputError& e) {
            failed(e.what());
        }
    }
    void beginTrack(const record::TrackInfo& track, const record::StreamFormat& format) override {
        try {
            sink_.beginTrack(track, format);
        } catch (const core::OutputError& e) {
            failed(e.what());
        }
    }
    void write(const record::Chunk& chunk) override {
        try {
            sink_.write(chunk);
            if (!state_.received.load(std::memory_order_relaxed)) {
                state_.update([&] { state_.received = true; });
            }
        } catch (const core::OutputError& e) {
            failed(e.what());
        }
    }
    void gap(const record::Gap& gap) override { sink_.gap(gap); }
    void reconnected() override { sink_.reconnected(); }

private:
    void failed(const std::string& message) {
        state_.update([&] {
            if (state_.writeError.empty()) {
                state_.writeError = message;
            }
        });
    }

    record::TalkSink& sink_;
    CaptureState& state_;
};

/// Turns the capture's events into marked log lines. Until data has arrived, failures are debug
/// lines: the progress line shows them, and the final sentence says what went wrong once.
class EventLog {
public:
    EventLog(status::StatusBoard& board, status::Mark mark, CaptureState& state)
        : board_(board), mark_(std::move(mark)), state_(state) {}

    void operator()(const record::CaptureEvent& event) {
        const bool received = state_.received;
        bool ended = false;
        state_.update([&] {
            ended = state_.ended;
            switch (event.kind) {
                case Kind::Resumed:
                    state_.receiving = true;
                    break;
                case Kind::Failed:
                    state_.receiving = false;
                    state_.failure = event.message;
                    state_.failureKind = event.errorKind.value_or(core::ErrorKind::Transient);
                    // An HTTP error on the very first request ends a capture at once: the user
                    // is watching, and the URL is probably mistyped.
                    if (!state_.attempted && event.cause.rfind("HTTP ", 0) == 0) {
                        state_.gaveUp = true;
                        state_.failureKind = core::ErrorKind::Permanent;
                    }
                    state_.attempted = true;
                    break;
                case Kind::Connected:
                    state_.receiving = true;
                    state_.attempted = true;
                    break;
                case Kind::GaveUp:
                    state_.receiving = false;
                    state_.gaveUp = true;
                    break;
                case Kind::Ended:
                    state_.ended = true;
                    break;
                default:
                    break;
            }
        });
        // An unusable stream is told once, by the GaveUp that follows; a failure that goes on is
        // told once a minute.
        const bool quiet = event.repeat || event.errorKind == core::ErrorKind::Unusable || ended;
        board_.publish(levelOf(event.kind, received, quiet), mark_, event.message);
    }

private:
    static status::Level levelOf(Kind kind, bool received, bool quiet) {
        switch (kind) {
            case Kind::Failed:
                return received && !quiet ? status::Level::Warning : status::Level::Debug;
            case Kind::GaveUp:
                return received ? status::Level::Warning : status::Level::Debug;
            case Kind::Lost:
                return status::Level::Warning;
            case Kind::Reconnecting:
            case Kind::Stopped:
                return status::Level::Debug;
            default:
                return status::Level::Info;
        }
    }

    status::StatusBoard& board_;
    status::Mark mark_;
    CaptureState& state_;
};

/// The recent byte rate, from samples taken at each redraw.
class RateMeter {
public:
    double bitsPerSecond(SteadyClock::time_point now, std::uint64_t bytes) {
        samples_.emplace_back(now, bytes);
        while (samples_.size() > 2 && now - samples_[1].first >= kRateWindow) {
            samples_.pop_front();
        }
        const auto& [then, before] = samples_.front();
        const double span = std::chrono::duration<double>(now - then).count();
        return span > 0.2 ? static_cast<double>(bytes - before) * 8.0 / span : 0.0;
    }

private:
    std::deque<std::pair<SteadyClock::time_point, std::uint64_t>> samples_;
};

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
    const auto target = captureTarget(*file);
    auto sources = sourceOptions(arguments);
    sources.pipeFolder = target.folder;
    // What an external recorder keeps for itself stays beside the file, and goes afterwards.
    sources.recorderHome = target.folder / (".confcap-recorder-home-" + std::to_string(::getpid()));
    const auto minBytes = arguments.has("min-size")
                              ? parseSize("min-size", *arguments.value("min-size"))
                              : std::uint64_t{512} * 1024;
    const auto minDuration = durationOption(arguments, "min-duration", seconds(10));
    checkWritable(target.folder);
    record::CommandSource::removeStalePipes(target.folder);

    CaptureState state;
    // Before any other thread starts, so that every thread has the signals blocked.
    SignalWatcher signals;
    signals.onStop([&state] { state.update([] {}); });

    status::Console console(STDERR_FILENO);
    status::LogWriter::Options logOptions;
    logOptions.verbosity = arguments.flag("quiet")     ? status::Verbosity::Quiet
                           : arguments.flag("verbose") ? status::Verbosity::Verbose
                                                       : status::Verbosity::Normal;
    logOptions.logFile = arguments.value("log-file").value_or("");
    status::LogWriter log(console, logOptions);
    status::StatusBoard board;
    board.addListener(log.listener());
    const status::Mark mark{target.stem.string(), {}};
    const bool showProgress = console.terminal() && !arguments.flag("quiet");

    const auto start = std::chrono::system_clock::now();
    const auto end = start + length;
    const auto steadyStart = SteadyClock::now();
    record::TalkSinkConfig config;
    config.outDir = target.folder;
    config.relativeStem = target.stem;
    config.windowStart = start;
    config.windowEnd = end;
    config.minBytes = minBytes;
    config.minDuration = minDuration;
    config.streamUrl = url;
    record::TalkSink sink(std::move(config));
    CaptureSink feed(sink, state);
    board.publish(status::Level::Debug, mark,
                  "confcap " CONFCAP_VERSION ": recording " + url + " for " +
                      core::formatDuration(length) + " into " +
                      (target.folder / target.stem).string() + ".*");
    if (sink.continued()) {
        board.publish(status::Level::Info, mark,
                      "continuing the recording an earlier capture left in " +
                          (target.folder / target.stem).string() + ".*");
    }
    if (record::nativeInstead(sources.recorder, url)) {
        board.publish(
            status::Level::Info, mark,
            sources.recorder->name + " cannot record HLS: the native engine records this stream");
    }

    record::RoomCapture::Options captureOptions;
    captureOptions.stopWhenFinished = true;
    record::RoomCapture capture(
        target.stem.string(), [&url, &sources] { return record::makeSource(url, sources); },
        captureOptions, EventLog(board, mark, state));
    capture.attach(feed, end);

    std::string because = "the capture time ended";
    RateMeter rate;
    {
        std::unique_lock lock(state.mutex);
        for (;;) {
            if (signals.stopRequested()) {
                because = "the capture was stopped";
                break;
            }
            if (!state.writeError.empty()) {
                because = "writing failed";
                break;
            }
            if (state.ended) {
                because = "the stream ended";
                break;
            }
            if (state.gaveUp) {
                because = "the stream failed: " + core::clause(state.failure);
                break;
            }
            // --for is a length of time: a step of the wall clock does not shorten it.
            const auto now = SteadyClock::now();
            if (now >= steadyStart + length) {
                break;
            }
            state.changed.wait_for(
                lock, std::min<SteadyClock::duration>(kRedraw, steadyStart + length - now));
            if (showProgress) {
                CaptureProgress progress;
                progress.receiving = state.receiving;
                progress.problem = state.failure;
                lock.unlock();
                const auto status = sink.status();
                const auto steadyNow = SteadyClock::now();
                progress.elapsed = std::chrono::duration_cast<seconds>(steadyNow - steadyStart);
                progress.total = length;
                progress.bytes = status.bytes;
                progress.bitsPerSecond = rate.bitsPerSecond(steadyNow, status.bytes);
                progress.reconnects = status.reconnects;
                progress.gaps = static_cast<int>(status.gaps.size());
                for (const auto& gap : status.gaps) {
                    progress.gapSeconds += static_cast<double>(gap.length.count()) / 1000.0;
                }
                console.showBlock({progressLine(progress)});
                lock.lock();
            }
        }
    }
    if (signals.stopRequested()) {
        board.publish(status::Level::Info, mark,
                      "stopping: finishing the file (Ctrl-C again to quit at once)");
    }
    capture.detach(feed);
    capture.stop();
    std::error_code ignored;
    std::filesystem::remove_all(sources.recorderHome, ignored);
    console.clearBlock();
    const auto elapsed =
        core::formatDuration(std::chrono::round<seconds>(SteadyClock::now() - steadyStart));

    const auto result = sink.finalize(because);
    std::string writeError;
    std::string failure;
    bool permanent = false;
    {
        std::lock_guard lock(state.mutex);
        writeError = state.writeError;
        failure = state.failure;
        permanent = state.gaveUp && state.failureKind == core::ErrorKind::Permanent;
    }
    for (const auto& note : result.notes) {
        board.publish(writeError.empty() ? status::Level::Info : status::Level::Debug, mark, note);
    }
    const bool recorded = result.outcome == record::Outcome::Recorded;
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
    if (result.status.bytes == 0 && !state.received) {
        std::string sentence = "Nothing was recorded: ";
        if (failure.empty()) {
            sentence += "no data arrived from " + url + " in " + elapsed;
        } else {
            sentence += core::clause(failure);
            if (!permanent) {
                sentence +=
                    " (retried until the end of --for " + core::formatDuration(length) + ")";
            }
        }
        if (signals.stopRequested()) {
            sentence += ", and the capture was stopped";
        }
        err << "confcap: " << sentence << ".\n";
        return kExitUnavailable;
    }
    if (result.outcome == record::Outcome::Discarded) {
        err << "confcap: Discarded the recording of " << url << ": " << reasonDetail(result.reason)
            << ".\n";
        return kExitTalksFailed;
    }
    err << "confcap: Could not finish the recording of " << url << ": "
        << core::clause(reasonDetail(result.reason)) << ".\n";
    return kExitIoError;
}

}  // namespace confcap::app
