#include "confcap/app/Conference.h"
#include "confcap/app/ListCommand.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <date/date.h>

#include <algorithm>
#include <chrono>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/core/Time.h"
#include "confcap/fetch/ScheduleSource.h"
#include "confcap/plan/ConferencePreset.h"
#include "confcap/status/TextFormat.h"

namespace confcap::app {

namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) {
        out += (out.empty() ? "" : ", ") + name;
    }
    return out;
}

int currentYear() {
    const auto today = date::floor<date::days>(std::chrono::system_clock::now());
    return static_cast<int>(date::year_month_day(today).year());
}

std::string kindName(plan::StreamKind kind) {
    const auto slug = plan::streamSlug(kind, plan::StreamLanguage::Native);
    return slug.substr(0, slug.find('-'));
}

std::string languageName(plan::StreamLanguage language) {
    const auto slug = plan::streamSlug(plan::StreamKind::Hd, language);
    return slug.substr(slug.find('-') + 1);
}

/// An API time as RFC 3339 UTC, or as the API gave it when it is not ISO 8601 with an offset.
std::string utcOf(const std::string& instant) {
    const auto parsed = core::parseIsoInstant(instant);
    return parsed ? core::formatUtc(*parsed) : instant;
}

// "2018-12-27T05:00:00+0000" → "2018-12-27"; what the API gives when it is no such date.
std::string dayOf(const std::string& instant) {
    return instant.size() >= 10 ? instant.substr(0, 10) : instant;
}

}  // namespace

std::vector<plan::ApiConference> loadStreamsApi(const Arguments& arguments, std::ostream& err) {
    const std::string location = arguments.value("streams-api").value_or(kDefaultStreamsApi);
    fetch::ScheduleSource::Options options;
    options.cacheDir = arguments.value("cache-dir").value_or("");
    options.caFile = arguments.value("ca-file").value_or("");
    options.what = "streaming API document";
    std::vector<plan::ApiConference> parsed;
    bool validated = false;
    // Only a document that parses may replace the cached copy.
    fetch::ScheduleSource source(location, options, [&](std::string_view bytes) {
        parsed = plan::parseStreamsApi(bytes, location);
        validated = true;
    });
    const auto fetched = source.fetch();
    if (fetched.warning) {
        err << "confcap: warning: " << *fetched.warning << "\n";
    }
    return validated && !fetched.warning ? parsed : plan::parseStreamsApi(fetched.bytes, location);
}

std::optional<ConferenceChoice> resolveConference(const Arguments& arguments, std::ostream& err) {
    const auto slug = arguments.value("conference");
    if (!slug) {
        return std::nullopt;
    }
    ConferenceChoice choice;
    choice.slug = *slug;
    const std::string kind = arguments.value("stream-kind").value_or("hd");
    const auto k = plan::streamKindNamed(kind);
    if (!k) {
        throw core::UsageError("--stream-kind '" + kind + "' is not one of hd, sd, audio, slides.");
    }
    choice.kind = *k;
    const std::string language = arguments.value("language").value_or("native");
    const auto l = plan::streamLanguageNamed(language);
    if (!l) {
        throw core::UsageError("--language '" + language +
                               "' is not one of native, translated, translated-2.");
    }
    choice.language = *l;

    const auto presets = plan::builtinPresets();
    if (const auto preset = plan::findPreset(presets, *slug, currentYear())) {
        choice.schedule = preset->schedule;
        choice.timeZone = preset->timeZone;
        choice.streamTemplate = preset->streamTemplate;
        return choice;
    }
    choice.apiSource = arguments.value("streams-api").value_or(kDefaultStreamsApi);
    const auto conferences = loadStreamsApi(arguments, err);
    for (const auto& conference : conferences) {
        if (core::equalsIgnoreCase(conference.slug, *slug)) {
            choice.schedule = conference.schedule;
            choice.api = conference;
            return choice;
        }
    }
    std::vector<std::string> slugs;
    for (const auto& conference : conferences) {
        slugs.push_back(conference.slug);
    }
    for (const auto& name : plan::presetNames(presets)) {
        slugs.push_back(name + ", " + name + "YYYY");
    }
    throw core::UsageError("--conference '" + *slug + "' is neither a preset nor announced by " +
                           choice.apiSource + "; known now: " + joined(slugs) +
                           " (confcap conferences lists them).");
}

Arguments withConference(Arguments arguments, const std::optional<ConferenceChoice>& conference) {
    if (!conference) {
        return arguments;
    }
    if (!arguments.has("schedule")) {
        if (conference->schedule.empty()) {
            throw core::UsageError(conference->apiSource +
                                   " names no schedule for the conference '" + conference->slug +
                                   "'; give one with --schedule URL.");
        }
        arguments.add("schedule", conference->schedule);
    }
    if (!arguments.has("timezone") && !conference->timeZone.empty()) {
        arguments.add("timezone", conference->timeZone);
    }
    if (!arguments.has("stream-template") && !conference->streamTemplate.empty()) {
        arguments.add("stream-template", conference->streamTemplate);
    }
    return arguments;
}

plan::RoomMatch conferenceRooms(const ConferenceChoice& conference,
                                const schedule::Schedule& schedule) {
    if (!conference.api) {
        return {};
    }
    return plan::matchRooms(*conference.api, schedule, conference.kind, conference.language);
}

