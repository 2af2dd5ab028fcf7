#include "confcap/sink/TapeIndex.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <fstream>
#include <system_error>

#include "confcap/core/Error.h"
#include "confcap/sink/GapJson.h"

namespace confcap::sink {

namespace {

using std::chrono::milliseconds;
using Time = std::chrono::system_clock::time_point;

// A length in milliseconds no longer than a tape can be (a year).
milliseconds lengthFrom(Poco::Int64 ms) {
    if (ms < 0 || ms > Poco::Int64{366} * 24 * 3600 * 1000) {
        throw Poco::DataException("a length out of range");
    }
    return milliseconds(ms);
}

const char* kindName(core::ChunkKind kind) {
    switch (kind) {
        case core::ChunkKind::SegmentStart:
            return "segment";
        case core::ChunkKind::Init:
            return "init";
        case core::ChunkKind::Media:
            break;
    }
    return "media";
}

core::ChunkKind kindFrom(const std::string& name) {
    if (name == "segment") {
        return core::ChunkKind::SegmentStart;
    }
    return name == "init" ? core::ChunkKind::Init : core::ChunkKind::Media;
}

void setFormat(Poco::JSON::Object& o, const core::StreamFormat& format) {
    o.set("format", format.extension);
    o.set("concatSafe", format.concatSafe);
}

core::StreamFormat formatFrom(const Poco::JSON::Object& o) {
    core::StreamFormat format;
    format.extension = o.getValue<std::string>("format");
    format.concatSafe = o.optValue<bool>("concatSafe", true);
    return format;
}

template <typename T>
std::optional<T> optional(const Poco::JSON::Object& o, const std::string& key) {
    if (!o.has(key) || o.isNull(key)) {
        return std::nullopt;
    }
    return o.getValue<T>(key);
}

void setVariant(Poco::JSON::Object& o, const std::string& key, const core::VariantInfo& v) {
    Poco::JSON::Object::Ptr variant = new Poco::JSON::Object;
    variant->set("width", v.width);
    variant->set("height", v.height);
    variant->set("bandwidth", v.bandwidth);
    o.set(key, variant);
}

core::VariantInfo variantFrom(const Poco::JSON::Object& o, const std::string& key) {
    core::VariantInfo v;
    if (const auto variant = o.getObject(key)) {
        v.width = variant->optValue<int>("width", 0);
        v.height = variant->optValue<int>("height", 0);
        v.bandwidth = variant->optValue<Poco::Int64>("bandwidth", 0);
    }
    return v;
}

// Fills `o` with what `what` holds, keyed by its kind ("piece", "track", "chunk", ...).
struct LineOf {
    Poco::JSON::Object& o;

