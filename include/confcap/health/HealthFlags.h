// What a person reads of a file's health: short flags such as "silent 38.0 min from 10:42", and
// since when a talk that is still recording has been silent, black or frozen.
#pragma once

#include <string>
#include <vector>

#include <date/tz.h>

#include "confcap/core/Time.h"
#include "confcap/health/ContentHealth.h"

namespace confcap::health {

/// One flag per kind of trouble the file has, in the order silence, black, frozen: its longest
/// stretch with its length and wall-clock start ("silent 38.0 min from 10:42"), and the total
/// when there is more than that stretch ("..., 41.0 min in all"). `fileStart` is the UTC instant
/// of the file's first media; clock times are in `zone`, or UTC (marked so) when it is null.
/// Empty for a healthy file. Pure.
std::vector<std::string> flagsFor(const ContentHealth& health, core::Instant fileStart,
                                  const date::time_zone* zone);

/// Since when each trouble has lasted, from an analysis of a growing file's last part whose end
/// is `analysedEnd` (UTC), and what the previous check said: a trouble that fills the part from
/// its start goes on from the previous check's instant. Pure.
LiveHealth liveHealthOf(const ContentHealth& lastPart, core::Instant analysedEnd,
                        const LiveHealth& before);

/// "silent since 10:42", "black picture since 10:42", "frozen picture since 10:42": what applies,
/// in that order, clock times as flagsFor() prints them. Pure.
std::vector<std::string> liveFlagsFor(const LiveHealth& live, const date::time_zone* zone);

}  // namespace confcap::health
