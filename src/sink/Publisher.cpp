#include "confcap/sink/Publisher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/sink/TsServiceTags.h"

namespace confcap::sink {

namespace {

constexpr int kMaxNameAttempts = 10000;

std::string quoted(const std::filesystem::path& path) {
    return "\"" + path.string() + "\"";
}

std::uint64_t fileSize(const std::filesystem::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && st.st_size > 0 ? static_cast<std::uint64_t>(st.st_size)
                                                            : 0;
}

/// Renames without ever replacing `to`; returns 0 or the errno (EEXIST when `to` is taken).
int moveNoReplace(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
        return 0;
    }
    const int error = errno;
    if (error != EINVAL && error != ENOSYS && error != ENOTSUP) {
        return error;
    }
    // File systems without RENAME_NOREPLACE: link() fails with EEXIST just as atomically.
    if (::link(from.c_str(), to.c_str()) != 0) {
        return errno;
    }
    ::unlink(from.c_str());
    return 0;
}

/// "audio-deu", "audio-en-gb", or "audio2" when the rendition names no language.
std::string renditionSuffix(const PartTrack& track) {
    std::string language;
    for (char c : track.language) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
            language += c;
        } else if (c >= 'A' && c <= 'Z') {
            language += static_cast<char>(c - 'A' + 'a');
        }
    }
    return language.empty() || language.size() > 16 ? "audio" + std::to_string(track.track)
                                                    : "audio-" + language;
}

/// A file to place: where it is now, and the name it gets after the chosen stem.
struct Placement {
    std::filesystem::path from;
    std::string suffix;  // after the stem: ".ts", ".part2.ts", ".audio-deu.ts"
};

}  // namespace

Publisher::Publisher(PieceMerger merger) : merger_(std::move(merger)) {}

