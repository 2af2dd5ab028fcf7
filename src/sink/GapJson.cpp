#include "confcap/sink/GapJson.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include <cmath>
#include <exception>
#include <sstream>
#include <string>

#include "confcap/core/Time.h"

namespace confcap::sink {

using TimePoint = std::chrono::system_clock::time_point;

Poco::JSON::Object::Ptr newJsonObject() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string jsonLine(const Poco::JSON::Object& object) {
    std::ostringstream out;
    object.stringify(out, 0);
    out << '\n';
    return out.str();
}

Poco::JSON::Object::Ptr objectOfLine(std::string_view line) noexcept {
    try {
        Poco::JSON::Parser parser;
        const auto value = parser.parse(std::string(line));
        return value.type() == typeid(Poco::JSON::Object::Ptr)
                   ? value.extract<Poco::JSON::Object::Ptr>()
                   : Poco::JSON::Object::Ptr();
    } catch (const std::exception&) {
        return {};
    }
}

std::int64_t epochMillis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint fromEpochMillis(std::int64_t ms) {
    constexpr std::int64_t kLimit = 7'258'118'400'000;  // 2200-01-01
    if (ms < -kLimit || ms > kLimit) {
        throw Poco::DataException("a time out of range");
    }
    return TimePoint(
        std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

double secondsOf(std::chrono::milliseconds length) {
    return static_cast<double>(length.count()) / 1000.0;
}

std::chrono::milliseconds lengthOf(double seconds) {
    return std::chrono::milliseconds(std::llround(seconds * 1000.0));
}

double roundedSeconds(double seconds) {
    return std::round(seconds * 1000.0) / 1000.0;
}

Poco::JSON::Object::Ptr gapJson(const RecordedGap& gap, GapTimes times) {
    Poco::JSON::Object::Ptr object = newJsonObject();
    if (times == GapTimes::Milliseconds) {
        object->set("atMs", epochMillis(gap.at));
        object->set("lengthMs", static_cast<std::int64_t>(gap.length.count()));
    } else {
        if (gap.at != TimePoint{}) {
            object->set("at", core::formatUtc(std::chrono::floor<std::chrono::seconds>(gap.at)));
        }
        object->set("offsetSeconds", secondsOf(gap.offset));
        object->set("lengthSeconds", secondsOf(gap.length));
    }
    object->set("cause", gap.cause);
    if (!gap.detail.empty()) {
        object->set("detail", gap.detail);
    }
    if (gap.firstSequence) {
        object->set("firstSequence", *gap.firstSequence);
    }
    if (gap.lastSequence) {
        object->set("lastSequence", *gap.lastSequence);
    }
    return object;
}

RecordedGap gapFrom(const Poco::JSON::Object& object, GapTimes times, TimePoint windowStart) {
    RecordedGap gap;
    if (times == GapTimes::Milliseconds) {
        gap.at = fromEpochMillis(object.optValue<std::int64_t>("atMs", 0));
        gap.offset = std::chrono::duration_cast<std::chrono::milliseconds>(gap.at - windowStart);
        gap.length = std::chrono::milliseconds(object.optValue<std::int64_t>("lengthMs", 0));
    } else {
        if (const auto at = core::parseIsoInstant(object.optValue<std::string>("at", ""))) {
            gap.at = *at;
        }
        gap.offset = lengthOf(object.optValue<double>("offsetSeconds", 0.0));
        gap.length = lengthOf(object.optValue<double>("lengthSeconds", 0.0));
    }
    gap.cause = object.optValue<std::string>("cause", "");
    gap.detail = object.optValue<std::string>("detail", "");
    if (object.has("firstSequence")) {
        gap.firstSequence = object.getValue<std::int64_t>("firstSequence");
    }
    if (object.has("lastSequence")) {
        gap.lastSequence = object.getValue<std::int64_t>("lastSequence");
    }
    return gap;
}

}  // namespace confcap::sink
