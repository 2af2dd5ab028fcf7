#include "confcap/sink/PartList.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "confcap/sink/GapJson.h"

namespace confcap::sink {

namespace {

using TimePoint = std::chrono::system_clock::time_point;
using std::chrono::milliseconds;

Poco::JSON::Object::Ptr partVariantJson(const core::VariantInfo& variant) {
    auto object = newJsonObject();
    object->set("width", variant.width);
    object->set("height", variant.height);
    object->set("bandwidth", variant.bandwidth);
    return object;
}

core::VariantInfo partVariantFrom(const Poco::JSON::Object::Ptr& object) {
    core::VariantInfo variant;
    if (object) {
        variant.width = object->optValue<int>("width", 0);
        variant.height = object->optValue<int>("height", 0);
        variant.bandwidth = object->optValue<std::int64_t>("bandwidth", 0);
    }
    return variant;
}

Poco::JSON::Array::Ptr variantsJson(const std::vector<RecordedSwitch>& switches) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& v : switches) {
        auto object = newJsonObject();
        object->set("atMs", epochMillis(v.at));
        object->set("from", partVariantJson(v.from));
        object->set("to", partVariantJson(v.to));
        object->set("why", v.why);
        array->add(object);
    }
    return array;
}

Poco::JSON::Object::Ptr trackJson(const PartTrack& track) {
    auto t = newJsonObject();
    t->set("track", track.track);
    t->set("file", track.file);
    t->set("extension", track.format.extension);
    t->set("concatSafe", track.format.concatSafe);
    if (track.track != 0) {
        t->set("name", track.name);
        t->set("language", track.language);
    }
    if (!track.segments.empty()) {
        t->set("segments", segmentsJson(track.segments));
    }
    return t;
}

PartTrack trackFrom(const Poco::JSON::Object& object) {
    PartTrack track;
    track.track = object.optValue<int>("track", 0);
    track.file = object.optValue<std::string>("file", "");
    track.format.extension = object.optValue<std::string>("extension", "");
    track.format.concatSafe = object.optValue<bool>("concatSafe", true);
    track.name = object.optValue<std::string>("name", "");
    track.language = object.optValue<std::string>("language", "");
    if (const auto segments = object.getArray("segments")) {
        track.segments = segmentsFrom(*segments);
    }
    return track;
}

Poco::JSON::Array::Ptr piecesJson(const std::vector<PartPiece>& pieces) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& piece : pieces) {
        auto entry = newJsonObject();
        entry->set("newTimeline", piece.newTimeline);
        Poco::JSON::Array::Ptr tracks = new Poco::JSON::Array;
        for (const auto& track : piece.tracks) {
            tracks->add(trackJson(track));
        }
        entry->set("tracks", tracks);
        array->add(entry);
    }
    return array;
}

std::vector<PartPiece> piecesFrom(const Poco::JSON::Array::Ptr& array) {
    std::vector<PartPiece> pieces;
    for (std::size_t i = 0; array && i < array->size(); ++i) {
        const auto entry = array->getObject(static_cast<unsigned>(i));
        if (!entry) {
            continue;
        }
        PartPiece piece;
        piece.newTimeline = entry->optValue<bool>("newTimeline", false);
        if (const auto tracks = entry->getArray("tracks")) {
            for (std::size_t t = 0; t < tracks->size(); ++t) {
                if (const auto track = tracks->getObject(static_cast<unsigned>(t))) {
                    piece.tracks.push_back(trackFrom(*track));
                }
            }
        } else {
            piece.tracks.push_back(trackFrom(*entry));  // a version 1 piece: one file
        }
        pieces.push_back(std::move(piece));
    }
    return pieces;
}

void setProgress(Poco::JSON::Object& object, const SinkStatus& progress) {
    object.set("coveredSeconds", std::round(progress.coveredSeconds * 1000.0) / 1000.0);
    object.set("measured", progress.measured);
    object.set("reconnects", progress.reconnects);
    object.set("droppedBytes", progress.droppedBytes);
    if (progress.diskFullEpisodes > 0) {
        object.set("diskFullMs", static_cast<std::int64_t>(progress.diskFullTime.count()));
        object.set("diskFullEpisodes", progress.diskFullEpisodes);
    }
    if (!progress.writeFailure.empty()) {
        object.set("writeFailure", progress.writeFailure);
    }
    Poco::JSON::Array::Ptr gaps = new Poco::JSON::Array;
    for (const auto& gap : progress.gaps) {
        gaps->add(gapJson(gap, GapTimes::Milliseconds));
    }
    object.set("gaps", gaps);
    if (!progress.variants.empty()) {
        object.set("variants", variantsJson(progress.variants));
    }
}

