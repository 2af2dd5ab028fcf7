#include "confcap/app/SummaryCommand.h"
#include "confcap/app/ListCommand.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <date/tz.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "confcap/app/ExitCode.h"
#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/core/Format.h"
#include "confcap/core/Text.h"
#include "confcap/core/Time.h"
#include "confcap/health/HealthFlags.h"
#include "confcap/run/TapeReplay.h"
#include "confcap/sink/RoomTape.h"
#include "confcap/sink/Sidecar.h"
#include "confcap/status/Summary.h"
#include "confcap/status/SummaryPage.h"
#include "confcap/status/TextFormat.h"

namespace confcap::app {

namespace fs = std::filesystem;

namespace {

std::string text(const Poco::JSON::Object::Ptr& object, const std::string& name) {
    return object->has(name) && !object->isNull(name) ? object->getValue<std::string>(name) : "";
}

/// What a sidecar adds for summary.html: window, thumbnails and health flags.
void addPageFields(const sink::Sidecar& sidecar, const std::string& given, TalkCopy& copy) {
    copy.windowStart = sidecar.windowStart ? core::formatUtc(*sidecar.windowStart) : "";
    copy.windowEnd = sidecar.windowEnd ? core::formatUtc(*sidecar.windowEnd) : "";
    for (const auto& [name, value] : sidecar.others) {
        if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
            continue;
        }
        const auto object = value.extract<Poco::JSON::Object::Ptr>();
        if (name == "thumbnails") {
            if (!text(object, "middle").empty()) {
                copy.thumbnail = fs::path(given) / text(object, "middle");
            }
            if (!text(object, "strip").empty()) {
                copy.strip = fs::path(given) / text(object, "strip");
            }
        } else if (name == "health") {
            copy.health = health::healthFromJson(object);
        }
    }
    copy.firstData = sidecar.firstData();
}

/// The copy of a talk a sidecar describes.
TalkCopy copyOf(const sink::Sidecar& sidecar, const std::string& given) {
    TalkCopy copy;
    copy.key = sidecar.talk.guid.empty() ? sidecar.talk.id : sidecar.talk.guid;
    copy.title = sidecar.talk.title;
    copy.room = sidecar.talk.room;
    copy.start = sidecar.talk.start ? core::formatUtc(*sidecar.talk.start) : std::string();
    copy.folder = given;
    copy.outcome = sidecar.outcome;
    copy.reason = sidecar.reason;
    copy.coveredSeconds = sidecar.coveredSeconds;
    copy.scheduledSeconds = sidecar.scheduledSeconds;
    copy.gaps = static_cast<int>(sidecar.gaps.size());
    for (const auto& gap : sidecar.gaps) {
        const double offset = std::chrono::duration<double>(gap.offset).count();
        const double length = std::chrono::duration<double>(gap.length).count();
        copy.gapSeconds += length;
        copy.gapList.push_back({offset, length, gap.cause, gap.detail, false});
    }
    addPageFields(sidecar, given, copy);
    if (!sidecar.file().empty()) {
        copy.file = fs::path(given) / sidecar.file();
    }
    return copy;
}

/// The copies a folder's sidecars describe, by talk key.
std::map<std::string, TalkCopy> sidecarsIn(const fs::path& folder, const std::string& given) {
    std::map<std::string, TalkCopy> copies;
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(folder, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        const auto name = it->path().filename().string();
        if (it->is_directory(error)) {
            if (name.starts_with('.')) {
                it.disable_recursion_pending();
            }
            continue;
        }
        if (!name.ends_with(".json") || name.ends_with(".part.json")) {
            continue;
        }
        std::optional<sink::Sidecar> sidecar;
        try {
            sidecar = sink::sidecarIn(it->path());
        } catch (const core::OutputError&) {
            continue;  // not readable as a sidecar: no talk to list
        }
        if (!sidecar) {
            continue;
        }
        auto copy = copyOf(*sidecar, given);
        if (!copy.key.empty()) {
            copies.emplace(copy.key, std::move(copy));
        }
    }
    return copies;
}

/// The talks a folder's summary.json lists that have no sidecar in it.
void addFromSummary(const fs::path& folder, const std::string& given,
                    std::map<std::string, TalkCopy>& copies) {
    const auto summary = status::Summary::readJson(status::Summary::defaultPath(folder));
    if (!summary) {
        return;
    }
    for (const auto& entry : summary->entries()) {
        if (copies.count(entry.key) != 0) {
            continue;
        }
        TalkCopy copy;
        copy.key = entry.key;
        copy.title = entry.title;
        copy.room = entry.room;
        copy.start = core::formatUtc(entry.talkStart);
        copy.folder = given;
        copy.outcome = core::toString(entry.outcome);
        copy.reason = entry.reason;
        copy.coveredSeconds = entry.coveredSeconds;
        copy.scheduledSeconds = entry.windowSeconds;
        copy.gaps = entry.gaps;
        copy.gapSeconds = entry.gapSeconds;
        copy.windowStart = core::formatUtc(entry.from);
        copy.windowEnd = core::formatUtc(entry.until);
        for (const auto& gap : entry.gapSpans) {
            copy.gapList.push_back({std::chrono::duration<double>(gap.at - entry.from).count(),
                                    std::chrono::duration<double>(gap.length).count(), gap.cause,
                                    gap.detail, false});
        }
        if (!entry.file.empty()) {
            copy.file = fs::path(given) / entry.file;
        }
        copies.emplace(copy.key, std::move(copy));
    }
}

double coverage(const TalkCopy& copy) {
    return copy.scheduledSeconds > 0 ? std::min(1.0, copy.coveredSeconds / copy.scheduledSeconds)
                                     : 0.0;
}

std::string percent(const TalkCopy& copy) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(0) << coverage(copy) * 100 << " %";
    return out.str();
}

