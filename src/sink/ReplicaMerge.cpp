#include "confcap/sink/ReplicaMerge.h"
#include "confcap/sink/GapJson.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/media/TsPackets.h"
#include "confcap/sink/Publisher.h"

namespace confcap::sink {

namespace {

constexpr std::size_t kCopyBuffer = 1 << 20;
constexpr const char* kMissingEverywhere = "missing in every copy";

/// True when an MPEG-TS packet starts at each offset of `file`.
bool startsPackets(const std::filesystem::path& file, const std::vector<SegmentMark>& segments) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    bool ok = true;
    std::string packet(media::kTsPacketSize, '\0');
    for (const auto& mark : segments) {
        const auto n = ::pread(fd, packet.data(), packet.size(), static_cast<off_t>(mark.offset));
        bool starts = false;
        if (n == static_cast<ssize_t>(packet.size())) {
            media::TsPacketizer().feed(packet, [&](std::string_view found) {
                starts = starts || found.data() == packet.data();
            });
        }
        if (!starts) {
            ok = false;
            break;
        }
    }
    ::close(fd);
    return ok;
}

/// True when the sidecar tells of one MPEG-TS file joined from its pieces byte by byte.
bool oneTsFile(const Sidecar& sidecar) {
    return sidecar.container.format == "ts" && sidecar.merged && sidecar.audioRenditions.empty() &&
           sidecar.files.size() <= 1;
}

/// The main stream's segments with their offsets in the final file, when the sidecar says the
/// file is its MPEG-TS pieces joined byte by byte; else none.
std::vector<SegmentMark> segmentsInFile(const Sidecar& sidecar, const std::filesystem::path& file) {
    if (sidecar.segments.empty() || !oneTsFile(sidecar)) {
        return {};
    }
    std::vector<SegmentMark> segments;
    std::uint64_t base = 0;
    for (const auto& piece : sidecar.segments) {
        if (piece.track != 0) {
            continue;
        }
        for (auto mark : piece.list) {
            mark.offset += base;
            segments.push_back(mark);
        }
        base += piece.bytes;
    }
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    if (error || size != base || !startsPackets(file, segments)) {
        return {};
    }
    return segments;
}

/// Appends bytes [from, to) of `file` to the output piece.
void copyRange(PartSet& out, const std::filesystem::path& file, std::uint64_t from,
               std::uint64_t to) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw core::OutputError("Could not read " + core::quotedPath(file) + ".");
    }
    std::string buffer(kCopyBuffer, '\0');
    auto at = from;
    while (at < to) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), to - at));
        const auto n = ::pread(fd, buffer.data(), want, static_cast<off_t>(at));
        if (n <= 0) {
            ::close(fd);
            throw core::OutputError("Could not read " + core::quotedPath(file) + ".");
        }
        std::size_t written = 0;
        if (out.append(0, std::string_view(buffer.data(), static_cast<std::size_t>(n)), written) !=
            0) {
            ::close(fd);
            throw core::OutputError("Could not write the merged copy of " + core::quotedPath(file) +
                                    ".");
        }
        at += static_cast<std::uint64_t>(n);
    }
    ::close(fd);
}

/// The PES starts of an MPEG-TS byte stream: where each lies and its timestamp.
struct PesStart {
    std::uint64_t offset;
    media::PesTimestamp timestamp;
};

/// The units of MPEG-TS bytes, cut at the PES starts of the first video PID (the first audio
/// PID when there is no video). The first unit begins at the start, so it holds the tables
/// before it. Bytes that are not whole packets stay inside a unit.
std::vector<TsUnit> unitsOf(std::string_view bytes) {
    std::vector<PesStart> starts;
    int videoPid = -1;
    int audioPid = -1;
    media::TsPacketizer().feed(bytes, [&](std::string_view packet) {
        if (const auto found = media::pesTimestamp(packet)) {
            starts.push_back({static_cast<std::uint64_t>(packet.data() - bytes.data()), *found});
            int& first = found->video() ? videoPid : audioPid;
            first = first < 0 ? found->pid : first;
        }
    });
    const int main = videoPid >= 0 ? videoPid : audioPid;
    std::vector<TsUnit> units;
    for (const auto& start : starts) {
        if (start.timestamp.pid != main) {
            continue;
        }
        if (!units.empty()) {
            units.back().end = start.offset;
        }
        units.push_back({units.empty() ? 0 : start.offset, bytes.size(),
                         static_cast<double>(start.timestamp.ticks) /
                             static_cast<double>(media::kPesTicksPerSecond)});
    }
    return units;
}

