#include "confcap/health/ContentHealth.h"

#include <cmath>

namespace confcap::health {

namespace {

double tenths(double seconds) {
    return std::round(seconds * 10.0) / 10.0;
}

Poco::JSON::Object::Ptr troubleJson(const Trouble& trouble) {
    Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    object->set("seconds", tenths(trouble.seconds));
    if (trouble.longest) {
        Poco::JSON::Object::Ptr longest = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        longest->set("offsetSeconds", tenths(trouble.longest->offsetSeconds));
        longest->set("seconds", tenths(trouble.longest->seconds));
        object->set("longest", longest);
    }
    return object;
}

}  // namespace

Poco::JSON::Object::Ptr toJson(const ContentHealth& health) {
    Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    object->set("analysedSeconds", tenths(health.analysedSeconds));
    object->set("video", health.hasVideo);
    object->set("audio", health.hasAudio);
    if (health.hasAudio) {
        object->set("silence", troubleJson(health.silence));
    }
    if (health.hasVideo) {
        object->set("black", troubleJson(health.black));
        object->set("frozen", troubleJson(health.frozen));
    }
    if (health.loudnessLufs) {
        object->set("loudnessLufs", tenths(*health.loudnessLufs));
    }
    return object;
}

Poco::JSON::Object::Ptr toJson(const LiveHealth& live) {
    Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (live.silentSince) {
        object->set("silentSince", core::formatUtc(*live.silentSince));
    }
    if (live.blackSince) {
        object->set("blackSince", core::formatUtc(*live.blackSince));
    }
    if (live.frozenSince) {
        object->set("frozenSince", core::formatUtc(*live.frozenSince));
    }
    return object;
}

}  // namespace confcap::health