std::string wholeSeconds(double value) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(0) << value << " s";
    return out.str();
}

}  // namespace

std::vector<TalkCopy> readTalkCopies(const std::vector<fs::path>& folders) {
    std::vector<TalkCopy> all;
    for (const auto& folder : folders) {
        std::error_code error;
        if (!fs::is_directory(folder, error)) {
            throw core::InputError("The output folder " + folder.string() + " does not exist.");
        }
        auto copies = sidecarsIn(folder, folder.string());
        addFromSummary(folder, folder.string(), copies);
        for (auto& [key, copy] : copies) {
            all.push_back(std::move(copy));
        }
    }
    // The folders' order is the order they were given: kept by a stable sort.
    std::stable_sort(all.begin(), all.end(), [](const TalkCopy& a, const TalkCopy& b) {
        return std::tie(a.start, a.room, a.title, a.key) <
               std::tie(b.start, b.room, b.title, b.key);
    });
    std::map<std::string, std::vector<TalkCopy*>> byKey;
    for (auto& copy : all) {
        byKey[copy.key].push_back(&copy);
    }
    for (auto& [key, copies] : byKey) {
        TalkCopy* best = copies.front();
        for (auto* copy : copies) {
            copy->copies = static_cast<int>(copies.size());
            if (copy->coveredSeconds > best->coveredSeconds) {
                best = copy;
            }
        }
        best->best = true;
    }
    return all;
}