/// The units of a progressive MPEG-TS file (unitsOf).
std::vector<TsUnit> tsUnits(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw core::OutputError("Could not read " + core::quotedPath(file) + ".");
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size <= 0) {
        ::close(fd);
        return {};
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (mapped == MAP_FAILED) {
        throw core::OutputError("Could not read " + core::quotedPath(file) + ".");
    }
    auto units = unitsOf(std::string_view(static_cast<const char*>(mapped), size));
    ::munmap(mapped, size);
    return units;
}

/// What was written into the merged file.
struct Written {
    std::uint64_t bytes = 0;
    std::vector<SegmentMark> segments;  ///< where each HLS segment lies in it
};

Written writeBySegment(const std::vector<TalkCopy>& copies, const MergePlan& plan, PartSet& out) {
    Written written;
    for (const auto& run : plan.runs) {
        const auto& copy = copies[run.copy];
        std::error_code error;
        const auto size = std::filesystem::file_size(copy.file, error);
        if (error || size < copy.segments.back().offset) {
            throw core::OutputError("Could not read " + core::quotedPath(copy.file) + ".");
        }
        for (std::size_t i = 0; i < copy.segments.size(); ++i) {
            const auto& mark = copy.segments[i];
            if (mark.sequence < run.firstSequence || mark.sequence > run.lastSequence) {
                continue;
            }
            const auto end = i + 1 < copy.segments.size() ? copy.segments[i + 1].offset : size;
            written.segments.push_back({mark.sequence, written.bytes, mark.seconds});
            copyRange(out, copy.file, mark.offset, end);
            written.bytes += end - mark.offset;
        }
    }
    return written;
}

Written writeByTime(const std::vector<TalkCopy>& copies, MergedTalk& merged, PartSet& out) {
    std::vector<std::vector<TsUnit>> units;
    for (const auto& copy : copies) {
        units.push_back(tsUnits(copy.file));
    }
    auto plan = planByTime(units);
    Written written;
    for (const auto& pick : plan.picks) {
        const auto& unit = units[pick.copy][pick.unit];
        copyRange(out, copies[pick.copy].file, unit.offset, unit.end);
        written.bytes += unit.end - unit.offset;
    }
    merged.plan.secondsByCopy = std::move(plan.secondsByCopy);
    merged.timeRuns = std::move(plan.runs);
    merged.timeGaps = std::move(plan.gaps);
    return written;
}

Written writeMerged(const std::vector<TalkCopy>& copies, MergedTalk& merged, PartSet& out) {
    if (merged.cut) {
        return writeBySegment(copies, merged.plan, out);
    }
    if (merged.cutByTime) {
        return writeByTime(copies, merged, out);
    }
    const auto& base = copies[merged.source];
    std::error_code error;
    Written written{std::filesystem::file_size(base.file, error), base.segments};
    copyRange(out, base.file, 0, written.bytes);
    return written;
}

/// The runs copy `c` supplied, as the sidecar's "replicas" lists them.
Poco::JSON::Array::Ptr runsOf(std::size_t c, const MergedTalk& merged) {
    Poco::JSON::Array::Ptr runs = new Poco::JSON::Array;
    if (merged.cutByTime) {
        const double origin = merged.timeRuns.empty() ? 0.0 : merged.timeRuns.front().from;
        for (const auto& run : merged.timeRuns) {
            if (run.copy == c) {
                auto entry = newJsonObject();
                entry->set("offsetSeconds", roundedSeconds(run.from - origin));
                entry->set("lengthSeconds", roundedSeconds(run.to - run.from));
                runs->add(entry);
            }
        }
    }
    if (merged.cut) {
        double offset = 0;
        std::size_t gap = 0;
        for (const auto& run : merged.plan.runs) {
            while (gap < merged.plan.gaps.size() &&
                   merged.plan.gaps[gap].firstSequence < run.firstSequence) {
                offset += merged.plan.gaps[gap++].seconds;
            }
            if (run.copy == c) {
                auto entry = newJsonObject();
                entry->set("offsetSeconds", roundedSeconds(offset));
                entry->set("lengthSeconds", roundedSeconds(run.seconds));
                entry->set("firstSequence", run.firstSequence);
                entry->set("lastSequence", run.lastSequence);
                runs->add(entry);
            }
            offset += run.seconds;
        }
    }
    return runs;
}