void addConferenceStreams(plan::StreamMap& map, const std::optional<ConferenceChoice>& conference,
                          const schedule::Schedule& schedule) {
    if (!conference || !conference->api) {
        return;
    }
    for (const auto& room : conferenceRooms(*conference, schedule).streams) {
        if (!room.url.empty()) {
            map.conferenceStreams.emplace_back(room.room, room.url);
        }
    }
    map.conferenceSource = conference->apiSource + " for " + conference->slug + " (" +
                           kindName(conference->kind) + ", " + languageName(conference->language) +
                           ")";
}

void reportConferenceRooms(const std::optional<ConferenceChoice>& conference,
                           const schedule::Schedule& schedule, std::ostream& err) {
    if (!conference || !conference->api) {
        return;
    }
    const auto match = conferenceRooms(*conference, schedule);
    for (const auto& room : match.apiRoomsNotInSchedule) {
        err << "confcap: warning: the streaming API lists the room '" << room << "' for "
            << conference->slug << ", which the schedule does not have.\n";
    }
    for (const auto& room : match.scheduleRoomsNotInApi) {
        err << "confcap: warning: the schedule's room '" << room
            << "' has no stream in the streaming API for " << conference->slug << ".\n";
    }
    for (const auto& room : match.streams) {
        if (room.url.empty()) {
            err << "confcap: warning: the streaming API has no " << kindName(conference->kind)
                << " stream in the " << languageName(conference->language) << " language for '"
                << room.room << "' (try another --stream-kind or --language).\n";
        }
    }
}

namespace {

/// The conferences of the streaming API as `confcap conferences --json` prints them.
Poco::JSON::Object conferencesJson(const std::vector<plan::ApiConference>& conferences) {
    using Poco::JSON::Array;
    using Poco::JSON::Object;
    Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    Array::Ptr list = new Array;
    for (const auto& c : conferences) {
        Object::Ptr conference = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        conference->set("slug", c.slug);
        conference->set("title", c.title);
        conference->set("description", c.description);
        conference->set("starts", utcOf(c.startsAt));
        conference->set("ends", utcOf(c.endsAt));
        conference->set("streaming", c.streaming);
        conference->set("schedule", c.schedule);
        Array::Ptr rooms = new Array;
        for (const auto& r : c.rooms) {
            Object::Ptr room = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
            room->set("name", r.display);
            room->set("schedulename", r.scheduleName);
            room->set("slug", r.slug);
            room->set("stream", r.stream);
            room->set("group", r.group);
            Array::Ptr streams = new Array;
            for (const auto& s : r.streams) {
                Object::Ptr stream = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
                stream->set("slug", s.slug);
                stream->set("type", s.type);
                stream->set("translated", s.translated);
                Object::Ptr urls = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
                for (const auto& u : s.urls) {
                    urls->set(u.format, u.url);
                }
                stream->set("urls", urls);
                streams->add(stream);
            }
            room->set("streams", streams);
            rooms->add(room);
        }
        conference->set("rooms", rooms);
        list->add(conference);
    }
    root.set("conferences", list);
    return root;
}

/// What --stream-kind and --language can pick in a room: "hd sd audio slides; native
/// translated translated-2".
std::string offeredStreams(const plan::ApiRoom& room) {
    std::vector<std::string> kinds;
    std::vector<std::string> languages;
    const auto note = [](std::vector<std::string>& list, std::string word) {
        if (std::find(list.begin(), list.end(), word) == list.end()) {
            list.push_back(std::move(word));
        }
    };
    for (const auto& s : room.streams) {
        const auto dash = s.slug.find('-');
        if (plan::preferredUrl(s) != nullptr && dash != std::string::npos) {
            note(kinds, s.slug.substr(0, dash));
            note(languages, s.slug.substr(dash + 1));
        }
    }
    std::string offered;
    for (const auto& word : kinds) {
        offered += (offered.empty() ? "" : " ") + word;
    }
    offered += ";";
    for (const auto& word : languages) {
        offered += " " + word;
    }
    return offered;
}

}  // namespace

int runConferences(const Arguments& arguments, std::ostream& out, std::ostream& err) {
    const auto conferences = loadStreamsApi(arguments, err);
    if (arguments.flag("json")) {
        printJson(conferencesJson(conferences), out);
        return 0;
    }
    const auto location = arguments.value("streams-api").value_or(kDefaultStreamsApi);
    out << location << " announces " << conferences.size()
        << (conferences.size() == 1 ? " conference" : " conferences")
        << (conferences.empty() ? "." : ":") << "\n";
    for (const auto& c : conferences) {
        out << "\n  " << status::sanitize(c.slug) << "  " << status::sanitize(c.title);
        if (!c.startsAt.empty()) {
            out << "  " << dayOf(c.startsAt) << " – " << dayOf(c.endsAt);
        }
        out << (c.streaming ? "  streaming now" : "") << "\n"
            << "      schedule: "
            << (c.schedule.empty() ? std::string("(none)") : status::sanitize(c.schedule)) << "\n";
        for (const auto& r : c.rooms) {
            out << "      room: " << status::fit(status::sanitize(r.display), 16) << "  stream "
                << status::fit(status::sanitize(r.stream), 4) << "  schedule name '"
                << status::sanitize(r.scheduleName) << "'  " << status::sanitize(offeredStreams(r))
                << "\n";
        }
    }
    std::vector<std::string> presets;
    for (const auto& name : plan::presetNames(plan::builtinPresets())) {
        presets.push_back(name + " (" + name + "YYYY)");
    }
    out << "\nPresets, without the API: " << joined(presets) << ".\n";
    return 0;
}

}  // namespace confcap::app