namespace {

void printTable(const std::vector<TalkCopy>& copies, std::size_t folders, std::ostream& out) {
    std::set<std::string> talks;
    std::map<std::string, std::size_t> outcomes;
    for (const auto& copy : copies) {
        talks.insert(copy.key);
        ++outcomes[copy.outcome];
    }
    out << talks.size() << (talks.size() == 1 ? " talk" : " talks") << " in " << folders
        << (folders == 1 ? " folder" : " folders") << "; " << copies.size()
        << (copies.size() == 1 ? " copy" : " copies") << ":";
    const char* separator = " ";
    for (const auto& [outcome, count] : outcomes) {
        out << separator << count << " " << outcome;
        separator = ", ";
    }
    out << "\n\n";
    for (const auto& copy : copies) {
        const std::string start = copy.start.size() >= 16
                                      ? copy.start.substr(0, 10) + " " + copy.start.substr(11, 5)
                                      : copy.start;
        out << (copy.copies > 1 && copy.best ? "* " : "  ") << status::fit(start, 16) << "  "
            << status::fit(status::sanitize(copy.room), 14) << "  "
            << status::fit(status::sanitize(copy.title), 32) << "  "
            << status::fit(status::sanitize(copy.folder), 16) << "  "
            << status::fit(copy.outcome, 10) << "  "
            << status::fit(
                   wholeSeconds(copy.coveredSeconds) + "/" + wholeSeconds(copy.scheduledSeconds),
                   14, true)
            << " " << status::fit(percent(copy), 5, true) << "  " << copy.gaps
            << (copy.gaps == 1 ? " gap " : " gaps") << "  "
            << status::sanitize(copy.file.empty() ? copy.reason : copy.file.string()) << "\n";
    }
    if (std::any_of(copies.begin(), copies.end(), [](const TalkCopy& c) { return c.copies > 1; })) {
        out << "\n* the best copy of a talk several folders hold (most seconds covered)\n";
    }
}

// The room tapes of each folder, for confcap recut: a line per room.
void printTapes(const std::vector<fs::path>& folders, std::ostream& out) {
    bool first = true;
    for (const auto& folder : folders) {
        for (const auto& tape : sink::tapesIn(run::tapesFolder(folder))) {
            if (first) {
                out << "\nRoom tapes (confcap recut cuts talks again from them):\n";
                first = false;
            }
            out << "  " << status::fit(status::sanitize(tape.room), 14) << "  "
                << status::fit(status::sanitize(folder.string()), 16) << "  "
                << core::formatUtc(std::chrono::floor<std::chrono::seconds>(tape.from)) << " to "
                << core::formatUtc(std::chrono::floor<std::chrono::seconds>(tape.until)) << ", "
                << tape.pieces << (tape.pieces == 1 ? " piece, " : " pieces, ")
                << core::formatBytes(tape.bytes) << "\n";
        }
    }
}

void printCopiesJson(const std::vector<TalkCopy>& copies, const std::vector<fs::path>& folders,
                     std::ostream& out) {
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    Poco::JSON::Array::Ptr folderArray = new Poco::JSON::Array;
    for (const auto& folder : folders) {
        folderArray->add(folder.string());
    }
    root.set("folders", folderArray);
    Poco::JSON::Array::Ptr talks = new Poco::JSON::Array;
    for (const auto& copy : copies) {
        Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        j->set("key", core::toValidUtf8(copy.key));
        j->set("title", core::toValidUtf8(copy.title));
        j->set("room", core::toValidUtf8(copy.room));
        j->set("start", copy.start);
        j->set("folder", core::toValidUtf8(copy.folder));
        j->set("outcome", copy.outcome);
        j->set("reason", core::toValidUtf8(copy.reason));
        j->set("coveredSeconds", copy.coveredSeconds);
        j->set("scheduledSeconds", copy.scheduledSeconds);
        j->set("coverage", std::round(coverage(copy) * 1000) / 1000);
        j->set("gaps", copy.gaps);
        j->set("gapSeconds", copy.gapSeconds);
        j->set("file", core::toValidUtf8(copy.file.generic_string()));
        j->set("copies", copy.copies);
        j->set("best", copy.best);
        talks->add(j);
    }
    root.set("talks", talks);
    printJson(root, out);
}

}  // namespace

namespace {

/// `path` relative to the folder `base`, as a relative URL.
std::string linkFrom(const fs::path& base, const fs::path& path) {
    const auto relative = fs::absolute(path).lexically_normal().lexically_relative(
        fs::absolute(base).lexically_normal());
    return status::relativeUrl(relative.generic_string());
}

status::SummaryRow rowOf(const TalkCopy& copy, const fs::path& base, const date::time_zone* zone) {
    status::SummaryRow row;
    auto& talk = row.talk;
    talk.key = copy.key;
    talk.room = copy.room;
    talk.title = copy.title;
    talk.state = copy.outcome;
    const auto start = core::parseIsoInstant(copy.start);
    row.talkStart = start.value_or(core::Instant{});
    const auto from = core::parseIsoInstant(copy.windowStart);
    const auto until = core::parseIsoInstant(copy.windowEnd);
    talk.from = from.value_or(row.talkStart);
    talk.until =
        until.value_or(talk.from + std::chrono::seconds(std::lround(copy.scheduledSeconds)));
    talk.gaps = copy.gapList;
    status::fillFinished(talk, !copy.file.empty());
    if (!copy.file.empty()) {
        talk.href = linkFrom(base, copy.file);
        row.file = copy.file.lexically_relative(copy.folder).generic_string();
    }
    std::error_code error;
    if (!copy.thumbnail.empty() && fs::is_regular_file(copy.thumbnail, error)) {
        row.thumbnail = linkFrom(base, copy.thumbnail);
    }
    if (!copy.strip.empty() && fs::is_regular_file(copy.strip, error)) {
        row.strip = linkFrom(base, copy.strip);
    }
    row.folder = copy.folder;
    row.reason = copy.reason;
    row.coveredSeconds = copy.coveredSeconds;
    row.scheduledSeconds = copy.scheduledSeconds;
    if (copy.health) {
        // Clock times from the file's first media, as the run that checked it printed them.
        row.flags = health::flagsFor(*copy.health, copy.firstData.value_or(talk.from), zone);
    }
    row.copies = copy.copies;
    row.best = copy.copies == 1 || copy.best;
    return row;
}

}  // namespace

