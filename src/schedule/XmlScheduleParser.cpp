#include "confcap/schedule/XmlScheduleParser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>

#include <pugixml.hpp>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/schedule/ScheduleBuilder.h"
#include "confcap/schedule/ScheduleTime.h"

namespace confcap::schedule {

namespace {

struct DayContext {
    int index = 0;
    std::string date;
    std::optional<date::local_days> localDate;
    /// A <start> earlier than this is on the next calendar day.
    std::optional<core::Seconds> rollover;
};

/// What the walk saw, for naming the dialect afterwards.
struct Seen {
    bool eventDate = false;
    bool dayStart = false;
};

/// Appends the text of every descendant of `node` in document order. A loop, not a recursion: a
/// hostile schedule may nest elements hundreds of thousands deep.
void appendText(pugi::xml_node node, std::string& out) {
    pugi::xml_node child = node.first_child();
    while (child && child != node) {
        if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
            out += child.value();
        } else if (child.type() == pugi::node_element && child.first_child()) {
            child = child.first_child();
            continue;
        }
        while (child != node && !child.next_sibling()) {
            child = child.parent();
        }
        if (child != node) {
            child = child.next_sibling();
        }
    }
}

/// The character data inside an element (CDATA and nested elements' text included), trimmed.
std::string textOf(pugi::xml_node node) {
    const pugi::xml_node first = node.first_child();
    if (!first) {
        return {};
    }
    if (!first.next_sibling() &&
        (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata)) {
        return std::string(core::trimmed(first.value()));
    }
    std::string out;
    appendText(node, out);
    return std::string(core::trimmed(out));
}

std::string_view attributeOf(pugi::xml_node node, const char* name) {
    return core::trimmed(node.attribute(name).value());
}

std::size_t lineAt(std::string_view bytes, std::ptrdiff_t offset) {
    const std::string_view before =
        bytes.substr(0, static_cast<std::size_t>(std::max<std::ptrdiff_t>(offset, 0)));
    return static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
}

class Walker {
public:
    Walker(const ScheduleTime& time, ScheduleBuilder& builder) : time_(time), builder_(builder) {}

    void day(pugi::xml_node dayNode, int ordinal, std::optional<core::Seconds> dayChange) {
        DayContext day;
        day.index = ordinal;
        const std::string_view index = attributeOf(dayNode, "index");
        int parsed = 0;
        if (auto [ptr, ec] = std::from_chars(index.data(), index.data() + index.size(), parsed);
            ec == std::errc{} && ptr == index.data() + index.size()) {
            day.index = parsed;
        }
        day.date = std::string(attributeOf(dayNode, "date"));
        day.localDate = parseLocalDate(day.date);
        const std::string_view dayStart = attributeOf(dayNode, "start");
        seen_.dayStart = seen_.dayStart || !dayStart.empty();
        day.rollover = dayChange ? dayChange : time_.dayStartTime(dayStart);
        builder_.conference().dayDates.push_back(day.date);

        for (pugi::xml_node child : dayNode.children()) {
            const std::string_view name = child.name();
            if (name == "room") {
                const Room room = builder_.addRoom(child.attribute("name").value(),
                                                   child.attribute("guid").value(),
                                                   child.attribute("slug").value());
                for (pugi::xml_node event : child.children("event")) {
                    this->event(event, day, room);
                }
            } else if (name == "event") {
                // FOSDEM 2007: events straight under <day>, the room only in <event><room>.
                event(child, day, Room{});
            }
        }
    }

    const Seen& seen() const noexcept { return seen_; }

private:
    void flag(const Talk& talk, pugi::xml_node node, bool& out) {
        const std::string_view text = core::trimmed(node.child_value());
        if (text.empty()) {
            return;
        }
        if (auto value = parseScheduleBool(text)) {
            out = *value;
            return;
        }
        std::string message = describeEvent(talk);
        message.front() = 'E';
        builder_.warn(message + " has <" + node.name() + "> " + quoted(text) +
                      ", which is not true or false; it is read as false.");
    }

