#include "confcap/plan/StreamsApi.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <array>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/schedule/JsonFields.h"

namespace confcap::plan {

namespace {

using core::equalsIgnoreCase;
using Poco::JSON::Array;
using Poco::JSON::Object;

// The API types its fields loosely (null for absent, numbers where strings are expected at
// times, "True" for a flag): read as the schedule parsers read theirs.
std::string text(const Object::Ptr& object, const std::string& key) {
    return object ? schedule::field(*object, key) : std::string();
}

bool flag(const Object::Ptr& object, const std::string& key) {
    return object && schedule::boolOf(object->get(key)).value_or(false);
}

int number(const Array::Ptr& array, unsigned index) {
    if (!array || index >= array->size()) {
        return 0;
    }
    try {
        return array->get(index).convert<int>();
    } catch (const Poco::Exception&) {
        return 0;
    }
}

ApiStream parseStream(const Object::Ptr& object) {
    ApiStream stream;
    stream.slug = text(object, "slug");
    stream.display = text(object, "display");
    stream.type = text(object, "type");
    stream.translated = flag(object, "isTranslated");
    if (const auto size = object->getArray("videoSize")) {
        stream.width = number(size, 0);
        stream.height = number(size, 1);
    }
    if (const auto urls = object->getObject("urls")) {
        // Poco keeps object keys sorted; the order of formats is decided by preferredUrl().
        for (const auto& [format, value] : *urls) {
            if (value.type() != typeid(Object::Ptr)) {
                continue;
            }
            const auto entry = value.extract<Object::Ptr>();
            ApiStreamUrl url{format, text(entry, "url"), text(entry, "display"),
                             text(entry, "tech")};
            if (!url.url.empty()) {
                stream.urls.push_back(std::move(url));
            }
        }
    }
    return stream;
}

ApiRoom parseRoom(const Object::Ptr& object, const std::string& group) {
    ApiRoom room;
    room.slug = text(object, "slug");
    room.scheduleName = text(object, "schedulename");
    room.display = text(object, "display");
    room.stream = text(object, "stream");
    room.group = group;
    if (room.display.empty()) {
        room.display = !room.scheduleName.empty() ? room.scheduleName : room.slug;
    }
    if (const auto streams = object->getArray("streams")) {
        for (unsigned i = 0; i < streams->size(); ++i) {
            if (const auto stream = streams->getObject(i)) {
                room.streams.push_back(parseStream(stream));
            }
        }
    }
    return room;
}

ApiConference parseConference(const Object::Ptr& object, std::string_view source) {
    ApiConference conference;
    conference.slug = text(object, "slug");
    if (conference.slug.empty()) {
        throw core::ScheduleError("The streaming API document " + std::string(source) +
                                  " lists a conference without a slug.");
    }
    conference.title = text(object, "conference");
    conference.description = text(object, "description");
    conference.schedule = text(object, "schedule");
    conference.startsAt = text(object, "startsAt");
    conference.endsAt = text(object, "endsAt");
    conference.streaming = flag(object, "isCurrentlyStreaming");
    if (const auto groups = object->getArray("groups")) {
        for (unsigned g = 0; g < groups->size(); ++g) {
            const auto group = groups->getObject(g);
            const auto rooms = group ? group->getArray("rooms") : nullptr;
            if (!rooms) {
                continue;
            }
            const std::string name = text(group, "group");
            for (unsigned r = 0; r < rooms->size(); ++r) {
                if (const auto room = rooms->getObject(r)) {
                    conference.rooms.push_back(parseRoom(room, name));
                }
            }
        }
    }
    return conference;
}

}  // namespace

std::vector<ApiConference> parseStreamsApi(std::string_view json, std::string_view source) {
    Poco::Dynamic::Var root;
    try {
        root = schedule::parseJson(json);
    } catch (const Poco::Exception& error) {
        throw core::ScheduleError("The streaming API document " + std::string(source) +
                                  " is not JSON (" + error.displayText() + ").");
    }
    if (root.type() != typeid(Array::Ptr)) {
        throw core::ScheduleError("The streaming API document " + std::string(source) +
                                  " is not a list of conferences (a v2.json document).");
    }
    const auto array = root.extract<Array::Ptr>();
    std::vector<ApiConference> conferences;
    for (unsigned i = 0; i < array->size(); ++i) {
        if (const auto object = array->getObject(i)) {
            conferences.push_back(parseConference(object, source));
        }
    }
    return conferences;
}

std::optional<StreamKind> streamKindNamed(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, StreamKind>, 4> kinds{{
        {"hd", StreamKind::Hd},
        {"sd", StreamKind::Sd},
        {"audio", StreamKind::Audio},
        {"slides", StreamKind::Slides},
    }};
    for (const auto& [word, kind] : kinds) {
        if (equalsIgnoreCase(word, name)) {
            return kind;
        }
    }
    return std::nullopt;
}

std::optional<StreamLanguage> streamLanguageNamed(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, StreamLanguage>, 3> languages{{
        {"native", StreamLanguage::Native},
        {"translated", StreamLanguage::Translated},
        {"translated-2", StreamLanguage::Translated2},
    }};
    for (const auto& [word, language] : languages) {
        if (equalsIgnoreCase(word, name)) {
            return language;
        }
    }
    return std::nullopt;
}

std::string streamSlug(StreamKind kind, StreamLanguage language) {
    std::string slug;
    switch (kind) {
        case StreamKind::Hd:
            slug = "hd";
            break;
        case StreamKind::Sd:
            slug = "sd";
            break;
        case StreamKind::Audio:
            slug = "audio";
            break;
        case StreamKind::Slides:
            slug = "slides";
            break;
    }
    switch (language) {
        case StreamLanguage::Native:
            return slug + "-native";
        case StreamLanguage::Translated:
            return slug + "-translated";
        case StreamLanguage::Translated2:
            return slug + "-translated-2";
    }
    return slug;
}

const ApiStream* findStream(const ApiRoom& room, StreamKind kind, StreamLanguage language) {
    const std::string slug = streamSlug(kind, language);
    for (const auto& stream : room.streams) {
        if (equalsIgnoreCase(stream.slug, slug)) {
            return &stream;
        }
    }
    return nullptr;
}

const ApiStreamUrl* preferredUrl(const ApiStream& stream) {
    for (const std::string_view format : {"hls", "webm", "mp3", "opus"}) {
        for (const auto& url : stream.urls) {
            if (equalsIgnoreCase(url.format, format)) {
                return &url;
            }
        }
    }
    return nullptr;
}

RoomMatch matchRooms(const ApiConference& conference, const schedule::Schedule& schedule,
                     StreamKind kind, StreamLanguage language) {
    // Each API room finds its schedule room by the first rule that matches any room, so a
    // schedulename that equals one room's name is never taken for another room's display name.
    std::vector<const ApiRoom*> byRoom(schedule.rooms.size(), nullptr);
    RoomMatch match;
    const auto find = [&](const auto& matches) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < schedule.rooms.size(); ++i) {
            if (byRoom[i] == nullptr && matches(schedule.rooms[i])) {
                return i;
            }
        }
        return std::nullopt;
    };
    for (const auto& apiRoom : conference.rooms) {
        auto index = find([&](const schedule::Room& room) {
            return !apiRoom.scheduleName.empty() &&
                   equalsIgnoreCase(room.name, apiRoom.scheduleName);
        });
        if (!index) {
            index = find([&](const schedule::Room& room) {
                return !apiRoom.scheduleName.empty() && !room.guid.empty() &&
                       equalsIgnoreCase(room.guid, apiRoom.scheduleName);
            });
        }
        if (!index) {
            index = find([&](const schedule::Room& room) {
                return equalsIgnoreCase(room.name, apiRoom.display);
            });
        }
        if (!index) {
            match.apiRoomsNotInSchedule.push_back(apiRoom.display);
            continue;
        }
        byRoom[*index] = &apiRoom;
    }
    for (std::size_t i = 0; i < schedule.rooms.size(); ++i) {
        const auto& room = schedule.rooms[i];
        if (byRoom[i] == nullptr) {
            match.scheduleRoomsNotInApi.push_back(room.name);
            continue;
        }
        RoomStream stream{room.name, byRoom[i]->display, {}};
        if (const auto* found = findStream(*byRoom[i], kind, language)) {
            if (const auto* url = preferredUrl(*found)) {
                stream.url = url->url;
            }
        }
        match.streams.push_back(std::move(stream));
    }
    return match;
}

}  // namespace confcap::plan
