// Finding one talk in a parsed schedule, for the suites that check what a parser read.
#pragma once

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "confcap/schedule/Schedule.h"

namespace confcap::testing {

/// The first talk of `schedule` whose `field` is `value`; the test stops, naming `value`, when
/// there is none.
inline const schedule::Talk& talkWhere(const schedule::Schedule& schedule,
                                       std::string schedule::Talk::*field,
                                       const std::string& value) {
    const auto it = std::find_if(schedule.talks.begin(), schedule.talks.end(),
                                 [&](const schedule::Talk& talk) { return talk.*field == value; });
    BOOST_REQUIRE_MESSAGE(it != schedule.talks.end(), "no talk " << value);
    return *it;
}

/// The talk of `schedule` with the id `id`; the test stops when there is none.
inline const schedule::Talk& talkWithId(const schedule::Schedule& schedule, const std::string& id) {
    return talkWhere(schedule, &schedule::Talk::id, id);
}

/// The talk of `schedule` titled `title`; the test stops when there is none.
inline const schedule::Talk& talkTitled(const schedule::Schedule& schedule,
                                        const std::string& title) {
    return talkWhere(schedule, &schedule::Talk::title, title);
}

}  // namespace confcap::testing
