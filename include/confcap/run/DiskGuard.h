// The disk guard: looks at the free space of the output folder's file system at the start and
// every minute, against what the rest of the plan needs (plan::forecastDisk), warns as it gets
// tight, and while free space is below the reserve (--min-free) holds back talks whose window
// opens. The Scheduler consults it on its tick, so it runs on the scheduler's clock and timer;
// the free space comes in through a function, so a test decides what the disk holds.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "confcap/plan/DiskForecast.h"
#include "confcap/plan/Plan.h"
#include "confcap/run/Report.h"

namespace confcap::run {

/// --min-free as given: a number of bytes or a share of the file system; neither is the default.
struct MinFree {
    std::optional<std::uint64_t> bytes;
    std::optional<double> percent;  ///< of the file system's size, 0 to 100
};

/// The reserve in bytes on a file system of `totalBytes`: the bytes given, the share given, or
/// by default the smaller of 1 GiB and 5 % of the file system. Pure.
std::uint64_t reserveBytes(const MinFree& minFree, std::uint64_t totalBytes) noexcept;

/// A file system's space in bytes.
struct DiskSpace {
    std::uint64_t freeBytes = 0;   ///< what an unprivileged writer may still use
    std::uint64_t totalBytes = 0;  ///< the file system's size
};

/// Reads a file system's space now. Throws core::OutputError when it cannot. Called from the
/// scheduler's threads.
using FreeSpace = std::function<DiskSpace()>;

/// The space of the file system holding `folder` (statvfs: f_bavail and f_blocks).
FreeSpace freeSpaceOf(std::filesystem::path folder);

/// What the guard tells when the outlook moves from the one it last warned about.
enum class DiskNotice {
    None,       ///< nothing new
    Warn,       ///< it got worse than what was warned last
    FitsAgain,  ///< it fits again after a warning
};

/// The notice for an outlook `now` when `warned` was the last told (Fits: none yet). Pure.
DiskNotice diskNotice(plan::DiskOutlook warned, plan::DiskOutlook now) noexcept;

class DiskGuard {
public:
    struct Options {
        MinFree minFree;
        /// How often the free space is looked at.
        std::chrono::seconds every{60};
        /// How often while it is below the reserve or a talk waits for space.
        std::chrono::seconds whileShort{5};
        /// The folder named in messages (--out).
        std::string folder;
        /// A wall-clock time as the operator reads it ("23:40"); RFC 3339 UTC when empty.
        std::function<std::string(std::chrono::system_clock::time_point)> clockText;
        /// Frees at least the bytes asked for if it can (the oldest room tapes), returning what
        /// it freed; called when the rest of the plan and the reserve do not fit in what is free.
        std::function<std::uint64_t(std::uint64_t bytes)> makeRoom;
    };

    /// `reporter` must outlive the guard; it gets the warnings and a DiskSnapshot each time the
    /// disk was looked at.
    DiskGuard(FreeSpace freeSpace, Reporter& reporter, Options options);

    /// A room's rate as the pre-flight found it announced (the chosen HLS variant's BANDWIDTH),
    /// in bit/s. Thread-safe.
    void announce(const std::string& room, double bitsPerSecond);

    /// Looks at the disk when it is due at `now` (every `every`, every `whileShort` while the
    /// space is short or `someoneWaits`), with `rest` the jobs still to write and `measured` the
    /// rooms' rates received lately (bit/s); tells the reporter what it found. Returns true while
    /// the free space last seen is below the reserve: a talk whose window opens waits. Never
    /// throws (a disk that cannot be looked at is warned about once and holds nothing back).
    /// Thread-safe; calls the reporter without a lock held.
    bool check(std::chrono::system_clock::time_point now, const std::vector<plan::Job>& rest,
               const std::map<std::string, double>& measured, bool someoneWaits);

    /// The reserve in bytes as last computed (0 before the first look). Thread-safe.
    std::uint64_t reserve() const;

private:
    /// What one look changed: whether it is the first, whether free space was below the reserve
    /// before it, and what the outlook's change asks to tell.
    struct Change {
        bool firstLook = false;
        bool wasBelow = false;
        DiskNotice notice = DiskNotice::None;
    };

    /// The last look's answer when the next one is not due yet; otherwise notes the look and
    /// copies the rates the rooms announced into `announced`.
    std::optional<bool> skipLook(std::chrono::system_clock::time_point now, bool someoneWaits,
                                 std::map<std::string, double>& announced);
    /// The file system's free space, or none (told once) when it cannot be read.
    std::optional<DiskSpace> readSpace();
    /// Keeps the look's result and says what changed.
    Change record(const DiskSnapshot& snapshot, plan::DiskOutlook outlook);
    /// Tells the reporter what the change means, in words.
    void tell(const DiskSnapshot& snapshot, const plan::DiskForecast& forecast,
              plan::DiskOutlook outlook, const Change& change);
    std::string timeText(std::chrono::system_clock::time_point t) const;

    FreeSpace freeSpace_;
    Reporter& reporter_;
    Options options_;

    mutable std::mutex mutex_;
    std::map<std::string, double> announced_;
    std::optional<std::chrono::system_clock::time_point> lastLook_;
    bool looked_ = false;  ///< the disk was read once: the first look is told
    bool belowReserve_ = false;
    bool unreadable_ = false;
    std::uint64_t reserve_ = 0;
    plan::DiskOutlook warned_ = plan::DiskOutlook::Fits;
};

}  // namespace confcap::run
