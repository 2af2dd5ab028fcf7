#include "confcap/source/CommandSource.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "confcap/core/Error.h"
#include "confcap/fetch/HttpClient.h"
#include "confcap/source/RecorderLines.h"
#include "confcap/source/RecorderPipe.h"
#include "confcap/source/RecorderPlan.h"
#include "confcap/source/RecorderProcess.h"

namespace confcap::source {

namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kReadSize = 256 * 1024;
constexpr milliseconds kTick{200};

// How a run that did not fail ended.
enum class RunOutcome {
    Stopped,   // stop() was called
    Finished,  // the program delivered a finished stream again
    Playlist,  // the program wrote an HLS playlist: the native engine takes over
};

}  // namespace

// One run of the program, with the pipe it writes into: reads the pipe and the program's output
// and acts on what the plan (RecorderPlan) says of them, until the run ends.
class CommandSource::Run {
public:
    Run(CommandSource& source, SourceOutput& out, RecorderPipe& fifo, RecorderProcess& program,
        std::optional<HlsRestart> restart)
        : source_(source),
          out_(out),
          fifo_(fifo),
          program_(program),
          lines_(source.command_.name, out),
          restart_(restart),
          lastTicks_(source.ticks_.last()),
          hadVideo_(source.ticks_.sawVideo()) {
        source_.ticks_.beginRun();
    }

    // Reads until the run ends. Throws a Transient SourceError when the program exits or stalls;
    // the program is stopped and reaped before this returns or throws.
    RunOutcome pump() {
        try {
            return pumpUntilEnd();
        } catch (...) {
            stopProgram();
            throw;
        }
    }

private:
    RunOutcome pumpUntilEnd();
    RunOutcome finishExited();
    bool readOutput();
    bool readFifo();
    void deliver(std::string_view bytes, bool final);
    void connect();
    void write(std::string_view bytes);
    void emit(std::string_view bytes);
    void track(std::string_view bytes);
    void drain();
    void stopProgram() {
        program_.terminate(source_.options_.terminateGrace, [this] { drain(); });
    }
    // A finished stream (an HLS playlist that ended) that the program delivers again from its
    // beginning: the stream has ended, and nothing is written twice.
    RunOutcome endReplay() {
        stopProgram();
        lines_.flush();
        out_.notice(source_.command_.name + " began the stream again from its start: it has ended");
        return RunOutcome::Finished;
    }

    CommandSource& source_;
    SourceOutput& out_;
    RecorderPipe& fifo_;
    RecorderProcess& program_;
    RecorderLines lines_;
    const std::optional<HlsRestart> restart_;
    const std::optional<std::int64_t> lastTicks_;  // what the run before wrote last
    const bool hadVideo_;
    bool outputOpen_ = true;
    bool fifoOpen_ = true;
    bool connected_ = false;
    bool tracking_ = false;  // the program writes MPEG-TS
    bool lossTold_ = false;
    std::optional<OverlapTrim> trim_;  // a restart that begins inside what was written
    RunStart start_ = RunStart::Gather;
    std::string sniffed_;
    std::string startBytes_;  // this run's first bytes
    const Steady::time_point started_ = Steady::now();
    Steady::time_point lastData_ = started_;
};

RunOutcome CommandSource::Run::pumpUntilEnd() {
    const int outputFd = program_.outputFd();
    for (;;) {
        pollfd fds[3] = {{source_.wakeFd_, POLLIN, 0},
                         {fifoOpen_ ? fifo_.fd() : -1, POLLIN, 0},
                         {outputOpen_ ? outputFd : -1, POLLIN, 0}};
        const int ready = ::poll(fds, 3, static_cast<int>(kTick.count()));
        if (ready < 0 && errno != EINTR) {
            throw core::SourceError("poll failed: " + std::string(std::strerror(errno)) + ".",
                                    core::ErrorKind::Transient);
        }
        if (source_.stopped()) {
            stopProgram();
            lines_.flush();
            return RunOutcome::Stopped;
        }
        if (ready > 0 && fds[1].revents != 0) {
            readFifo();
        }
        if (ready > 0 && fds[2].revents != 0) {
            readOutput();
        }
        const bool exited = program_.exited();
        const auto quiet = Steady::now() - lastData_;
        switch (runStep(start_, exited, quiet, source_.options_.stallTimeout)) {
            case RunStep::Go:
                break;
            case RunStep::Replay:
                return endReplay();
            case RunStep::Playlist:
                stopProgram();
                lines_.flush();
                return RunOutcome::Playlist;
            case RunStep::Exited:
                return finishExited();
            case RunStep::Stalled:
                stopProgram();
                deliver({}, true);
                lines_.flush();
                throw core::SourceError(stallMessage(source_.command_.name, quiet),
                                        core::ErrorKind::Transient);
        }
    }
}

