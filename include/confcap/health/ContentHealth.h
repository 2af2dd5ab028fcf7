// What a recording holds, as ffmpeg's own filters measure it: silence, black and frozen picture
// with their longest stretch, integrated loudness, and the thresholds those are measured at.
// Also the same as JSON, the one spelling the sidecar, the status server and the summary share.
#pragma once

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

#include "confcap/core/Time.h"

namespace confcap::health {

/// A stretch of a file: where it begins (seconds from the file's start) and how long it lasts.
struct Stretch {
    double offsetSeconds = 0;
    double seconds = 0;

    bool operator==(const Stretch&) const = default;
};

/// One kind of trouble in a file (silence, black or frozen picture): its seconds in all, and
/// its longest stretch (none when there was none).
struct Trouble {
    double seconds = 0;
    std::optional<Stretch> longest;
    /// The stretch that lasts to the end of what was analysed, when one does (it may go on).
    std::optional<Stretch> atEnd;

    bool operator==(const Trouble&) const = default;
};

/// What an analysis of a file (or of its last seconds) found.
struct ContentHealth {
    double analysedSeconds = 0;  ///< the media time analysed
    bool hasVideo = false;
    bool hasAudio = false;
    Trouble silence;  ///< audio below Thresholds::silenceBelowDb; none without audio
    Trouble black;    ///< black picture; none without video
    Trouble frozen;   ///< an unchanging picture that is not black; none without video
    /// Integrated loudness (EBU R 128) in LUFS; none without audio.
    std::optional<double> loudnessLufs;

    bool operator==(const ContentHealth&) const = default;
};

/// What counts as trouble. Each kind counts once it lasts at least its `...For`.
struct Thresholds {
    double silenceBelowDb = -50;  ///< audio quieter than this (dBFS) is silence
    core::Seconds silenceFor{30};
    core::Seconds blackFor{30};  ///< black as ffmpeg's blackdetect judges by its defaults
    core::Seconds frozenFor{30};
    /// Pictures that differ by less than this (freezedetect's noise, dB of full scale) are the
    /// same picture: a still picture through a live encoder differs by about -45 dB from key
    /// frame to key frame, a person moving in the picture by far more.
    double frozenNoiseDb = -40;

    bool operator==(const Thresholds&) const = default;
};

/// When each trouble that lasts to a growing file's end began (UTC); none when it does not.
struct LiveHealth {
    std::optional<core::Instant> silentSince;
    std::optional<core::Instant> blackSince;
    std::optional<core::Instant> frozenSince;

    bool any() const noexcept { return silentSince || blackSince || frozenSince; }
    bool operator==(const LiveHealth&) const = default;
};

/// {"analysedSeconds", "video", "audio", "silence"/"black"/"frozen": {"seconds", "longest":
/// {"offsetSeconds", "seconds"} when there is one} for the streams the file has,
/// "loudnessLufs" when known}; seconds to the tenth. Pure.
Poco::JSON::Object::Ptr toJson(const ContentHealth& health);
/// The health toJson() wrote (a sidecar's or summary's "health"), to the tenth of a second;
/// none when `object` is null or not such an object. Pure.
std::optional<ContentHealth> healthFromJson(const Poco::JSON::Object::Ptr& object);

/// {"silentSince", "blackSince", "frozenSince"} as RFC 3339 UTC, only those that apply. Pure.
Poco::JSON::Object::Ptr toJson(const LiveHealth& live);

}  // namespace confcap::health
