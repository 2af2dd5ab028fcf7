#include "confcap/sink/Sidecar.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/sink/GapJson.h"

namespace confcap::sink {

namespace {

using TimePoint = std::chrono::system_clock::time_point;
using std::chrono::milliseconds;

/// The fields a Sidecar holds as values; any other is one of its `others`.
constexpr std::string_view kKnown[] = {"version",
                                       "talk",
                                       "stream",
                                       "window",
                                       "firstDataOffsetSeconds",
                                       "file",
                                       "files",
                                       "fileCheck",
                                       "audioRenditions",
                                       "bytes",
                                       "scheduledSeconds",
                                       "coveredSeconds",
                                       "coveredFromMedia",
                                       "gaps",
                                       "variants",
                                       "segments",
                                       "reconnects",
                                       "pieces",
                                       "merged",
                                       "container",
                                       "nfo",
                                       "droppedBytes",
                                       "diskFull",
                                       "outcome",
                                       "reason",
                                       "finalizedBecause",
                                       "notes"};

bool known(const std::string& name) {
    return std::find(std::begin(kKnown), std::end(kKnown), name) != std::end(kKnown);
}

// "1280x720 2.2 Mb/s" for people is in the log; here the figures: resolution and bit/s.
Poco::JSON::Object::Ptr variantJson(const core::VariantInfo& variant) {
    auto object = newJsonObject();
    if (variant.width > 0 && variant.height > 0) {
        object->set("resolution",
                    std::to_string(variant.width) + "x" + std::to_string(variant.height));
    }
    object->set("bandwidth", variant.bandwidth);
    return object;
}

core::VariantInfo variantFrom(const Poco::JSON::Object::Ptr& object) {
    core::VariantInfo variant;
    if (!object) {
        return variant;
    }
    const auto resolution = object->optValue<std::string>("resolution", "");
    if (const auto x = resolution.find('x'); x != std::string::npos) {
        variant.width = std::atoi(resolution.substr(0, x).c_str());
        variant.height = std::atoi(resolution.substr(x + 1).c_str());
    }
    variant.bandwidth = object->optValue<std::int64_t>("bandwidth", 0);
    return variant;
}

Poco::JSON::Object::Ptr switchJson(const RecordedSwitch& v) {
    auto object = newJsonObject();
    object->set("at", core::formatUtc(std::chrono::floor<std::chrono::seconds>(v.at)));
    object->set("offsetSeconds", secondsOf(v.offset));
    object->set("from", variantJson(v.from));
    object->set("to", variantJson(v.to));
    object->set("why", v.why);
    return object;
}

RecordedSwitch switchFrom(const Poco::JSON::Object& object) {
    RecordedSwitch change;
    if (const auto at = core::parseIsoInstant(object.optValue<std::string>("at", ""))) {
        change.at = *at;
    }
    change.offset = lengthOf(object.optValue<double>("offsetSeconds", 0.0));
    change.from = variantFrom(object.getObject("from"));
    change.to = variantFrom(object.getObject("to"));
    change.why = object.optValue<std::string>("why", "");
    return change;
}

Poco::JSON::Object::Ptr segmentsEntry(const SidecarSegments& piece) {
    auto entry = newJsonObject();
    entry->set("piece", static_cast<Poco::UInt64>(piece.piece));
    entry->set("track", piece.track);
    entry->set("bytes", static_cast<Poco::UInt64>(piece.bytes));
    entry->set("list", segmentsJson(piece.list));
    return entry;
}

SidecarSegments segmentsEntryFrom(const Poco::JSON::Object& object) {
    SidecarSegments piece;
    piece.piece = static_cast<std::size_t>(object.optValue<std::uint64_t>("piece", 0));
    piece.track = object.optValue<int>("track", 0);
    piece.bytes = object.optValue<std::uint64_t>("bytes", 0);
    if (const auto list = object.getArray("list")) {
        piece.list = segmentsFrom(*list);
    }
    return piece;
}

Poco::JSON::Object::Ptr containerJson(const SidecarContainer& container) {
    auto object = newJsonObject();
    object->set("requested", container.requested);
    object->set("format", container.format);
    object->set("tagged", container.tagged);
    object->set("chapters", static_cast<Poco::UInt64>(container.chapters));
    if (!container.error.empty()) {
        object->set("error", container.error);
    }
    return object;
}

SidecarContainer containerFrom(const Poco::JSON::Object& object) {
    SidecarContainer container;
    container.requested = object.optValue<std::string>("requested", "");
    container.format = object.optValue<std::string>("format", "");
    container.tagged = object.optValue<bool>("tagged", false);
    container.chapters = object.optValue<std::uint64_t>("chapters", 0);
    container.error = object.optValue<std::string>("error", "");
    return container;
}

template <typename T, typename Write>
Poco::JSON::Array::Ptr arrayOf(const std::vector<T>& items, Write write) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& item : items) {
        array->add(write(item));
    }
    return array;
}