    void operator()(const TapePiece& p) const {
        o.set("piece", p.id);
        setFormat(o, p.format);
        o.set("newTimeline", p.newTimeline);
    }
    void operator()(const TapeTrack& t) const {
        o.set("track", t.track.index);
        o.set("name", t.track.name);
        o.set("language", t.track.language);
        setFormat(o, t.format);
    }
    void operator()(const TapeChunk& c) const {
        o.set("chunk", kindName(c.kind));
        o.set("track", c.track);
        o.set("offset", static_cast<Poco::UInt64>(c.offset));
        o.set("length", static_cast<Poco::UInt64>(c.length));
        if (!c.file.empty()) {
            o.set("file", c.file);
        }
        if (c.mediaSeconds > 0) {
            o.set("seconds", c.mediaSeconds);
        }
        if (c.sequence) {
            o.set("sequence", *c.sequence);
        }
        if (!c.uri.empty()) {
            o.set("uri", c.uri);
        }
        if (c.endsAt) {
            o.set("endsAt", epochMillis(*c.endsAt));
        }
    }
    void operator()(const TapeGap& g) const {
        o.set("gap", g.gap.cause);
        o.set("from", epochMillis(g.gap.at));
        o.set("length", static_cast<Poco::Int64>(g.gap.length.count()));
        if (!g.gap.detail.empty()) {
            o.set("detail", g.gap.detail);
        }
        if (g.gap.firstSequence) {
            o.set("firstSequence", *g.gap.firstSequence);
        }
        if (g.gap.lastSequence) {
            o.set("lastSequence", *g.gap.lastSequence);
        }
    }
    void operator()(const TapeReconnect&) const { o.set("reconnected", true); }
    void operator()(const TapeVariant& v) const {
        o.set("variant", v.change.why);
        o.set("from", epochMillis(v.change.at));
        setVariant(o, "was", v.change.from);
        setVariant(o, "now", v.change.to);
        if (v.change.sequence) {
            o.set("sequence", *v.change.sequence);
        }
    }
};

TapeEvent eventFrom(const Poco::JSON::Object& o) {
    TapeEvent event;
    event.at = fromEpochMillis(o.getValue<Poco::Int64>("at"));
    if (o.has("piece")) {
        TapePiece p;
        p.id = o.getValue<std::string>("piece");
        p.format = formatFrom(o);
        p.newTimeline = o.optValue<bool>("newTimeline", false);
        event.what = p;
    } else if (o.has("chunk")) {
        TapeChunk c;
        c.kind = kindFrom(o.getValue<std::string>("chunk"));
        c.track = o.optValue<int>("track", 0);
        c.offset = o.getValue<Poco::UInt64>("offset");
        c.length = o.getValue<Poco::UInt64>("length");
        c.file = o.optValue<std::string>("file", "");
        if (c.file.find('/') != std::string::npos || c.file == "." || c.file == "..") {
            throw Poco::DataException("a shared file outside the tape's folder");
        }
        c.mediaSeconds = o.optValue<double>("seconds", 0);
        if (!(c.mediaSeconds >= 0 && c.mediaSeconds <= 86'400)) {
            throw Poco::DataException("a segment length out of range");
        }
        c.sequence = optional<Poco::Int64>(o, "sequence");
        c.uri = o.optValue<std::string>("uri", "");
        if (const auto ends = optional<Poco::Int64>(o, "endsAt")) {
            c.endsAt = fromEpochMillis(*ends);
        }
        event.what = c;
    } else if (o.has("track")) {
        TapeTrack t;
        t.track.index = o.getValue<int>("track");
        t.track.name = o.optValue<std::string>("name", "");
        t.track.language = o.optValue<std::string>("language", "");
        t.format = formatFrom(o);
        event.what = t;
    } else if (o.has("gap")) {
        TapeGap g;
        g.gap.cause = o.getValue<std::string>("gap");
        g.gap.at = fromEpochMillis(o.getValue<Poco::Int64>("from"));
        g.gap.length = lengthFrom(o.getValue<Poco::Int64>("length"));
        g.gap.detail = o.optValue<std::string>("detail", "");
        g.gap.firstSequence = optional<Poco::Int64>(o, "firstSequence");
        g.gap.lastSequence = optional<Poco::Int64>(o, "lastSequence");
        event.what = g;
    } else if (o.has("reconnected")) {
        event.what = TapeReconnect{};
    } else if (o.has("variant")) {
        TapeVariant v;
        v.change.why = o.getValue<std::string>("variant");
        v.change.at = fromEpochMillis(o.getValue<Poco::Int64>("from"));
        v.change.from = variantFrom(o, "was");
        v.change.to = variantFrom(o, "now");
        v.change.sequence = optional<Poco::Int64>(o, "sequence");
        event.what = v;
    } else {
        throw Poco::DataException("not a tape event");
    }
    return event;
}

}  // namespace

Time TapeChunk::mediaStart(Time at) const {
    if (!endsAt) {
        return at;
    }
    return *endsAt - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                         std::chrono::duration<double>(mediaSeconds));
}

Time TapeChunk::mediaEnd(Time at) const {
    return endsAt ? *endsAt : at;
}

std::string tapeLine(const TapeEvent& event) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("at", epochMillis(event.at));
    std::visit(LineOf{o}, event.what);
    return jsonLine(o);
}

