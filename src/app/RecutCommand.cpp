#include "confcap/app/RecutCommand.h"

#include <filesystem>

#include "confcap/app/ExitCode.h"
#include "confcap/core/Error.h"
#include "confcap/core/Format.h"
#include "confcap/core/Time.h"
#include "confcap/run/Recut.h"

namespace confcap::app {

namespace {

std::string utc(std::chrono::system_clock::time_point t) {
    return core::formatUtc(std::chrono::floor<std::chrono::seconds>(t));
}

}  // namespace

int runRecut(const Arguments& arguments, std::ostream& out, std::ostream& err) {
    const auto& talks = arguments.positional();
    if (talks.size() != 1) {
        throw core::UsageError(
            "recut takes one talk: confcap recut TALK --out DIR [--start …] [--end …].");
    }
    run::RecutRequest request;
    request.outDir = arguments.value("out").value_or("recordings");
    std::error_code error;
    if (!std::filesystem::is_directory(request.outDir, error)) {
        throw core::InputError("The output folder " + core::quotedPath(request.outDir) +
                               " does not exist.");
    }
    request.talk = talks.front();
    if (const auto start = arguments.value("start")) {
        request.start = run::boundaryEditFrom(*start, "start");
    }
    if (const auto end = arguments.value("end")) {
        request.end = run::boundaryEditFrom(*end, "end");
    }
    if (!request.start && !request.end) {
        err << "confcap: warning: neither --start nor --end given: the talk is cut again with the "
               "window it had.\n";
    }
    const auto cut = run::recutTalk(request);
    const auto& status = cut.result.status;
    out << "Cut again from the tape: " << cut.file.lexically_relative(request.outDir).string()
        << "\n  window " << utc(cut.newStart) << " to " << utc(cut.newEnd) << " (was "
        << utc(cut.oldStart) << " to " << utc(cut.oldEnd) << ")\n  "
        << core::formatBytes(status.bytes) << ", " << static_cast<long>(status.coveredSeconds)
        << " s of media, " << status.gaps.size() << (status.gaps.size() == 1 ? " gap" : " gaps")
        << "\n";
    return kExitOk;
}

}  // namespace confcap::app
