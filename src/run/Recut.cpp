#include "confcap/run/Recut.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <map>
#include <system_error>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/core/Text.h"
#include "confcap/run/TapeReplay.h"
#include "confcap/sink/TalkSink.h"
#include "confcap/sink/TapeIndex.h"

namespace confcap::run {

namespace {

namespace fs = std::filesystem;
using Time = std::chrono::system_clock::time_point;

bool names(const sink::Sidecar& sidecar, const std::string& name) {
    const auto& talk = sidecar.talk;
    if (name == talk.id || name == talk.guid || core::equalsIgnoreCase(name, talk.title)) {
        return !name.empty();
    }
    const fs::path file = sidecar.file();
    if (file.empty()) {
        return false;
    }
    auto stem = file;
    stem.replace_extension();
    return name == file.generic_string() || name == stem.generic_string() ||
           name == file.filename().string() || name == stem.filename().string();
}

std::string utc(Time t) {
    return core::formatUtc(std::chrono::floor<std::chrono::seconds>(t));
}

// A folder of its own under the output folder's ".confcap" where the new cut is made; removed
// with what is left in it.
class Staging {
public:
    explicit Staging(const fs::path& outDir) {
        path_ = outDir / ".confcap" / "recut" /
                std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
        std::error_code error;
        fs::create_directories(path_, error);
        if (error) {
            throw core::OutputError("Cannot create " + core::quotedPath(path_) + ": " +
                                    error.message() + ".");
        }
    }
    ~Staging() {
        std::error_code error;
        fs::remove_all(path_, error);
    }
    Staging(const Staging&) = delete;
    Staging& operator=(const Staging&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

Poco::JSON::Object::Ptr windowJson(Time start, Time end) {
    Poco::JSON::Object::Ptr window = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    window->set("start", utc(start));
    window->set("end", utc(end));
    return window;
}

// The sidecar's "cuts" with this one added.
Poco::JSON::Array::Ptr cutsWith(const sink::Sidecar& old, const Recut& cut) {
    Poco::JSON::Array::Ptr cuts = new Poco::JSON::Array;
    for (const auto& [key, value] : old.others) {
        if (key == "cuts" && value.type() == typeid(Poco::JSON::Array::Ptr)) {
            cuts = new Poco::JSON::Array(*value.extract<Poco::JSON::Array::Ptr>());
        }
    }
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    entry->set("at", utc(std::chrono::system_clock::now()));
    entry->set("from", windowJson(cut.oldStart, cut.oldEnd));
    entry->set("to", windowJson(cut.newStart, cut.newEnd));
    cuts->add(entry);
    return cuts;
}

}  // namespace

BoundaryEdit boundaryEditFrom(std::string_view text, std::string_view option) {
    BoundaryEdit edit;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        try {
            const auto length = core::parseDuration(text.substr(1));
            edit.shift = text.front() == '-' ? -length : length;
            return edit;
        } catch (const core::UsageError&) {
        }
    } else if (const auto at = core::parseIsoInstant(text)) {
        edit.at = *at;
        return edit;
    }
    throw core::UsageError("--" + std::string(option) + " takes a shift such as +12m or -90s, " +
                           "or a time such as 2026-12-27T14:05:00+01:00, not \"" +
                           std::string(text) + "\".");
}

std::vector<PublishedTalk> publishedTalks(const fs::path& outDir) {
    std::vector<PublishedTalk> found;
    std::error_code error;
    fs::recursive_directory_iterator it(outDir, fs::directory_options::skip_permission_denied,
                                        error);
    if (error) {
        throw core::InputError("Cannot read the output folder " + core::quotedPath(outDir) + ": " +
                               error.message() + ".");
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (error) {
            break;
        }
        if (it->is_directory(error) && it->path().filename() == ".confcap") {
            it.disable_recursion_pending();
            continue;
        }
        if (it->path().extension() != ".json" || !it->is_regular_file(error)) {
            continue;
        }
        try {
            if (auto sidecar = sink::sidecarIn(it->path()); sidecar && !sidecar->file().empty()) {
                found.push_back({it->path(), std::move(*sidecar)});
            }
        } catch (const core::OutputError&) {
            // Not a sidecar that can be read: not a talk to cut.
        }
    }
    std::sort(found.begin(), found.end(),
              [](const PublishedTalk& a, const PublishedTalk& b) { return a.sidecar < b.sidecar; });
    return found;
}

PublishedTalk findPublishedTalk(const fs::path& outDir, const std::string& name) {
    std::vector<PublishedTalk> found;
    for (auto& talk : publishedTalks(outDir)) {
        if (names(talk.content, name)) {
            found.push_back(std::move(talk));
        }
    }
    if (found.size() == 1) {
        return std::move(found.front());
    }
    if (found.empty()) {
        throw core::UsageError("No recording in " + core::quotedPath(outDir) + " is the talk \"" +
                               name + "\" (give its id, guid, title or file name).");
    }
    std::string which;
    for (const auto& talk : found) {
        which += (which.empty() ? "" : ", ") + talk.content.file();
    }
    throw core::UsageError("\"" + name + "\" names " + std::to_string(found.size()) +
                           " recordings: " + which + "; give one's file name.");
}

std::optional<MovedWindow> movedWindow(const sink::Sidecar& recorded, Time start, Time end) {
    const auto& talk = recorded.talk;
    if (!recorded.windowStart || !recorded.windowEnd || !talk.start || !talk.end) {
        return std::nullopt;
    }
    const auto before = Time(*talk.start) - Time(*recorded.windowStart);
    const auto after = Time(*recorded.windowEnd) - Time(*talk.end);
    MovedWindow moved{start - before, end + after};
    const auto differs = [](Time a, Time b) {
        return std::chrono::abs(a - b) >= std::chrono::seconds(1);
    };
    if (!differs(moved.start, Time(*recorded.windowStart)) &&
        !differs(moved.end, Time(*recorded.windowEnd))) {
        return std::nullopt;
    }
    return moved;
}

std::vector<MovedRecut> MovedTalks::follow(const std::vector<ScheduledTimes>& times,
                                           std::optional<Time> endedBy,
                                           const std::function<bool(const std::string&)>& busy) {
    std::map<std::string, const ScheduledTimes*> byKey;
    for (const auto& talk : times) {
        byKey.emplace(talk.key, &talk);
    }
    std::vector<MovedRecut> done;
    for (const auto& talk : publishedTalks(outDir_)) {
        const auto& recorded = talk.content.talk;
        const auto key = recorded.guid.empty() ? recorded.id : recorded.guid;
        const auto found = byKey.find(key);
        if (key.empty() || found == byKey.end()) {
            continue;
        }
        const auto moved = movedWindow(talk.content, found->second->start, found->second->end);
        if (!moved || (endedBy && moved->end > *endedBy)) {
            continue;
        }
        const auto attempt = key + "\n" + utc(moved->start) + "\n" + utc(moved->end);
        if (tried_.count(attempt) > 0 || (busy && busy(key))) {
            continue;
        }
        tried_.insert(attempt);
        MovedRecut result;
        result.key = key;
        result.room = recorded.room;
        result.start = found->second->start;
        result.title = recorded.title;
        try {
            BoundaryEdit start;
            start.at = moved->start;
            BoundaryEdit end;
            end.at = moved->end;
            result.cut = recutPublished(outDir_, talk, start, end, *found->second);
        } catch (const core::Error& e) {
            result.failure = e.what();
        }
        done.push_back(std::move(result));
    }
    return done;
}

Recut recutTalk(const RecutRequest& request) {
    return recutPublished(request.outDir, findPublishedTalk(request.outDir, request.talk),
                          request.start, request.end);
}

Recut recutPublished(const fs::path& outDir, const PublishedTalk& talk,
                     const std::optional<BoundaryEdit>& start,
                     const std::optional<BoundaryEdit>& end,
                     const std::optional<ScheduledTimes>& scheduled) {
    const auto& old = talk.content;
    if (!old.windowStart || !old.windowEnd || old.file().empty()) {
        throw core::UsageError("The sidecar " + core::quotedPath(talk.sidecar) +
                               " names no window or file to cut again.");
    }
    Recut cut;
    cut.oldStart = *old.windowStart;
    cut.oldEnd = *old.windowEnd;
    cut.newStart = start ? start->applied(cut.oldStart) : cut.oldStart;
    cut.newEnd = end ? end->applied(cut.oldEnd) : cut.oldEnd;
    if (cut.newEnd <= cut.newStart) {
        throw core::UsageError("The new window of \"" + old.talk.title + "\" would end (" +
                               utc(cut.newEnd) + ") before it starts (" + utc(cut.newStart) + ").");
    }
    const auto file = outDir / old.file();
    const auto check =
        sink::fileCheckOf(file, old.fileCheck ? old.fileCheck->hash : sink::FileCheck::Hash{});
    if (!check) {
        throw core::OutputError("The recording " + core::quotedPath(file) +
                                " is gone; there is nothing to replace.");
    }
    if (!old.fileCheck || !(*check == *old.fileCheck)) {
        throw core::OutputError(
            "The recording " + core::quotedPath(file) +
            (old.fileCheck ? " was changed since confcap published it"
                           : " was published without the size and hash that tell it unchanged") +
            "; it is left as it is.");
    }
    const auto folder = tapeFolderFor(outDir, old.talk.room);
    const auto tape = sink::readTape(folder);
    if (tape.empty()) {
        throw core::InputError("The room \"" + old.talk.room + "\" has no tape in " +
                               core::quotedPath(folder) + " to cut from.");
    }

    // The new cut is made apart and takes the old one's place only once it is whole.
    Staging staging(outDir);
    const fs::path relative = old.file();
    sink::TalkSinkConfig config;
    config.outDir = staging.path();
    config.relativeStem = relative.filename();
    config.relativeStem.replace_extension();
    config.windowStart = cut.newStart;
    config.windowEnd = cut.newEnd;
    config.streamUrl = old.stream;
    config.talk = old.talk;
    if (scheduled) {
        config.talk.start = std::chrono::floor<std::chrono::seconds>(scheduled->start);
        config.talk.end = std::chrono::floor<std::chrono::seconds>(scheduled->end);
        config.talk.durationSeconds =
            std::chrono::duration_cast<std::chrono::seconds>(scheduled->end - scheduled->start)
                .count();
    }
    config.nfo = !old.nfo.empty();
    if (old.container.tagged) {
        config.container = sink::containerNamed(old.container.requested);
    }
    ReplayClock clock;
    clock.at = cut.newStart;
    sink::TalkSink sink(config, clock);
    if (replayTape(folder, tape, cut.newStart, cut.newEnd, sink, clock) == 0) {
        throw core::InputError("The tape of \"" + old.talk.room + "\" holds no media between " +
                               utc(cut.newStart) + " and " + utc(cut.newEnd) + ".");
    }
    cut.result = sink.finalize("cut again from the room's tape");
    if (cut.result.outcome != core::Outcome::Recorded || cut.result.files.empty() ||
        cut.result.sidecar.empty()) {
        throw core::OutputError("The new cut of \"" + old.talk.title +
                                "\" could not be written: " + cut.result.reason + ".");
    }

    // Into the old one's folder, named as the old one is, replacing it.
    const auto folderOut = (outDir / relative).parent_path();
    const auto there = [&](const fs::path& made) { return folderOut / made.filename(); };
    std::vector<fs::path> placed;
    for (const auto& made : cut.result.files) {
        placed.push_back(there(made));
    }
    const auto nfo = cut.result.sidecar.parent_path() / (config.relativeStem.string() + ".nfo");
    const bool withNfo = fs::exists(nfo);
    Poco::JSON::Array::Ptr files = new Poco::JSON::Array;
    for (const auto& path : placed) {
        files->add(path.lexically_relative(outDir).generic_string());
    }
    std::vector<std::pair<std::string, Poco::Dynamic::Var>> fields = {
        {"file", files->getElement<std::string>(0)},
        {"files", files},
        {"cuts", cutsWith(old, cut)}};
    if (withNfo) {
        fields.emplace_back("nfo", there(nfo).lexically_relative(outDir).generic_string());
    }
    sink::amendSidecar(cut.result.sidecar, fields);
    try {
        for (std::size_t i = 0; i < placed.size(); ++i) {
            fs::rename(cut.result.files[i], placed[i]);
        }
        if (withNfo) {
            fs::rename(nfo, there(nfo));
        }
        fs::rename(cut.result.sidecar, talk.sidecar);
    } catch (const fs::filesystem_error& e) {
        throw core::OutputError("Cannot put the new cut of \"" + old.talk.title +
                                "\" in place: " + e.what() + ".");
    }
    // What the old cut had that the new one does not (another extension, numbered pieces).
    std::vector<fs::path> stale;
    for (const auto& name : old.files) {
        stale.push_back(outDir / name);
    }
    if (!old.nfo.empty()) {
        stale.push_back(outDir / old.nfo);
    }
    for (const auto& path : stale) {
        if (std::find(placed.begin(), placed.end(), path) == placed.end() &&
            !(withNfo && path == there(nfo))) {
            std::error_code error;
            fs::remove(path, error);
        }
    }
    cut.file = placed.front();
    cut.result.files = placed;
    cut.result.sidecar = talk.sidecar;
    cut.result.relativeStem = fs::path(relative).replace_extension();
    return cut;
}

}  // namespace confcap::run