    void event(pugi::xml_node node, const DayContext& day, const Room& listedIn) {
        Talk talk;
        talk.id = std::string(attributeOf(node, "id"));
        talk.guid = std::string(attributeOf(node, "guid"));
        talk.code = std::string(attributeOf(node, "code"));
        talk.day = day.index;
        talk.dayDate = day.date;
        std::string_view dateText;
        std::string_view startText;
        std::optional<std::string_view> durationText;
        std::string eventRoom;
        pugi::xml_node optout;
        pugi::xml_node doNotRecord;
        pugi::xml_node doNotStream;
        for (pugi::xml_node child : node.children()) {
            if (child.type() != pugi::node_element) {
                continue;
            }
            const std::string_view name = child.name();
            if (name == "title") {
                talk.title = textOf(child);
            } else if (name == "date") {
                dateText = core::trimmed(child.child_value());
            } else if (name == "start") {
                startText = core::trimmed(child.child_value());
            } else if (name == "duration") {
                durationText = core::trimmed(child.child_value());
            } else if (name == "room") {
                eventRoom = textOf(child);
            } else if (name == "subtitle") {
                talk.subtitle = textOf(child);
            } else if (name == "slug") {
                talk.slug = textOf(child);
            } else if (name == "track") {
                talk.track = textOf(child);
            } else if (name == "type") {
                talk.type = textOf(child);
            } else if (name == "language") {
                talk.language = textOf(child);
            } else if (name == "abstract") {
                talk.abstract = textOf(child);
            } else if (name == "url") {
                talk.url = textOf(child);
            } else if (name == "persons") {
                for (pugi::xml_node person : child.children("person")) {
                    Person p;
                    p.name = textOf(person);
                    p.id = std::string(attributeOf(person, "id"));
                    if (p.id.empty()) {
                        p.id = std::string(attributeOf(person, "guid"));
                    }
                    talk.persons.push_back(std::move(p));
                }
            } else if (name == "recording") {
                optout = child.child("optout");
            } else if (name == "do_not_record") {
                doNotRecord = child;
            } else if (name == "do_not_stream") {
                doNotStream = child;
            }
        }
        const Room room = listedIn.name.empty() ? builder_.addRoom(eventRoom) : listedIn;
        talk.room = room.name;
        talk.roomGuid = room.guid;
        if (optout) {
            flag(talk, optout, talk.doNotRecord);
        }
        if (doNotRecord && !talk.doNotRecord) {
            flag(talk, doNotRecord, talk.doNotRecord);
        }
        if (doNotStream) {
            flag(talk, doNotStream, talk.doNotStream);
        }

        if (!dateText.empty()) {
            seen_.eventDate = true;
            if (auto instant = core::parseIsoInstant(dateText)) {
                talk.start = *instant;
            } else if (auto local = parseLocalDateTime(dateText)) {
                talk.start = time_.toUtc(*local);
            } else {
                builder_.skipTalk(
                    talk, "its <date> " + quoted(dateText) + " is not an ISO 8601 date and time");
                return;
            }
        } else if (startText.empty()) {
            builder_.skipTalk(talk, "it has neither a <date> nor a <start>");
            return;
        } else if (auto clock = parseTimeOfDay(startText); !clock) {
            builder_.skipTalk(talk, "its <start> " + quoted(startText) + " is not a time of day");
            return;
        } else if (!day.localDate) {
            builder_.skipTalk(
                talk, "it has no <date> and its day's date " + quoted(day.date) + " is not a date");
            return;
        } else {
            talk.start = time_.eventStart(*day.localDate, *clock, day.rollover);
        }

        if (!durationText || durationText->empty()) {
            builder_.skipTalk(talk, "it has no <duration>");
            return;
        }
        if (auto duration = parseScheduleDuration(*durationText)) {
            talk.duration = *duration;
        } else {
            builder_.skipTalk(
                talk, "its <duration> " + quoted(*durationText) + " is not a schedule duration");
            return;
        }
        builder_.addTalk(std::move(talk));
    }

    const ScheduleTime& time_;
    ScheduleBuilder& builder_;
    Seen seen_;
};

std::string lowerFirst(std::string text) {
    if (!text.empty()) {
        text.front() = static_cast<char>(std::tolower(static_cast<unsigned char>(text.front())));
    }
    return text;
}

}  // namespace

Schedule XmlScheduleParser::parse(std::string_view bytes) const {
    const std::string& source = options_.source;
    pugi::xml_document doc;
    const pugi::xml_parse_result result =
        doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_auto);
    if (!result) {
        throw core::ScheduleError(source +
                                  " is not well-formed XML: " + lowerFirst(result.description()) +
                                  " at line " + std::to_string(lineAt(bytes, result.offset)) + ".");
    }
    const pugi::xml_node root = doc.document_element();
    const std::string_view rootName = root.name();
    if (rootName == "html" || rootName == "HTML") {
        throw core::ScheduleError(source +
                                  " looks like an HTML page, not a schedule; check the URL.");
    }
    if (rootName != "schedule") {
        throw core::ScheduleError(source + " is XML but not a schedule: its root element is <" +
                                  std::string(rootName) + ">, not <schedule>.");
    }

    ScheduleBuilder builder("frab XML");
    const pugi::xml_node conferenceNode = root.child("conference");
    std::string zoneName;
    std::optional<core::Seconds> dayChange;
    bool hasDayChange = false;
    for (pugi::xml_node child : conferenceNode.children()) {
        const std::string_view name = child.name();
        if (name == "title") {
            builder.conference().title = textOf(child);
        } else if (name == "acronym") {
            builder.conference().acronym = textOf(child);
        } else if (name == "time_zone_name") {
            zoneName = textOf(child);
        } else if (name == "day_change") {
            const std::string text = textOf(child);
            hasDayChange = !text.empty();
            dayChange = parseTimeOfDay(text);
            if (hasDayChange && !dayChange) {
                builder.warn(source + " has the day_change " + quoted(text) +
                             ", which is not a time of day; it is ignored.");
            }
        }
    }

    const ScheduleTime time(source, zoneName, options_.timeZone);
    builder.conference().timeZone = time.zoneName();
    if (!time.warning().empty()) {
        builder.warn(time.warning());
    }

    Walker walker(time, builder);
    int ordinal = 0;
    for (pugi::xml_node day : root.children("day")) {
        walker.day(day, ++ordinal, dayChange);
    }

    if (hasDayChange || (!walker.seen().eventDate && !walker.seen().dayStart)) {
        builder.setFormat("pentabarf XML");
    } else if (std::string_view(root.child("generator").attribute("name").value()) == "pretalx") {
        builder.setFormat("pretalx XML");
    }
    return builder.finish();
}

}  // namespace confcap::schedule
