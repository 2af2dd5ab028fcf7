#include "confcap/sink/GapJson.h"

#include <cmath>
#include <string>

#include "confcap/core/Time.h"

namespace confcap::sink {

namespace {

using TimePoint = std::chrono::system_clock::time_point;
using std::chrono::milliseconds;

std::int64_t toMillis(TimePoint t) {
    return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

TimePoint fromMillis(std::int64_t ms) {
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(milliseconds(ms)));
}

double toSeconds(milliseconds ms) {
    return static_cast<double>(ms.count()) / 1000.0;
}

milliseconds fromSeconds(double seconds) {
    return milliseconds(std::llround(seconds * 1000.0));
}

}  // namespace

Poco::JSON::Object::Ptr gapJson(const RecordedGap& gap, GapTimes times) {
    Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (times == GapTimes::Milliseconds) {
        object->set("atMs", toMillis(gap.at));
        object->set("lengthMs", static_cast<std::int64_t>(gap.length.count()));
    } else {
        if (gap.at != TimePoint{}) {
            object->set("at", core::formatUtc(std::chrono::floor<std::chrono::seconds>(gap.at)));
        }
        object->set("offsetSeconds", toSeconds(gap.offset));
        object->set("lengthSeconds", toSeconds(gap.length));
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
        gap.at = fromMillis(object.optValue<std::int64_t>("atMs", 0));
        gap.offset = std::chrono::duration_cast<milliseconds>(gap.at - windowStart);
        gap.length = milliseconds(object.optValue<std::int64_t>("lengthMs", 0));
    } else {
        if (const auto at = core::parseIsoInstant(object.optValue<std::string>("at", ""))) {
            gap.at = *at;
        }
        gap.offset = fromSeconds(object.optValue<double>("offsetSeconds", 0.0));
        gap.length = fromSeconds(object.optValue<double>("lengthSeconds", 0.0));
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
