// RecordingCoverage: which measure of a piece counts (timestamps, HLS segment lengths, wall
// time with data flowing), added over pieces and over an earlier run.
#include "confcap/sink/RecordingCoverage.h"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(RecordingCoverageTest)

using namespace std::chrono_literals;
using confcap::sink::RecordingCoverage;
using TimePoint = RecordingCoverage::TimePoint;

namespace {

const TimePoint kStart = TimePoint(1'700'000'000s);

}  // namespace

BOOST_AUTO_TEST_CASE(bytes_that_are_not_media_count_the_time_data_flowed) {
    RecordingCoverage coverage;
    coverage.startPiece("bin");
    coverage.wrote("abc", 0, kStart);
    coverage.wrote("abc", 0, kStart + 4s);
    coverage.paused();  // a gap: the time until the next write is not counted
    coverage.wrote("abc", 0, kStart + 60s);
    coverage.wrote("abc", 0, kStart + 62s);
    BOOST_TEST(coverage.seconds() == 6.0);
    BOOST_TEST(!coverage.measured());
}

BOOST_AUTO_TEST_CASE(hls_segment_lengths_count_before_wall_time) {
    RecordingCoverage coverage;
    coverage.startPiece("bin");
    coverage.wrote("abc", 6, kStart);
    coverage.wrote("abc", 0, kStart + 1s);
    coverage.wrote("abc", 6, kStart + 30s);
    BOOST_TEST(coverage.seconds() == 12.0);
}

BOOST_AUTO_TEST_CASE(pieces_and_an_earlier_run_add_up) {
    RecordingCoverage coverage;
    coverage.resume(100, false);
    coverage.startPiece("bin");
    coverage.wrote("abc", 6, kStart);
    coverage.startPiece("bin");
    coverage.wrote("abc", 4, kStart + 10s);
    BOOST_TEST(coverage.seconds() == 110.0);
    BOOST_TEST(!coverage.measured());

    RecordingCoverage measuredBefore;
    measuredBefore.resume(10, true);
    BOOST_TEST(measuredBefore.seconds() == 10.0);
    BOOST_TEST(measuredBefore.measured());
}

BOOST_AUTO_TEST_SUITE_END()