// The program is gone: takes what it wrote before it went, then ends the run as its first bytes
// say, else as a failure naming how it exited.
RunOutcome CommandSource::Run::finishExited() {
    const int status = program_.reap();
    while (fifoOpen_ && readFifo()) {
    }
    while (outputOpen_ && readOutput()) {
    }
    deliver({}, true);
    lines_.flush();
    if (start_ == RunStart::Replay) {
        return endReplay();
    }
    if (start_ == RunStart::Playlist) {
        stopProgram();
        lines_.flush();
        return RunOutcome::Playlist;
    }
    source_.endedStart_ = endedStartAfter(status, startBytes_);
    throw core::SourceError(
        exitMessage(source_.command_.name, status, Steady::now() - started_, lines_.lastLine()),
        core::ErrorKind::Transient);
}

bool CommandSource::Run::readOutput() {
    char text[4096];
    const ssize_t n = ::read(program_.outputFd(), text, sizeof text);
    if (n > 0) {
        lines_.feed(std::string_view(text, static_cast<std::size_t>(n)));
        return true;
    }
    if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        outputOpen_ = false;
    }
    return false;
}

bool CommandSource::Run::readFifo() {
    auto& buffer = source_.buffer_;
    const ssize_t n = ::read(fifo_.fd(), buffer.data(), buffer.size());
    if (n > 0) {
        lastData_ = Steady::now();
        deliver(std::string_view(buffer.data(), static_cast<std::size_t>(n)), false);
        return true;
    }
    if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        fifoOpen_ = false;
        fifo_.close();
    }
    return false;
}

// While stopping: keep reading so that a program blocked in a write sees its signal.
void CommandSource::Run::drain() {
    pollfd fds[2] = {{fifoOpen_ ? fifo_.fd() : -1, POLLIN, 0},
                     {outputOpen_ ? program_.outputFd() : -1, POLLIN, 0}};
    if (::poll(fds, 2, 20) > 0) {
        if (fds[0].revents != 0) {
            auto& buffer = source_.buffer_;
            const ssize_t n = ::read(fifo_.fd(), buffer.data(), buffer.size());
            if (n == 0) {
                fifoOpen_ = false;
                fifo_.close();
            }
        }
        if (fds[1].revents != 0) {
            readOutput();
        }
    }
}

// Media bytes: the first ones are gathered until judgeStart tells what they are.
void CommandSource::Run::deliver(std::string_view bytes, bool final) {
    if (connected_) {
        write(bytes);
        return;
    }
    if (start_ != RunStart::Gather) {
        return;
    }
    sniffed_.append(bytes);
    start_ = judgeStart(sniffed_, final, source_.endedStart_);
    if (start_ == RunStart::Connect) {
        connect();
    }
}

void CommandSource::Run::connect() {
    Resume resume;
    resume.first = !source_.connectedBefore_;
    if (restart_ && !resume.first) {
        resume.sequence = restart_->sequence;
        out_.notice(source_.command_.name + " began again at segment " +
                    std::to_string(restart_->sequence) +
                    (restart_->overlaps
                         ? ", which holds the end of what it had written; what it writes again "
                           "is dropped"
                         : ", the oldest one listed"));
    }
    source_.connectedBefore_ = true;
    connected_ = true;
    startBytes_ = sniffed_.substr(0, kRecorderReplayBytes);
    const auto format = detectFormat("", sniffed_);
    out_.connected(format, resume);
    tracking_ = format.extension == "ts";
    if (!tracking_) {
        source_.ticks_.forget();
    } else if (restart_ && restart_->overlaps && !resume.first) {
        trim_.emplace(source_.ticks_.lastByPid());
    }
    emit(sniffed_);
    sniffed_.clear();
}