Published Publisher::publish(const PartSet& parts, const std::vector<std::size_t>& kept,
                             const Sidecar& sidecar, const Finishing& finishing) const {
    if (kept.empty()) {
        throw std::invalid_argument("Publisher::publish needs a piece to publish");
    }
    Published published;
    const auto& folder = parts.folder();
    const auto& leaf = parts.leaf();
    std::vector<std::filesystem::path> temporary;  // made here, removed whatever happens
    auto cleanUp = [&] {
        for (const auto& file : temporary) {
            ::unlink(file.c_str());
        }
    };

    // Each piece as one file: its tracks muxed where it has more than one.
    std::vector<std::filesystem::path> pieceFiles;
    std::vector<core::StreamFormat> pieceFormats;
    std::vector<Placement> extras;
    bool rebase = false;
    for (std::size_t n = 0; n < kept.size(); ++n) {
        const PartPiece& piece = parts.list().pieces.at(kept[n]);
        rebase = rebase || (n > 0 && piece.newTimeline);
        const PartTrack& main = piece.tracks.front();
        std::vector<PieceMerger::MuxInput> inputs = {{parts.pathOf(main), {}, {}}};
        std::vector<const PartTrack*> renditions;
        for (std::size_t t = 1; t < piece.tracks.size(); ++t) {
            const auto& track = piece.tracks[t];
            if (fileSize(parts.pathOf(track)) > 0) {
                inputs.push_back({parts.pathOf(track), track.name, track.language});
                renditions.push_back(&track);
            }
        }
        pieceFormats.push_back(main.format);
        if (inputs.size() == 1) {
            pieceFiles.push_back(parts.pathOf(main));
            continue;
        }
        const auto muxed = folder / (leaf + "." + main.format.extension + ".mux" +
                                     std::to_string(n + 1) + ".part");
        ::unlink(muxed.c_str());
        temporary.push_back(muxed);
        const auto result = merger_.mux(inputs, main.format, muxed);
        if (result.merged) {
            pieceFiles.push_back(muxed);
            continue;
        }
        published.notes.push_back(result.note);
        pieceFiles.push_back(parts.pathOf(main));
        for (const auto* track : renditions) {
            extras.push_back(
                {parts.pathOf(*track),
                 "." + renditionSuffix(*track) +
                     (kept.size() > 1 ? ".part" + std::to_string(n + 1) : std::string()) + "." +
                     track->format.extension});
        }
    }

    // The pieces as one file where they can be joined.
    std::vector<Placement> placements;
    const std::string extension = pieceFormats.front().extension;
    const bool oneFormat =
        std::all_of(pieceFormats.begin(), pieceFormats.end(),
                    [&](const core::StreamFormat& f) { return f.extension == extension; });
    if (pieceFiles.size() == 1) {
        placements.push_back({pieceFiles.front(), "." + extension});
        published.merged = true;
    } else if (oneFormat) {
        const auto output = folder / (leaf + "." + extension + ".merge.part");
        ::unlink(output.c_str());
        try {
            const auto merge = merger_.merge(pieceFiles, pieceFormats.front(), output, rebase);
            published.notes.push_back(merge.note);
            if (merge.merged) {
                temporary.push_back(output);
                placements.push_back({output, "." + extension});
                published.merged = true;
            }
        } catch (const core::OutputError& e) {
            published.notes.push_back(std::string(e.what()) +
                                      " The pieces are kept as separate files.");
        }
    } else {
        std::string formats;
        for (const auto& format : pieceFormats) {
            formats += (formats.empty() ? "" : ", ") + format.extension;
        }
        published.notes.push_back("The pieces have different formats (" + formats +
                                  "), so they are kept as separate files.");
    }
    if (placements.empty()) {
        for (std::size_t i = 0; i < pieceFiles.size(); ++i) {
            placements.push_back(
                {pieceFiles[i], ".part" + std::to_string(i + 1) + "." + pieceFormats[i].extension});
        }
    }
    published.container = finishing.container;
    if (finishing.tags && !published.merged) {
        published.notes.push_back(
            "The pieces are kept as separate files, so they hold no tags" +
            std::string(finishing.container == Container::AsRecorded
                            ? ""
                            : " and were not remuxed to " +
                                  std::string(toString(finishing.container))) +
            ".");
    }
    if (published.merged && finishing.tags) {
        const auto finalExtension = extensionIn(finishing.container, extension);
        const auto tags = finishing.tags(finalExtension);
        if (finishing.container == Container::AsRecorded && extension == "ts") {
            // MPEG-TS keeps its bytes: only its service description is rewritten, in place.
            try {
                std::string service, provider;
                for (const auto& [key, value] : tags.tags) {
                    if (key == "service_name") {
                        service = value;
                    } else if (key == "service_provider") {
                        provider = value;
                    }
                }
                published.tagged =
                    nameServiceInPlace(placements.front().from, service, provider) > 0;
            } catch (const core::OutputError& e) {
                published.finishError = std::string(e.what()) + " The file is kept as recorded.";
                published.notes.push_back(published.finishError);
            }
        } else {
            const auto tagged = folder / (leaf + "." + finalExtension + ".tag.part");
            ::unlink(tagged.c_str());
            MergeResult remux;
            try {
                remux = merger_.remux(placements.front().from, pieceFormats.front(),
                                      finishing.container, tags, tagged);
            } catch (const core::OutputError& e) {
                remux.note = std::string(e.what()) + " The file is kept as recorded.";
            }
            if (remux.merged) {
                temporary.push_back(tagged);
                placements.front() = {tagged, "." + finalExtension};
                published.tagged = true;
                published.chapters = tags.chapters.size();
            } else if (!remux.note.empty()) {
                published.finishError = remux.note;
                published.notes.push_back(remux.note);
            }
        }
    }
    placements.insert(placements.end(), extras.begin(), extras.end());

    // A free name: the sidecar is created first and exclusively, which reserves the stem
    // against any other recording finished into the same folder at the same time.
    int sidecarFd = -1;
    for (int n = 1; sidecarFd < 0; ++n) {
        if (n > kMaxNameAttempts) {
            cleanUp();
            throw core::OutputError("Could not find a free name for " + quoted(folder / leaf) +
                                    ".");
        }
        const auto stem = n == 1 ? leaf : leaf + " (" + std::to_string(n) + ")";
        const auto sidecarPath = folder / (stem + ".json");
        const int fd = ::open(sidecarPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) {
            const int error = errno;
            if (error == EEXIST) {
                continue;
            }
            cleanUp();
            throw core::OutputError("Could not create " + quoted(sidecarPath) + ": " +
                                    std::strerror(error) + ".");
        }
        std::vector<std::pair<std::filesystem::path, std::filesystem::path>> placed;
        int error = 0;
        for (const auto& placement : placements) {
            const auto target = folder / (stem + placement.suffix);
            error = moveNoReplace(placement.from, target);
            if (error != 0) {
                break;
            }
            placed.emplace_back(placement.from, target);
        }
        if (error != 0) {
            for (const auto& [from, to] : placed) {
                moveNoReplace(to, from);
            }
            ::close(fd);
            ::unlink(sidecarPath.c_str());
            if (error == EEXIST) {
                continue;
            }
            cleanUp();
            throw core::OutputError("Could not move the recording to " + quoted(folder / stem) +
                                    ": " + std::strerror(error) + ".");
        }
        sidecarFd = fd;
        for (const auto& [from, to] : placed) {
            published.files.push_back(to);
        }
        published.sidecar = sidecarPath;
    }
    cleanUp();

    if (!finishing.nfo.empty()) {
        auto nfo = published.sidecar;
        nfo.replace_extension(".nfo");
        const int fd = ::open(nfo.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        const int error = fd < 0 ? errno : 0;
        const bool nfoWritten = fd >= 0 && core::writeAll(fd, finishing.nfo);
        if (fd >= 0 && (::close(fd) != 0 || !nfoWritten)) {
            ::unlink(nfo.c_str());
        }
        if (nfoWritten) {
            published.nfo = nfo;
        } else {
            published.notes.push_back("Could not write " + quoted(nfo) +
                                      (error != 0 ? ": " + std::string(std::strerror(error)) : "") +
                                      ".");
        }
    }

    const bool written = core::writeAll(sidecarFd, sidecar(published));
    if (::close(sidecarFd) != 0 || !written) {
        published.notes.push_back("Could not write the sidecar " + quoted(published.sidecar) + ".");
        ::unlink(published.sidecar.c_str());
        published.sidecar.clear();
    }
    return published;
}

}  // namespace confcap::sink
