#include "confcap/sink/Publisher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/sink/PublishPlan.h"
#include "confcap/sink/TsServiceTags.h"

namespace confcap::sink {

namespace {

constexpr int kMaxNameAttempts = 10000;

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

/// Temporary files made while publishing, removed whatever happens (once placed, a file is no
/// longer there).
class Temporaries {
public:
    Temporaries() = default;
    Temporaries(const Temporaries&) = delete;
    Temporaries& operator=(const Temporaries&) = delete;
    ~Temporaries() {
        for (const auto& file : files_) {
            ::unlink(file.c_str());
        }
    }
    void add(const std::filesystem::path& file) { files_.push_back(file); }

private:
    std::vector<std::filesystem::path> files_;
};

/// The kept pieces with their tracks' files and sizes.
std::vector<PieceOnDisk> piecesOnDisk(const PartSet& parts, const std::vector<std::size_t>& kept) {
    std::vector<PieceOnDisk> pieces;
    for (const auto index : kept) {
        PieceOnDisk piece{parts.list().pieces.at(index), {}, {}};
        for (const auto& track : piece.piece.tracks) {
            piece.files.push_back(parts.pathOf(track));
            piece.bytes.push_back(fileSize(piece.files.back()));
        }
        pieces.push_back(std::move(piece));
    }
    return pieces;
}

/// Writes the .nfo beside the sidecar, never replacing a file.
void writeNfo(const std::string& text, Published& published) {
    auto nfo = published.sidecar;
    nfo.replace_extension(".nfo");
    const int fd = ::open(nfo.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    const int error = fd < 0 ? errno : 0;
    const bool nfoWritten = fd >= 0 && core::writeAll(fd, text);
    if (fd >= 0 && (::close(fd) != 0 || !nfoWritten)) {
        ::unlink(nfo.c_str());
    }
    if (nfoWritten) {
        published.nfo = nfo;
    } else {
        published.notes.push_back("Could not write " + core::quotedPath(nfo) +
                                  (error != 0 ? ": " + std::string(std::strerror(error)) : "") +
                                  ".");
    }
}

/// Each piece as one file: its tracks muxed where it has more than one; `extras` gets the
/// renditions of a piece whose mux failed.
std::vector<std::filesystem::path> makePieces(const PieceMerger& merger, const PublishPlan& plan,
                                              Temporaries& temporary,
                                              std::vector<Placement>& extras,
                                              Published& published) {
    std::vector<std::filesystem::path> files;
    for (const auto& step : plan.pieces) {
        if (step.mux.empty()) {
            files.push_back(step.file);
            continue;
        }
        ::unlink(step.muxed.c_str());
        temporary.add(step.muxed);
        const auto result = merger.mux(step.mux, step.format, step.muxed);
        if (result.merged) {
            files.push_back(step.muxed);
            continue;
        }
        published.notes.push_back(result.note);
        files.push_back(step.file);
        extras.insert(extras.end(), step.unmuxed.begin(), step.unmuxed.end());
    }
    return files;
}

/// The pieces as one file where they can be joined, else as numbered files.
std::vector<Placement> join(const PieceMerger& merger, const PublishPlan& plan,
                            const std::vector<std::filesystem::path>& files, Temporaries& temporary,
                            Published& published) {
    const auto& step = plan.join;
    if (step.kind == JoinStep::Kind::One) {
        published.merged = true;
        return {{files.front(), "." + step.extension}};
    }
    if (step.kind == JoinStep::Kind::Merge) {
        ::unlink(step.merged.c_str());
        try {
            const auto merge =
                merger.merge(files, plan.pieces.front().format, step.merged, step.rebase);
            published.notes.push_back(merge.note);
            if (merge.merged) {
                temporary.add(step.merged);
                published.merged = true;
                return {{step.merged, "." + step.extension}};
            }
        } catch (const core::OutputError& e) {
            published.notes.push_back(std::string(e.what()) +
                                      " The pieces are kept as separate files.");
        }
    } else {
        published.notes.push_back(step.note);
    }
    std::vector<Placement> apart;
    for (std::size_t i = 0; i < files.size(); ++i) {
        apart.push_back({files[i], step.apartSuffixes.at(i)});
    }
    return apart;
}

/// Names the talk in the MPEG-TS file `file`: it keeps its bytes, only its service description
/// is rewritten, in place, unless that was done as the file was written. Returns what was done;
/// none when it failed (`published` then says why, and the file stays as recorded).
std::optional<NamedInPlace> nameService(const FileTags& tags, const PartSet& parts,
                                        const std::filesystem::path& file, Published& published) {
    try {
        const auto names = tsServiceIn(tags);
        auto named = parts.namedAsWritten(file, names);
        if (!named) {
            named = nameServiceInPlace(file, names);
        }
        published.tagged = published.tagged || named->sections > 0;
        return named;
    } catch (const core::OutputError& e) {
        published.finishError = std::string(e.what()) + " The file is kept as recorded.";
        published.notes.push_back(published.finishError);
        return std::nullopt;
    }
}

/// Gives the joined file `joined` its tags; when that fails it stays as recorded.
void tag(const PieceMerger& merger, const PublishPlan& plan, const FileTags& tags,
         const PartSet& parts, Placement& joined, Temporaries& temporary, Published& published) {
    const auto& step = plan.tag;
    if (step.kind == TagStep::Kind::ServiceInPlace) {
        if (const auto named = nameService(tags, parts, joined.from, published)) {
            published.check = named->check;
        }
        return;
    }
    if (step.kind != TagStep::Kind::Remux) {
        return;
    }
    ::unlink(step.tagged.c_str());
    MergeResult remux;
    try {
        remux = merger.remux(joined.from, plan.pieces.front().format, step.container, tags,
                             step.tagged);
    } catch (const core::OutputError& e) {
        remux.note = std::string(e.what()) + " The file is kept as recorded.";
    }
    if (remux.merged) {
        temporary.add(step.tagged);
        joined = {step.tagged, "." + step.extension};
        published.tagged = true;
        published.chapters = tags.chapters.size();
    } else if (!remux.note.empty()) {
        published.finishError = remux.note;
        published.notes.push_back(remux.note);
    }
}

/// Moves `placements` under the first free stem: the sidecar is created first and
/// exclusively, which reserves the stem against any other recording finished into the same
/// folder at the same time. Returns the sidecar's open descriptor. Throws core::OutputError
/// when no name is free or a move fails; what was moved is moved back.
int place(const std::filesystem::path& folder, const std::string& leaf,
          const std::vector<Placement>& placements, Published& published) {
    for (int n = 1; n <= kMaxNameAttempts; ++n) {
        const auto stem = candidateStem(leaf, n);
        const auto sidecarPath = folder / (stem + ".json");
        const int fd = ::open(sidecarPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) {
            const int error = errno;
            if (error == EEXIST) {
                continue;
            }
            throw core::OutputError("Could not create " + core::quotedPath(sidecarPath) + ": " +
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
        if (error == 0) {
            for (const auto& [from, to] : placed) {
                published.files.push_back(to);
            }
            published.sidecar = sidecarPath;
            return fd;
        }
        for (const auto& [from, to] : placed) {
            moveNoReplace(to, from);
        }
        ::close(fd);
        ::unlink(sidecarPath.c_str());
        if (error != EEXIST) {
            throw core::OutputError("Could not move the recording to " +
                                    core::quotedPath(folder / stem) + ": " + std::strerror(error) +
                                    ".");
        }
    }
    throw core::OutputError("Could not find a free name for " + core::quotedPath(folder / leaf) +
                            ".");
}

}  // namespace

Publisher::Publisher(PieceMerger merger) : merger_(std::move(merger)) {}

Published Publisher::publish(const PartSet& parts, const std::vector<std::size_t>& kept,
                             const Sidecar& sidecar, const Finishing& finishing) const {
    if (kept.empty()) {
        throw std::invalid_argument("Publisher::publish needs a piece to publish");
    }
    const auto plan = planPublish(parts.folder(), parts.leaf(), piecesOnDisk(parts, kept),
                                  finishing.container, static_cast<bool>(finishing.tags));
    Published published;
    published.container = finishing.container;
    Temporaries temporary;
    std::vector<Placement> extras;
    const auto pieceFiles = makePieces(merger_, plan, temporary, extras, published);
    auto placements = join(merger_, plan, pieceFiles, temporary, published);
    if (published.merged && finishing.tags) {
        tag(merger_, plan, finishing.tags(plan.tag.extension), parts, placements.front(), temporary,
            published);
    } else if (finishing.tags && plan.tag.kind == TagStep::Kind::ServiceInPlace) {
        // Each MPEG-TS piece is named as a whole file would be (a piece may already be, as it
        // was written).
        const auto tags = finishing.tags("ts");
        for (std::size_t i = 0; i < placements.size(); ++i) {
            if (placements[i].suffix.ends_with(".ts")) {
                const auto named = nameService(tags, parts, placements[i].from, published);
                if (named && i == 0) {
                    published.check = named->check;
                }
            }
        }
    } else if (finishing.tags) {
        published.notes.push_back(plan.tag.apartNote);
    }
    placements.insert(placements.end(), extras.begin(), extras.end());
    const int sidecarFd = place(parts.folder(), parts.leaf(), placements, published);
    if (!finishing.nfo.empty()) {
        writeNfo(finishing.nfo, published);
    }
    const bool written = core::writeAll(sidecarFd, sidecar(published));
    if (::close(sidecarFd) != 0 || !written) {
        published.notes.push_back("Could not write the sidecar " +
                                  core::quotedPath(published.sidecar) + ".");
        ::unlink(published.sidecar.c_str());
        published.sidecar.clear();
    }
    return published;
}

}  // namespace confcap::sink
