#include "confcap/app/ListCommand.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <date/tz.h>

#include <cstdint>
#include <iomanip>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "confcap/app/Conference.h"
#include "confcap/app/ExitCode.h"
#include "confcap/app/FavouritesReport.h"
#include "confcap/app/ScheduleLoader.h"
#include "confcap/core/Error.h"
#include "confcap/core/JsonWriter.h"
#include "confcap/core/Text.h"
#include "confcap/core/Time.h"
#include "confcap/schedule/ScheduleTime.h"
#include "confcap/status/TextFormat.h"

namespace confcap::app {

namespace {

std::string hoursMinutes(core::Seconds d) {
    const auto minutes = d.count() / 60;
    std::ostringstream out;
    out << minutes / 60 << ':' << std::setw(2) << std::setfill('0') << minutes % 60;
    return out.str();
}

/// JSON strings must be valid UTF-8: schedules are not always.
std::string valid(std::string_view text) {
    return core::toValidUtf8(text);
}

}  // namespace

select::SelectionRules selectionRules(const Arguments& arguments) {
    select::SelectionRules rules;
    rules.rooms = arguments.values("room");
    rules.tracks = arguments.values("track");
    rules.match = arguments.values("match");
    rules.exclude = arguments.values("exclude");
    rules.talks = arguments.values("talk");
    rules.days = arguments.values("day");
    return rules;
}

void requireSelectedTalks(const select::Selector& selector, const schedule::Schedule& schedule,
                          const std::vector<const schedule::Talk*>& selected,
                          const select::FavouriteMatches* favourites) {
    if (!schedule.talks.empty() && selected.empty()) {
        auto why = selector.explainNoneSelected(schedule);
        if (favourites != nullptr) {
            const auto unmatched = favourites->unmatched();
            for (std::size_t i = 0; i < unmatched.size() && i < 3; ++i) {
                why += " " + unmatched[i];
            }
            if (unmatched.size() > 3) {
                why += " " + std::to_string(unmatched.size() - 3) +
                       " more entries name no talk of it.";
            }
        }
        throw core::UsageError(why);
    }
}

void printJson(const Poco::Dynamic::Var& json, std::ostream& out) {
    std::ostringstream text;
    Poco::JSON::Stringifier::stringify(json, text, 2);
    text << '\n';
    out << text.str();
}

namespace {

/// Hands each field of a talk in the JSON contract, in order, to `field(key, value)`: the one
/// list of them, for the tree (talkJson) and the stream (printTalksJson). Texts are given as the
/// schedule has them, which is not always valid UTF-8; JSON strings must be.
template <typename Field>
void talkFields(const schedule::Talk& talk, Field&& field) {
    field("id", std::string_view(talk.id));
    field("guid", std::string_view(talk.guid));
    field("title", std::string_view(talk.title));
    field("subtitle", std::string_view(talk.subtitle));
    field("room", std::string_view(talk.room));
    field("track", std::string_view(talk.track));
    field("type", std::string_view(talk.type));
    field("language", std::string_view(talk.language));
    const std::string start = core::formatUtc(talk.start);
    const std::string end = core::formatUtc(talk.end());
    field("start", std::string_view(start));
    field("end", std::string_view(end));
    field("duration", static_cast<std::int64_t>(talk.duration.count()));
    field("persons", talk.persons);
    field("url", std::string_view(talk.url));
    field("do_not_record", talk.doNotRecord);
}

}  // namespace

Poco::JSON::Object::Ptr talkJson(const schedule::Talk& talk) {
    Poco::JSON::Object::Ptr t = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    talkFields(talk, [&](const char* key, const auto& value) {
        using Value = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<Value, std::vector<schedule::Person>>) {
            Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
            for (const auto& person : value) {
                array->add(valid(person.name));
            }
            t->set(key, array);
        } else if constexpr (std::is_same_v<Value, std::string_view>) {
            t->set(key, valid(value));
        } else if constexpr (std::is_same_v<Value, std::int64_t>) {
            t->set(key, static_cast<Poco::Int64>(value));
        } else {
            t->set(key, value);
        }
    });
    return t;
}

