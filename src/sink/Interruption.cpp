#include "confcap/sink/Interruption.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>

#include <sys/stat.h>

#include <fstream>
#include <system_error>

#include "confcap/core/FileIo.h"
#include "confcap/sink/PartSet.h"

namespace confcap::sink {

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kSample = 1024 * 1024;

/// The part name a published file takes back when it becomes a piece again.
fs::path partPathOf(const fs::path& file) {
    auto part = file;
    part += ".part";
    return part;
}

}  // namespace

std::optional<PublishedFile> fingerprintOf(const fs::path& outDir, const std::string& file) {
    const auto path = outDir / file;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    PublishedFile published;
    published.file = file;
    published.size = static_cast<std::uint64_t>(info.st_size);
    published.modifiedNs =
        static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
    Poco::SHA1Engine sha1;
    sha1.update(std::to_string(published.size));
    std::string block;
    const auto sample = [&](std::uint64_t at, std::uint64_t length) {
        block.resize(length);
        in.seekg(static_cast<std::streamoff>(at));
        in.read(block.data(), static_cast<std::streamsize>(length));
        block.resize(static_cast<std::size_t>(in.gcount()));
        sha1.update(block);
    };
    sample(0, std::min(published.size, kSample));
    if (published.size > kSample) {
        const auto from = std::max(kSample, published.size - kSample);
        sample(from, published.size - from);
    }
    if (in.bad()) {
        return std::nullopt;
    }
    published.hash = Poco::DigestEngine::digestToHex(sha1.digest());
    return published;
}

Interruption continuationOf(PartList list, const Published& published,
                            const std::vector<std::size_t>& kept, const fs::path& outDir,
                            const fs::path& stem) {
    Interruption interruption;
    const auto pieces = std::move(list.pieces);
    list.pieces.clear();
    for (const auto& file : published.files) {
        PartTrack track;
        track.file = partPathOf(file.filename()).string();
        track.format.extension = file.extension().string().substr(file.has_extension() ? 1 : 0);
        track.format.concatSafe = track.format.extension == "ts" ||
                                  track.format.extension == "mp3" ||
                                  track.format.extension == "aac";
        if (published.files.size() == 1 && kept.size() == 1) {
            // The one piece placed as it was (an MPEG-TS one named in place): its segments
            // are where they were.
            track.segments = pieces.at(kept.front()).tracks.front().segments;
        }
        PartPiece piece;
        piece.tracks.push_back(std::move(track));
        list.pieces.push_back(std::move(piece));
        auto print = fingerprintOf(outDir, (stem.parent_path() / file.filename()).generic_string());
        if (!print) {
            return Interruption{};  // a file that cannot be read back cannot be continued
        }
        interruption.published.push_back(std::move(*print));
    }
    interruption.continuation = PartSet::textOf(list, stem);
    return interruption;
}

Reopening reopenPublished(const fs::path& outDir, const fs::path& stem,
                          const std::string& continuation,
                          const std::vector<PublishedFile>& published) noexcept {
    Reopening result;
    try {
        std::error_code error;
        const auto list = PartSet::listPathFor(outDir, stem);
        if (continuation.empty() || published.empty() || fs::exists(list, error)) {
            return result;
        }
        for (const auto& file : published) {
            const auto path = outDir / file.file;
            if (!fs::exists(path, error)) {
                return result;  // moved away: the recording starts afresh under the free name
            }
            const auto now = fingerprintOf(outDir, file.file);
            if (!now || *now != file) {
                result.state = Reopening::State::Changed;
                result.message = core::quotedPath(path) +
                                 " was changed since confcap published it: it is left as it is, "
                                 "and this recording goes to a file of its own.";
                return result;
            }
        }
        // Each file back to its part name; undone when any step fails.
        std::vector<std::pair<fs::path, fs::path>> moved;
        const auto undo = [&] {
            for (const auto& [from, to] : moved) {
                fs::rename(to, from, error);
            }
        };
        for (const auto& file : published) {
            const auto path = outDir / file.file;
            const auto part = partPathOf(path);
            if (fs::exists(part, error)) {
                undo();
                result.state = Reopening::State::Changed;
                result.message = core::quotedPath(part) +
                                 " is in the way: " + core::quotedPath(path) +
                                 " is left as it is, and this recording goes to a file of its own.";
                return result;
            }
            fs::rename(path, part, error);
            if (error) {
                undo();
                result.state = Reopening::State::Changed;
                result.message = "Could not continue " + core::quotedPath(path) + " (" +
                                 error.message() +
                                 "): it is left as it is, and this recording goes to a file of "
                                 "its own.";
                return result;
            }
            moved.emplace_back(path, part);
        }
        // A log left beside an earlier list of the stem does not continue this one.
        fs::remove(PartSet::logPathFor(outDir, stem), error);
        if (!core::replaceFile(list, continuation)) {
            undo();
            result.state = Reopening::State::Changed;
            result.message = "Could not write " + core::quotedPath(list) + ": " +
                             core::quotedPath(outDir / published.front().file) +
                             " is left as it is, and this recording goes to a file of its own.";
            return result;
        }
        auto sidecar = outDir / published.front().file;
        sidecar.replace_extension(".json");
        fs::remove(sidecar, error);
        result.state = Reopening::State::Continued;
        result.message = "continuing " + core::quotedPath(outDir / published.front().file) +
                         ", which an earlier run published when it stopped";
    } catch (const std::exception&) {
        result = Reopening{};
    }
    return result;
}

}  // namespace confcap::sink
