#include "confcap/source/RecorderPlan.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>

#include "confcap/source/RecorderProcess.h"
#include "confcap/source/Source.h"

namespace confcap::source {

namespace {

std::string secondsText(std::chrono::steady_clock::duration d) {
    char text[32];
    std::snprintf(
        text, sizeof text, "%.1f s",
        static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) /
            1000.0);
    return text;
}

}  // namespace

bool seeksRestart(bool connectedBefore, std::optional<std::int64_t> lastTicks,
                  std::string_view url) {
    return connectedBefore && lastTicks && isHlsUrl(url);
}

RunStart judgeStart(std::string_view sniffed, bool final, std::string_view endedStart) {
    if ((sniffed.size() < kSniffBytes && !final) || sniffed.empty()) {
        return RunStart::Gather;
    }
    if (!endedStart.empty()) {
        // After a clean exit: held back until it differs from the last run's start (at once for
        // a live stream, whose timestamps move on) or matches all of it.
        const std::size_t common = std::min(sniffed.size(), endedStart.size());
        if (sniffed.substr(0, common) == endedStart.substr(0, common)) {
            return common == endedStart.size() || final ? RunStart::Replay : RunStart::Gather;
        }
    }
    if (looksLikeHlsPlaylist("", sniffed)) {
        return RunStart::Playlist;
    }
    return RunStart::Connect;
}

void RecorderTicks::beginRun() {
    packets_ = media::TsPacketizer();
    runFirst_.reset();
    runFirstIsVideo_ = false;
}

void RecorderTicks::feed(std::string_view bytes) {
    packets_.feed(bytes, [&](std::string_view packet) {
        const auto found = media::pesTimestamp(packet);
        if (!found) {
            return;
        }
        const auto pid = std::find_if(lastByPid_.begin(), lastByPid_.end(),
                                      [&](const auto& p) { return p.first == found->pid; });
        if (pid == lastByPid_.end()) {
            lastByPid_.emplace_back(found->pid, found->ticks);
        } else {
            pid->second = found->ticks;
        }
        if (found->video()) {
            lastVideo_ = found->ticks;
        }
        lastAny_ = found->ticks;
        if (!runFirst_ || (found->video() && !runFirstIsVideo_)) {
            runFirst_ = found->ticks;
            runFirstIsVideo_ = found->video();
        }
    });
}

void RecorderTicks::forget() noexcept {
    lastByPid_.clear();
    lastVideo_.reset();
    lastAny_.reset();
}

OverlapTrim::OverlapTrim(std::vector<std::pair<std::uint16_t, std::int64_t>> last) {
    for (const auto& [pid, ticks] : last) {
        pids_.push_back({pid, ticks, std::nullopt, true});
    }
}

std::string_view OverlapTrim::take(std::string_view bytes) {
    if (done()) {
        return bytes;
    }
    kept_.clear();
    packets_.feed(bytes, [&](std::string_view packet) {
        if (done() || keep(packet)) {
            kept_.append(packet);
        } else {
            dropped_ += packet.size();
        }
    });
    if (done()) {
        kept_ += packets_.release();
    }
    return kept_;
}

// A packet of a PID still inside its overlap goes with the PES it belongs to; a PES that begins
// after what was written, or that does not follow the overlap's timestamps, ends the PID's trim.
bool OverlapTrim::keep(std::string_view packet) {
    const auto pid = std::find_if(pids_.begin(), pids_.end(),
                                  [&](const Pid& p) { return p.pid == media::tsPid(packet); });
    if (pid == pids_.end()) {
        return true;
    }
    if (const auto pes = media::pesTimestamp(packet)) {
        const auto behind = media::pesTicksBetween(pes->ticks, pid->last);
        const bool onward =
            !pid->previous || media::pesTicksBetween(*pid->previous, pes->ticks) > 0;
        pid->dropping = behind >= 0 && behind <= kOverlapLimit && onward;
        pid->previous = pes->ticks;
        if (!pid->dropping) {
            pids_.erase(pid);
            return true;
        }
    }
    return !pid->dropping;
}

std::optional<core::Gap> skippedGap(std::int64_t lastTicks, std::int64_t firstTicks,
                                    const std::string& name,
                                    std::chrono::system_clock::time_point at) {
    const auto skipped = media::pesTicksBetween(lastTicks, firstTicks);
    if (skipped <= media::kPesTicksPerSecond / 2) {
        return std::nullopt;
    }
    core::Gap gap;
    gap.at = at;
    gap.length = std::chrono::milliseconds(skipped * 1000 / media::kPesTicksPerSecond);
    gap.cause = core::gapcause::kRolledOut;
    gap.detail =
        name + " began again " +
        secondsText(std::chrono::duration_cast<std::chrono::steady_clock::duration>(gap.length)) +
        " after the media it had written: that much had left the playlist.";
    return gap;
}

RunStep runStep(RunStart start, bool exited, std::chrono::steady_clock::duration quiet,
                std::chrono::milliseconds stallTimeout) noexcept {
    if (start == RunStart::Replay) {
        return RunStep::Replay;
    }
    if (start == RunStart::Playlist) {
        return RunStep::Playlist;
    }
    if (exited) {
        return RunStep::Exited;
    }
    return quiet >= stallTimeout ? RunStep::Stalled : RunStep::Go;
}

std::string endedStartAfter(int status, std::string start) {
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? std::move(start) : std::string();
}

std::string exitMessage(const std::string& name, int status,
                        std::chrono::steady_clock::duration lasted, const std::string& lastLine) {
    std::string message = name + " " + exitText(status) + " after " + secondsText(lasted);
    if (!lastLine.empty()) {
        message += ": " + lastLine;
    }
    return message;
}

std::string stallMessage(const std::string& name, std::chrono::steady_clock::duration quiet) {
    return name + " wrote nothing for " + secondsText(quiet) + " (stall); stopped it";
}

}  // namespace confcap::source
