#include "confcap/app/SummaryCommand.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "confcap/app/ExitCode.h"
#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/status/TextFormat.h"

namespace confcap::app {

namespace fs = std::filesystem;

namespace {

Poco::JSON::Object::Ptr readObject(const fs::path& file) {
    std::ifstream in(file);
    if (!in) {
        return nullptr;
    }
    try {
        const auto parsed = Poco::JSON::Parser().parse(in);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
            return nullptr;
        }
        return parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
        return nullptr;
    } catch (const std::exception&) {
        return nullptr;
    }
}

std::string text(const Poco::JSON::Object::Ptr& object, const std::string& name) {
    return object->has(name) && !object->isNull(name) ? object->getValue<std::string>(name) : "";
}

double number(const Poco::JSON::Object::Ptr& object, const std::string& name) {
    try {
        return object->has(name) && !object->isNull(name) ? object->getValue<double>(name) : 0.0;
    } catch (const Poco::Exception&) {
        return 0.0;
    }
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
        const auto sidecar = readObject(it->path());
        if (sidecar.isNull() || !sidecar->has("talk") || !sidecar->isObject("talk")) {
            continue;
        }
        const auto talk = sidecar->getObject("talk");
        TalkCopy copy;
        copy.key = text(talk, "guid").empty() ? text(talk, "id") : text(talk, "guid");
        copy.title = text(talk, "title");
        copy.room = text(talk, "room");
        copy.start = text(talk, "start");
        copy.folder = given;
        copy.outcome = text(sidecar, "outcome");
        copy.reason = text(sidecar, "reason");
        copy.coveredSeconds = number(sidecar, "coveredSeconds");
        copy.scheduledSeconds = number(sidecar, "scheduledSeconds");
        if (sidecar->isArray("gaps")) {
            const auto gaps = sidecar->getArray("gaps");
            copy.gaps = static_cast<int>(gaps->size());
            for (std::size_t i = 0; i < gaps->size(); ++i) {
                const auto gap = gaps->getObject(static_cast<unsigned>(i));
                copy.gapSeconds += gap.isNull() ? 0.0 : number(gap, "lengthSeconds");
            }
        }
        const auto file = text(sidecar, "file");
        if (!file.empty()) {
            copy.file = fs::path(given) / file;
        }
        if (!copy.key.empty()) {
            copies.emplace(copy.key, std::move(copy));
        }
    }
    return copies;
}

/// The talks a folder's summary.json lists that have no sidecar in it.
void addFromSummary(const fs::path& folder, const std::string& given,
                    std::map<std::string, TalkCopy>& copies) {
    const auto summary = readObject(folder / ".confcap" / "summary.json");
    if (summary.isNull() || !summary->isArray("talks")) {
        return;
    }
    const auto talks = summary->getArray("talks");
    for (std::size_t i = 0; i < talks->size(); ++i) {
        const auto talk = talks->getObject(static_cast<unsigned>(i));
        if (talk.isNull() || text(talk, "key").empty() || copies.count(text(talk, "key")) != 0) {
            continue;
        }
        TalkCopy copy;
        copy.key = text(talk, "key");
        copy.title = text(talk, "title");
        copy.room = text(talk, "room");
        copy.start = text(talk, "start");
        copy.folder = given;
        copy.outcome = text(talk, "outcome");
        copy.reason = text(talk, "reason");
        copy.coveredSeconds = number(talk, "covered_seconds");
        copy.scheduledSeconds = number(talk, "window_seconds");
        copy.gaps = static_cast<int>(number(talk, "gaps"));
        copy.gapSeconds = number(talk, "gap_seconds");
        if (!text(talk, "file").empty()) {
            copy.file = fs::path(given) / text(talk, "file");
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

std::string seconds(double value) {
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
            << status::fit(seconds(copy.coveredSeconds) + "/" + seconds(copy.scheduledSeconds), 14,
                           true)
            << " " << status::fit(percent(copy), 5, true) << "  " << copy.gaps
            << (copy.gaps == 1 ? " gap " : " gaps") << "  "
            << status::sanitize(copy.file.empty() ? copy.reason : copy.file.string()) << "\n";
    }
    if (std::any_of(copies.begin(), copies.end(), [](const TalkCopy& c) { return c.copies > 1; })) {
        out << "\n* the best copy of a talk several folders hold (most seconds covered)\n";
    }
}

void printJson(const std::vector<TalkCopy>& copies, const std::vector<fs::path>& folders,
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
    root.stringify(out, 2);
    out << "\n";
}

}  // namespace

int runSummary(const Arguments& arguments, std::ostream& out, std::ostream& /*err*/) {
    std::vector<fs::path> folders(arguments.positional().begin(), arguments.positional().end());
    if (folders.empty()) {
        throw core::UsageError(
            "confcap summary needs one or more output folders, e.g. confcap summary shard1 "
            "shard2.");
    }
    const auto copies = readTalkCopies(folders);
    if (arguments.flag("json")) {
        printJson(copies, folders, out);
    } else {
        printTable(copies, folders.size(), out);
    }
    return kExitOk;
}

}  // namespace confcap::app
