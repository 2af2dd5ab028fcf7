#include "confcap/sink/ReplicaMerge.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/media/TsPackets.h"
#include "confcap/sink/Publisher.h"

namespace confcap::sink {

namespace {

constexpr char kTsSync = 0x47;
constexpr std::size_t kCopyBuffer = 1 << 20;
constexpr const char* kMissingEverywhere = "missing in every copy";
constexpr std::size_t kTsPacket = media::kTsPacketSize;
constexpr double kTsClock = media::kPesTicksPerSecond;
/// A step between consecutive timestamps larger than this is a hole in a copy.
constexpr double kHoleSeconds = 0.5;

std::string quoted(const std::filesystem::path& path) {
    return "\"" + path.string() + "\"";
}

double rounded(double seconds) {
    return std::round(seconds * 1000.0) / 1000.0;
}

Poco::JSON::Object::Ptr newObject() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

/// The JSON object in `text`, keys in their order; null when the text is another JSON value.
/// Throws Poco::Exception when it is not JSON.
Poco::JSON::Object::Ptr parseObject(const std::string& text) {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    const auto value = parser.parse(text);
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
        return value.extract<Poco::JSON::Object::Ptr>();
    }
    return nullptr;
}

std::string readText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// True when the byte at each offset of `file` is an MPEG-TS sync byte.
bool startsPackets(const std::filesystem::path& file, const std::vector<SegmentMark>& segments) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    bool ok = true;
    for (const auto& mark : segments) {
        char byte = 0;
        if (::pread(fd, &byte, 1, static_cast<off_t>(mark.offset)) != 1 || byte != kTsSync) {
            ok = false;
            break;
        }
    }
    ::close(fd);
    return ok;
}

/// The main stream's segments with their offsets in the final file, when the sidecar says the
/// file is its MPEG-TS pieces joined byte by byte; else none.
std::vector<SegmentMark> segmentsInFile(const Poco::JSON::Object& sidecar,
                                        const std::filesystem::path& file) {
    const auto pieces = sidecar.getArray("segments");
    const auto container = sidecar.getObject("container");
    const auto files = sidecar.getArray("files");
    if (!pieces || !container || container->optValue<std::string>("format", "") != "ts" ||
        !sidecar.optValue<bool>("merged", false) || sidecar.has("audioRenditions") ||
        (files && files->size() != 1)) {
        return {};
    }
    std::vector<SegmentMark> segments;
    std::uint64_t base = 0;
    for (std::size_t i = 0; i < pieces->size(); ++i) {
        const auto piece = pieces->getObject(static_cast<unsigned>(i));
        if (!piece || piece->optValue<int>("track", 0) != 0) {
            continue;
        }
        if (const auto list = piece->getArray("list")) {
            for (auto mark : segmentsFrom(*list)) {
                mark.offset += base;
                segments.push_back(mark);
            }
        }
        base += piece->optValue<std::uint64_t>("bytes", 0);
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
        throw core::OutputError("Could not read " + quoted(file) + ".");
    }
    std::string buffer(kCopyBuffer, '\0');
    auto at = from;
    while (at < to) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), to - at));
        const auto n = ::pread(fd, buffer.data(), want, static_cast<off_t>(at));
        if (n <= 0) {
            ::close(fd);
            throw core::OutputError("Could not read " + quoted(file) + ".");
        }
        std::size_t written = 0;
        if (out.append(0, std::string_view(buffer.data(), static_cast<std::size_t>(n)), written) !=
            0) {
            ::close(fd);
            throw core::OutputError("Could not write the merged copy of " + quoted(file) + ".");
        }
        at += static_cast<std::uint64_t>(n);
    }
    ::close(fd);
}

/// A stretch of a progressive MPEG-TS file from one PES start of its main PID to the next.
struct TsUnit {
    std::uint64_t offset = 0;
    std::uint64_t end = 0;
    double at = 0;  ///< its DTS, else PTS, in seconds
};

