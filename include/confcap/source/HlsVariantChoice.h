// What to record from an HLS master playlist: the variant a selector picks, and the audio
// renditions of its AUDIO group (other languages, a translation) to record beside it. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/source/HlsPlaylist.h"

namespace confcap::source {

/// The variant `selector` picks: "" / "best" / "max" → the highest BANDWIDTH; "min" → the
/// lowest; a number "0", "1", ... → that index in playlist order; "720p" → the highest bandwidth
/// of height 720; "1280x720" → that resolution. Throws core::UsageError naming the selector
/// and listing the variants when it matches none or is malformed; core::SourceError when
/// `variants` is empty.
const HlsVariant& chooseVariant(const std::vector<HlsVariant>& variants, std::string_view selector);

/// The variants a follower that fits its link moves between, lowest BANDWIDTH first, `chosen`
/// among them: one per BANDWIDTH (of several with the same, the one in `chosen`'s AUDIO group,
/// else the first listed), and when `chosen` has a RESOLUTION only variants that have one (no
/// step down to sound alone). Pure.
std::vector<HlsVariant> variantLadder(const std::vector<HlsVariant>& variants,
                                      const HlsVariant& chosen);

/// The variant of a master playlist read again that is the one `followed` before: the same URI,
/// else the same resolution and bandwidth; nullptr when none is. Pure.
const HlsVariant* followedVariant(const std::vector<HlsVariant>& variants,
                                  const HlsVariant& followed);

/// The place of `variant` (by URI) on `ladder`, lowest first; 0 when it is not on it. Pure.
std::size_t ladderRung(const std::vector<HlsVariant>& ladder, const HlsVariant& variant);

/// "1280x720, 2.2 Mb/s" (the resolution when known), for messages. Pure.
std::string describeVariant(const HlsVariant& variant);

/// The audio renditions of `variant`'s AUDIO group that `selector` picks, to be recorded beside
/// it: "" → the group's DEFAULT=YES rendition (else its first AUTOSELECT=YES one, else its
/// first); "all" → every one; otherwise those whose NAME or LANGUAGE is `selector` (any case; a
/// language "de" also matches "de-DE"). Renditions the variant carries itself (no URI) are left
/// out: their sound is in the variant already. When `selector` matches nothing, the default is
/// returned and `unmatched` (when given) is set. Empty when the variant names no audio group.
/// Pure.
std::vector<HlsRendition> chooseAudio(const HlsPlaylist& master, const HlsVariant& variant,
                                      std::string_view selector, bool* unmatched = nullptr);

/// A media playlist to follow and the track it records.
struct HlsTrackChoice {
    core::TrackInfo info;
    std::string url;
};

/// The tracks that record `variant` with the renditions `audio` beside it: the variant as track
/// 0, then each rendition as track 1, 2, ... with its NAME and LANGUAGE. Pure.
std::vector<HlsTrackChoice> tracksToFollow(const HlsVariant& variant,
                                           const std::vector<HlsRendition>& audio);

/// "deu "audio_1", eng "audio_2"": the audio renditions of `group`, for messages. Pure.
std::string describeAudio(const HlsPlaylist& master, std::string_view group);

}  // namespace confcap::source
