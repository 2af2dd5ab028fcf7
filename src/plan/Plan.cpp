#include "confcap/plan/Plan.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/plan/FileNamer.h"
#include "confcap/schedule/ScheduleParser.h"

namespace confcap::plan {

namespace {

using core::equalsIgnoreCase;

bool roomMatches(const schedule::Room& room, std::string_view key) {
    return equalsIgnoreCase(room.name, key) ||
           (!room.guid.empty() && equalsIgnoreCase(room.guid, key));
}

void replaceAll(std::string& text, std::string_view field, const std::string& value) {
    for (auto pos = text.find(field); pos != std::string::npos;
         pos = text.find(field, pos + value.size())) {
        text.replace(pos, field.size(), value);
    }
}

std::string encoded(const std::string& value) {
    std::string out;
    Poco::URI::encode(value, "/?#&=+%", out);
    return out;
}

/// The container a stream URL suggests, by its path's extension.
std::string extensionFor(const std::string& url) {
    std::string path;
    try {
        path = Poco::URI(url).getPath();
    } catch (const Poco::Exception&) {
        path = url;
    }
    const auto dot = path.rfind('.');
    std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static const std::map<std::string, std::string> known = {
        {"m3u8", "ts"},  {"ts", "ts"},     {"mp3", "mp3"}, {"aac", "aac"}, {"ogg", "ogg"},
        {"opus", "ogg"}, {"webm", "webm"}, {"mkv", "mkv"}, {"flv", "flv"}, {"mp4", "mp4"}};
    const auto it = known.find(ext);
    return it == known.end() ? "ts" : it->second;
}

std::string joinedPersons(const schedule::Talk& talk) {
    std::string out;
    for (const auto& person : talk.persons) {
        out += (out.empty() ? "" : ", ") + person.name;
    }
    return out;
}

plan::NameFields nameFields(const schedule::Schedule& schedule, const schedule::Talk& talk,
                            const date::time_zone* zone) {
    const auto local = zone != nullptr ? zone->to_local(talk.start)
                                       : date::local_seconds(talk.start.time_since_epoch());
    plan::NameFields f;
    f.conference = schedule.conference.title;
    f.acronym = schedule.conference.acronym;
    f.day = std::to_string(talk.day);
    f.date = date::format("%Y-%m-%d", local);
    f.time = date::format("%H%M", local);
    f.room = talk.room;
    f.id = talk.id;
    f.guid = talk.guid;
    f.slug = talk.slug;
    f.title = talk.title;
    f.subtitle = talk.subtitle;
    f.track = talk.track;
    f.persons = joinedPersons(talk);
    f.lang = talk.language;
    return f;
}

}  // namespace

std::pair<std::string, std::string> parseStreamOption(std::string_view value) {
    const auto bad = [&](const char* why) {
        return core::UsageError(
            "--stream '" + std::string(value) + "' " + why +
            "; write it as ROOM=URL, e.g. \"Saal 1=https://cdn.example/s1.m3u8\".");
    };
    // The room may not contain '=', the URL may: split at the first '=' before "://".
    const auto scheme = value.find("://");
    const auto eq = value.substr(0, scheme).rfind('=');
    if (eq == std::string_view::npos) {
        throw bad("has no '='");
    }
    const std::string room(core::trimmed(value.substr(0, eq)));
    const std::string url(core::trimmed(value.substr(eq + 1)));
    if (room.empty()) {
        throw bad("names no room");
    }
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        throw bad("has no http:// or https:// URL");
    }
    return {room, url};
}

