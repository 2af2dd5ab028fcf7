// What a finished talk's file says about itself: the container it is kept in, the tags and the
// chapters that go into it, and the Kodi/Jellyfin .nfo beside it. All pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "confcap/sink/TalkMetadata.h"

namespace confcap::sink {

/// The container a finished recording is kept in (--container).
enum class Container {
    AsRecorded,  ///< "ts": the stream's own container (MPEG-TS for HLS), tagged where it can be
    Matroska,    ///< "mkv"
    Mp4,         ///< "mp4", with its index at the front (+faststart)
};

/// The container a --container value names ("ts", "mkv", "mp4", any case); nullopt for another.
std::optional<Container> containerNamed(std::string_view name);
/// "ts", "mkv" or "mp4".
std::string_view toString(Container container);
/// The extension a recording in `format` (its extension) gets in `container`.
std::string extensionIn(Container container, std::string_view recordedExtension);

/// A chapter of the file, in seconds from its start.
struct Chapter {
    double startSeconds = 0;
    double endSeconds = 0;
    std::string title;
};

/// The tags and chapters for a file, as ffmpeg names its metadata keys.
struct FileTags {
    std::vector<std::pair<std::string, std::string>> tags;  ///< key, value; no empty values
    std::vector<Chapter> chapters;
};

/// The tags a file with `extension` ("ts", "mkv", "mp4", "mp3", "webm"...) can carry for
/// `talk`: title, subtitle, speakers (artist), conference (album), date, track (genre),
/// language, room and URL (also as a comment, which every container keeps), abstract
/// (description); an MPEG-TS file carries only its service name (the title) and provider (the
/// conference). Chapters ("Before the talk", the title, "After the talk") place the talk's
/// scheduled start and end inside the padding, counted from `mediaStart`, the instant the
/// file's first media arrived, over `mediaSeconds` of media; none without them or for MPEG-TS.
FileTags fileTagsFor(const TalkMetadata& talk, std::string_view extension,
                     std::optional<std::chrono::system_clock::time_point> mediaStart,
                     double mediaSeconds);

/// The tags and chapters as an ffmpeg metadata file (";FFMETADATA1"), with '=', ';', '#', '\'
/// and line breaks escaped and other control characters left out.
std::string ffmetadataText(const FileTags& tags);

/// The talk as a Kodi/Jellyfin movie .nfo: title, plot (the abstract), outline and tagline (the
/// subtitle), runtime in minutes, premiered and year (the talk's local date), studio (the
/// conference), tag and genre (the track), the speakers as actors with the role "Speaker", the
/// talk's page and its guid as a unique id. UTF-8 XML; characters XML cannot hold are left out.
std::string nfoText(const TalkMetadata& talk);

}  // namespace confcap::sink
