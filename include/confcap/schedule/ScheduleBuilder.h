// Collects a Schedule while a parser walks a document: rooms registered once however often they
// are mentioned, talks in document order, and warnings naming the events that were skipped.
// Shared by the XML and JSON parsers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "confcap/schedule/Schedule.h"

namespace confcap::schedule {

/// Builds one Schedule; not thread-safe (one builder per parse).
class ScheduleBuilder {
public:
    /// `format` names the recognized dialect, e.g. "frab XML" (see Schedule::format).
    explicit ScheduleBuilder(std::string format);

    Conference& conference() noexcept { return schedule_.conference; }

    /// Registers a room the first time it is mentioned (keyed by guid when given, else by name)
    /// and fills in a guid or slug that an earlier mention lacked. An empty `slug` is derived from
    /// the name (deriveRoomSlug). Returns a copy of the room as registered so far: an empty
    /// `name` with a known `guid` gives that room's name. Returns an empty Room and registers
    /// nothing when `name` and `guid` are both empty.
    Room addRoom(std::string_view name, std::string_view guid = {}, std::string_view slug = {});

    /// Appends a talk; talks keep the order in which they are added. Talk::room should be a name
    /// addRoom() returned; finish() fills in an empty Talk::roomGuid from that room.
    void addTalk(Talk&& talk);

    /// Makes room for `count` talks in all, so that adding them does not move the ones added.
    void reserveTalks(std::size_t count);

    /// Reports that `talk` was not added: one sentence naming its id and title and the `reason`
    /// (e.g. "its <duration> \"1h\" is not a schedule duration").
    void skipTalk(const Talk& talk, std::string_view reason);

    /// Adds one sentence to Schedule::warnings.
    void warn(std::string message);

    /// Sets Schedule::format, for dialects only known once the document has been walked.
    void setFormat(std::string format) { schedule_.format = std::move(format); }

    /// The finished schedule; the builder is left empty.
    Schedule finish();

private:
    Schedule schedule_;
    std::unordered_map<std::string, std::size_t> roomByGuid_;
    std::unordered_map<std::string, std::size_t> roomByName_;
};

/// Names an event in a message: `event 6264 "Title"`, falling back to the guid when the id is
/// empty and leaving the title out when it is empty. Pure.
std::string describeEvent(const Talk& talk);

/// `text` in double quotes, for messages. Pure.
std::string doubleQuoted(std::string_view text);

}  // namespace confcap::schedule