/// The units of a progressive MPEG-TS file, cut at the PES starts of its first video PID (its
/// first audio PID when it has no video). The first unit begins at the file's start, so it
/// holds the tables before it. Bytes that are not whole packets stay inside a unit.
std::vector<TsUnit> tsUnits(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw core::OutputError("Could not read " + quoted(file) + ".");
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
        throw core::OutputError("Could not read " + quoted(file) + ".");
    }
    const auto* data = static_cast<const unsigned char*>(mapped);
    struct Start {
        std::uint64_t offset;
        int pid;
        bool video;
        double at;
    };
    std::vector<Start> starts;
    int videoPid = -1;
    int audioPid = -1;
    for (std::size_t i = 0; i + kTsPacket <= size;) {
        if (data[i] != kTsSync || (i + kTsPacket < size && data[i + kTsPacket] != kTsSync)) {
            ++i;
            continue;
        }
        const auto packet = std::string_view(reinterpret_cast<const char*>(data + i), kTsPacket);
        if (const auto found = media::pesTimestamp(packet)) {
            const int pid = found->pid;
            const bool video = found->video();
            starts.push_back({i, pid, video, static_cast<double>(found->ticks) / kTsClock});
            if (video && videoPid < 0) {
                videoPid = pid;
            }
            if (!video && audioPid < 0) {
                audioPid = pid;
            }
        }
        i += kTsPacket;
    }
    ::munmap(mapped, size);
    const int main = videoPid >= 0 ? videoPid : audioPid;
    std::vector<TsUnit> units;
    for (const auto& start : starts) {
        if (start.pid != main) {
            continue;
        }
        if (!units.empty()) {
            units.back().end = start.offset;
        }
        units.push_back({units.empty() ? 0 : start.offset, size, start.at});
    }
    return units;
}

