#include "confcap/run/JobProgress.h"

#include <algorithm>
#include <chrono>

#include "confcap/core/Format.h"
#include "confcap/core/Media.h"
#include "confcap/core/Time.h"

namespace confcap::run {

Level eventLevel(capture::CaptureEvent::Kind kind) {
    using Kind = capture::CaptureEvent::Kind;
    switch (kind) {
        case Kind::Failed:
        case Kind::Lost:
            return Level::Warning;
        case Kind::GaveUp:
            return Level::Error;
        case Kind::Reconnecting:
        case Kind::Stopped:
            return Level::Debug;
        default:
            return Level::Info;
    }
}

void addCounters(JobSnapshot& s, const sink::SinkStatus& counters) {
    s.bytes = counters.bytes;
    s.coveredSeconds = counters.coveredSeconds;
    s.gaps = static_cast<int>(counters.gaps.size());
    s.gapSeconds = 0;
    s.gapSpans.clear();
    for (const auto& gap : counters.gaps) {
        s.gapSeconds += std::chrono::duration<double>(gap.length).count();
        s.gapSpans.push_back(
            {gap.at, gap.length, gap.cause, gap.detail, gap.firstSequence, gap.lastSequence});
    }
    s.reconnects = counters.reconnects;
    s.lastData = counters.lastData;
    s.diskFullSeconds = std::chrono::duration<double>(counters.diskFullTime).count();
}

std::string clockTextOr(const ClockText& clockText, TimePoint at) {
    return clockText ? clockText(at)
                     : core::formatUtc(std::chrono::floor<std::chrono::seconds>(at));
}

void addProgress(JobSnapshot& s, const sink::SinkStatus& progress, const ClockText& clockText) {
    addCounters(s, progress);
    s.writeError = progress.writeFailure;
    if (progress.diskFullSince) {
        s.reason = "waiting for disk space since " +
                   clockTextOr(clockText, *progress.diskFullSince) +
                   ": the stream is read on and held in memory";
    }
}

std::optional<std::pair<Level, std::string>> diskFullTold(const sink::SinkStatus& before,
                                                          const sink::SinkStatus& now) {
    if (now.diskFullSince &&
        (!before.diskFullSince || now.diskFullEpisodes > before.diskFullEpisodes)) {
        return std::pair{Level::Warning, now.writeFailure +
                                             " The stream is read on and held in memory; writing "
                                             "is tried again as it arrives."};
    }
    if (before.diskFullSince && !now.diskFullSince) {
        const auto full =
            std::chrono::round<std::chrono::seconds>(now.diskFullTime - before.diskFullTime);
        std::string text = "Writing again after " +
                           core::formatDuration(std::max(full, std::chrono::seconds(1))) +
                           " of a full disk";
        std::chrono::milliseconds lost{0};
        for (std::size_t i = before.gaps.size(); i < now.gaps.size(); ++i) {
            if (now.gaps[i].cause == core::gapcause::kDiskFull) {
                lost += now.gaps[i].length;
            }
        }
        if (lost.count() > 0) {
            return std::pair{
                Level::Warning,
                text + ": " + core::formatDuration(std::chrono::round<std::chrono::seconds>(lost)) +
                    " of the stream could not be kept (a gap)"};
        }
        return std::pair{Level::Info, text + ", nothing lost (what arrived was held in memory)"};
    }
    return std::nullopt;
}

std::optional<double> JobRates::note(const std::string& key, std::uint64_t bytes, TimePoint now) {
    std::optional<double> rate;
    auto& [lastBytes, lastAt] = last_[key];
    const double seconds = std::chrono::duration<double>(now - lastAt).count();
    if (lastAt != TimePoint{} && seconds > 0 && bytes >= lastBytes) {
        rate = static_cast<double>(bytes - lastBytes) * 8 / seconds;
    }
    lastBytes = bytes;
    lastAt = now;
    auto& [firstBytes, firstAt] = first_[key];
    if (firstAt == TimePoint{} || bytes < firstBytes) {
        firstBytes = bytes;
        firstAt = now;
    } else if (now - firstAt >= std::chrono::seconds(20)) {
        averaged_[key] = static_cast<double>(bytes - firstBytes) * 8 /
                         std::chrono::duration<double>(now - firstAt).count();
    }
    return rate;
}

std::optional<double> JobRates::averaged(const std::string& key) const {
    const auto it = averaged_.find(key);
    return it == averaged_.end() ? std::nullopt : std::optional<double>(it->second);
}

void JobRates::forget(const std::string& key) {
    last_.erase(key);
    first_.erase(key);
    averaged_.erase(key);
}

DiskQuestion diskQuestionOf(const std::vector<JobEntry>& entries, const JobRates& rates) {
    DiskQuestion question;
    for (const auto& entry : entries) {
        const bool capturing =
            entry.state == JobState::Recording || entry.state == JobState::Retrying;
        if (entry.state == JobState::Waiting || capturing) {
            question.rest.push_back(entry.job);
        }
        question.someoneWaits = question.someoneWaits || entry.heldSince.has_value();
        const auto rate = rates.averaged(entry.job.talk.key());
        if (capturing && rate) {
            auto& room = question.measured[entry.job.talk.room];
            room = std::max(room, *rate);
        }
    }
    return question;
}

}  // namespace confcap::run
