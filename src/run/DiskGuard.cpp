#include "confcap/run/DiskGuard.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "confcap/core/Error.h"
#include "confcap/core/Format.h"
#include "confcap/core/Time.h"

namespace confcap::run {

namespace {

constexpr std::uint64_t kGiB = 1024ULL * 1024 * 1024;

core::Instant toInstant(std::chrono::system_clock::time_point t) {
    return std::chrono::floor<std::chrono::seconds>(t);
}

}  // namespace

std::uint64_t reserveBytes(const MinFree& minFree, std::uint64_t totalBytes) noexcept {
    const auto share = [totalBytes](double percent) {
        return static_cast<std::uint64_t>(
            std::llround(static_cast<double>(totalBytes) * std::clamp(percent, 0.0, 100.0) / 100));
    };
    if (minFree.bytes) {
        return *minFree.bytes;
    }
    if (minFree.percent) {
        return share(*minFree.percent);
    }
    return std::min(kGiB, share(5));
}

FreeSpace freeSpaceOf(std::filesystem::path folder) {
    return [folder = std::move(folder)] {
        struct statvfs fs {};
        if (::statvfs(folder.c_str(), &fs) != 0) {
            throw core::OutputError("Cannot read the free space of " + folder.string() + ": " +
                                    std::strerror(errno) + ".");
        }
        return DiskSpace{static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize,
                         static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize};
    };
}

DiskNotice diskNotice(plan::DiskOutlook warned, plan::DiskOutlook now) noexcept {
    if (now > warned) {
        return DiskNotice::Warn;
    }
    if (now == plan::DiskOutlook::Fits && warned != plan::DiskOutlook::Fits) {
        return DiskNotice::FitsAgain;
    }
    return DiskNotice::None;
}

DiskGuard::DiskGuard(FreeSpace freeSpace, Reporter& reporter, Options options)
    : freeSpace_(std::move(freeSpace)), reporter_(reporter), options_(std::move(options)) {}

void DiskGuard::announce(const std::string& room, double bitsPerSecond) {
    std::lock_guard lock(mutex_);
    announced_[room] = bitsPerSecond;
}

std::uint64_t DiskGuard::reserve() const {
    std::lock_guard lock(mutex_);
    return reserve_;
}

std::string DiskGuard::timeText(std::chrono::system_clock::time_point t) const {
    return options_.clockText ? options_.clockText(t) : core::formatUtc(toInstant(t));
}

bool DiskGuard::check(std::chrono::system_clock::time_point now, const std::vector<plan::Job>& rest,
                      const std::map<std::string, double>& measured, bool someoneWaits) {
    plan::RoomRates rates;
    rates.measured = measured;
    if (const auto skipped = skipLook(now, someoneWaits, rates.announced)) {
        return *skipped;
    }
    // The file system is read, and the reporter told, without the lock.
    auto space = readSpace();
    if (!space) {
        return false;
    }
    const auto at = toInstant(now);
    const auto forecast = plan::forecastDisk(rest, rates, at);
    const auto wanted = reserveBytes(options_.minFree, space->totalBytes) + forecast.neededBytes;
    if (options_.makeRoom && space->freeBytes < wanted) {
        const auto freed = options_.makeRoom(wanted - space->freeBytes);
        if (freed > 0) {
            reporter_.publish(Level::Info, {},
                              "disk: deleted " + core::formatBytes(freed) +
                                  " of the oldest room tapes to make room for the talks");
            if (auto again = readSpace()) {
                space = again;
            }
        }
    }
    const auto runsOut = plan::diskRunsOutAt(rest, rates, at, space->freeBytes);

    DiskSnapshot snapshot;
    snapshot.at = now;
    snapshot.freeBytes = space->freeBytes;
    snapshot.totalBytes = space->totalBytes;
    snapshot.reserveBytes = reserveBytes(options_.minFree, space->totalBytes);
    snapshot.neededBytes = forecast.neededBytes;
    snapshot.peakBitsPerSecond = forecast.peakBitsPerSecond;
    if (runsOut) {
        snapshot.runsOutAt = std::chrono::system_clock::time_point(runsOut->time_since_epoch());
    }
    snapshot.belowReserve = space->freeBytes < snapshot.reserveBytes;

    const auto outlook = plan::diskOutlook(runsOut, at);
    tell(snapshot, forecast, outlook, record(snapshot, outlook));
    reporter_.disk(snapshot);
    return snapshot.belowReserve;
}

std::optional<bool> DiskGuard::skipLook(std::chrono::system_clock::time_point now,
                                        bool someoneWaits,
                                        std::map<std::string, double>& announced) {
    std::lock_guard lock(mutex_);
    const auto period = belowReserve_ || someoneWaits ? options_.whileShort : options_.every;
    // A clock that went back makes it due too.
    if (lastLook_ && now >= *lastLook_ && now - *lastLook_ < period) {
        return belowReserve_;
    }
    lastLook_ = now;
    announced = announced_;
    return std::nullopt;
}

std::optional<DiskSpace> DiskGuard::readSpace() {
    try {
        return freeSpace_();
    } catch (const std::exception& e) {
        bool first = false;
        {
            std::lock_guard lock(mutex_);
            first = !std::exchange(unreadable_, true);
            belowReserve_ = false;
        }
        if (first) {
            reporter_.publish(Level::Warning, {},
                              std::string(e.what()) +
                                  " The disk guard cannot warn before it "
                                  "runs out, and holds no talk back.");
        }
        return std::nullopt;
    }
}

DiskGuard::Change DiskGuard::record(const DiskSnapshot& snapshot, plan::DiskOutlook outlook) {
    std::lock_guard lock(mutex_);
    Change change;
    change.firstLook = !std::exchange(looked_, true);
    unreadable_ = false;
    change.wasBelow = std::exchange(belowReserve_, snapshot.belowReserve);
    reserve_ = snapshot.reserveBytes;
    change.notice = diskNotice(warned_, outlook);
    if (change.notice != DiskNotice::None) {
        warned_ = outlook;
    }
    return change;
}

void DiskGuard::tell(const DiskSnapshot& snapshot, const plan::DiskForecast& forecast,
                     plan::DiskOutlook outlook, const Change& change) {
    const auto free = core::formatBytes(snapshot.freeBytes);
    const auto needed = core::formatBytes(forecast.neededBytes);
    const auto where = options_.folder.empty() ? std::string() : " on " + options_.folder;
    if (change.firstLook) {
        reporter_.publish(Level::Info, {},
                          "disk: " + free + " free" + where + "; the rest of the plan needs " +
                              needed + " (at most " + core::formatRate(forecast.peakBitsPerSecond) +
                              ", " + core::formatBytes(forecast.peakBytesPerHour) +
                              " an hour); --min-free " + core::formatBytes(snapshot.reserveBytes));
    }
    if (change.notice == DiskNotice::Warn && snapshot.runsOutAt) {
        const auto runsOut = timeText(*snapshot.runsOutAt);
        const auto lasts = std::chrono::duration_cast<std::chrono::seconds>(
            *snapshot.runsOutAt - std::chrono::floor<std::chrono::seconds>(snapshot.at));
        std::string text;
        switch (outlook) {
            case plan::DiskOutlook::DoesNotFit:
                text = "the rest of the plan does not fit: it needs " + needed + ", " + free +
                       " is free" + where + "; it runs out at " + runsOut;
                break;
            case plan::DiskOutlook::UnderAnHour:
            case plan::DiskOutlook::UnderFifteenMinutes:
                text = "disk space runs out in " +
                       core::formatSeconds(static_cast<double>(lasts.count())) + " (at " + runsOut +
                       "): " + free + " free" + where + ", the rest of the plan needs " + needed;
                break;
            case plan::DiskOutlook::Fits:
                break;
        }
        reporter_.publish(Level::Warning, {}, text);
    } else if (change.notice == DiskNotice::FitsAgain) {
        reporter_.publish(Level::Info, {},
                          "the rest of the plan fits again: it needs " + needed + ", " + free +
                              " is free" + where);
    }
    if (snapshot.belowReserve && !change.wasBelow) {
        reporter_.publish(Level::Warning, {},
                          "free space " + free + where + " is below --min-free " +
                              core::formatBytes(snapshot.reserveBytes) +
                              ": a talk whose window opens waits for disk space; talks under way "
                              "go on");
    } else if (!snapshot.belowReserve && change.wasBelow) {
        reporter_.publish(Level::Info, {},
                          "free space is back above --min-free (" + free + " free" + where +
                              "): talks waiting for it start");
    }
}

}  // namespace confcap::run
