// The c3voc streaming API (v2, https://streaming.media.ccc.de/streams/v2.json): the conferences it
// announces, their rooms and every stream of a room; and which stream each schedule room gets.
// Pure functions over values; fetching the document is fetch's job.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/schedule/Schedule.h"

namespace confcap::plan {

/// One way to receive a stream: "hls", "webm", "mp3", "opus", "dash"...
struct ApiStreamUrl {
    std::string format;  ///< the key in the API's "urls" object
    std::string url;
    std::string display;  ///< e.g. "HLS"
    std::string tech;     ///< e.g. "1920x1080, h264+AAC im MPEG-TS-Container via HTTP, 3 MBit/s"
};

/// One stream of a room, e.g. "hd-native" or "audio-translated-2".
struct ApiStream {
    std::string slug;
    std::string display;
    std::string type;  ///< "video", "audio", "slides", "dash"...
    bool translated = false;
    int width = 0;  ///< from videoSize; 0 when the API gives none
    int height = 0;
    std::vector<ApiStreamUrl> urls;  ///< in the API's order
};

struct ApiRoom {
    std::string slug;          ///< e.g. "halla"
    std::string scheduleName;  ///< the room's name in the schedule ("schedulename")
    std::string display;
    std::string stream;  ///< the stream id, e.g. "s1"
    std::string group;   ///< the group it is listed under, e.g. "Live"
    std::vector<ApiStream> streams;
};

struct ApiConference {
    std::string slug;         ///< e.g. "35c3"
    std::string title;        ///< "conference", e.g. "35C3"
    std::string description;  ///< may be empty
    std::string schedule;     ///< the schedule's URL; may be empty
    std::string startsAt;     ///< as the API gives it (ISO 8601); may be empty
    std::string endsAt;
    bool streaming = false;  ///< isCurrentlyStreaming
    std::vector<ApiRoom> rooms;
};

/// Parses a streaming API v2 document: a JSON array of conferences. Pure.
/// Throws core::ScheduleError (one sentence naming `source`) when it is not JSON, not an array,
/// or a conference has no slug.
std::vector<ApiConference> parseStreamsApi(std::string_view json, std::string_view source);

enum class StreamKind { Hd, Sd, Audio, Slides };
enum class StreamLanguage { Native, Translated, Translated2 };

/// "hd", "sd", "audio", "slides"; nullopt for anything else (any case).
std::optional<StreamKind> streamKindNamed(std::string_view name);
/// "native", "translated", "translated-2"; nullopt for anything else (any case).
std::optional<StreamLanguage> streamLanguageNamed(std::string_view name);
/// The API's slug for a kind and language, e.g. "hd-native", "audio-translated-2".
std::string streamSlug(StreamKind kind, StreamLanguage language);

/// The room's stream of that kind and language, or nullptr.
const ApiStream* findStream(const ApiRoom& room, StreamKind kind, StreamLanguage language);

/// The URL to record from a stream: HLS, else WebM, MP3, Opus; nullptr when it has none of them
/// (DASH only).
const ApiStreamUrl* preferredUrl(const ApiStream& stream);

/// A schedule room and the API room that streams it.
struct RoomStream {
    std::string room;     ///< the room's name in the schedule
    std::string apiRoom;  ///< the API room's display name
    std::string url;      ///< empty when the API room lacks the asked kind and language
};

/// How the rooms of an API conference and of a schedule meet.
struct RoomMatch {
    std::vector<RoomStream> streams;  ///< in the schedule's room order
    /// API rooms (display names) that no schedule room matches.
    std::vector<std::string> apiRoomsNotInSchedule;
    /// Schedule rooms that no API room matches.
    std::vector<std::string> scheduleRoomsNotInApi;
};

/// Matches every API room to a schedule room: its schedulename to the room's name, then to the
/// room's guid, then its display name to the room's name, any case. Pure.
RoomMatch matchRooms(const ApiConference& conference, const schedule::Schedule& schedule,
                     StreamKind kind, StreamLanguage language);

}  // namespace confcap::plan