/// Merges progressive MPEG-TS copies by timestamp into `out`; fills the runs and gaps of
/// `merged`. Returns the bytes written.
std::uint64_t mergeByTime(const std::vector<TalkCopy>& copies, PartSet& out, MergedTalk& merged) {
    std::vector<std::vector<TsUnit>> units;
    for (const auto& copy : copies) {
        units.push_back(tsUnits(copy.file));
    }
    std::size_t current = copies.size();
    for (std::size_t c = 0; c < copies.size(); ++c) {
        if (!units[c].empty() &&
            (current == copies.size() || units[c].front().at < units[current].front().at)) {
            current = c;
        }
    }
    merged.plan.secondsByCopy.assign(copies.size(), 0.0);
    if (current == copies.size()) {
        return 0;
    }
    std::uint64_t bytes = 0;
    std::size_t i = 0;
    double last = units[current][0].at;
    merged.timeRuns.push_back({current, last, last});
    while (true) {
        const auto& unit = units[current][i];
        copyRange(out, copies[current].file, unit.offset, unit.end);
        bytes += unit.end - unit.offset;
        last = unit.at;
        const bool more = i + 1 < units[current].size();
        const double next = more ? units[current][i + 1].at : 1e300;
        if (more && next > last && next - last <= kHoleSeconds) {
            merged.plan.secondsByCopy[current] += next - last;
            merged.timeRuns.back().to = next;
            ++i;
            continue;
        }
        // A hole or the end in this copy: the copy whose next unit comes soonest after `last`
        // fills it, when that is before this copy goes on.
        std::size_t fill = copies.size();
        std::size_t fillAt = 0;
        for (std::size_t c = 0; c < copies.size(); ++c) {
            if (c == current) {
                continue;
            }
            const auto it = std::upper_bound(units[c].begin(), units[c].end(), last + 1e-6,
                                             [](double t, const TsUnit& u) { return t < u.at; });
            if (it != units[c].end() && it->at < next &&
                (fill == copies.size() || it->at < units[fill][fillAt].at)) {
                fill = c;
                fillAt = static_cast<std::size_t>(it - units[c].begin());
            }
        }
        if (fill == copies.size() && !more) {
            break;
        }
        const std::size_t to = fill != copies.size() ? fill : current;
        const std::size_t at = fill != copies.size() ? fillAt : i + 1;
        const double resume = units[to][at].at;
        // The step into the other copy plays like any other: a frame's length.
        const double frame = i > 0 ? std::max(0.0, last - units[current][i - 1].at) : 0.0;
        if (resume - last > kHoleSeconds) {
            merged.timeGaps.push_back({0, last + frame, resume});
        } else {
            merged.plan.secondsByCopy[current] += resume - last;
            merged.timeRuns.back().to = resume;
        }
        if (to != current || resume - last > kHoleSeconds) {
            merged.timeRuns.push_back({to, resume, resume});
        }
        current = to;
        i = at;
    }
    return bytes;
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
        Poco::JSON::Object::Ptr json;
        try {
            json = parseObject(readText(path));
        } catch (const Poco::Exception& e) {
            scan.warnings.push_back("Skipped " + quoted(path) + ": it is damaged (" +
                                    e.displayText() + ").");
            continue;
        }
        if (!json || !json->has("talk") || !json->has("outcome")) {
            continue;  // not a sidecar of confcap
        }
        TalkCopy copy;
        copy.folder = folder;
        copy.sidecar = path;
        try {
            const auto talk = json->getObject("talk");
            const auto guid = talk ? talk->optValue<std::string>("guid", "") : "";
            const auto id = talk ? talk->optValue<std::string>("id", "") : "";
            copy.key = !guid.empty() ? "guid:" + guid : !id.empty() ? "id:" + id : "";
            copy.relative = json->optValue<std::string>("file", "");
            copy.coveredSeconds = json->optValue<double>("coveredSeconds", 0.0);
        } catch (const Poco::Exception& e) {
            scan.warnings.push_back("Skipped " + quoted(path) + ": it is damaged (" +
                                    e.displayText() + ").");
            continue;
        }
        const std::filesystem::path relative(copy.relative);
        if (copy.key.empty() || copy.relative.empty() || relative.is_absolute() ||
            std::any_of(relative.begin(), relative.end(),
                        [](const std::filesystem::path& part) { return part == ".."; })) {
            scan.warnings.push_back("Skipped " + quoted(path) +
                                    ": it names no talk id or no file in its folder.");
            continue;
        }
        copy.file = folder / copy.relative;
        if (!std::filesystem::is_regular_file(copy.file, error)) {
            scan.warnings.push_back("Skipped " + quoted(path) + ": its file " + quoted(copy.file) +
                                    " is missing.");
            continue;
        }
        try {
            copy.segments = segmentsInFile(*json, copy.file);
            const auto container = json->getObject("container");
            const auto files = json->getArray("files");
            copy.progressiveTs = copy.segments.empty() && !json->has("segments") && container &&
                                 container->optValue<std::string>("format", "") == "ts" &&
                                 json->optValue<bool>("merged", false) &&
                                 !json->has("audioRenditions") && (!files || files->size() == 1);
        } catch (const Poco::Exception& e) {
            scan.warnings.push_back("Skipped " + quoted(path) + ": its segments are damaged (" +
                                    e.displayText() + ").");
            continue;
        }
        copy.json = json;
        scan.copies.push_back(std::move(copy));
    }
    return scan;
}

