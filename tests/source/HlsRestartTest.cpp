#include "confcap/source/HlsRestart.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "confcap/media/TsPackets.h"

BOOST_AUTO_TEST_SUITE(HlsRestartTest)

namespace bdata = boost::unit_test::data;
using confcap::source::RecorderCommand;
using confcap::source::resumePoint;
using confcap::source::startingAt;

namespace {

constexpr std::int64_t kSecond = confcap::media::kPesTicksPerSecond;
constexpr std::int64_t kWrap = confcap::media::kPesTimestampWrap;

struct ResumeCase {
    const char* name;
    std::vector<std::optional<std::int64_t>> starts;  ///< each listed segment's first timestamp
    std::int64_t last;                                ///< what the recorder wrote last
    std::optional<std::size_t> expected;
    bool overlaps;
    std::size_t maxReads;  ///< segments read at most
};

std::ostream& operator<<(std::ostream& out, const ResumeCase& c) {
    return out << c.name;
}

// Five 2 s segments from 100 s on.
const std::vector<std::optional<std::int64_t>> kListed = {
    100 * kSecond, 102 * kSecond, 104 * kSecond, 106 * kSecond, 108 * kSecond};

const std::vector<ResumeCase> kCases = {
    {"the segment written last", kListed, 103 * kSecond, 1, true, 4},
    {"the last frame of a segment: that segment", kListed, 104 * kSecond - 3600, 1, true, 4},
    {"the first frame of a segment: that segment", kListed, 104 * kSecond, 2, true, 3},
    {"written up to the newest: the newest", kListed, 109 * kSecond, 4, true, 1},
    {"all listed are newer: the oldest", kListed, 90 * kSecond, 0, false, 5},
    {"an unreadable segment is passed over",
     {100 * kSecond, 102 * kSecond, std::nullopt, 106 * kSecond, 108 * kSecond},
     105 * kSecond,
     1,
     true,
     4},
    {"nothing readable", {std::nullopt, std::nullopt}, 100 * kSecond, std::nullopt, false, 2},
    {"across the 2^33 wrap",
     {kWrap - 4 * kSecond, kWrap - 2 * kSecond, 0, 2 * kSecond},
     kWrap - kSecond,
     1,
     true,
     3},
};

}  // namespace

BOOST_DATA_TEST_CASE(aRestartBeginsAtTheSegmentThatHoldsWhatWasWrittenLast, bdata::make(kCases),
                     c) {
    std::size_t reads = 0;
    const auto point = resumePoint(c.starts.size(), c.last, [&](std::size_t i) {
        ++reads;
        return c.starts.at(i);
    });
    BOOST_TEST(point.has_value() == c.expected.has_value());
    if (point && c.expected) {
        BOOST_TEST(point->index == *c.expected);
        BOOST_TEST(point->overlaps == c.overlaps);
    }
    BOOST_TEST(reads <= c.maxReads);
}

BOOST_AUTO_TEST_CASE(ffmpegIsToldTheIndexBeforeItsInput) {
    RecorderCommand ffmpeg{"ffmpeg", {"ffmpeg", "-y", "-i", "{url}", "-c", "copy", "{output}"}};
    const auto started = startingAt(ffmpeg, 3);
    BOOST_TEST_REQUIRE(started.has_value());
    BOOST_TEST(
        started->arguments == (std::vector<std::string>{"ffmpeg", "-y", "-live_start_index", "3",
                                                        "-i", "{url}", "-c", "copy", "{output}"}),
        boost::test_tools::per_element());
    RecorderCommand path{"ffmpeg", {"/usr/bin/ffmpeg", "-i", "{url}", "{output}"}};
    BOOST_TEST(startingAt(path, 0).has_value());
}

BOOST_AUTO_TEST_CASE(otherProgramsAndCommandsThatChooseThemselvesAreLeftAsTheyAre) {
    BOOST_TEST(!startingAt({"streamlink", {"streamlink", "-o", "{output}", "{url}", "best"}}, 2)
                    .has_value());
    BOOST_TEST(!startingAt({"ffmpeg", {"ffmpeg", "-live_start_index", "-1", "-i", "{url}", "o"}}, 2)
                    .has_value());
    BOOST_TEST(!startingAt({"ffmpeg", {"ffmpeg", "-i", "other.m3u8", "{output}"}}, 2).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