SinkStatus progressFrom(const Poco::JSON::Object& object, TimePoint windowStart) {
    SinkStatus progress;
    progress.coveredSeconds = object.optValue<double>("coveredSeconds", 0.0);
    progress.measured = object.optValue<bool>("measured", false);
    progress.reconnects = object.optValue<int>("reconnects", 0);
    progress.droppedBytes = object.optValue<std::uint64_t>("droppedBytes", 0);
    progress.diskFullTime = milliseconds(object.optValue<std::int64_t>("diskFullMs", 0));
    progress.diskFullEpisodes = object.optValue<int>("diskFullEpisodes", 0);
    progress.writeFailure = object.optValue<std::string>("writeFailure", "");
    if (const auto gaps = object.getArray("gaps")) {
        for (std::size_t i = 0; i < gaps->size(); ++i) {
            const auto gap = gaps->getObject(static_cast<unsigned>(i));
            if (!gap) {
                throw Poco::DataFormatException("a gap is not an object");
            }
            progress.gaps.push_back(gapFrom(*gap, GapTimes::Milliseconds, windowStart));
        }
    }
    if (const auto variants = object.getArray("variants")) {
        for (std::size_t i = 0; i < variants->size(); ++i) {
            const auto v = variants->getObject(static_cast<unsigned>(i));
            if (!v) {
                continue;
            }
            RecordedSwitch change;
            change.at = fromEpochMillis(v->optValue<std::int64_t>("atMs", 0));
            change.offset = std::chrono::duration_cast<milliseconds>(change.at - windowStart);
            change.from = partVariantFrom(v->getObject("from"));
            change.to = partVariantFrom(v->getObject("to"));
            change.why = v->optValue<std::string>("why", "");
            progress.variants.push_back(std::move(change));
        }
    }
    return progress;
}

Poco::JSON::Array::Ptr resumeJson(const std::vector<core::HlsResumePoint>& points) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& point : points) {
        auto r = newJsonObject();
        r->set("track", point.track);
        r->set("nextSequence", point.nextSequence);
        r->set("lastUri", point.lastUri);
        array->add(r);
    }
    return array;
}

std::vector<core::HlsResumePoint> resumeFrom(const Poco::JSON::Array& array) {
    std::vector<core::HlsResumePoint> points;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const auto r = array.getObject(static_cast<unsigned>(i));
        if (!r) {
            throw Poco::DataFormatException("a resume point is not an object");
        }
        points.push_back({r->optValue<int>("track", 0),
                          r->optValue<std::int64_t>("nextSequence", 0),
                          r->optValue<std::string>("lastUri", "")});
    }
    return points;
}

PartList listFrom(const Poco::JSON::Object& object) {
    PartList list;
    list.streamUrl = object.optValue<std::string>("streamUrl", "");
    list.windowStart = fromEpochMillis(object.optValue<std::int64_t>("windowStartMs", 0));
    list.windowEnd = fromEpochMillis(object.optValue<std::int64_t>("windowEndMs", 0));
    list.minBytes = object.optValue<std::uint64_t>("minBytes", 0);
    list.minDuration = std::chrono::seconds(object.optValue<std::int64_t>("minDurationSeconds", 0));
    if (const auto talk = object.getObject("talk")) {
        list.talk = talkMetadataFrom(*talk);
    }
    list.pieces = piecesFrom(object.getArray("pieces"));
    list.progress = progressFrom(object, list.windowStart);
    if (object.has("firstDataMs")) {
        list.firstData = fromEpochMillis(object.getValue<std::int64_t>("firstDataMs"));
    }
    if (object.has("lastDataMs")) {
        list.lastData = fromEpochMillis(object.getValue<std::int64_t>("lastDataMs"));
    }
    if (const auto notes = object.getArray("notes")) {
        for (std::size_t i = 0; i < notes->size(); ++i) {
            list.notes.push_back(notes->getElement<std::string>(static_cast<unsigned>(i)));
        }
    }
    list.logMark = object.optValue<std::string>("logMark", "");
    if (const auto resume = object.getArray("resume")) {
        list.resume = resumeFrom(*resume);
    }
    return list;
}

}  // namespace

Poco::JSON::Array::Ptr segmentsJson(const std::vector<SegmentMark>& segments) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& mark : segments) {
        Poco::JSON::Array::Ptr entry = new Poco::JSON::Array;
        entry->add(mark.sequence);
        entry->add(static_cast<Poco::UInt64>(mark.offset));
        entry->add(std::round(mark.seconds * 1000.0) / 1000.0);
        array->add(entry);
    }
    return array;
}

std::vector<SegmentMark> segmentsFrom(const Poco::JSON::Array& array) {
    std::vector<SegmentMark> segments;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const auto mark = array.getArray(static_cast<unsigned>(i));
        if (mark && mark->size() >= 3) {
            segments.push_back({mark->getElement<std::int64_t>(0),
                                mark->getElement<std::uint64_t>(1), mark->getElement<double>(2)});
        }
    }
    return segments;
}

