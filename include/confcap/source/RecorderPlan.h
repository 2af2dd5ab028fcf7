// What a run of an external recorder does and how it ends, decided from values: where a restart
// begins, what a run's first bytes say, what a restart skipped, and which event (a stream
// delivered again, a playlist, an exit, a stall) ends the run. Pure; CommandSource acts on them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/media/TsPackets.h"
#include "confcap/source/Source.h"

namespace confcap::source {

/// How many first bytes of a run tell a finished stream delivered again from a live one that
/// goes on (the container's headers alone are the same every time).
inline constexpr std::size_t kRecorderReplayBytes = 64 * 1024;

/// True when a run begins where the media written before ends: the program connected before
/// and wrote MPEG-TS with timestamps (`lastTicks`), and `url` is an HLS playlist. Pure.
bool seeksRestart(bool connectedBefore, std::optional<std::int64_t> lastTicks,
                  std::string_view url);

/// What the first bytes of a run say.
enum class RunStart {
    Gather,    ///< too few to tell yet
    Connect,   ///< media: connected() and write them
    Replay,    ///< the run before, which exited with status 0, again: the stream has ended
    Playlist,  ///< an HLS playlist instead of media (mplayer cannot dump HLS)
};

/// What `sniffed`, the first bytes of a run gathered so far, say; `final`: no more come (the
/// program is gone); `endedStart`: the first bytes of the run before when it exited with status
/// 0, else empty. Gather below kSniffBytes unless final, and while they agree with
/// `endedStart` without covering it (unless final); Replay when they cover it; Playlist when
/// they are an HLS playlist; else Connect. Pure.
RunStart judgeStart(std::string_view sniffed, bool final, std::string_view endedStart);

/// The PES timestamps a recorder writes as MPEG-TS: the last ones, which outlive a run (a
/// restart begins after them), and the first of the current run. No I/O.
class RecorderTicks {
public:
    /// A run begins: its first timestamp is not known yet, and a packet cut off by the run
    /// before is dropped.
    void beginRun();
    /// Takes in what the program wrote (any cut of the byte stream).
    void feed(std::string_view bytes);
    /// The program writes something else than MPEG-TS: nothing to go on after.
    void forget() noexcept;

    /// Where a restart goes on after: the last video timestamp, else the last one.
    std::optional<std::int64_t> last() const noexcept { return lastVideo_ ? lastVideo_ : lastAny_; }
    bool sawVideo() const noexcept { return lastVideo_.has_value(); }
    /// The run's first video timestamp, else its first one; and whether that is video.
    std::optional<std::int64_t> runFirst() const noexcept { return runFirst_; }
    bool runFirstIsVideo() const noexcept { return runFirstIsVideo_; }
    /// The last timestamp of each PID.
    const std::vector<std::pair<std::uint16_t, std::int64_t>>& lastByPid() const noexcept {
        return lastByPid_;
    }

private:
    media::TsPacketizer packets_;
    std::vector<std::pair<std::uint16_t, std::int64_t>> lastByPid_;
    std::optional<std::int64_t> lastVideo_;
    std::optional<std::int64_t> lastAny_;
    std::optional<std::int64_t> runFirst_;
    bool runFirstIsVideo_ = false;
};

/// What a restarted recorder writes twice. It begins at the segment that holds the end of what
/// the run before wrote (the segment after it may be gone from the playlist by the time the
/// program reads it), so on each PID the PES packets up to the last timestamp written there come
/// again: they are dropped, and what follows goes through. A PID whose first PES is not within
/// kOverlapLimit before its last timestamp (new timestamps after an encoder restart) is not
/// trimmed. No I/O.
class OverlapTrim {
public:
    static constexpr std::int64_t kOverlapLimit = 60 * media::kPesTicksPerSecond;

    /// `last`: the last timestamp written on each PID (RecorderTicks::lastByPid).
    explicit OverlapTrim(std::vector<std::pair<std::uint16_t, std::int64_t>> last);
    /// What of `bytes` (any cut of the program's output) is new; a view of `bytes` itself once
    /// every PID has gone past its overlap, else of a buffer valid until the next call.
    std::string_view take(std::string_view bytes);
    /// Every PID has gone past what was written before.
    bool done() const noexcept { return pids_.empty(); }
    /// The bytes dropped so far.
    std::uint64_t dropped() const noexcept { return dropped_; }

private:
    struct Pid {
        std::uint16_t pid = 0;
        std::int64_t last = 0;                 // written before
        std::optional<std::int64_t> previous;  // this run's last PES on it
        bool dropping = true;                  // the current PES is dropped
    };
    bool keep(std::string_view packet);

    std::vector<Pid> pids_;  // those still inside their overlap
    media::TsPacketizer packets_;
    std::string kept_;
    std::uint64_t dropped_ = 0;
};

/// What a restarted run of `name` skipped: the media between `lastTicks` (what the run before
/// wrote last) and `firstTicks` (the restarted run's first), when that is more than half a
/// second (one frame or audio packet apart is continuous), as a gap from `at` (UTC). Pure.
std::optional<core::Gap> skippedGap(std::int64_t lastTicks, std::int64_t firstTicks,
                                    const std::string& name,
                                    std::chrono::system_clock::time_point at);

/// What a run does after a wake-up.
enum class RunStep {
    Go,        ///< read on
    Replay,    ///< stop the program: the stream has ended (Finished)
    Playlist,  ///< stop the program: the stream is HLS, for the native engine
    Exited,    ///< the program is gone: a Transient failure
    Stalled,   ///< it wrote nothing for the stall timeout: stop it, a Transient failure
};

/// The step after a wake-up, the first that applies in this order: what the first bytes said
/// (`start`: Replay, Playlist), the program `exited`, `quiet` (the time since it last wrote) has
/// reached `stallTimeout`. Pure.
RunStep runStep(RunStart start, bool exited, std::chrono::steady_clock::duration quiet,
                std::chrono::milliseconds stallTimeout) noexcept;

/// What the next run compares its first bytes with (judgeStart): `start`, the first bytes of a
/// run that exited with status 0 (`status` as waitpid(2) gives it), else nothing. Pure.
std::string endedStartAfter(int status, std::string start);

/// "ffmpeg exited with status 1 after 3.2 s: <its last line>", the failure of a run that lasted
/// `lasted`. Pure.
std::string exitMessage(const std::string& name, int status,
                        std::chrono::steady_clock::duration lasted, const std::string& lastLine);

/// "ffmpeg wrote nothing for 20.0 s (stall); stopped it". Pure.
std::string stallMessage(const std::string& name, std::chrono::steady_clock::duration quiet);

}  // namespace confcap::source