MergedTalk mergeCopies(const std::vector<TalkCopy>& copies, const std::filesystem::path& outDir) {
    if (copies.empty()) {
        throw std::invalid_argument("mergeCopies needs a copy");
    }
    MergedTalk merged;
    std::vector<std::size_t> cuttable;
    for (std::size_t c = 0; c < copies.size(); ++c) {
        if (!copies[c].segments.empty()) {
            cuttable.push_back(c);
        }
    }
    merged.cut = copies.size() > 1 && cuttable.size() > 1;
    if (merged.cut) {
        std::vector<std::vector<SegmentMark>> lists;
        for (const auto c : cuttable) {
            lists.push_back(copies[c].segments);
        }
        merged.plan = planMerge(lists);
        for (auto& run : merged.plan.runs) {
            run.copy = cuttable[run.copy];
        }
        std::vector<double> byCopy(copies.size(), 0.0);
        for (std::size_t i = 0; i < cuttable.size(); ++i) {
            byCopy[cuttable[i]] = merged.plan.secondsByCopy[i];
        }
        merged.plan.secondsByCopy = byCopy;
        if (cuttable.size() < copies.size()) {
            merged.notes.push_back(std::to_string(copies.size() - cuttable.size()) +
                                   " copies could not be cut by HLS segment and were left out.");
        }
    } else if (copies.size() > 1 &&
               std::all_of(copies.begin(), copies.end(),
                           [](const TalkCopy& copy) { return copy.progressiveTs; })) {
        merged.cutByTime = true;
    } else {
        for (std::size_t c = 1; c < copies.size(); ++c) {
            if (copies[c].coveredSeconds > copies[merged.source].coveredSeconds) {
                merged.source = c;
            }
        }
        if (copies.size() > 1) {
            merged.notes.push_back(
                "The copies could not be cut by HLS segment; the one covering the most was "
                "taken whole.");
        }
    }
    const auto& base = copies[merged.cut ? merged.plan.runs.front().copy : merged.source];
    // (for a merge by time, the first copy's sidecar is the base)

    auto stem = std::filesystem::path(base.relative);
    const auto extension = stem.extension().string();
    stem.replace_extension();
    PartSet parts(outDir, stem);
    if (parts.loaded()) {
        throw core::OutputError("A recording of " + quoted(outDir / stem) +
                                " is still in progress in the output folder.");
    }
    parts.openPiece({extension.empty() ? "bin" : extension.substr(1), true}, false);
    std::vector<SegmentMark> written;
    std::uint64_t bytes = 0;
    try {
        if (merged.cut) {
            for (const auto& run : merged.plan.runs) {
                const auto& copy = copies[run.copy];
                std::error_code error;
                const auto size = std::filesystem::file_size(copy.file, error);
                if (error || size < copy.segments.back().offset) {
                    throw core::OutputError("Could not read " + quoted(copy.file) + ".");
                }
                for (std::size_t i = 0; i < copy.segments.size(); ++i) {
                    const auto& mark = copy.segments[i];
                    if (mark.sequence < run.firstSequence || mark.sequence > run.lastSequence) {
                        continue;
                    }
                    const auto end =
                        i + 1 < copy.segments.size() ? copy.segments[i + 1].offset : size;
                    written.push_back({mark.sequence, bytes, mark.seconds});
                    copyRange(parts, copy.file, mark.offset, end);
                    bytes += end - mark.offset;
                }
            }
        } else if (merged.cutByTime) {
            bytes = mergeByTime(copies, parts, merged);
        } else {
            std::error_code error;
            bytes = std::filesystem::file_size(base.file, error);
            copyRange(parts, base.file, 0, bytes);
            written = base.segments;
        }
    } catch (...) {
        parts.removeAll();
        throw;
    }
    parts.closeFiles();

    const auto sidecar = [&](const Published& placed) {
        Poco::JSON::Object::Ptr json = parseObject([&] {
            std::ostringstream text;
            base.json->stringify(text);
            return text.str();
        }());
        Poco::JSON::Array::Ptr files = new Poco::JSON::Array;
        for (const auto& file : placed.files) {
            files->add(file.lexically_relative(outDir).generic_string());
        }
        json->set("file", files->getElement<std::string>(0));
        json->set("files", files);
        json->set("bytes", static_cast<Poco::UInt64>(bytes));
        if (!written.empty()) {
            Poco::JSON::Array::Ptr segments = new Poco::JSON::Array;
            auto piece = newObject();
            piece->set("piece", 1);
            piece->set("track", 0);
            piece->set("bytes", static_cast<Poco::UInt64>(bytes));
            piece->set("list", segmentsJson(written));
            segments->add(piece);
            json->set("segments", segments);
            json->set("pieces", 1);
            json->set("merged", true);
        }
        auto replicas = newObject();
        replicas->set("copies", static_cast<Poco::UInt64>(copies.size()));
        replicas->set("cutBySegment", merged.cut);
        replicas->set("cutByTimestamp", merged.cutByTime);
        Poco::JSON::Array::Ptr sources = new Poco::JSON::Array;
        for (std::size_t c = 0; c < copies.size(); ++c) {
            auto source = newObject();
            source->set("folder", copies[c].folder.string());
            source->set("file", copies[c].relative);
            Poco::JSON::Array::Ptr runs = new Poco::JSON::Array;
            double seconds = merged.cut || merged.cutByTime
                                 ? merged.plan.secondsByCopy[c]
                                 : (c == merged.source ? copies[c].coveredSeconds : 0.0);
            if (merged.cutByTime) {
                const double origin = merged.timeRuns.empty() ? 0.0 : merged.timeRuns.front().from;
                for (const auto& run : merged.timeRuns) {
                    if (run.copy == c) {
                        auto entry = newObject();
                        entry->set("offsetSeconds", rounded(run.from - origin));
                        entry->set("lengthSeconds", rounded(run.to - run.from));
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
                        auto entry = newObject();
                        entry->set("offsetSeconds", rounded(offset));
                        entry->set("lengthSeconds", rounded(run.seconds));
                        entry->set("firstSequence", run.firstSequence);
                        entry->set("lastSequence", run.lastSequence);
                        runs->add(entry);
                    }
                    offset += run.seconds;
                }
            }
            source->set("seconds", rounded(seconds));
            if (merged.cut || merged.cutByTime) {
                source->set("runs", runs);
            }
            sources->add(source);
        }
        replicas->set("sources", sources);
        if (merged.cut) {
            Poco::JSON::Array::Ptr gaps = new Poco::JSON::Array;
            double offset = 0;
            std::size_t run = 0;
            double covered = 0;
            for (const auto& r : merged.plan.runs) {
                covered += r.seconds;
            }
            for (const auto& g : merged.plan.gaps) {
                while (run < merged.plan.runs.size() &&
                       merged.plan.runs[run].firstSequence < g.firstSequence) {
                    offset += merged.plan.runs[run++].seconds;
                }
                auto entry = newObject();
                entry->set("offsetSeconds", rounded(offset));
                entry->set("lengthSeconds", rounded(g.seconds));
                entry->set("cause", std::string(kMissingEverywhere));
                entry->set("firstSequence", g.firstSequence);
                entry->set("lastSequence", g.lastSequence);
                gaps->add(entry);
                offset += g.seconds;
            }
            json->set("gaps", gaps);
            json->set("coveredSeconds", rounded(covered));
        }
        if (merged.cutByTime) {
            Poco::JSON::Array::Ptr gaps = new Poco::JSON::Array;
            const double origin = merged.timeRuns.empty() ? 0.0 : merged.timeRuns.front().from;
            double covered = 0;
            for (const auto& s : merged.plan.secondsByCopy) {
                covered += s;
            }
            for (const auto& g : merged.timeGaps) {
                auto entry = newObject();
                entry->set("offsetSeconds", rounded(g.from - origin));
                entry->set("lengthSeconds", rounded(g.to - g.from));
                entry->set("cause", std::string(kMissingEverywhere));
                gaps->add(entry);
            }
            json->set("gaps", gaps);
            json->set("coveredSeconds", rounded(covered));
        }
        json->set("replicas", replicas);
        Poco::JSON::Array::Ptr notes = new Poco::JSON::Array;
        if (const auto earlier = base.json->getArray("notes")) {
            for (std::size_t i = 0; i < earlier->size(); ++i) {
                notes->add(earlier->get(static_cast<unsigned>(i)));
            }
        }
        for (const auto& note : merged.notes) {
            notes->add(note);
        }
        if (copies.size() == 1) {
            notes->add(std::string("Only one folder holds this talk: the file is its copy."));
        }
        json->set("notes", notes);
        std::ostringstream out;
        json->stringify(out, 2);
        out << '\n';
        return out.str();
    };
    const auto published = Publisher().publish(parts, {0}, sidecar);
    parts.removeAll();
    merged.file = published.files.front();
    merged.sidecar = published.sidecar;
    merged.notes.insert(merged.notes.end(), published.notes.begin(), published.notes.end());
    return merged;
}

}  // namespace confcap::sink
