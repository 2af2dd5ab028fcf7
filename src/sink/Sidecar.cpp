#include "confcap/sink/Sidecar.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/core/Time.h"

namespace confcap::sink {

namespace {

using TimePoint = std::chrono::system_clock::time_point;
using std::chrono::milliseconds;

std::string utc(TimePoint t) {
    return core::formatUtc(std::chrono::floor<std::chrono::seconds>(t));
}

double rounded(double seconds) {
    return std::round(seconds * 1000.0) / 1000.0;
}

double toSeconds(milliseconds ms) {
    return static_cast<double>(ms.count()) / 1000.0;
}

Poco::JSON::Array::Ptr gapsJson(const std::vector<RecordedGap>& gaps) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& g : gaps) {
        Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        object->set("at", utc(g.at));
        object->set("offsetSeconds", toSeconds(g.offset));
        object->set("lengthSeconds", toSeconds(g.length));
        object->set("cause", g.cause);
        if (!g.detail.empty()) {
            object->set("detail", g.detail);
        }
        if (g.firstSequence) {
            object->set("firstSequence", *g.firstSequence);
        }
        if (g.lastSequence) {
            object->set("lastSequence", *g.lastSequence);
        }
        array->add(object);
    }
    return array;
}

// "1280x720 2.2 Mb/s" for people is in the log; here the figures: resolution and bit/s.
Poco::JSON::Object::Ptr variantJson(const core::VariantInfo& variant) {
    Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (variant.width > 0 && variant.height > 0) {
        object->set("resolution",
                    std::to_string(variant.width) + "x" + std::to_string(variant.height));
    }
    object->set("bandwidth", variant.bandwidth);
    return object;
}

Poco::JSON::Array::Ptr variantsJson(const std::vector<RecordedSwitch>& switches) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& v : switches) {
        Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        object->set("at", utc(v.at));
        object->set("offsetSeconds", toSeconds(v.offset));
        object->set("from", variantJson(v.from));
        object->set("to", variantJson(v.to));
        object->set("why", v.why);
        array->add(object);
    }
    return array;
}

}  // namespace