const date::time_zone* summaryZone(const std::vector<fs::path>& folders) {
    for (const auto& folder : folders) {
        const auto summary = status::Summary::readJson(status::Summary::defaultPath(folder));
        const auto name = summary ? summary->zone() : std::string();
        if (name.empty() || name == "UTC") {
            continue;
        }
        try {
            return date::locate_zone(name);
        } catch (const std::exception&) {
            return nullptr;
        }
    }
    return nullptr;
}

// The folders' room tapes for the timeline, each under its room's name as the talks give it
// (a tape's folder name is the room's name made safe for a file name).
std::vector<status::TimelineTape> timelineTapes(const std::vector<TalkCopy>& copies,
                                                const std::vector<fs::path>& folders) {
    std::vector<status::TimelineTape> tapes;
    for (const auto& folder : folders) {
        std::map<std::string, std::string> rooms;  // tape folder name -> room
        for (const auto& copy : copies) {
            rooms.emplace(run::tapeFolderFor(folder, copy.room).filename().string(), copy.room);
        }
        for (const auto& holding : sink::tapesIn(run::tapesFolder(folder))) {
            const auto room = rooms.find(holding.room);
            status::TimelineTape tape{
                room == rooms.end() ? holding.room : room->second, {}, holding.bytes, false, {}};
            for (const auto& span : holding.spans) {
                tape.spans.emplace_back(std::chrono::floor<std::chrono::seconds>(span.from),
                                        std::chrono::ceil<std::chrono::seconds>(span.until));
            }
            tapes.push_back(std::move(tape));
        }
    }
    return tapes;
}

void writeSummaryPage(const std::vector<TalkCopy>& copies, const std::vector<fs::path>& folders,
                      const fs::path& page, const date::time_zone* zone, core::Instant written) {
    const auto base = page.has_parent_path() ? page.parent_path() : fs::path(".");
    std::vector<status::SummaryRow> rows;
    rows.reserve(copies.size());
    for (const auto& copy : copies) {
        rows.push_back(rowOf(copy, base, zone));
    }
    status::SummaryPageInfo info;
    for (const auto& folder : folders) {
        info.folders.push_back(folder.string());
    }
    info.zone = zone;
    info.written = written;
    info.tapes = timelineTapes(copies, folders);
    std::error_code error;
    fs::create_directories(base, error);
    if (!core::replaceFile(page, status::summaryHtml(rows, info))) {
        throw core::OutputError("Cannot write the summary page " + page.string() + ": " +
                                std::strerror(errno) + ".");
    }
}

int runSummary(const Arguments& arguments, std::ostream& out, std::ostream& /*err*/) {
    std::vector<fs::path> folders(arguments.positional().begin(), arguments.positional().end());
    if (folders.empty()) {
        throw core::UsageError(
            "confcap summary needs one or more output folders, e.g. confcap summary shard1 "
            "shard2.");
    }
    const auto copies = readTalkCopies(folders);
    if (const auto page = arguments.value("html")) {
        writeSummaryPage(
            copies, folders, *page, summaryZone(folders),
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    }
    if (arguments.flag("json")) {
        printCopiesJson(copies, folders, out);
    } else {
        printTable(copies, folders.size(), out);
        printTapes(folders, out);
    }
    return kExitOk;
}

}  // namespace confcap::app
