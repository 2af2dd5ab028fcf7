// What a recording knows about its talk, as plain values: it goes into the sidecar, and into the
// part list so that a later process can finish the recording with it.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <vector>

namespace confcap::sink {

/// The talk as the schedule describes it. Times are RFC 3339 UTC text ("2024-12-27T10:30:00Z").
struct TalkMetadata {
    std::string id;
    std::string guid;
    std::string title;
    std::string subtitle;
    std::string room;
    std::string track;
    std::string type;
    std::string language;
    std::string start;
    std::string end;
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

/// The talk as a JSON object with the fields of `confcap list --json`. Pure.
Poco::JSON::Object::Ptr toJson(const TalkMetadata& talk);

/// The talk from such an object; missing fields stay empty. Pure.
TalkMetadata talkMetadataFrom(const Poco::JSON::Object& object);

}  // namespace confcap::sink
