#include "confcap/source/HlsResolver.h"

#include <algorithm>

#include "confcap/core/Error.h"

namespace confcap::source {

namespace {

// "Following the variant 1280x720, 2.2 Mb/s at <url> with the audio deu "audio_1".", and how it
// fits the link when it has a `ladder` to move on.
std::string followingNotice(const HlsVariant& variant, const std::vector<HlsTrackChoice>& tracks,
                            const std::vector<HlsVariant>* ladder) {
    std::string text =
        "Following the variant " + describeVariant(variant) + " at " + tracks.front().url;
    for (std::size_t i = 1; i < tracks.size(); ++i) {
        const auto& info = tracks[i].info;
        text += (i == 1 ? " with the audio " : ", ") +
                (info.language.empty() ? std::string() : info.language + " ") + "\"" + info.name +
                "\"";
    }
    text += ".";
    if (ladder != nullptr) {
        text += " It steps down when the link cannot keep up (" + std::to_string(ladder->size()) +
                " variants, down to " + describeVariant(ladder->front()) + ").";
    }
    return text;
}

}  // namespace

HlsResolver::HlsResolver(std::string url, const SourceOptions& options)
    : url_(std::move(url)),
      variantSelector_(options.variant),
      audioSelector_(options.audio),
      fitterSettings_(options.fitter) {}

std::vector<HlsTrackChoice> HlsResolver::resolve(const HlsPlaylist& playlist, SourceOutput& out,
                                                 bool first) {
    if (!playlist.master) {
        if (master_) {
            throw core::SourceError(
                "The master playlist " + url_ + " turned into a media playlist.",
                core::ErrorKind::Permanent);
        }
        return {{core::TrackInfo{}, url_}};
    }
    master_ = true;
    const HlsVariant& variant = pickVariant(playlist);
    bool unmatched = false;
    auto tracks =
        tracksToFollow(variant, chooseAudio(playlist, variant, audioSelector_, &unmatched));
    if (unmatched) {
        out.notice("No audio rendition of " + url_ + " is named \"" + audioSelector_ +
                   "\" (it has " + describeAudio(playlist, variant.audioGroup) +
                   "); recording the default one.");
    }
    if (first) {
        out.notice(followingNotice(variant, tracks, fitter_ ? &ladder_ : nullptr));
    }
    return tracks;
}

// The variant of `master` to follow, and when fitting it to the link the ladder and the fitter
// (made again when the ladder or the rung changed).
const HlsVariant& HlsResolver::pickVariant(const HlsPlaylist& master) {
    const bool fitting = variantSelector_.empty();
    const HlsVariant* followed =
        fitting && variant_ ? followedVariant(master.variants, *variant_) : nullptr;
    const HlsVariant& variant =
        followed != nullptr ? *followed : chooseVariant(master.variants, variantSelector_);
    variant_ = variant;
    if (!fitting) {
        return variant;
    }
    auto ladder = variantLadder(master.variants, variant);
    const std::size_t rung = ladderRung(ladder, variant);
    std::vector<std::int64_t> bandwidths;
    for (const auto& step : ladder) {
        bandwidths.push_back(step.bandwidth);
    }
    const bool sameLadder =
        ladder.size() == ladder_.size() &&
        std::equal(ladder.begin(), ladder.end(), ladder_.begin(),
                   [](const auto& a, const auto& b) { return a.bandwidth == b.bandwidth; });
    if (ladder.size() < 2) {
        fitter_.reset();
    } else if (!fitter_ || !sameLadder || fitter_->current() != rung) {
        fitter_.emplace(std::move(bandwidths), rung, std::chrono::steady_clock::now(),
                        fitterSettings_);
    }
    ladder_ = std::move(ladder);
    return variant;
}

void HlsResolver::moveTo(std::size_t to, std::chrono::steady_clock::time_point now) {
    variant_ = ladder_.at(to);
    fitter_->moved(to, now);
}

}  // namespace confcap::source
