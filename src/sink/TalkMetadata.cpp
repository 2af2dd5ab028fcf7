#include "confcap/sink/TalkMetadata.h"

#include <Poco/JSON/Array.h>

namespace confcap::sink {

namespace {

std::string textOf(const std::optional<core::Instant>& at) {
    return at ? core::formatUtc(*at) : std::string();
}

}  // namespace

Poco::JSON::Object::Ptr toJson(const TalkMetadata& talk) {
    Poco::JSON::Object::Ptr t = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    t->set("id", talk.id);
    t->set("guid", talk.guid);
    t->set("title", talk.title);
    t->set("subtitle", talk.subtitle);
    t->set("room", talk.room);
    t->set("track", talk.track);
    t->set("type", talk.type);
    t->set("language", talk.language);
    t->set("start", textOf(talk.start));
    t->set("end", textOf(talk.end));
    t->set("duration", static_cast<Poco::Int64>(talk.durationSeconds));
    Poco::JSON::Array::Ptr persons = new Poco::JSON::Array;
    for (const auto& person : talk.persons) {
        persons->add(person);
    }
    t->set("persons", persons);
    t->set("url", talk.url);
    t->set("do_not_record", talk.doNotRecord);
    t->set("abstract", talk.abstract);
    t->set("conference", talk.conference);
    t->set("date", talk.date);
    return t;
}

TalkMetadata talkMetadataFrom(const Poco::JSON::Object& object) {
    TalkMetadata talk;
    auto text = [&](const char* key) {
        try {
            return object.has(key) && !object.isNull(key) ? object.getValue<std::string>(key)
                                                          : std::string();
        } catch (const Poco::Exception&) {
            return std::string();
        }
    };
    talk.id = text("id");
    talk.guid = text("guid");
    talk.title = text("title");
    talk.subtitle = text("subtitle");
    talk.room = text("room");
    talk.track = text("track");
    talk.type = text("type");
    talk.language = text("language");
    talk.start = core::parseIsoInstant(text("start"));
    talk.end = core::parseIsoInstant(text("end"));
    talk.url = text("url");
    talk.abstract = text("abstract");
    talk.conference = text("conference");
    talk.date = text("date");
    try {
        talk.durationSeconds = object.optValue<Poco::Int64>("duration", 0);
        talk.doNotRecord = object.optValue<bool>("do_not_record", false);
    } catch (const Poco::Exception&) {
    }
    if (const auto persons = object.getArray("persons")) {
        for (std::size_t i = 0; i < persons->size(); ++i) {
            try {
                talk.persons.push_back(persons->getElement<std::string>(static_cast<unsigned>(i)));
            } catch (const Poco::Exception&) {
            }
        }
    }
    return talk;
}

}  // namespace confcap::sink