/// Each object in the array `name` of `object`, read by `read`; entries that are not objects
/// are left out.
template <typename Read>
auto objectsIn(const Poco::JSON::Object& object, const std::string& name, Read read) {
    std::vector<decltype(read(std::declval<const Poco::JSON::Object&>()))> items;
    if (const auto array = object.getArray(name)) {
        for (std::size_t i = 0; i < array->size(); ++i) {
            if (const auto entry = array->getObject(static_cast<unsigned>(i))) {
                items.push_back(read(*entry));
            }
        }
    }
    return items;
}

std::vector<std::string> textsIn(const Poco::JSON::Object& object, const std::string& name) {
    std::vector<std::string> texts;
    if (const auto array = object.getArray(name)) {
        for (std::size_t i = 0; i < array->size(); ++i) {
            texts.push_back(array->getElement<std::string>(static_cast<unsigned>(i)));
        }
    }
    return texts;
}

std::optional<core::Instant> instantIn(const Poco::JSON::Object::Ptr& object, const char* name) {
    return object ? core::parseIsoInstant(object->optValue<std::string>(name, "")) : std::nullopt;
}

void setRecording(Poco::JSON::Object& json, const Sidecar& sidecar) {
    json.set("bytes", sidecar.bytes);
    json.set("scheduledSeconds", sidecar.scheduledSeconds);
    json.set("coveredSeconds", sidecar.coveredSeconds);
    json.set("coveredFromMedia", sidecar.coveredFromMedia);
    json.set("gaps", arrayOf(sidecar.gaps, [](const RecordedGap& gap) {
                 return gapJson(gap, GapTimes::Seconds);
             }));
    if (!sidecar.variants.empty()) {
        json.set("variants", arrayOf(sidecar.variants, switchJson));
    }
    if (!sidecar.segments.empty()) {
        json.set("segments", arrayOf(sidecar.segments, segmentsEntry));
    }
    json.set("reconnects", sidecar.reconnects);
    json.set("pieces", static_cast<Poco::UInt64>(sidecar.pieces));
    json.set("merged", sidecar.merged);
    json.set("container", containerJson(sidecar.container));
    if (!sidecar.nfo.empty()) {
        json.set("nfo", sidecar.nfo);
    }
    if (sidecar.droppedBytes > 0) {
        json.set("droppedBytes", sidecar.droppedBytes);
    }
    if (sidecar.diskFull) {
        auto full = newJsonObject();
        full->set("episodes", sidecar.diskFull->episodes);
        full->set("seconds", sidecar.diskFull->seconds);
        full->set("firstFailure", sidecar.diskFull->firstFailure);
        json.set("diskFull", full);
    }
}

