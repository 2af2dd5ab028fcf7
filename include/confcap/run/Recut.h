// `confcap recut`: a finished talk's file made again from its room's tape with new boundaries,
// for a talk that began late or ran over. Only the file confcap published for that talk is
// replaced, and only while it is as confcap left it (same size and hash as its sidecar
// says); the sidecar tells of every cut ("cuts").
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/sink/Recording.h"
#include "confcap/sink/Sidecar.h"

namespace confcap::run {

/// A new boundary: a moment, or a shift of the old one.
struct BoundaryEdit {
    std::optional<std::chrono::system_clock::time_point> at;
    std::chrono::seconds shift{0};

    std::chrono::system_clock::time_point applied(std::chrono::system_clock::time_point old) const {
        return at ? *at : old + shift;
    }
};

/// "+12m", "-90s" (a shift) or an RFC 3339 time ("2026-12-27T14:05:00+01:00"). Throws
/// core::UsageError naming `option` when it is neither.
BoundaryEdit boundaryEditFrom(std::string_view text, std::string_view option);

/// A published talk found by what a person calls it.
struct PublishedTalk {
    std::filesystem::path sidecar;  ///< full path
    sink::Sidecar content;
};

/// Every recorded talk in `outDir` (sidecars of an outcome, outside ".confcap"), in path order.
std::vector<PublishedTalk> publishedTalks(const std::filesystem::path& outDir);

/// The talk in `outDir` that `name` names: its id, guid, its file's path relative to `outDir`
/// (with or without extension), the file's name (with or without), or its title (any case).
/// Sidecars under ".confcap" are not looked at. Throws core::UsageError naming the candidates when
/// none or several match.
PublishedTalk findPublishedTalk(const std::filesystem::path& outDir, const std::string& name);

struct RecutRequest {
    std::filesystem::path outDir;
    std::string talk;  ///< as findPublishedTalk takes it
    std::optional<BoundaryEdit> start;
    std::optional<BoundaryEdit> end;
};

/// What a recut did.
struct Recut {
    std::filesystem::path file;  ///< the new file (full path)
    std::chrono::system_clock::time_point oldStart, oldEnd, newStart, newEnd;
    sink::FinalizeResult result;
};

/// A talk's times in a schedule: its key (guid, else id) and when it starts and ends (UTC).
struct ScheduledTimes {
    std::string key;
    std::chrono::system_clock::time_point start;
    std::chrono::system_clock::time_point end;
};

/// Cuts `talk` (of `outDir`) again from its room's tape with its window's start and end moved
/// as `start` and `end` say; with `scheduled`, the sidecar tells those as the talk's times.
/// Throws as recutTalk.
Recut recutPublished(const std::filesystem::path& outDir, const PublishedTalk& talk,
                     const std::optional<BoundaryEdit>& start,
                     const std::optional<BoundaryEdit>& end,
                     const std::optional<ScheduledTimes>& scheduled = std::nullopt);

/// A recording window.
struct MovedWindow {
    std::chrono::system_clock::time_point start;
    std::chrono::system_clock::time_point end;
};

/// The window a talk recorded as `recorded` (its sidecar) has when the schedule now says it
/// runs from `start` to `end`: the same padding on both sides. None when it is the window the
/// recording has, or the sidecar tells no times.
std::optional<MovedWindow> movedWindow(const sink::Sidecar& recorded,
                                       std::chrono::system_clock::time_point start,
                                       std::chrono::system_clock::time_point end);

/// What became of one recorded talk whose times moved: cut again, or why not.
struct MovedRecut {
    std::string key;  ///< the talk's guid, else its id
    std::string room;
    std::chrono::system_clock::time_point start;  ///< when the talk starts now (UTC)
    std::string title;
    std::optional<Recut> cut;
    std::string failure;  ///< the error's sentence when it was not cut
};

/// Follows moved talks: each recorded talk of `outDir` whose times differ in a schedule is cut
/// again for its new window (the same padding), once per new window.
class MovedTalks {
public:
    explicit MovedTalks(std::filesystem::path outDir) : outDir_(std::move(outDir)) {}
    /// Cuts again the recorded talks whose times differ in `times` (matched by guid, else id)
    /// and whose new window ended by `endedBy` (none: whatever their new window), unless that
    /// window was tried before. A talk `busy` names (its hook or content check is not done
    /// with its file) is left for a later call. Throws core::InputError when `outDir` cannot be
    /// read.
    std::vector<MovedRecut> follow(
        const std::vector<ScheduledTimes>& times,
        std::optional<std::chrono::system_clock::time_point> endedBy = std::nullopt,
        const std::function<bool(const std::string& key)>& busy = {});

private:
    std::filesystem::path outDir_;
    std::set<std::string> tried_;  ///< key and new window
};

/// Cuts the talk again from its room's tape (tapeFolderFor) for the new window. Throws
/// core::UsageError for an unknown talk or a window that ends before it starts,
/// core::InputError when the room has no tape or the tape holds nothing of the new window, and
/// core::OutputError when the published file was changed or removed since, or the new file
/// cannot be written; the published file is then left as it was.
Recut recutTalk(const RecutRequest& request);

}  // namespace confcap::run