void CommandSource::Run::write(std::string_view bytes) {
    if (bytes.empty()) {
        return;
    }
    if (startBytes_.size() < kRecorderReplayBytes) {
        startBytes_.append(bytes.substr(0, kRecorderReplayBytes - startBytes_.size()));
    }
    emit(bytes);
}

// What the program wrote goes to the file, but for what a restart wrote again.
void CommandSource::Run::emit(std::string_view bytes) {
    if (trim_) {
        bytes = trim_->take(bytes);
    }
    if (bytes.empty()) {
        return;
    }
    core::Chunk chunk;
    chunk.bytes = bytes;
    out_.write(chunk);
    if (tracking_) {
        track(bytes);
    }
}

// Notes the timestamps the program writes; on a restarted run, what it skipped is a loss.
void CommandSource::Run::track(std::string_view bytes) {
    auto& ticks = source_.ticks_;
    ticks.feed(bytes);
    if (restart_ && !lossTold_ && ticks.runFirst() && (ticks.runFirstIsVideo() || !hadVideo_)) {
        lossTold_ = true;
        const auto at = source_.lastMediaAt_.value_or(std::chrono::system_clock::now());
        if (auto gap = skippedGap(*lastTicks_, *ticks.runFirst(), source_.command_.name, at)) {
            out_.lost(*gap);
        }
    }
    source_.lastMediaAt_ = std::chrono::system_clock::now();
}

CommandSource::CommandSource(std::string url, RecorderCommand command, SourceOptions options)
    : url_(std::move(url)), command_(std::move(command)), options_(std::move(options)) {
    buffer_.resize(kReadSize);
    wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd_ < 0) {
        throw core::SourceError(
            "Cannot make an eventfd: " + std::string(std::strerror(errno)) + ".",
            core::ErrorKind::Permanent);
    }
}

CommandSource::~CommandSource() {
    ::close(wakeFd_);
}

void CommandSource::stop() noexcept {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wakeFd_, &one, sizeof one);
    if (native_) {
        native_->stop();
    }
}

bool CommandSource::stopped() {
    std::lock_guard lock(mutex_);
    return stopped_;
}

// A restart on a live HLS stream goes on after the media the last run wrote: where, and the
// command that begins there.
std::optional<CommandSource::Restart> CommandSource::findRestart() const {
    const auto lastTicks = ticks_.last();
    if (!seeksRestart(connectedBefore_, lastTicks, url_)) {
        return std::nullopt;
    }
    fetch::HttpClient::Options clientOptions;
    clientOptions.caFile = options_.caFile;
    fetch::HttpClient client(clientOptions);
    const auto restart = findHlsRestart(client, url_, *lastTicks, options_.connectTimeout);
    if (!restart) {
        return std::nullopt;
    }
    auto started = startingAt(command_, restart->index);
    if (!started) {
        return std::nullopt;
    }
    return Restart{*restart, std::move(*started)};
}

RunEnd CommandSource::run(SourceOutput& out) {
    HlsSource* native = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (stopped_) {
            return RunEnd::Stopped;
        }
        native = native_.get();
    }
    if (native != nullptr) {
        return native->run(out);
    }
    RecorderPipe fifo(options_.pipeFolder);
    const auto restart = findRestart();
    RecorderProcess program(restart ? restart->command : command_, url_, fifo.path(),
                            options_.recorderHome);
    Run run(*this, out, fifo, program,
            restart ? std::optional<HlsRestart>(restart->where) : std::nullopt);
    switch (run.pump()) {
        case RunOutcome::Stopped:
            return RunEnd::Stopped;
        case RunOutcome::Finished:
            return RunEnd::Finished;
        case RunOutcome::Playlist:
            break;
    }
    // A program that cannot dump HLS (mplayer) does not cost the room its talks.
    {
        std::lock_guard lock(mutex_);
        if (stopped_) {
            return RunEnd::Stopped;
        }
        SourceOptions nativeOptions = options_;
        nativeOptions.recorder.reset();
        native_ = std::make_unique<HlsSource>(url_, nativeOptions);
        native = native_.get();
    }
    out.notice(command_.name +
               " wrote an HLS playlist instead of the stream: recording this stream with the "
               "native engine.");
    return native->run(out);
}

}  // namespace confcap::source