void readRecording(const Poco::JSON::Object& json, Sidecar& sidecar) {
    sidecar.bytes = json.optValue<std::uint64_t>("bytes", 0);
    sidecar.scheduledSeconds = json.optValue<double>("scheduledSeconds", 0.0);
    sidecar.coveredSeconds = json.optValue<double>("coveredSeconds", 0.0);
    sidecar.coveredFromMedia = json.optValue<bool>("coveredFromMedia", false);
    sidecar.gaps = objectsIn(json, "gaps", [](const Poco::JSON::Object& gap) {
        return gapFrom(gap, GapTimes::Seconds, {});
    });
    sidecar.variants = objectsIn(json, "variants", switchFrom);
    sidecar.segments = objectsIn(json, "segments", segmentsEntryFrom);
    sidecar.reconnects = json.optValue<int>("reconnects", 0);
    sidecar.pieces = json.optValue<std::uint64_t>("pieces", 0);
    sidecar.merged = json.optValue<bool>("merged", false);
    if (const auto container = json.getObject("container")) {
        sidecar.container = containerFrom(*container);
    }
    sidecar.nfo = json.optValue<std::string>("nfo", "");
    sidecar.droppedBytes = json.optValue<std::uint64_t>("droppedBytes", 0);
    if (const auto full = json.getObject("diskFull")) {
        sidecar.diskFull = SidecarDiskFull{full->optValue<int>("episodes", 0),
                                           full->optValue<double>("seconds", 0.0),
                                           full->optValue<std::string>("firstFailure", "")};
    }
}

Poco::JSON::Object::Ptr parseObject(std::istream& in) {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    const auto value = parser.parse(in);
    if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
        return nullptr;
    }
    return value.extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

std::optional<core::Instant> Sidecar::firstData() const {
    if (!windowStart || !firstDataOffset) {
        return std::nullopt;
    }
    return *windowStart + core::Seconds(std::lround(secondsOf(*firstDataOffset)));
}

void Sidecar::amend(const std::vector<std::pair<std::string, Poco::Dynamic::Var>>& fields) {
    auto json = toJson(*this);
    for (const auto& [name, value] : fields) {
        json->set(name, value);
    }
    *this = sidecarFrom(*json);
}

Poco::JSON::Object::Ptr toJson(const Sidecar& sidecar) {
    auto json = newJsonObject();
    json->set("version", Sidecar::kVersion);
    json->set("talk", toJson(sidecar.talk));
    json->set("stream", sidecar.stream);
    if (sidecar.windowStart || sidecar.windowEnd) {
        auto window = newJsonObject();
        if (sidecar.windowStart) {
            window->set("start", core::formatUtc(*sidecar.windowStart));
        }
        if (sidecar.windowEnd) {
            window->set("end", core::formatUtc(*sidecar.windowEnd));
        }
        json->set("window", window);
    }
    if (sidecar.firstDataOffset) {
        json->set("firstDataOffsetSeconds", secondsOf(*sidecar.firstDataOffset));
    }
    if (!sidecar.files.empty()) {
        json->set("file", sidecar.files.front());
        json->set("files", arrayOf(sidecar.files, [](const std::string& f) { return f; }));
    }
    if (sidecar.fileCheck) {
        auto check = newJsonObject();
        check->set("bytes", static_cast<Poco::UInt64>(sidecar.fileCheck->bytes));
        check->set(std::string(hashName(sidecar.fileCheck->hash)), sidecar.fileCheck->digest);
        json->set("fileCheck", check);
    }
    if (!sidecar.audioRenditions.empty()) {
        json->set("audioRenditions",
                  arrayOf(sidecar.audioRenditions, [](const SidecarRendition& rendition) {
                      auto object = newJsonObject();
                      object->set("name", rendition.name);
                      object->set("language", rendition.language);
                      return object;
                  }));
    }
    setRecording(*json, sidecar);
    json->set("outcome", sidecar.outcome);
    json->set("reason", sidecar.reason);
    json->set("finalizedBecause", sidecar.finalizedBecause);
    json->set("notes", arrayOf(sidecar.notes, [](const std::string& note) { return note; }));
    for (const auto& [name, value] : sidecar.others) {
        json->set(name, value);
    }
    return json;
}