/// The sidecar's "replicas": which folder supplied which seconds.
Poco::JSON::Object::Ptr replicasJson(const std::vector<TalkCopy>& copies,
                                     const MergedTalk& merged) {
    auto replicas = newJsonObject();
    replicas->set("copies", static_cast<Poco::UInt64>(copies.size()));
    replicas->set("cutBySegment", merged.cut);
    replicas->set("cutByTimestamp", merged.cutByTime);
    Poco::JSON::Array::Ptr sources = new Poco::JSON::Array;
    for (std::size_t c = 0; c < copies.size(); ++c) {
        auto source = newJsonObject();
        source->set("folder", copies[c].folder.string());
        source->set("file", copies[c].relative);
        const double seconds = merged.cut || merged.cutByTime
                                   ? merged.plan.secondsByCopy[c]
                                   : (c == merged.source ? copies[c].coveredSeconds : 0.0);
        source->set("seconds", roundedSeconds(seconds));
        if (merged.cut || merged.cutByTime) {
            source->set("runs", runsOf(c, merged));
        }
        sources->add(source);
    }
    replicas->set("sources", sources);
    return replicas;
}

RecordedGap missingGap(double offset, double length) {
    RecordedGap gap;
    gap.offset = std::chrono::milliseconds(std::llround(offset * 1000.0));
    gap.length = std::chrono::milliseconds(std::llround(length * 1000.0));
    gap.cause = kMissingEverywhere;
    return gap;
}

/// The gaps left in the merged file, where they lie in it.
std::vector<RecordedGap> gapsLeft(const MergedTalk& merged) {
    std::vector<RecordedGap> gaps;
    if (merged.cut) {
        double offset = 0;
        std::size_t run = 0;
        for (const auto& g : merged.plan.gaps) {
            while (run < merged.plan.runs.size() &&
                   merged.plan.runs[run].firstSequence < g.firstSequence) {
                offset += merged.plan.runs[run++].seconds;
            }
            auto gap = missingGap(offset, g.seconds);
            gap.firstSequence = g.firstSequence;
            gap.lastSequence = g.lastSequence;
            gaps.push_back(std::move(gap));
            offset += g.seconds;
        }
    }
    if (merged.cutByTime) {
        const double origin = merged.timeRuns.empty() ? 0.0 : merged.timeRuns.front().from;
        for (const auto& g : merged.timeGaps) {
            gaps.push_back(missingGap(g.from - origin, g.to - g.from));
        }
    }
    return gaps;
}

/// The merged file's sidecar: the base copy's, with the file placed, what was written, the
/// gaps left and which copy supplied what.
Sidecar mergedSidecar(const std::vector<TalkCopy>& copies, const MergedTalk& merged,
                      const Sidecar& base, const Written& written, const Published& placed,
                      const std::filesystem::path& outDir) {
    Sidecar sidecar = base;
    sidecar.files.clear();
    for (const auto& file : placed.files) {
        sidecar.files.push_back(file.lexically_relative(outDir).generic_string());
    }
    sidecar.bytes = written.bytes;
    if (!written.segments.empty()) {
        sidecar.segments = {{1, 0, written.bytes, written.segments}};
        sidecar.pieces = 1;
        sidecar.merged = true;
    }
    if (merged.cut || merged.cutByTime) {
        sidecar.gaps = gapsLeft(merged);
        double covered = 0;
        if (merged.cut) {
            for (const auto& run : merged.plan.runs) {
                covered += run.seconds;
            }
        } else {
            for (const auto& seconds : merged.plan.secondsByCopy) {
                covered += seconds;
            }
        }
        sidecar.coveredSeconds = roundedSeconds(covered);
    }
    sidecar.notes.insert(sidecar.notes.end(), merged.notes.begin(), merged.notes.end());
    if (copies.size() == 1) {
        sidecar.notes.push_back("Only one folder holds this talk: the file is its copy.");
    }
    sidecar.amend({{"replicas", replicasJson(copies, merged)}});
    return sidecar;
}

