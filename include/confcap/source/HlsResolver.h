// What an HLS source follows for its stream URL: a media playlist as it is, or of a master
// playlist the variant the options pick and the audio renditions beside it; and, without a
// fixed variant, the ladder of variants it may move between and the fitter that moves it.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "confcap/source/HlsPlaylist.h"
#include "confcap/source/HlsVariantChoice.h"
#include "confcap/source/Source.h"
#include "confcap/source/VariantFitter.h"

namespace confcap::source {

/// Resolves one stream URL each time its playlist is read (again). Used on one thread.
class HlsResolver {
public:
    HlsResolver(std::string url, const SourceOptions& options);

    /// The media playlists to follow, from `playlist` (the stream URL's, as read now): the URL
    /// itself for a media playlist; for a master playlist the variant `options.variant` picks
    /// (without one: the variant followed before, found again by followedVariant, else the
    /// highest bandwidth) as track 0 and the renditions chooseAudio picks as further tracks.
    /// Notices go to `out`: an audio selector that matched nothing and, when `first`, what is
    /// followed. Throws core::SourceError (Permanent) when a master playlist turned into a media
    /// playlist, and what chooseVariant throws.
    std::vector<HlsTrackChoice> resolve(const HlsPlaylist& playlist, SourceOutput& out, bool first);

    /// True once the stream URL was a master playlist.
    bool master() const noexcept { return master_; }
    /// The fitter of the variant to the link: unset with a fixed variant, a media playlist or a
    /// ladder of one rung.
    std::optional<VariantFitter>& fitter() noexcept { return fitter_; }
    /// The variant on rung `rung` of the ladder (lowest first). Needs a fitter.
    const HlsVariant& rung(std::size_t rung) const { return ladder_.at(rung); }
    /// Follows the ladder's rung `to` from `now` on.
    void moveTo(std::size_t to, std::chrono::steady_clock::time_point now);

private:
    const HlsVariant& pickVariant(const HlsPlaylist& master);

    std::string url_;
    std::string variantSelector_;
    std::string audioSelector_;
    FitterSettings fitterSettings_;
    bool master_ = false;
    std::optional<HlsVariant> variant_;
    std::vector<HlsVariant> ladder_;
    std::optional<VariantFitter> fitter_;
};

}  // namespace confcap::source
