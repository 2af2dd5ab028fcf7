#include "confcap/source/HlsVariantChoice.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <optional>

#include "confcap/core/Error.h"
#include "confcap/core/Format.h"
#include "confcap/core/Text.h"

namespace confcap::source {

namespace {

std::string describe(const std::vector<HlsVariant>& variants) {
    std::string list;
    for (std::size_t i = 0; i < variants.size(); ++i) {
        const auto& v = variants[i];
        list += (i == 0 ? "" : ", ") + std::to_string(i) + ": ";
        if (v.height > 0) {
            list += std::to_string(v.width) + "x" + std::to_string(v.height) + " ";
        }
        list += std::to_string(v.bandwidth / 1000) + " kbit/s";
    }
    return list;
}

std::vector<const HlsRendition*> audioGroup(const HlsPlaylist& master, std::string_view group) {
    std::vector<const HlsRendition*> found;
    for (const auto& r : master.renditions) {
        if (r.type == "AUDIO" && !group.empty() && r.groupId == group) {
            found.push_back(&r);
        }
    }
    return found;
}

bool sameLanguage(std::string_view language, std::string_view wanted) {
    return !wanted.empty() && (core::equalsIgnoreCase(language, wanted) ||
                               (language.size() > wanted.size() &&
                                core::equalsIgnoreCase(language.substr(0, wanted.size()), wanted) &&
                                language[wanted.size()] == '-'));
}

}  // namespace

const HlsVariant& chooseVariant(const std::vector<HlsVariant>& variants,
                                std::string_view selector) {
    if (variants.empty()) {
        throw core::SourceError("The HLS master playlist lists no variants.",
                                core::ErrorKind::Permanent);
    }
    const std::string wanted = core::upperCase(core::trimmed(selector));
    auto byBandwidth = [](const HlsVariant* a, const HlsVariant* b) {
        return a->bandwidth < b->bandwidth;
    };
    std::vector<const HlsVariant*> candidates;
    if (wanted.empty() || wanted == "BEST" || wanted == "MAX" || wanted == "MIN") {
        for (const auto& v : variants) {
            candidates.push_back(&v);
        }
        if (wanted == "MIN") {
            return **std::min_element(candidates.begin(), candidates.end(), byBandwidth);
        }
    } else if (const auto index = core::parseNumber<std::size_t>(wanted)) {
        if (*index < variants.size()) {
            return variants[*index];
        }
    } else if (wanted.size() > 1 && wanted.back() == 'P') {
        const auto height =
            core::parseNumber<int>(std::string_view(wanted).substr(0, wanted.size() - 1));
        for (const auto& v : variants) {
            if (height && v.height == *height) {
                candidates.push_back(&v);
            }
        }
    } else if (const std::size_t x = wanted.find('X'); x != std::string::npos) {
        const auto width = core::parseNumber<int>(std::string_view(wanted).substr(0, x));
        const auto height = core::parseNumber<int>(std::string_view(wanted).substr(x + 1));
        for (const auto& v : variants) {
            if (width && height && v.width == *width && v.height == *height) {
                candidates.push_back(&v);
            }
        }
    }
    if (candidates.empty()) {
        throw core::UsageError("The variant \"" + std::string(selector) +
                               "\" matches none of the stream's variants (" + describe(variants) +
                               "); use an index, a height like 720p, WIDTHxHEIGHT or best.");
    }
    return **std::max_element(candidates.begin(), candidates.end(), byBandwidth);
}

std::vector<HlsVariant> variantLadder(const std::vector<HlsVariant>& variants,
                                      const HlsVariant& chosen) {
    std::vector<HlsVariant> ladder{chosen};
    for (const auto& v : variants) {
        if (chosen.height > 0 && v.height <= 0) {
            continue;
        }
        const auto same = std::find_if(ladder.begin(), ladder.end(), [&](const HlsVariant& rung) {
            return rung.bandwidth == v.bandwidth;
        });
        if (same == ladder.end()) {
            ladder.push_back(v);
        } else if (same->uri != chosen.uri && same->audioGroup != chosen.audioGroup &&
                   v.audioGroup == chosen.audioGroup) {
            *same = v;
        }
    }
    std::stable_sort(ladder.begin(), ladder.end(), [](const HlsVariant& a, const HlsVariant& b) {
        return a.bandwidth < b.bandwidth;
    });
    return ladder;
}

std::string describeVariant(const HlsVariant& variant) {
    std::string text;
    if (variant.width > 0 && variant.height > 0) {
        text = std::to_string(variant.width) + "x" + std::to_string(variant.height) + ", ";
    }
    return text + core::formatRate(static_cast<double>(variant.bandwidth));
}

std::vector<HlsRendition> chooseAudio(const HlsPlaylist& master, const HlsVariant& variant,
                                      std::string_view selector, bool* unmatched) {
    if (unmatched != nullptr) {
        *unmatched = false;
    }
    const auto group = audioGroup(master, variant.audioGroup);
    if (group.empty()) {
        return {};
    }
    const std::string wanted(core::trimmed(selector));
    std::vector<const HlsRendition*> picked;
    if (core::equalsIgnoreCase(wanted, "all")) {
        picked = group;
    } else if (!wanted.empty()) {
        for (const auto* r : group) {
            if (core::equalsIgnoreCase(r->name, wanted) || sameLanguage(r->language, wanted)) {
                picked.push_back(r);
            }
        }
        if (picked.empty() && unmatched != nullptr) {
            *unmatched = true;
        }
    }
    if (picked.empty()) {
        const auto byDefault =
            std::find_if(group.begin(), group.end(), [](const auto* r) { return r->isDefault; });
        const auto byAutoselect =
            std::find_if(group.begin(), group.end(), [](const auto* r) { return r->autoselect; });
        picked.push_back(byDefault != group.end()      ? *byDefault
                         : byAutoselect != group.end() ? *byAutoselect
                                                       : group.front());
    }
    std::vector<HlsRendition> result;
    for (const auto* r : picked) {
        if (!r->uri.empty() && r->uri != variant.uri) {
            result.push_back(*r);
        }
    }
    return result;
}

std::string describeAudio(const HlsPlaylist& master, std::string_view group) {
    std::string list;
    for (const auto* r : audioGroup(master, group)) {
        list += (list.empty() ? "" : ", ") + (r->language.empty() ? "" : r->language + " ") + "\"" +
                r->name + "\"";
    }
    return list.empty() ? "none" : list;
}

const HlsVariant* followedVariant(const std::vector<HlsVariant>& variants,
                                  const HlsVariant& followed) {
    for (const auto& v : variants) {
        if (v.uri == followed.uri) {
            return &v;
        }
    }
    for (const auto& v : variants) {
        if (v.width == followed.width && v.height == followed.height &&
            v.bandwidth == followed.bandwidth) {
            return &v;
        }
    }
    return nullptr;
}

std::size_t ladderRung(const std::vector<HlsVariant>& ladder, const HlsVariant& variant) {
    std::size_t rung = 0;
    for (std::size_t i = 0; i < ladder.size(); ++i) {
        rung = ladder[i].uri == variant.uri ? i : rung;
    }
    return rung;
}

std::vector<HlsTrackChoice> tracksToFollow(const HlsVariant& variant,
                                           const std::vector<HlsRendition>& audio) {
    std::vector<HlsTrackChoice> tracks;
    tracks.push_back({core::TrackInfo{}, variant.uri});
    for (const auto& rendition : audio) {
        core::TrackInfo info;
        info.index = static_cast<int>(tracks.size());
        info.name = rendition.name;
        info.language = rendition.language;
        tracks.push_back({info, rendition.uri});
    }
    return tracks;
}

}  // namespace confcap::source