std::string sidecarText(const SidecarInput& input) {
    const SinkStatus& counters = input.counters;
    Poco::JSON::Object::Ptr sidecar = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    sidecar->set("talk", toJson(input.talk));
    sidecar->set("stream", input.streamUrl);
    Poco::JSON::Object::Ptr window = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    window->set("start", utc(input.windowStart));
    window->set("end", utc(input.windowEnd));
    sidecar->set("window", window);
    if (input.firstData) {
        // How promptly the recording began: the first byte's arrival after the window's start,
        // to the millisecond (negative: before it).
        sidecar->set("firstDataOffsetSeconds", toSeconds(std::chrono::duration_cast<milliseconds>(
                                                   *input.firstData - input.windowStart)));
    }
    Poco::JSON::Array::Ptr files = new Poco::JSON::Array;
    for (const auto& file : input.files) {
        files->add(file.lexically_relative(input.outDir).generic_string());
    }
    sidecar->set("file", files->getElement<std::string>(0));
    sidecar->set("files", files);
    Poco::JSON::Array::Ptr audio = new Poco::JSON::Array;
    for (const auto& piece : input.pieces) {
        for (std::size_t t = 1; t < piece.tracks.size(); ++t) {
            Poco::JSON::Object::Ptr rendition =
                new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            rendition->set("name", piece.tracks[t].name);
            rendition->set("language", piece.tracks[t].language);
            bool known = false;
            for (std::size_t i = 0; i < audio->size(); ++i) {
                known = known ||
                        audio->getObject(static_cast<unsigned>(i))->getValue<std::string>("name") ==
                            piece.tracks[t].name;
            }
            if (!known) {
                audio->add(rendition);
            }
        }
    }
    if (audio->size() > 0) {
        sidecar->set("audioRenditions", audio);
    }
    sidecar->set("bytes", counters.bytes);
    sidecar->set(
        "scheduledSeconds",
        rounded(std::chrono::duration<double>(input.windowEnd - input.windowStart).count()));
    sidecar->set("coveredSeconds", rounded(counters.coveredSeconds));
    // True when the covered time was read from the media's own timestamps.
    sidecar->set("coveredFromMedia", counters.measured);
    sidecar->set("gaps", gapsJson(counters.gaps));
    if (!counters.variants.empty()) {
        // HLS: the follower moved to another variant to fit its link (same file, same timeline).
        sidecar->set("variants", variantsJson(counters.variants));
    }
    if (!input.segments.empty()) {
        Poco::JSON::Array::Ptr segments = new Poco::JSON::Array;
        for (const auto& piece : input.segments) {
            Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            entry->set("piece", static_cast<Poco::UInt64>(piece.piece));
            entry->set("track", piece.track);
            entry->set("bytes", static_cast<Poco::UInt64>(piece.bytes));
            entry->set("list", segmentsJson(piece.list));
            segments->add(entry);
        }
        sidecar->set("segments", segments);
    }
    sidecar->set("reconnects", counters.reconnects);
    sidecar->set("pieces", static_cast<Poco::UInt64>(input.keptPieces));
    sidecar->set("merged", input.merged);
    // How the final file was finished: the container asked for, whether the talk's tags (and
    // how many chapters) went in, and why not when remuxing or tagging failed.
    Poco::JSON::Object::Ptr container = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    container->set("requested", std::string(toString(input.container)));
    container->set("format", input.files.front().extension().string().substr(
                                 input.files.front().has_extension() ? 1 : 0));
    container->set("tagged", input.tagged);
    container->set("chapters", static_cast<Poco::UInt64>(input.chapters));
    if (!input.finishError.empty()) {
        container->set("error", input.finishError);
    }
    sidecar->set("container", container);
    if (!input.nfo.empty()) {
        sidecar->set("nfo", input.nfo.lexically_relative(input.outDir).generic_string());
    }
    if (counters.droppedBytes > 0) {
        sidecar->set("droppedBytes", counters.droppedBytes);
    }
    if (counters.diskFullEpisodes > 0) {
        // How long the disk was full while the talk recorded; what that cost is in `gaps`.
        Poco::JSON::Object::Ptr full = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        full->set("episodes", counters.diskFullEpisodes);
        full->set("seconds", rounded(static_cast<double>(counters.diskFullTime.count()) / 1000.0));
        full->set("firstFailure", counters.writeFailure);
        sidecar->set("diskFull", full);
    }
    sidecar->set("outcome", std::string(core::toString(input.outcome)));
    sidecar->set("reason", input.reason);
    sidecar->set("finalizedBecause", input.finalizedBecause);
    Poco::JSON::Array::Ptr notes = new Poco::JSON::Array;
    for (const auto& note : input.notes) {
        notes->add(note);
    }
    sidecar->set("notes", notes);
    std::ostringstream out;
    sidecar->stringify(out, 2);
    out << '\n';
    return out.str();
}

namespace {

/// The sidecar's JSON object; throws core::OutputError naming the file.
Poco::JSON::Object::Ptr readSidecar(const std::filesystem::path& sidecar) {
    std::ifstream in(sidecar);
    if (!in) {
        throw core::OutputError("Cannot read the sidecar " + sidecar.string() + ".");
    }
    try {
        Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
        return parser.parse(in).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        throw core::OutputError("The sidecar " + sidecar.string() + " is not a JSON object.");
    }
}

}  // namespace

void amendSidecar(const std::filesystem::path& sidecar,
                  const std::vector<std::pair<std::string, Poco::Dynamic::Var>>& fields) {
    // The hook runner and the health checks amend the same file from their own threads: each
    // reads, changes and replaces it whole, one at a time, so neither loses the other's field.
    static std::mutex amending;
    std::lock_guard lock(amending);
    auto root = readSidecar(sidecar);
    for (const auto& [name, value] : fields) {
        root->set(name, value);
    }
    std::ostringstream text;
    root->stringify(text, 2);
    text << '\n';
    if (!core::replaceFile(sidecar, text.str())) {
        throw core::OutputError("Cannot replace the sidecar " + sidecar.string() + ": " +
                                std::strerror(errno) + ".");
    }
}

std::optional<core::Instant> sidecarFirstData(const std::filesystem::path& sidecar) {
    try {
        const auto root = readSidecar(sidecar);
        const auto window = root->getObject("window");
        if (window.isNull() || !window->has("start")) {
            return std::nullopt;
        }
        const auto start = core::parseIsoInstant(window->getValue<std::string>("start"));
        if (!start) {
            return std::nullopt;
        }
        const double offset = root->has("firstDataOffsetSeconds")
                                  ? root->getValue<double>("firstDataOffsetSeconds")
                                  : 0.0;
        return *start + core::Seconds(std::lround(offset));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace confcap::sink