Sidecar sidecarFrom(const Poco::JSON::Object& json) {
    Sidecar sidecar;
    if (const auto talk = json.getObject("talk")) {
        sidecar.talk = talkMetadataFrom(*talk);
    }
    sidecar.stream = json.optValue<std::string>("stream", "");
    const auto window = json.getObject("window");
    sidecar.windowStart = instantIn(window, "start");
    sidecar.windowEnd = instantIn(window, "end");
    if (json.has("firstDataOffsetSeconds")) {
        sidecar.firstDataOffset = lengthOf(json.getValue<double>("firstDataOffsetSeconds"));
    }
    sidecar.files = textsIn(json, "files");
    if (sidecar.files.empty() && json.has("file")) {
        sidecar.files.push_back(json.getValue<std::string>("file"));
    }
    if (const auto check = json.getObject("fileCheck")) {
        for (const auto hash : {FileCheck::Hash::Xxh128, FileCheck::Hash::Sha256}) {
            const std::string name(hashName(hash));
            if (check->has(name)) {
                sidecar.fileCheck = FileCheck{check->getValue<Poco::UInt64>("bytes"), hash,
                                              check->getValue<std::string>(name)};
                break;
            }
        }
    }
    sidecar.audioRenditions =
        objectsIn(json, "audioRenditions", [](const Poco::JSON::Object& rendition) {
            return SidecarRendition{rendition.optValue<std::string>("name", ""),
                                    rendition.optValue<std::string>("language", "")};
        });
    readRecording(json, sidecar);
    sidecar.outcome = json.optValue<std::string>("outcome", "");
    sidecar.reason = json.optValue<std::string>("reason", "");
    sidecar.finalizedBecause = json.optValue<std::string>("finalizedBecause", "");
    sidecar.notes = textsIn(json, "notes");
    for (const auto& name : json.getNames()) {
        if (!known(name)) {
            sidecar.others.emplace_back(name, json.get(name));
        }
    }
    return sidecar;
}

std::string sidecarText(const Sidecar& sidecar) {
    std::ostringstream out;
    toJson(sidecar)->stringify(out, 2);
    out << '\n';
    return out.str();
}

Sidecar readSidecar(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        throw core::OutputError("Cannot read the sidecar " + path.string() + ".");
    }
    Poco::JSON::Object::Ptr json;
    try {
        json = parseObject(in);
    } catch (const Poco::Exception&) {
    }
    if (!json) {
        throw core::OutputError("The sidecar " + path.string() + " is not a JSON object.");
    }
    try {
        return sidecarFrom(*json);
    } catch (const Poco::Exception& e) {
        throw core::OutputError("The sidecar " + path.string() + " is damaged (" + e.displayText() +
                                ").");
    }
}

std::optional<Sidecar> sidecarIn(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        throw core::OutputError("Cannot read the sidecar " + path.string() + ".");
    }
    try {
        const auto json = parseObject(in);
        if (!json || !json->isObject("talk") || !json->has("outcome")) {
            return std::nullopt;
        }
        return sidecarFrom(*json);
    } catch (const Poco::Exception& e) {
        throw core::OutputError("The sidecar " + path.string() + " is damaged (" + e.displayText() +
                                ").");
    }
}

void amendSidecar(const std::filesystem::path& sidecar,
                  const std::vector<std::pair<std::string, Poco::Dynamic::Var>>& fields) {
    // The hook runner and the health checks amend the same file from their own threads: each
    // reads, changes and replaces it whole, one at a time, so neither loses the other's field.
    static std::mutex amending;
    std::lock_guard lock(amending);
    auto document = readSidecar(sidecar);
    try {
        document.amend(fields);
    } catch (const Poco::Exception& e) {
        throw core::OutputError("Cannot amend the sidecar " + sidecar.string() + ": " +
                                e.displayText() + ".");
    }
    if (!core::replaceFile(sidecar, sidecarText(document))) {
        throw core::OutputError("Cannot replace the sidecar " + sidecar.string() + ": " +
                                std::strerror(errno) + ".");
    }
}

std::optional<core::Instant> sidecarFirstData(const std::filesystem::path& sidecar) {
    try {
        const auto document = readSidecar(sidecar);
        return document.firstData() ? document.firstData() : document.windowStart;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace confcap::sink
