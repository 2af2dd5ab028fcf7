// The "not running" gaps of a continued recording by table: what a restart lost, by HLS
// segments where the stream still lists them, else by the clock.
#include "confcap/sink/RecordedGaps.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <ostream>
#include <vector>

BOOST_AUTO_TEST_SUITE(RecordedGapsTest)

namespace data = boost::unit_test::data;
using namespace std::chrono_literals;
using confcap::core::HlsResumePoint;
using TimePoint = std::chrono::system_clock::time_point;

namespace {

const TimePoint kWindowStart = TimePoint(1'700'000'000s);
const TimePoint kLastData = kWindowStart + 10min;

struct ResumeRow {
    const char* name;
    std::vector<HlsResumePoint> resume;
    std::optional<std::int64_t> sequence;
    std::chrono::seconds after;  ///< from kLastData to the first new data
    bool gap;
    std::chrono::milliseconds length;
    std::optional<std::int64_t> first;
    std::optional<std::int64_t> last;
};

std::ostream& operator<<(std::ostream& out, const ResumeRow& row) {
    return out << row.name;
}

const std::vector<ResumeRow> kResumes = {
    {"the next segment: nothing lost", {{0, 100, "s100.ts"}}, 100, 60s, false, 0ms, {}, {}},
    {"three segments skipped", {{0, 100, "s100.ts"}}, 103, 60s, true, 18'000ms, 100, 102},
    {"a rendition's point does not count", {{1, 100, "a100.ts"}}, 103, 60s, true, 60'000ms, {}, {}},
    {"a restarted stream counts by the clock",
     {{0, 100, "s100.ts"}},
     5,
     60s,
     true,
     60'000ms,
     {},
     {}},
    {"progressive counts by the clock", {}, std::nullopt, 90s, true, 90'000ms, {}, {}},
    {"a clock that did not move loses nothing", {}, std::nullopt, 0s, false, 0ms, {}, {}},
};

struct EndRow {
    const char* name;
    std::chrono::seconds now;  ///< from kLastData
    std::chrono::seconds windowEnd;
    bool gap;
    std::chrono::milliseconds length;
};

std::ostream& operator<<(std::ostream& out, const EndRow& row) {
    return out << row.name;
}

const std::vector<EndRow> kEnds = {
    {"inside the window", 5min, 40min, true, 300'000ms},
    {"after the window: up to its end", 60min, 40min, true, 2'400'000ms},
    {"the window ended before the last data", 60min, -1min, false, 0ms},
    {"no time passed", 0s, 40min, false, 0ms},
};

}  // namespace

BOOST_DATA_TEST_CASE(on_resume, data::make(kResumes), row) {
    confcap::core::Chunk chunk;
    chunk.kind = confcap::core::ChunkKind::SegmentStart;
    chunk.sequence = row.sequence;
    chunk.mediaSeconds = 6;
    const auto gap = confcap::sink::gapWhileNotRunning(kLastData, row.resume, chunk,
                                                       kLastData + row.after, kWindowStart);
    BOOST_REQUIRE(gap.has_value() == row.gap);
    if (gap) {
        BOOST_TEST(gap->cause == confcap::core::gapcause::kNotRunning);
        BOOST_TEST((gap->at == kLastData));
        BOOST_TEST(gap->offset.count() == 600'000);
        BOOST_TEST(gap->length.count() == row.length.count());
        BOOST_TEST((gap->firstSequence == row.first));
        BOOST_TEST((gap->lastSequence == row.last));
    }
}

BOOST_DATA_TEST_CASE(to_the_end, data::make(kEnds), row) {
    const auto gap = confcap::sink::gapNotRunningToEnd(kLastData, kLastData + row.now, kWindowStart,
                                                       kLastData + row.windowEnd);
    BOOST_REQUIRE(gap.has_value() == row.gap);
    if (gap) {
        BOOST_TEST(gap->cause == confcap::core::gapcause::kNotRunning);
        BOOST_TEST(gap->length.count() == row.length.count());
    }
}

BOOST_AUTO_TEST_SUITE_END()
