#include "confcap/schedule/ScheduleBuilder.h"

#include "confcap/core/Text.h"
#include "confcap/schedule/ScheduleParser.h"

namespace confcap::schedule {

std::string doubleQuoted(std::string_view text) {
    std::string out = "\"";
    out += text;
    out += '"';
    return out;
}

std::string describeEvent(const Talk& talk) {
    std::string out = "event";
    const std::string& key = talk.id.empty() ? talk.guid : talk.id;
    if (!key.empty()) {
        out += ' ';
        out += key;
    }
    if (!talk.title.empty()) {
        out += " \"";
        out += talk.title;
        out += '"';
    }
    return out;
}

ScheduleBuilder::ScheduleBuilder(std::string format) {
    schedule_.format = std::move(format);
}

Room ScheduleBuilder::addRoom(std::string_view name, std::string_view guid, std::string_view slug) {
    name = core::trimmed(name);
    guid = core::trimmed(guid);
    slug = core::trimmed(slug);
    if (name.empty() && guid.empty()) {
        return Room{};
    }
    std::size_t index = schedule_.rooms.size();
    if (!guid.empty()) {
        if (auto it = roomByGuid_.find(std::string(guid)); it != roomByGuid_.end()) {
            index = it->second;
        }
    }
    if (index == schedule_.rooms.size() && !name.empty()) {
        if (auto it = roomByName_.find(std::string(name)); it != roomByName_.end()) {
            // A mention by name only, or the first guid for a room first seen without one.
            const Room& known = schedule_.rooms[it->second];
            if (guid.empty() || known.guid.empty()) {
                index = it->second;
            }
        }
    }
    if (index == schedule_.rooms.size()) {
        if (name.empty()) {
            // Known only by guid: the guid is the best name there is.
            name = guid;
        }
        Room room;
        room.name = std::string(name);
        room.guid = std::string(guid);
        room.slug = slug.empty() ? deriveRoomSlug(name) : std::string(slug);
        schedule_.rooms.push_back(std::move(room));
        roomByName_.emplace(schedule_.rooms.back().name, index);
        if (!guid.empty()) {
            roomByGuid_.emplace(std::string(guid), index);
        }
        return schedule_.rooms.back();
    }
    Room& room = schedule_.rooms[index];
    if (room.guid.empty() && !guid.empty()) {
        room.guid = std::string(guid);
        roomByGuid_.emplace(room.guid, index);
    }
    if (!slug.empty() && room.slug != slug && room.slug == deriveRoomSlug(room.name)) {
        room.slug = std::string(slug);
    }
    return room;
}

void ScheduleBuilder::addTalk(Talk&& talk) {
    schedule_.talks.push_back(std::move(talk));
}

void ScheduleBuilder::reserveTalks(std::size_t count) {
    schedule_.talks.reserve(count);
}

void ScheduleBuilder::skipTalk(const Talk& talk, std::string_view reason) {
    std::string message = "Skipped ";
    message += describeEvent(talk);
    message += ": ";
    message += reason;
    message += '.';
    schedule_.warnings.push_back(std::move(message));
}

void ScheduleBuilder::warn(std::string message) {
    schedule_.warnings.push_back(std::move(message));
}

Schedule ScheduleBuilder::finish() {
    for (Talk& talk : schedule_.talks) {
        if (talk.roomGuid.empty()) {
            if (auto it = roomByName_.find(talk.room); it != roomByName_.end()) {
                talk.roomGuid = schedule_.rooms[it->second].guid;
            }
        }
    }
    roomByGuid_.clear();
    roomByName_.clear();
    return std::move(schedule_);
}

}  // namespace confcap::schedule
