#include "confcap/source/CommandSource.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "confcap/core/Error.h"
#include "confcap/media/TsPackets.h"
#include "confcap/source/HlsRestart.h"
#include "confcap/source/RecorderPipe.h"
#include "confcap/source/RecorderProcess.h"

namespace confcap::source {

namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Enough of the stream's start to tell its format (two MPEG-TS packets, an ID3 tag's header).
constexpr std::size_t kSniffBytes = 512;
constexpr std::size_t kReadSize = 256 * 1024;
// How much of a run's start tells a finished stream delivered again from a live one that goes on
// (the container's headers alone are the same every time).
constexpr std::size_t kReplayBytes = 64 * 1024;
constexpr milliseconds kTick{200};
constexpr std::size_t kLineLimit = 400;
constexpr int kLinesPerMinute = 20;

std::string secondsText(Steady::duration d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s",
                  static_cast<double>(duration_cast<milliseconds>(d).count()) / 1000.0);
    return text;
}

std::string systemError(int error) {
    return std::strerror(error);
}

// Splits a program's output into lines, and keeps the log from being flooded by them.
class LineLog {
public:
    LineLog(std::string name, SourceOutput& out) : name_(std::move(name)), out_(out) {}

    void feed(std::string_view bytes) {
        for (const char c : bytes) {
            if (c == '\n' || c == '\r') {
                finishLine();
            } else if (partial_.size() < kLineLimit) {
                partial_ += static_cast<unsigned char>(c) < 0x20 && c != '\t' ? ' ' : c;
            }
        }
    }

    // The output of a program that has exited.
    void flush() {
        finishLine();
        if (held_ > 0) {
            out_.notice(name_ + ": " + std::to_string(held_) +
                        (held_ == 1 ? " more line was" : " more lines were") + " not logged");
            held_ = 0;
        }
    }

    const std::string& lastLine() const noexcept { return last_; }

private:
    void finishLine() {
        const auto begin = partial_.find_first_not_of(" \t");
        if (begin == std::string::npos) {
            partial_.clear();
            return;
        }
        std::string line = partial_.substr(begin);
        partial_.clear();
        // ffmpeg's "Last message repeated 2 times" says nothing about why it ended.
        if (line.find("Last message repeated") == std::string::npos) {
            last_ = line;
        }
        const auto now = Steady::now();
        if (now - windowStart_ > std::chrono::minutes(1)) {
            windowStart_ = now;
            logged_ = 0;
        }
        if (logged_ < kLinesPerMinute) {
            ++logged_;
            out_.notice(name_ + ": " + line);
        } else {
            ++held_;
        }
    }

    std::string name_;
    SourceOutput& out_;
    std::string partial_;
    std::string last_;
    Steady::time_point windowStart_ = Steady::now();
    int logged_ = 0;
    int held_ = 0;
};

}  // namespace