namespace {

/// Refuses a --stream whose room the schedule does not have, naming the rooms it has.
void checkStreamRooms(const schedule::Schedule& schedule, const StreamMap& streams) {
    for (const auto& stream : streams.streams) {
        // Not a structured binding: clang 14 cannot capture one in the lambda below.
        const std::string& key = stream.first;
        const bool known =
            std::any_of(schedule.rooms.begin(), schedule.rooms.end(),
                        [&](const schedule::Room& r) { return roomMatches(r, key); });
        if (!known) {
            std::string names;
            for (const auto& room : schedule.rooms) {
                names += (names.empty() ? "" : ", ") + room.name;
            }
            throw core::UsageError("--stream names the room '" + key +
                                   "', which the schedule does not have; its rooms are: " + names +
                                   ".");
        }
    }
}

/// The stream a talk's room records from: an explicit --stream, else the template, else the
/// conference's own stream list; empty when none names it.
std::string streamFor(const schedule::Talk& talk, const schedule::Room* room,
                      const StreamMap& streams) {
    for (const auto& [key, streamUrl] : streams.streams) {
        if (equalsIgnoreCase(key, talk.room) || (room != nullptr && roomMatches(*room, key))) {
            return streamUrl;
        }
    }
    if (!streams.streamTemplate.empty()) {
        std::string url = streams.streamTemplate;
        replaceAll(url, "{room}", encoded(talk.room));
        replaceAll(
            url, "{room_slug}",
            encoded(room != nullptr && !room->slug.empty() ? room->slug
                                                           : schedule::deriveRoomSlug(talk.room)));
        replaceAll(url, "{room_guid}", encoded(room != nullptr ? room->guid : talk.roomGuid));
        return url;
    }
    for (const auto& [name, streamUrl] : streams.conferenceStreams) {
        if (equalsIgnoreCase(name, talk.room)) {
            return streamUrl;
        }
    }
    return {};
}

/// Why this shard leaves the talk's room to another one; nullopt when it records it.
std::optional<std::string> otherShard(const schedule::Talk& talk, const schedule::Room* room,
                                      const std::optional<Shard>& shard) {
    if (!shard) {
        return std::nullopt;
    }
    const int owner = shardOf(room != nullptr ? shardKey(*room) : shardKey(talk), shard->count);
    if (owner == shard->index) {
        return std::nullopt;
    }
    return "room '" + talk.room + "' is recorded by shard " + toString({owner, shard->count});
}

}  // namespace

Plan makePlan(const schedule::Schedule& schedule, const select::Selector& selector,
              const StreamMap& streams, const PlanOptions& options) {
    checkStreamRooms(schedule, streams);
    const std::string zoneName =
        !options.zone.empty() ? options.zone : schedule.conference.timeZone;
    const date::time_zone* zone = zoneName.empty() ? nullptr : date::locate_zone(zoneName);
    const std::string pattern =
        options.namePattern.empty() ? std::string(plan::kDefaultNamePattern) : options.namePattern;

    Plan plan;
    for (const auto* talk : selector.selectedTalks(schedule)) {
        const schedule::Room* room = schedule.findRoom(talk->room);
        if (auto why = otherShard(*talk, room, options.shard)) {
            plan.skipped.push_back({*talk, std::move(*why), true});
            continue;
        }
        const std::string url = streamFor(*talk, room, streams);
        if (url.empty()) {
            plan.skipped.push_back({*talk, "no stream for room '" + talk->room + "'" +
                                               (streams.conferenceSource.empty()
                                                    ? std::string()
                                                    : " in " + streams.conferenceSource)});
            continue;
        }
        Job job;
        job.talk = *talk;
        job.stream = url;
        job.from = talk->start - options.padBefore;
        job.until = talk->end() + options.padAfter;
        const auto fields = nameFields(schedule, *talk, zone);
        job.fileStem = plan::fileStemFor(fields, pattern, options.windowsSafeNames);
        job.expectedExtension = extensionFor(url);
        job.conference = fields.conference;
        job.localDate = fields.date;
        plan.jobs.push_back(std::move(job));
    }
    std::stable_sort(plan.jobs.begin(), plan.jobs.end(),
                     [](const Job& a, const Job& b) { return a.from < b.from; });
    return plan;
}

PlanDiff diffPlans(const Plan& before, const Plan& after) {
    std::map<std::string, const Job*> old;
    for (const auto& job : before.jobs) {
        old.emplace(job.talk.key(), &job);
    }
    PlanDiff diff;
    for (const auto& job : after.jobs) {
        const auto it = old.find(job.talk.key());
        if (it == old.end()) {
            diff.added.push_back(job);
            continue;
        }
        const Job& was = *it->second;
        if (was.from != job.from || was.until != job.until || was.stream != job.stream ||
            was.fileStem != job.fileStem) {
            diff.changed.emplace_back(was, job);
        }
        old.erase(it);
    }
    for (const auto& job : before.jobs) {
        if (old.count(job.talk.key()) != 0) {
            diff.cancelled.push_back(job);
        }
    }
    return diff;
}

}  // namespace confcap::plan
