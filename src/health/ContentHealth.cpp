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

Trouble troubleFromJson(const Poco::JSON::Object::Ptr& object) {
    Trouble trouble;
    if (object.isNull()) {
        return trouble;
    }
    trouble.seconds = object->optValue<double>("seconds", 0.0);
    if (const auto longest = object->getObject("longest"); !longest.isNull()) {
        trouble.longest = Stretch{longest->optValue<double>("offsetSeconds", 0.0),
                                  longest->optValue<double>("seconds", 0.0)};
    }
    return trouble;
}

}  // namespace

std::optional<ContentHealth> healthFromJson(const Poco::JSON::Object::Ptr& object) {
    if (object.isNull() || !object->has("analysedSeconds")) {
        return std::nullopt;
    }
    try {
        ContentHealth health;
        health.analysedSeconds = object->getValue<double>("analysedSeconds");
        health.hasVideo = object->optValue<bool>("video", false);
        health.hasAudio = object->optValue<bool>("audio", false);
        health.silence = troubleFromJson(object->getObject("silence"));
        health.black = troubleFromJson(object->getObject("black"));
        health.frozen = troubleFromJson(object->getObject("frozen"));
        if (object->has("loudnessLufs")) {
            health.loudnessLufs = object->getValue<double>("loudnessLufs");
        }
        return health;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

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