std::string partListText(const PartList& list, const std::filesystem::path& stem) {
    auto object = newJsonObject();
    object->set("confcapPartSet", kPartListVersion);
    object->set("stem", stem.generic_string());
    object->set("streamUrl", list.streamUrl);
    object->set("windowStartMs", epochMillis(list.windowStart));
    object->set("windowEndMs", epochMillis(list.windowEnd));
    object->set("minBytes", list.minBytes);
    object->set("minDurationSeconds", static_cast<std::int64_t>(list.minDuration.count()));
    object->set("talk", toJson(list.talk));
    object->set("pieces", piecesJson(list.pieces));
    setProgress(*object, list.progress);
    if (list.firstData) {
        object->set("firstDataMs", epochMillis(*list.firstData));
    }
    if (list.lastData) {
        object->set("lastDataMs", epochMillis(*list.lastData));
    }
    Poco::JSON::Array::Ptr notes = new Poco::JSON::Array;
    for (const auto& note : list.notes) {
        notes->add(note);
    }
    object->set("notes", notes);
    object->set("resume", resumeJson(list.resume));
    if (!list.logMark.empty()) {
        object->set("logMark", list.logMark);
    }
    std::ostringstream text;
    // Compact: a long talk's list holds thousands of segment marks, and indenting them doubled
    // the cost of each save.
    object->stringify(text, 0);
    text << '\n';
    return text.str();
}

std::optional<PartList> partListFrom(std::string_view text) {
    try {
        Poco::JSON::Parser parser;
        const auto value = parser.parse(std::string(text));
        if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
            return std::nullopt;
        }
        const auto object = value.extract<Poco::JSON::Object::Ptr>();
        const int version = object->optValue<int>("confcapPartSet", 0);
        if (version < 1 || version > kPartListVersion) {
            return std::nullopt;
        }
        return listFrom(*object);
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument(e.displayText());
    }
}

std::string partLogText(const PartLogLine& line) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("mark", line.mark);
    o.set("file", line.file);
    o.set("track", line.track);
    if (line.segment) {
        o.set("segment", segmentsJson({*line.segment})->get(0));
    }
    if (line.resume) {
        o.set("nextSequence", line.resume->nextSequence);
        o.set("lastUri", line.resume->lastUri);
    }
    o.set("lastDataMs", epochMillis(line.lastData));
    o.set("coveredSeconds", roundedSeconds(line.coveredSeconds));
    o.set("measured", line.measured);
    return jsonLine(o);
}

std::optional<PartLogLine> partLogLineFrom(std::string_view text) {
    const auto object = objectOfLine(text);
    if (!object || !object->has("mark") || !object->has("file") || !object->has("lastDataMs")) {
        return std::nullopt;
    }
    try {
        PartLogLine line;
        line.mark = object->getValue<std::string>("mark");
        line.file = object->getValue<std::string>("file");
        line.track = object->optValue<int>("track", 0);
        if (const auto segment = object->getArray("segment")) {
            Poco::JSON::Array marks;
            marks.add(segment);
            if (const auto read = segmentsFrom(marks); !read.empty()) {
                line.segment = read.front();
            }
        }
        if (object->has("nextSequence")) {
            line.resume =
                core::HlsResumePoint{line.track, object->getValue<std::int64_t>("nextSequence"),
                                     object->optValue<std::string>("lastUri", "")};
        }
        line.lastData = fromEpochMillis(object->getValue<std::int64_t>("lastDataMs"));
        line.coveredSeconds = object->optValue<double>("coveredSeconds", 0);
        line.measured = object->optValue<bool>("measured", false);
        return line;
    } catch (const std::exception&) {
        return std::nullopt;  // a field of the wrong kind: written by something else
    }
}

bool applyLogLine(PartList& list, const PartLogLine& line) {
    if (list.logMark.empty() || line.mark != list.logMark || list.pieces.empty()) {
        return false;
    }
    auto& tracks = list.pieces.back().tracks;
    const auto track = std::find_if(tracks.begin(), tracks.end(), [&](const PartTrack& t) {
        return t.track == line.track && t.file == line.file;
    });
    if (track == tracks.end()) {
        return false;
    }
    if (line.segment) {
        track->segments.push_back(*line.segment);
    }
    if (line.resume) {
        std::erase_if(list.resume,
                      [&](const core::HlsResumePoint& p) { return p.track == line.track; });
        list.resume.push_back(*line.resume);
    }
    list.lastData = line.lastData;
    list.progress.coveredSeconds = line.coveredSeconds;
    list.progress.measured = line.measured;
    return true;
}

}  // namespace confcap::sink
