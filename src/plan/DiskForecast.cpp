#include "confcap/plan/DiskForecast.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace confcap::plan {

namespace {

/// A stretch of time in which the same jobs write: [from, until) at `bitsPerSecond` together.
struct Step {
    core::Instant from;
    core::Instant until;
    double bitsPerSecond = 0;
};

double seconds(core::Instant from, core::Instant until) {
    return static_cast<double>((until - from).count());
}

std::uint64_t bytesOf(double bits) {
    return bits <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(bits / 8));
}

/// The rest of the jobs' windows from `now` on, cut where a window starts or ends.
std::vector<Step> stepsFrom(const std::vector<Job>& jobs, const RoomRates& rates,
                            core::Instant now) {
    struct Span {
        core::Instant from, until;
        double bitsPerSecond;
    };
    std::vector<Span> spans;
    std::vector<core::Instant> cuts;
    for (const auto& job : jobs) {
        const auto from = std::max(job.from, now);
        if (job.until <= from) {
            continue;
        }
        spans.push_back({from, job.until, rates.rateFor(job).bitsPerSecond});
        cuts.push_back(from);
        cuts.push_back(job.until);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::vector<Step> steps;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
        double rate = 0;
        for (const auto& span : spans) {
            if (span.from <= cuts[i] && cuts[i + 1] <= span.until) {
                rate += span.bitsPerSecond;
            }
        }
        if (rate > 0) {
            steps.push_back({cuts[i], cuts[i + 1], rate});
        }
    }
    return steps;
}

/// Each room's windows in order, with the room's rate.
struct RoomWindows {
    double bitsPerSecond = 0;
    std::vector<std::pair<core::Instant, core::Instant>> windows;
};

std::map<std::string, RoomWindows> windowsByRoom(const std::vector<Job>& jobs,
                                                 const RoomRates& rates) {
    std::map<std::string, RoomWindows> rooms;
    for (const auto& job : jobs) {
        if (job.until > job.from) {
            auto& room = rooms[job.talk.room];
            if (room.windows.empty()) {
                room.bitsPerSecond = rates.rateFor(job).bitsPerSecond;
            }
            room.windows.emplace_back(job.from, job.until);
        }
    }
    for (auto& [name, room] : rooms) {
        std::sort(room.windows.begin(), room.windows.end());
    }
    return rooms;
}

/// How long the windows cover at least once (their union).
core::Seconds covered(const std::vector<std::pair<core::Instant, core::Instant>>& windows) {
    core::Seconds total{0};
    std::optional<core::Instant> coveredUntil;
    for (const auto& [start, end] : windows) {
        const auto from = coveredUntil ? std::max(start, *coveredUntil) : start;
        if (end > from) {
            total += end - from;
        }
        coveredUntil = coveredUntil ? std::max(*coveredUntil, end) : end;
    }
    return total;
}

}  // namespace

const char* toString(RateSource source) noexcept {
    switch (source) {
        case RateSource::Measured:
            return "measured";
        case RateSource::Announced:
            return "announced";
        case RateSource::Assumed:
            return "assumed";
    }
    return "assumed";
}

bool isAudioStream(std::string_view streamUrl) noexcept {
    auto path = streamUrl.substr(0, streamUrl.find_first_of("?#"));
    const auto dot = path.rfind('.');
    if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) {
        return false;
    }
    std::string extension;
    for (const char c : path.substr(dot + 1)) {
        extension += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    static constexpr std::array<std::string_view, 7> kAudio = {"mp3", "aac",  "m4a", "ogg",
                                                               "oga", "opus", "flac"};
    return std::find(kAudio.begin(), kAudio.end(), extension) != kAudio.end();
}

RoomRate RoomRates::rateFor(const Job& job) const {
    if (const auto it = measured.find(job.talk.room); it != measured.end() && it->second > 0) {
        return {it->second, RateSource::Measured};
    }
    if (const auto it = announced.find(job.talk.room); it != announced.end() && it->second > 0) {
        return {it->second, RateSource::Announced};
    }
    return {isAudioStream(job.stream) ? kAssumedAudioBitsPerSecond : kAssumedVideoBitsPerSecond,
            RateSource::Assumed};
}

DiskForecast forecastDisk(const std::vector<Job>& jobs, const RoomRates& rates, core::Instant now) {
    DiskForecast forecast;
    double totalBits = 0;
    for (const auto& job : jobs) {
        if (job.until > job.from) {
            totalBits += rates.rateFor(job).bitsPerSecond * seconds(job.from, job.until);
        }
        forecast.end = forecast.end ? std::max(*forecast.end, job.until) : job.until;
    }
    forecast.totalBytes = bytesOf(totalBits);
    double neededBits = 0;
    for (const auto& step : stepsFrom(jobs, rates, now)) {
        neededBits += step.bitsPerSecond * seconds(step.from, step.until);
        forecast.peakBitsPerSecond = std::max(forecast.peakBitsPerSecond, step.bitsPerSecond);
    }
    forecast.neededBytes = bytesOf(neededBits);
    forecast.peakBytesPerHour = bytesOf(forecast.peakBitsPerSecond * 3600);
    double overlapBits = 0;
    for (const auto& [name, room] : windowsByRoom(jobs, rates)) {
        core::Seconds all{0};
        for (const auto& [start, end] : room.windows) {
            all += end - start;
        }
        const auto overlap = all - covered(room.windows);
        forecast.overlapSeconds += overlap;
        overlapBits += room.bitsPerSecond * static_cast<double>(overlap.count());
    }
    forecast.overlapBytes = bytesOf(overlapBits);
    return forecast;
}

TapeForecast forecastTape(const std::vector<Job>& jobs, const RoomRates& rates,
                          core::Seconds bridge) {
    TapeForecast forecast;
    double bits = 0;
    for (const auto& [name, room] : windowsByRoom(jobs, rates)) {
        const auto& list = room.windows;
        auto from = list.front().first;
        auto until = list.front().second;
        core::Seconds taped{0};
        for (const auto& [start, end] : list) {
            if (start > until + bridge) {
                taped += (until + bridge) - from;
                from = start;
            }
            until = std::max(until, end);
        }
        taped += (until + bridge) - from;
        forecast.seconds += taped;
        // What no window covers: the rest the tape shares with the talks' files.
        bits += room.bitsPerSecond * static_cast<double>((taped - covered(list)).count());
    }
    forecast.bytes = bytesOf(bits);
    return forecast;
}

std::optional<core::Instant> diskRunsOutAt(const std::vector<Job>& jobs, const RoomRates& rates,
                                           core::Instant now, std::uint64_t freeBytes) {
    double leftBits = static_cast<double>(freeBytes) * 8;
    for (const auto& step : stepsFrom(jobs, rates, now)) {
        const double stepBits = step.bitsPerSecond * seconds(step.from, step.until);
        if (stepBits > leftBits) {
            const auto lasts = static_cast<std::int64_t>(std::floor(leftBits / step.bitsPerSecond));
            return step.from + core::Seconds(lasts);
        }
        leftBits -= stepBits;
    }
    return std::nullopt;
}

DiskOutlook diskOutlook(std::optional<core::Instant> runsOut, core::Instant now) noexcept {
    if (!runsOut) {
        return DiskOutlook::Fits;
    }
    const auto left = *runsOut - now;
    if (left < std::chrono::minutes(15)) {
        return DiskOutlook::UnderFifteenMinutes;
    }
    if (left < std::chrono::hours(1)) {
        return DiskOutlook::UnderAnHour;
    }
    return DiskOutlook::DoesNotFit;
}

}  // namespace confcap::plan
