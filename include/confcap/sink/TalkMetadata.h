// What a recording knows about its talk, as plain values: it goes into the sidecar, and into the
// part list so that a later process can finish the recording with it.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "confcap/core/Time.h"

namespace confcap::sink {

/// The talk as the schedule describes it. `start` and `end` are UTC instants, absent when unknown.
struct TalkMetadata {
    std::string id;
    std::string guid;
    std::string title;
    std::string subtitle;
    std::string room;
    std::string track;
    std::string type;
    std::string language;
    std::optional<core::Instant> start;
    std::optional<core::Instant> end;
    std::int64_t durationSeconds = 0;
    std::vector<std::string> persons;
    std::string url;
    bool doNotRecord = false;
    std::string abstract;
    std::string conference;  ///< the conference's title
    /// The calendar date the talk starts on in the conference's zone (YYYY-MM-DD), in UTC when
    /// the schedule names no zone.
    std::string date;

    bool operator==(const TalkMetadata&) const = default;
};

/// The talk as a JSON object with the fields of `confcap list --json`; times are RFC 3339 UTC
/// text ("2024-12-27T10:30:00Z"), "" when absent. Pure.
Poco::JSON::Object::Ptr toJson(const TalkMetadata& talk);

/// The talk from such an object; missing fields stay empty, and so do times without a zone. Pure.
TalkMetadata talkMetadataFrom(const Poco::JSON::Object& object);

}  // namespace confcap::sink