std::optional<TapeEvent> tapeEventFrom(std::string_view line) {
    const auto object = objectOfLine(line);
    if (!object) {
        return std::nullopt;
    }
    try {
        return eventFrom(*object);
    } catch (const std::exception&) {
        return std::nullopt;  // a field of the wrong kind: written by something else
    }
}

namespace {

// The index files in the tape folder `folder`, in the order their pieces began.
std::vector<std::filesystem::path> indexFiles(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> indexes;
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error)) {
        return indexes;
    }
    std::filesystem::directory_iterator it(folder, error);
    if (error) {
        throw core::OutputError("Cannot read the tape folder " + folder.string() + ": " +
                                error.message() + ".");
    }
    for (const auto& entry : it) {
        if (entry.path().extension() == ".idx") {
            indexes.push_back(entry.path());
        }
    }
    std::sort(indexes.begin(), indexes.end());
    return indexes;
}

// The last line of `in` (whose size is `size`) that reads as an event: index lines are short, so
// the last 64 KiB hold it unless nothing there does.
std::optional<TapeEvent> lastEvent(std::ifstream& in, std::uint64_t size) {
    constexpr std::uint64_t kTail = 64 * 1024;
    const auto start = size > kTail ? size - kTail : 0;
    std::string tail(size - start, '\0');
    in.clear();
    in.seekg(static_cast<std::streamoff>(start));
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    tail.resize(static_cast<std::size_t>(in.gcount()));
    auto end = tail.size();
    while (end > 0) {
        const auto newline = tail.rfind('\n', end - 1);
        const auto begin = newline == std::string::npos ? 0 : newline + 1;
        if (begin == 0 && start > 0) {
            break;  // the tail's first line may be cut off
        }
        if (auto event = tapeEventFrom(std::string_view(tail).substr(begin, end - begin))) {
            return event;
        }
        if (newline == std::string::npos) {
            break;
        }
        end = newline;
    }
    return std::nullopt;
}

}  // namespace

std::vector<TapeFile> readTape(const std::filesystem::path& folder) {
    std::vector<TapeFile> files;
    for (const auto& index : indexFiles(folder)) {
        TapeFile file;
        file.index = index;
        std::ifstream in(index, std::ios::binary);
        std::string line;
        while (std::getline(in, line)) {
            if (auto event = tapeEventFrom(line)) {
                file.events.push_back(std::move(*event));
            }
        }
        if (file.events.empty() || !std::holds_alternative<TapePiece>(file.events.front().what)) {
            continue;
        }
        file.first = file.events.front().at;
        file.last = file.events.back().at;
        files.push_back(std::move(file));
    }
    return files;
}

std::vector<TapeFile> readTapeBounds(const std::filesystem::path& folder) {
    std::vector<TapeFile> files;
    for (const auto& index : indexFiles(folder)) {
        std::error_code error;
        const auto size = std::filesystem::file_size(index, error);
        std::ifstream in(index, std::ios::binary);
        std::string line;
        if (error || !std::getline(in, line)) {
            continue;
        }
        const auto first = tapeEventFrom(line);
        if (!first || !std::holds_alternative<TapePiece>(first->what)) {
            continue;
        }
        TapeFile file;
        file.index = index;
        file.first = first->at;
        const auto last = lastEvent(in, size);
        file.last = last ? std::max(last->at, first->at) : first->at;
        files.push_back(std::move(file));
    }
    return files;
}

std::filesystem::path tapeTrackFile(const std::filesystem::path& folder, const TapePiece& piece,
                                    int track, const core::StreamFormat& format) {
    return folder / (piece.id + "-t" + std::to_string(track) + "." + format.extension);
}

}  // namespace confcap::sink