/// The copy a sidecar of `folder` describes; a sentence why not when it is skipped, none
/// when the JSON file is no sidecar of confcap.
std::optional<TalkCopy> copyOf(const std::filesystem::path& folder,
                               const std::filesystem::path& path, std::string& skipped) {
    std::optional<Sidecar> sidecar;
    try {
        sidecar = sidecarIn(path);
    } catch (const core::OutputError& e) {
        skipped = "Skipped " + core::quotedPath(path) + ": " + e.what();
        return std::nullopt;
    }
    if (!sidecar) {
        return std::nullopt;
    }
    TalkCopy copy;
    copy.folder = folder;
    copy.sidecar = path;
    const auto& talk = sidecar->talk;
    copy.key = !talk.guid.empty() ? "guid:" + talk.guid : !talk.id.empty() ? "id:" + talk.id : "";
    copy.relative = sidecar->file();
    copy.coveredSeconds = sidecar->coveredSeconds;
    const std::filesystem::path relative(copy.relative);
    if (copy.key.empty() || copy.relative.empty() || relative.is_absolute() ||
        std::any_of(relative.begin(), relative.end(),
                    [](const std::filesystem::path& part) { return part == ".."; })) {
        skipped =
            "Skipped " + core::quotedPath(path) + ": it names no talk id or no file in its folder.";
        return std::nullopt;
    }
    copy.file = folder / copy.relative;
    std::error_code error;
    if (!std::filesystem::is_regular_file(copy.file, error)) {
        skipped = "Skipped " + core::quotedPath(path) + ": its file " +
                  core::quotedPath(copy.file) + " is missing.";
        return std::nullopt;
    }
    copy.segments = segmentsInFile(*sidecar, copy.file);
    copy.progressiveTs = copy.segments.empty() && sidecar->segments.empty() && oneTsFile(*sidecar);
    copy.sidecarDocument = std::move(*sidecar);
    return copy;
}

}  // namespace

ReplicaScan scanReplica(const std::filesystem::path& folder) {
    ReplicaScan scan;
    std::vector<std::filesystem::path> sidecars;
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(folder, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
        const auto name = it->path().filename().string();
        if (it->is_regular_file() && name.ends_with(".json") && !name.ends_with(".part.json")) {
            sidecars.push_back(it->path());
        }
    }
    std::sort(sidecars.begin(), sidecars.end());
    for (const auto& path : sidecars) {
        std::string skipped;
        if (auto copy = copyOf(folder, path, skipped)) {
            scan.copies.push_back(std::move(*copy));
        } else if (!skipped.empty()) {
            scan.warnings.push_back(std::move(skipped));
        }
    }
    return scan;
}

MergedTalk mergeCopies(const std::vector<TalkCopy>& copies, const std::filesystem::path& outDir) {
    if (copies.empty()) {
        throw std::invalid_argument("mergeCopies needs a copy");
    }
    std::vector<CopyFacts> facts;
    for (const auto& copy : copies) {
        facts.push_back({copy.segments, copy.progressiveTs, copy.coveredSeconds});
    }
    auto plan = planReplicas(facts);
    MergedTalk merged;
    merged.cut = plan.method == MergeMethod::BySegment;
    merged.cutByTime = plan.method == MergeMethod::ByTimestamp;
    merged.plan = std::move(plan.segments);
    merged.source = plan.source;
    merged.notes = std::move(plan.notes);
    // For a merge by time, the first copy's sidecar is the base.
    const auto& base = copies[merged.cut ? merged.plan.runs.front().copy : merged.source];

    auto stem = std::filesystem::path(base.relative);
    const auto extension = stem.extension().string();
    stem.replace_extension();
    PartSet parts(outDir, stem);
    if (parts.loaded()) {
        throw core::OutputError("A recording of " + core::quotedPath(outDir / stem) +
                                " is still in progress in the output folder.");
    }
    parts.openPiece({extension.empty() ? "bin" : extension.substr(1), true}, false);
    Written written;
    try {
        written = writeMerged(copies, merged, parts);
    } catch (...) {
        parts.removeAll();
        throw;
    }
    parts.closeFiles();
    const auto sidecar = [&](const Published& placed) {
        return sidecarText(
            mergedSidecar(copies, merged, base.sidecarDocument, written, placed, outDir));
    };
    const auto published = Publisher().publish(parts, {0}, sidecar);
    parts.removeAll();
    merged.file = published.files.front();
    merged.sidecar = published.sidecar;
    merged.notes.insert(merged.notes.end(), published.notes.begin(), published.notes.end());
    return merged;
}

}  // namespace confcap::sink
