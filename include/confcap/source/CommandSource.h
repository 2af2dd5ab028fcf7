// The external recorder source: runs mplayer, ffmpeg, streamlink or the user's command once per
// connection and reads what it writes through a named pipe, so that its runs become pieces that
// are fanned out, counted, merged and written down exactly like the native engine's.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "confcap/source/HlsRestart.h"
#include "confcap/source/HlsSource.h"
#include "confcap/source/RecorderCommand.h"
#include "confcap/source/RecorderPlan.h"
#include "confcap/source/Source.h"

namespace confcap::source {

/// Each run() makes a named pipe in `options.pipeFolder`, starts the recorder with {output} set to
/// it (through supervisorPrefix(): a process group of its own, default signal handling, killed by
/// the kernel when confcap dies; never through a shell), and hands on every byte it writes. The
/// format comes from the first bytes (see detectFormat). The program's stdout and stderr lines
/// become notices "<name>: <line>" (at most 20 a minute). run() throws a Transient SourceError
/// when the program exits or crashes, and when it writes nothing for `options.stallTimeout` (it is
/// stopped first); a Permanent one when the pipe cannot be made. A program that writes an HLS
/// playlist instead of media (mplayer cannot dump HLS) is stopped, and this source records the
/// stream with a native HlsSource from then on. The program runs with HOME (and the XDG folders)
/// in `options.recorderHome` when it is set. Stopping the program sends SIGTERM to its group, then
/// SIGKILL after `options.terminateGrace`; the program is always reaped before run() returns or
/// throws. A program exiting with status 0 may be a dropped live stream or a finished one (an HLS
/// playlist with EXT-X-ENDLIST): it is a Transient failure, but when the next run begins with the
/// very same bytes the stream has ended, and run() stops that run and returns Finished without
/// writing them again. An ffmpeg that restarts on a live HLS stream it was writing as MPEG-TS
/// begins at the first listed segment after the media it last wrote (findHlsRestart), so an
/// outage shorter than the playlist loses nothing; when the stream then starts later than that,
/// what is missing is reported through SourceOutput::lost().
class CommandSource final : public Source {
public:
    CommandSource(std::string url, RecorderCommand command, SourceOptions options);
    ~CommandSource() override;
    CommandSource(const CommandSource&) = delete;
    CommandSource& operator=(const CommandSource&) = delete;

    RunEnd run(SourceOutput& out) override;
    void stop() noexcept override;
    const std::string& url() const noexcept override { return url_; }

private:
    class Run;
    /// Where a restart begins in a live HLS stream, and the command that begins there.
    struct Restart {
        HlsRestart where;
        RecorderCommand command;
    };
    std::optional<Restart> findRestart() const;
    bool stopped();

    std::string url_;
    RecorderCommand command_;
    SourceOptions options_;
    std::vector<char> buffer_;
    bool connectedBefore_ = false;
    std::string endedStart_;  // the first bytes of the last run, when it exited with status 0
    int wakeFd_ = -1;         // an eventfd stop() signals, so that run() wakes at once

    std::mutex mutex_;
    bool stopped_ = false;
    std::unique_ptr<HlsSource> native_;  // the stream turned out to be HLS the program cannot dump

    // The media timestamps the program wrote (MPEG-TS output), and when, for its restart.
    RecorderTicks ticks_;
    std::optional<std::chrono::system_clock::time_point> lastMediaAt_;
};

}  // namespace confcap::source
