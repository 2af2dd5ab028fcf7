#include "confcap/health/HealthFlags.h"

#include <cmath>

#include "confcap/core/Format.h"

namespace confcap::health {

namespace {

/// A stretch that begins this close to the start of an analysed part began before it.
constexpr double kStartTolerance = 3.0;

std::string clockText(core::Instant at, const date::time_zone* zone) {
    return zone != nullptr ? date::format("%H:%M", zone->to_local(at))
                           : date::format("%H:%M UTC", at);
}

core::Instant instantAt(core::Instant start, double offsetSeconds) {
    return start + core::Seconds(std::lround(offsetSeconds));
}

void addFlag(std::vector<std::string>& flags, const char* what, const Trouble& trouble,
             core::Instant fileStart, const date::time_zone* zone) {
    if (!trouble.longest) {
        return;
    }
    std::string flag = std::string(what) + " " + core::formatSeconds(trouble.longest->seconds) +
                       " from " +
                       clockText(instantAt(fileStart, trouble.longest->offsetSeconds), zone);
    if (trouble.seconds >= trouble.longest->seconds + 1.0) {
        flag += ", " + core::formatSeconds(trouble.seconds) + " in all";
    }
    flags.push_back(std::move(flag));
}

std::optional<core::Instant> since(const Trouble& trouble, double analysed,
                                   core::Instant analysedEnd,
                                   const std::optional<core::Instant>& before) {
    if (!trouble.atEnd) {
        return std::nullopt;
    }
    if (before && trouble.atEnd->offsetSeconds <= kStartTolerance) {
        return before;
    }
    return instantAt(analysedEnd, trouble.atEnd->offsetSeconds - analysed);
}

}  // namespace

std::vector<std::string> flagsFor(const ContentHealth& health, core::Instant fileStart,
                                  const date::time_zone* zone) {
    std::vector<std::string> flags;
    addFlag(flags, "silent", health.silence, fileStart, zone);
    addFlag(flags, "black picture", health.black, fileStart, zone);
    addFlag(flags, "frozen picture", health.frozen, fileStart, zone);
    return flags;
}

LiveHealth liveHealthOf(const ContentHealth& lastPart, core::Instant analysedEnd,
                        const LiveHealth& before) {
    const double analysed = lastPart.analysedSeconds;
    return {since(lastPart.silence, analysed, analysedEnd, before.silentSince),
            since(lastPart.black, analysed, analysedEnd, before.blackSince),
            since(lastPart.frozen, analysed, analysedEnd, before.frozenSince)};
}

std::vector<std::string> liveFlagsFor(const LiveHealth& live, const date::time_zone* zone) {
    std::vector<std::string> flags;
    if (live.silentSince) {
        flags.push_back("silent since " + clockText(*live.silentSince, zone));
    }
    if (live.blackSince) {
        flags.push_back("black picture since " + clockText(*live.blackSince, zone));
    }
    if (live.frozenSince) {
        flags.push_back("frozen picture since " + clockText(*live.frozenSince, zone));
    }
    return flags;
}

}  // namespace confcap::health
