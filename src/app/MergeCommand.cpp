#include "confcap/app/MergeCommand.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <map>
#include <sstream>

#include "confcap/app/ExitCode.h"
#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/sink/ReplicaMerge.h"

namespace confcap::app {

namespace {

std::string tenthsOfSeconds(double value) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(1) << value << " s";
    return text.str();
}

// The folder the merged files go to, checked against the folders to merge and created.
std::filesystem::path mergeOutputFolder(const Arguments& arguments) {
    const auto& folders = arguments.positional();
    if (folders.empty()) {
        throw core::UsageError(
            "merge needs the folders of the copies: confcap merge DIR1 DIR2 ... --out DIR.");
    }
    const auto outValue = arguments.value("out");
    if (!outValue || outValue->empty()) {
        throw core::UsageError("merge needs --out DIR, the folder the merged files go to.");
    }
    const std::filesystem::path outDir(*outValue);
    std::error_code error;
    for (const auto& folder : folders) {
        if (!std::filesystem::is_directory(folder, error)) {
            throw core::InputError("The folder " + core::quotedPath(std::filesystem::path(folder)) +
                                   " does not exist.");
        }
        if (std::filesystem::equivalent(folder, outDir, error)) {
            throw core::UsageError("--out " + core::quotedPath(outDir) +
                                   " is one of the folders to merge; give another folder.");
        }
    }
    std::filesystem::create_directories(outDir, error);
    if (error || ::access(outDir.c_str(), W_OK | X_OK) != 0) {
        throw core::OutputError(
            "The output folder " + core::quotedPath(outDir) + " cannot be written: " +
            (error ? error.message() : std::string(std::strerror(errno))) + ".");
    }
    return outDir;
}

// The copies of each talk, in the order the talks were first found; one per folder (the
// one covering the most when a folder holds several).
struct FoundCopies {
    std::vector<std::string> order;
    std::map<std::string, std::vector<sink::TalkCopy>> talks;
};

FoundCopies findCopies(const std::vector<std::string>& folders, std::ostream& err) {
    FoundCopies found;
    for (const auto& folder : folders) {
        auto scan = sink::scanReplica(folder);
        for (const auto& warning : scan.warnings) {
            err << "confcap: warning: " << warning << "\n";
        }
        for (auto& copy : scan.copies) {
            auto& copies = found.talks[copy.key];
            if (copies.empty()) {
                found.order.push_back(copy.key);
            }
            auto same = std::find_if(copies.begin(), copies.end(),
                                     [&](const auto& c) { return c.folder == copy.folder; });
            if (same == copies.end()) {
                copies.push_back(std::move(copy));
            } else if (copy.coveredSeconds > same->coveredSeconds) {
                *same = std::move(copy);
            }
        }
    }
    return found;
}

// What a merge cut from several copies took from each, and what no copy holds.
std::string cutText(const std::vector<sink::TalkCopy>& copies, const sink::MergedTalk& merged) {
    std::ostringstream out;
    for (std::size_t c = 0; c < copies.size(); ++c) {
        out << (c > 0 ? ", " : "") << copies[c].folder.string() << " "
            << tenthsOfSeconds(merged.plan.secondsByCopy[c]);
    }
    double lost = 0;
    for (const auto& gap : merged.plan.gaps) {
        lost += gap.seconds;
    }
    for (const auto& gap : merged.timeGaps) {
        lost += gap.to - gap.from;
    }
    const auto gaps = merged.plan.gaps.size() + merged.timeGaps.size();
    out << "; "
        << (gaps == 0 ? std::string("no gap")
                      : std::to_string(gaps) + " gaps (" + tenthsOfSeconds(lost) +
                            ") missing in every copy");
    return out.str();
}

}  // namespace

int runMerge(const Arguments& arguments, std::ostream& out, std::ostream& err) {
    const std::filesystem::path outDir = mergeOutputFolder(arguments);
    const auto& folders = arguments.positional();
    const auto found = findCopies(folders, err);
    if (found.order.empty()) {
        out << "No recorded talks in " << folders.size() << " folders.\n";
        return kExitOk;
    }
    for (const auto& key : found.order) {
        const auto& copies = found.talks.at(key);
        const auto merged = sink::mergeCopies(copies, outDir);
        out << merged.file.lexically_relative(outDir).generic_string() << ": ";
        if (merged.cut || merged.cutByTime) {
            out << cutText(copies, merged);
        } else {
            out << (copies.size() == 1 ? "only in " : "taken whole from ")
                << copies[merged.source].folder.string();
        }
        out << "\n";
        for (const auto& note : merged.notes) {
            err << "confcap: " << note << "\n";
        }
    }
    return kExitOk;
}

}  // namespace confcap::app