CommandSource::CommandSource(std::string url, RecorderCommand command, SourceOptions options)
    : url_(std::move(url)), command_(std::move(command)), options_(std::move(options)) {
    buffer_.resize(kReadSize);
    wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd_ < 0) {
        throw core::SourceError("Cannot make an eventfd: " + systemError(errno) + ".",
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
    // A restart on a live HLS stream goes on after the media the last run wrote.
    auto command = command_;
    std::optional<HlsRestart> restart;
    const auto lastTicks = lastVideo_ ? lastVideo_ : lastAny_;
    const bool hadVideo = lastVideo_.has_value();
    if (connectedBefore_ && lastTicks && isHlsUrl(url_)) {
        fetch::HttpClient::Options clientOptions;
        clientOptions.caFile = options_.caFile;
        fetch::HttpClient client(clientOptions);
        restart = findHlsRestart(client, url_, *lastTicks, options_.connectTimeout);
        if (restart) {
            if (auto started = startingAt(command_, restart->index)) {
                command = std::move(*started);
            } else {
                restart.reset();
            }
        }
    }
    RecorderProcess program(command, url_, fifo.path(), options_.recorderHome);
    LineLog lines(command_.name, out);
    media::TsPacketizer packets;
    std::optional<std::int64_t> firstTicks;  // this run's first video (else any) timestamp
    bool firstIsVideo = false;
    bool lossTold = false;
    bool tracking = false;  // the program writes MPEG-TS
    // Notes the timestamps the program writes; on a restarted run, what it skipped is a loss.
    const auto track = [&](std::string_view bytes) {
        packets.feed(bytes, [&](std::string_view packet) {
            const auto found = media::pesTimestamp(packet);
            if (!found) {
                return;
            }
            if (found->video()) {
                lastVideo_ = found->ticks;
            }
            lastAny_ = found->ticks;
            if (!firstTicks || (found->video() && !firstIsVideo)) {
                firstTicks = found->ticks;
                firstIsVideo = found->video();
            }
        });
        if (restart && !lossTold && firstTicks && (firstIsVideo || !hadVideo)) {
            lossTold = true;
            // One frame or audio packet apart is continuous; more is media the stream no longer
            // listed.
            const auto skipped = media::pesTicksBetween(*lastTicks, *firstTicks);
            if (skipped > media::kPesTicksPerSecond / 2) {
                core::Gap gap;
                gap.at = lastMediaAt_.value_or(std::chrono::system_clock::now());
                gap.length = milliseconds(skipped * 1000 / media::kPesTicksPerSecond);
                gap.cause = core::gapcause::kRolledOut;
                gap.detail = command_.name + " began again " +
                             secondsText(duration_cast<Steady::duration>(gap.length)) +
                             " after the media it had written: that much had left the playlist.";
                out.lost(gap);
            }
        }
        lastMediaAt_ = std::chrono::system_clock::now();
    };
    const int outputFd = program.outputFd();
    bool outputOpen = true;
    bool fifoOpen = true;
    bool connected = false;
    bool playlist = false;  // the program wrote an HLS playlist, not media
    std::string sniffed;
    std::string start;    // this run's first bytes
    bool replay = false;  // it began exactly as the last run that exited cleanly
    const auto started = Steady::now();
    auto lastData = started;

    const auto readOutput = [&] {
        char text[4096];
        const ssize_t n = ::read(outputFd, text, sizeof text);
        if (n > 0) {
            lines.feed(std::string_view(text, static_cast<std::size_t>(n)));
            return true;
        }
        if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            outputOpen = false;
        }
        return false;
    };
    // Media bytes: the first ones are gathered until the format can be told.
    const auto deliver = [&](std::string_view bytes, bool final) {
        if (!connected) {
            sniffed.append(bytes);
            if (sniffed.size() < kSniffBytes && !final) {
                return;
            }
            if (sniffed.empty()) {
                return;
            }
            if (!endedStart_.empty()) {
                // After a clean exit: held back until it differs from the last run's start (at
                // once for a live stream, whose timestamps move on) or matches all of it.
                const std::size_t common = std::min(sniffed.size(), endedStart_.size());
                if (sniffed.compare(0, common, endedStart_, 0, common) == 0) {
                    if (common == endedStart_.size() || final) {
                        replay = true;
                    }
                    return;
                }
            }
            if (looksLikeHlsPlaylist("", sniffed)) {
                playlist = true;
                return;
            }
            Resume resume;
            resume.first = !connectedBefore_;
            if (restart && !resume.first) {
                resume.sequence = restart->sequence;
                out.notice(command_.name + " began again at segment " +
                           std::to_string(restart->sequence) +
                           ", the first one after what it had written");
            }
            connectedBefore_ = true;
            connected = true;
            start = sniffed.substr(0, kReplayBytes);
            const auto format = detectFormat("", sniffed);
            out.connected(format, resume);
            core::Chunk chunk;
            chunk.bytes = sniffed;
            out.write(chunk);
            tracking = format.extension == "ts";
            if (tracking) {
                track(sniffed);
            } else {
                lastVideo_.reset();
                lastAny_.reset();
            }
            sniffed.clear();
            return;
        }
        if (!bytes.empty()) {
            if (start.size() < kReplayBytes) {
                start.append(bytes.substr(0, kReplayBytes - start.size()));
            }
            core::Chunk chunk;
            chunk.bytes = bytes;
            out.write(chunk);
            if (tracking) {
                track(bytes);
            }
        }
    };
    const auto readFifo = [&] {
        const ssize_t n = ::read(fifo.fd(), buffer_.data(), buffer_.size());
        if (n > 0) {
            lastData = Steady::now();
            deliver(std::string_view(buffer_.data(), static_cast<std::size_t>(n)), false);
            return true;
        }
        if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            fifoOpen = false;
            fifo.close();
        }
        return false;
    };
    // While stopping: keep reading so that a program blocked in a write sees its signal.
    const auto drain = [&] {
        pollfd fds[2] = {{fifoOpen ? fifo.fd() : -1, POLLIN, 0},
                         {outputOpen ? outputFd : -1, POLLIN, 0}};
        if (::poll(fds, 2, 20) > 0) {
            if (fds[0].revents != 0) {
                const ssize_t n = ::read(fifo.fd(), buffer_.data(), buffer_.size());
                if (n == 0) {
                    fifoOpen = false;
                    fifo.close();
                }
            }
            if (fds[1].revents != 0) {
                readOutput();
            }
        }
    };
    const auto stopProgram = [&] { program.terminate(options_.terminateGrace, drain); };
    // A finished stream (an HLS playlist that ended) that the program delivers again from its
    // beginning: the stream has ended, and nothing is written twice.
    const auto endReplay = [&] {
        stopProgram();
        lines.flush();
        out.notice(command_.name + " began the stream again from its start: it has ended");
    };

    try {
        for (;;) {
            pollfd fds[3] = {{wakeFd_, POLLIN, 0},
                             {fifoOpen ? fifo.fd() : -1, POLLIN, 0},
                             {outputOpen ? outputFd : -1, POLLIN, 0}};
            const int ready = ::poll(fds, 3, static_cast<int>(kTick.count()));
            if (ready < 0 && errno != EINTR) {
                throw core::SourceError("poll failed: " + systemError(errno) + ".",
                                        core::ErrorKind::Transient);
            }
            {
                std::lock_guard lock(mutex_);
                if (stopped_) {
                    break;
                }
            }
            if (ready > 0 && fds[1].revents != 0) {
                readFifo();
            }
            if (ready > 0 && fds[2].revents != 0) {
                readOutput();
            }
            if (replay) {
                endReplay();
                return RunEnd::Finished;
            }
            if (playlist) {
                break;
            }
            if (program.exited()) {
                const int status = program.reap();
                const std::string how = exitText(status);
                // Take what it wrote before it went.
                while (fifoOpen && readFifo()) {
                }
                while (outputOpen && readOutput()) {
                }
                deliver({}, true);
                lines.flush();
                if (replay) {
                    endReplay();
                    return RunEnd::Finished;
                }
                if (playlist) {
                    break;
                }
                endedStart_ = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? start : "";
                std::string message =
                    command_.name + " " + how + " after " + secondsText(Steady::now() - started);
                if (!lines.lastLine().empty()) {
                    message += ": " + lines.lastLine();
                }
                throw core::SourceError(message, core::ErrorKind::Transient);
            }
            const auto quiet = Steady::now() - lastData;
            if (quiet >= options_.stallTimeout) {
                stopProgram();
                deliver({}, true);
                lines.flush();
                throw core::SourceError(command_.name + " wrote nothing for " + secondsText(quiet) +
                                            " (stall); stopped it",
                                        core::ErrorKind::Transient);
            }
        }
    } catch (...) {
        stopProgram();
        throw;
    }
    stopProgram();
    lines.flush();
    if (playlist) {
        // A program that cannot dump HLS (mplayer) does not cost the room its talks.
        std::lock_guard lock(mutex_);
        if (!stopped_) {
            SourceOptions nativeOptions = options_;
            nativeOptions.recorder.reset();
            native_ = std::make_unique<HlsSource>(url_, nativeOptions);
            native = native_.get();
        }
    }
    if (native != nullptr) {
        out.notice(command_.name +
                   " wrote an HLS playlist instead of the stream: recording this stream with the "
                   "native engine.");
        return native->run(out);
    }
    return RunEnd::Stopped;
}

}  // namespace confcap::source
