#include "confcap/schedule/XmlScheduleParser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

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
        builder_.warn(message + " has <" + node.name() + "> " + doubleQuoted(text) +
                      ", which is not true or false; it is read as false.");
    }

    /// What an <event> says besides the talk's own fields: its times, room and flags as written.
    struct EventTexts {
        std::string_view date;
        std::string_view start;
        std::optional<std::string_view> duration;
        std::string room;
        pugi::xml_node optout;
        pugi::xml_node doNotRecord;
        pugi::xml_node doNotStream;
    };

    void event(pugi::xml_node node, const DayContext& day, const Room& listedIn) {
        Talk talk;
        talk.id = std::string(attributeOf(node, "id"));
        talk.guid = std::string(attributeOf(node, "guid"));
        talk.code = std::string(attributeOf(node, "code"));
        talk.day = day.index;
        talk.dayDate = day.date;
        const EventTexts texts = readChildren(node, talk);
        const Room room = listedIn.name.empty() ? builder_.addRoom(texts.room) : listedIn;
        talk.room = room.name;
        talk.roomGuid = room.guid;
        if (texts.optout) {
            flag(talk, texts.optout, talk.doNotRecord);
        }
        if (texts.doNotRecord && !talk.doNotRecord) {
            flag(talk, texts.doNotRecord, talk.doNotRecord);
        }
        if (texts.doNotStream) {
            flag(talk, texts.doNotStream, talk.doNotStream);
        }
        if (auto skipped = placeInTime(talk, texts, day)) {
            builder_.skipTalk(talk, *skipped);
            return;
        }
        builder_.addTalk(std::move(talk));
    }

    /// Fills the talk's text fields from the event's children and returns the rest.
    static EventTexts readChildren(pugi::xml_node node, Talk& talk) {
        EventTexts texts;
        for (pugi::xml_node child : node.children()) {
            if (child.type() != pugi::node_element) {
                continue;
            }
            const std::string_view name = child.name();
            if (name == "title") {
                talk.title = textOf(child);
            } else if (name == "date") {
                texts.date = core::trimmed(child.child_value());
            } else if (name == "start") {
                texts.start = core::trimmed(child.child_value());
            } else if (name == "duration") {
                texts.duration = core::trimmed(child.child_value());
            } else if (name == "room") {
                texts.room = textOf(child);
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
                readPersons(child, talk.persons);
            } else if (name == "recording") {
                texts.optout = child.child("optout");
            } else if (name == "do_not_record") {
                texts.doNotRecord = child;
            } else if (name == "do_not_stream") {
                texts.doNotStream = child;
            }
        }
        return texts;
    }

    static void readPersons(pugi::xml_node persons, std::vector<Person>& out) {
        for (pugi::xml_node person : persons.children("person")) {
            Person p;
            p.name = textOf(person);
            p.id = std::string(attributeOf(person, "id"));
            if (p.id.empty()) {
                p.id = std::string(attributeOf(person, "guid"));
            }
            out.push_back(std::move(p));
        }
    }

    /// Sets the talk's start and duration from the event's <date>, or its <start> on its day, and
    /// <duration>; when they cannot be read, returns why the talk is skipped.
    std::optional<std::string> placeInTime(Talk& talk, const EventTexts& texts,
                                           const DayContext& day) {
        if (!texts.date.empty()) {
            seen_.eventDate = true;
            if (auto instant = core::parseIsoInstant(texts.date)) {
                talk.start = *instant;
            } else if (auto local = parseLocalDateTime(texts.date)) {
                talk.start = time_.toUtc(*local);
            } else {
                return "its <date> " + doubleQuoted(texts.date) +
                       " is not an ISO 8601 date and time";
            }
        } else if (texts.start.empty()) {
            return "it has neither a <date> nor a <start>";
        } else if (auto clock = parseTimeOfDay(texts.start); !clock) {
            return "its <start> " + doubleQuoted(texts.start) + " is not a time of day";
        } else if (!day.localDate) {
            return "it has no <date> and its day's date " + doubleQuoted(day.date) +
                   " is not a date";
        } else {
            talk.start = time_.eventStart(*day.localDate, *clock, day.rollover);
        }
        if (!texts.duration || texts.duration->empty()) {
            return "it has no <duration>";
        }
        const auto duration = parseScheduleDuration(*texts.duration);
        if (!duration) {
            return "its <duration> " + doubleQuoted(*texts.duration) +
                   " is not a schedule duration";
        }
        talk.duration = *duration;
        return std::nullopt;
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

/// The <event>s under the <day>s, straight or in a <room>, as Walker::day() reads them.
std::size_t eventCount(pugi::xml_node root) {
    std::size_t count = 0;
    for (pugi::xml_node day : root.children("day")) {
        for (pugi::xml_node child : day.children()) {
            const std::string_view name = child.name();
            if (name == "room") {
                const auto events = child.children("event");
                count += static_cast<std::size_t>(std::distance(events.begin(), events.end()));
            } else if (name == "event") {
                ++count;
            }
        }
    }
    return count;
}

/// Whether pugixml reads `bytes` as UTF-8, as it is: no UTF-16 or UTF-32 byte order mark, no zero
/// byte among the first four, and an XML declaration that names no encoding or UTF-8. Anything
/// else pugixml converts first, and an extra zero byte at the end would change what it converts.
bool plainUtf8(std::string_view bytes) {
    const std::string_view head = bytes.substr(0, 4);
    if (head.find('\0') != std::string_view::npos || head.substr(0, 2) == "\xFE\xFF" ||
        head.substr(0, 2) == "\xFF\xFE") {
        return false;
    }
    if (bytes.substr(0, 5) != "<?xml") {
        return true;
    }
    const std::string_view declaration = bytes.substr(0, bytes.find("?>"));
    const std::size_t name = declaration.find("encoding");
    if (name == std::string_view::npos) {
        return true;
    }
    const std::size_t open = declaration.find_first_of("\"'", name);
    const std::size_t close =
        open == std::string_view::npos ? open : declaration.find(declaration[open], open + 1);
    if (close == std::string_view::npos) {
        return false;
    }
    std::string encoding(declaration.substr(open + 1, close - open - 1));
    std::transform(encoding.begin(), encoding.end(), encoding.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return encoding == "utf-8" || encoding == "utf8";
}

/// The error for a document pugixml could not parse, at `line`.
core::ScheduleError notWellFormed(const std::string& source, const pugi::xml_parse_result& result,
                                  std::size_t line) {
    return core::ScheduleError(source +
                               " is not well-formed XML: " + lowerFirst(result.description()) +
                               " at line " + std::to_string(line) + ".");
}

/// The schedule in a parsed document.
Schedule readSchedule(const pugi::xml_document& doc, const ParseOptions& options) {
    const std::string& source = options.source;
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
                builder.warn(source + " has the day_change " + doubleQuoted(text) +
                             ", which is not a time of day; it is ignored.");
            }
        }
    }

    const ScheduleTime time(source, zoneName, options.timeZone);
    builder.conference().timeZone = time.zoneName();
    if (!time.warning().empty()) {
        builder.warn(time.warning());
    }

    builder.reserveTalks(eventCount(root));
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

}  // namespace

