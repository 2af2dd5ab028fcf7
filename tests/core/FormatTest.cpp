#include "confcap/core/Format.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(FormatTest)

namespace bdata = boost::unit_test::data;
using namespace confcap::core;

BOOST_DATA_TEST_CASE(
    formatsBytes,
    bdata::make({0ull, 999ull, 1000ull, 12345ull, 123456789ull, 999999999ull, 1234567890ull}) ^
        bdata::make({"0 B", "999 B", "1.0 kB", "12.3 kB", "123 MB", "1.0 GB", "1.2 GB"}),
    bytes, text) {
    BOOST_TEST(formatBytes(bytes) == text);
}

BOOST_DATA_TEST_CASE(formatsRatesAndSpans,
                     bdata::make({0.0, 850000.0, 4100000.0}) ^
                         bdata::make({"-", "850 kb/s", "4.1 Mb/s"}),
                     rate, text) {
    BOOST_TEST(formatRate(rate) == text);
}

BOOST_DATA_TEST_CASE(formatsSpans,
                     bdata::make({-5, 0, 45, 719, 3900, 360000}) ^
                         bdata::make({"0s", "0s", "45s", "11m", "1h05", "100h"}),
                     seconds, text) {
    BOOST_TEST(formatSpan(std::chrono::seconds(seconds)) == text);
}

BOOST_AUTO_TEST_CASE(formatsMeasuredSeconds) {
    BOOST_TEST(formatSeconds(3.2) == "3.2 s");
    BOOST_TEST(formatSeconds(45) == "45 s");
    BOOST_TEST(formatSeconds(750) == "12.5 min");
}

BOOST_AUTO_TEST_SUITE_END()
