#include "confcap/core/Time.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "confcap/core/Error.h"

BOOST_AUTO_TEST_SUITE(TimeTest)

namespace bdata = boost::unit_test::data;
using confcap::core::Seconds;

BOOST_DATA_TEST_CASE(parsesDurations,
                     bdata::make({"90", "90s", "5m", "1h30m", "2h", "1h30m15s", "1d", "0s"}) ^
                         bdata::make({90, 90, 300, 5400, 7200, 5415, 86400, 0}),
                     text, seconds) {
    BOOST_TEST(confcap::core::parseDuration(text).count() == seconds);
}

BOOST_DATA_TEST_CASE(rejectsMalformedDurations,
                     bdata::make({"", "abc", "5x", "-5m", "1h30", "30m1h", "5m5m", "m", "1.5h"}),
                     text) {
    BOOST_CHECK_THROW(confcap::core::parseDuration(text), confcap::core::UsageError);
}

BOOST_DATA_TEST_CASE(formatsDurations,
                     bdata::make({0, 45, 300, 305, 5400, 3605}) ^
                         bdata::make({"0s", "45s", "5m", "5m5s", "1h30m", "1h0m5s"}),
                     seconds, text) {
    BOOST_TEST(confcap::core::formatDuration(Seconds(seconds)) == text);
}

BOOST_DATA_TEST_CASE(parsesIsoInstants,
                     bdata::make({"2024-12-27T10:30:00+01:00", "2024-12-27T09:30:00Z",
                                  "2024-12-27T09:30:00.123Z", "2024-12-27T11:30+02:00",
                                  " 2024-12-27T05:30:00-0400 ", "2024-12-27T09:30:00+00"}),
                     text) {
    auto t = confcap::core::parseIsoInstant(text);
    BOOST_REQUIRE(t.has_value());
    BOOST_TEST(confcap::core::formatUtc(*t) == "2024-12-27T09:30:00Z");
}

BOOST_DATA_TEST_CASE(readsTheWidestOffsets,
                     bdata::make({"2024-12-27T23:59:00+23:59", "2024-12-26T00:01:00-23:59"}),
                     text) {
    const auto t = confcap::core::parseIsoInstant(text);
    BOOST_REQUIRE(t.has_value());
    BOOST_TEST(confcap::core::formatUtc(*t) == "2024-12-27T00:00:00Z");
}

BOOST_DATA_TEST_CASE(rejectsInstantsWithoutOffset,
                     bdata::make({"2024-12-27T10:30:00", "2024-12-27", "garbage",
                                  "2024-13-27T10:30:00Z", "2024-12-27T10:30:00+1",
                                  // Offsets beyond ±23:59 were accepted (issue 11).
                                  "2024-12-27T10:30:00+99:99", "2024-12-27T10:30:00-24:00",
                                  "2024-12-27T10:30:00+23:60", "2024-12-27T10:30:00+2400"}),
                     text) {
    BOOST_TEST(!confcap::core::parseIsoInstant(text).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
