// Conference presets: conferences confcap knows without a streaming API (FOSDEM), kept as data
// (src/plan/presets.ini, compiled in) rather than code per conference. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace confcap::plan {

/// A preset with its `{year}` filled.
struct ConferencePreset {
    std::string slug;  ///< as asked, e.g. "fosdem2026"
    std::string title;
    std::string schedule;  ///< the schedule's URL
    std::string timeZone;  ///< IANA zone for a schedule that names none; may be empty
    /// A stream URL template as --stream-template takes it; may be empty.
    std::string streamTemplate;
};

/// The presets' text as compiled in (INI: one section per slug).
std::string_view builtinPresets() noexcept;

/// The preset `slug` names in `presets` (any case): "fosdem" is the one of `currentYear`,
/// "fosdem2026" the one of 2026; nullopt when no section has that name. Pure.
/// Throws std::invalid_argument naming the line when `presets` is malformed.
std::optional<ConferencePreset> findPreset(std::string_view presets, std::string_view slug,
                                           int currentYear);

/// The presets' section names, in file order. Pure. Throws like findPreset.
std::vector<std::string> presetNames(std::string_view presets);

}  // namespace confcap::plan