void printTalksJson(const schedule::Schedule& schedule,
                    const std::vector<const schedule::Talk*>& talks, std::ostream& out) {
    // Written as it goes: a tree of Poco objects for 100 000 talks takes seconds to build,
    // print and free. JsonWriter makes the texts valid UTF-8 as it writes them.
    core::JsonWriter json(out);
    json.beginObject();
    json.key("conference");
    json.beginObject();
    json.member("title", schedule.conference.title);
    json.member("acronym", schedule.conference.acronym);
    json.member("time_zone", schedule.conference.timeZone);
    json.endObject();
    json.key("talks");
    json.beginArray();
    for (const auto* talk : talks) {
        json.beginObject();
        talkFields(*talk, [&](const char* key, const auto& value) {
            using Value = std::decay_t<decltype(value)>;
            json.key(key);
            if constexpr (std::is_same_v<Value, std::vector<schedule::Person>>) {
                json.beginArray();
                for (const auto& person : value) {
                    json.value(person.name);
                }
                json.endArray();
            } else {
                json.value(value);
            }
        });
        json.endObject();
    }
    json.endArray();
    json.endObject();
}

void printTalksTable(const schedule::Schedule& schedule,
                     const std::vector<const schedule::Talk*>& talks, const std::string& zone,
                     std::ostream& out) {
    const date::time_zone* tz = zone.empty() ? nullptr : date::locate_zone(zone);
    const auto local = [&](core::Instant t) {
        return tz != nullptr ? tz->to_local(t) : date::local_seconds(t.time_since_epoch());
    };
    const auto& conf = schedule.conference;
    out << (conf.title.empty() ? "Schedule" : conf.title);
    if (!conf.acronym.empty()) {
        out << " (" << conf.acronym << ")";
    }
    out << ": " << talks.size() << (talks.size() == 1 ? " talk" : " talks") << ", times in "
        << (tz != nullptr ? zone : std::string("UTC")) << "\n";

    // Group by the schedule's own day, so a talk after midnight stays with its evening.
    std::map<std::pair<int, std::string>, std::vector<const schedule::Talk*>> days;
    for (const auto* talk : talks) {
        const auto date =
            talk->dayDate.empty()
                ? date::format("%Y-%m-%d", date::floor<date::days>(local(talk->start)))
                : talk->dayDate;
        days[{talk->day, date}].push_back(talk);
    }
    for (const auto& [key, dayTalks] : days) {
        const auto& [index, date] = key;
        out << "\n";
        if (index > 0) {
            out << "Day " << index << ", ";
        }
        if (const auto day = schedule::parseLocalDate(date)) {
            out << date::format("%A %Y-%m-%d", *day) << "\n";
        } else {
            out << date << "\n";
        }
        for (const auto* talk : dayTalks) {
            out << "  " << date::format("%H:%M", local(talk->start)) << "  "
                << status::fit(status::sanitize(talk->room), 18) << "  " << std::setw(5)
                << std::right << hoursMinutes(talk->duration) << std::left << "  "
                << status::fit(status::sanitize(talk->title), 56) << "  " << talk->id << "\n";
        }
    }
}

int runList(const Arguments& given, std::ostream& out, std::ostream& err) {
    const auto arguments =
        withFavouritesSchedule(withConference(given, resolveConference(given, err)));
    auto rules = selectionRules(arguments);
    select::Selector{rules};  // a bad pattern or day is refused before anything is fetched
    FavouritesReader favourites;
    favourites.read(arguments, err);
    const auto schedule = loadSchedule(arguments, err);
    const auto matches = applyFavourites(rules, favourites.lists(), schedule);
    const select::Selector selector(std::move(rules));
    const auto talks = selector.selectedTalks(schedule);
    requireSelectedTalks(selector, schedule, talks, &matches);
    warnUnmatchedFavourites(matches, err);
    if (arguments.flag("json")) {
        printTalksJson(schedule, talks, out);
    } else {
        const auto zone = arguments.flag("utc") ? std::string() : schedule.conference.timeZone;
        printTalksTable(schedule, talks, zone, out);
    }
    return kExitOk;
}

}  // namespace confcap::app