Schedule XmlScheduleParser::parse(std::string_view bytes) const {
    pugi::xml_document doc;
    const pugi::xml_parse_result result =
        doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_auto);
    if (!result) {
        throw notWellFormed(options_.source, result, lineAt(bytes, result.offset));
    }
    return readSchedule(doc, options_);
}

Schedule XmlScheduleParser::parseInPlace(std::string&& bytes) const {
    std::string buffer = std::move(bytes);
    if (!plainUtf8(buffer)) {
        return parse(buffer);  // pugixml converts it into a buffer of its own anyway
    }
    // pugixml overwrites the buffer as it parses, at times past the point where it then reports
    // an error (an attribute value never closed), so the line of an error is looked up among the
    // newlines as they were before.
    std::vector<std::size_t> newlines;
    newlines.reserve(static_cast<std::size_t>(std::count(buffer.begin(), buffer.end(), '\n')));
    for (auto at = buffer.find('\n'); at != std::string::npos; at = buffer.find('\n', at + 1)) {
        newlines.push_back(at);
    }
    pugi::xml_document doc;
    // The string's terminating zero included, as in the copy load_buffer() parses: pugixml reads
    // the last character apart, and a truncated document would fail differently.
    const pugi::xml_parse_result result = doc.load_buffer_inplace(
        buffer.data(), buffer.size() + 1, pugi::parse_default, pugi::encoding_auto);
    if (!result) {
        const auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(result.offset, 0));
        const auto before = std::lower_bound(newlines.begin(), newlines.end(), offset);
        throw notWellFormed(options_.source, result,
                            static_cast<std::size_t>(before - newlines.begin()) + 1);
    }
    return readSchedule(doc, options_);
}

}  // namespace confcap::schedule
