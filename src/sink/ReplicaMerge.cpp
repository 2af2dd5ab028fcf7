#include "confcap/sink/ReplicaMerge.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/sink/Publisher.h"

namespace confcap::sink {

namespace {

constexpr char kTsSync = 0x47;
constexpr std::size_t kCopyBuffer = 1 << 20;
constexpr const char* kMissingEverywhere = "missing in every copy";

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
        if (copy.key.empty() || copy.relative.empty() ||
            copy.relative.find("..") != std::string::npos || copy.relative.front() == '/') {
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
        Poco::JSON::Array::Ptr sources = new Poco::JSON::Array;
        for (std::size_t c = 0; c < copies.size(); ++c) {
            auto source = newObject();
            source->set("folder", copies[c].folder.string());
            source->set("file", copies[c].relative);
            Poco::JSON::Array::Ptr runs = new Poco::JSON::Array;
            double seconds = merged.cut ? merged.plan.secondsByCopy[c]
                                        : (c == merged.source ? copies[c].coveredSeconds : 0.0);
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
            if (merged.cut) {
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
