// decideFinal by table: what is kept, discarded or failed, and the sentence that says why.
#include "confcap/sink/FinalizeDecision.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(FinalizeDecisionTest)

namespace data = boost::unit_test::data;
using confcap::core::Outcome;
using confcap::sink::decideFinal;
using confcap::sink::FinalizeInput;
using namespace std::chrono_literals;

namespace {

struct Row {
    const char* name;
    std::vector<std::uint64_t> pieces;
    double covered;
    bool measured;
    std::uint64_t minBytes;
    std::chrono::seconds minDuration;
    const char* writeError;
    confcap::core::Outcome outcome;
    std::vector<std::size_t> kept;
    const char* reason;
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
    return out << row.name;
}

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kDefaultMin = 512 * kKiB;

const std::vector<Row> kRows = {
    {"a whole talk",
     {300'000'000},
     2700,
     true,
     kDefaultMin,
     10s,
     "",
     confcap::core::Outcome::Recorded,
     {0},
     "recorded: 300 MB covering 45m of the 50m window"},
    {"a one-minute audio slot at 32 kbit/s",
     {240'000},
     60,
     true,
     kDefaultMin,
     10s,
     "",
     confcap::core::Outcome::Recorded,
     {0},
     "recorded: 240 kB covering 1m of the 50m window"},
    {"media below --min-duration",
     {900'000},
     4,
     true,
     kDefaultMin,
     10s,
     "",
     confcap::core::Outcome::Discarded,
     {},
     "discarded: 4s of media is below --min-duration 10s"},
    {"bytes that are not media, small",
     {20'000},
     30,
     false,
     kDefaultMin,
     10s,
     "",
     confcap::core::Outcome::Discarded,
     {},
     "discarded: 20.0 kB that could not be read as media is below --min-size 524 kB"},
    {"bytes that are not media, large enough",
     {800'000},
     30,
     false,
     kDefaultMin,
     10s,
     "",
     confcap::core::Outcome::Recorded,
     {0},
     "recorded: 800 kB covering 30s of the 50m window"},
    {"nothing arrived",
     {},
     0,
     false,
     kDefaultMin,
     10s,
     "",
     confcap::core::Outcome::Failed,
     {},
     "failed: no stream data arrived"},
    {"an empty piece",
     {0},
     0,
     false,
     kDefaultMin,
     10s,
     "",
     confcap::core::Outcome::Failed,
     {},
     "failed: no stream data arrived"},
    {"a tiny piece beside larger ones is left out",
     {5'000'000, 900, 4'000'000},
     600,
     true,
     kDefaultMin,
     10s,
     "",
     confcap::core::Outcome::Recorded,
     {0, 2},
     "recorded: 9.0 MB covering 10m of the 50m window"},
    {"tiny pieces alone are kept",
     {9000, 9000},
     12,
     true,
     0,
     10s,
     "",
     confcap::core::Outcome::Recorded,
     {0, 1},
     "recorded: 18.0 kB covering 12s of the 50m window"},
    {"the disk filled up after enough",
     {100'000'000},
     900,
     true,
     kDefaultMin,
     10s,
     "The disk is full: could not write \"x.ts.part\".",
     confcap::core::Outcome::Recorded,
     {0},
     "recorded: 100 MB covering 15m of the 50m window after writing stopped early (the disk is "
     "full: could not write \"x.ts.part\")"},
    {"the disk filled up too early",
     {100'000},
     3,
     true,
     kDefaultMin,
     10s,
     "The disk is full: could not write \"x.ts.part\".",
     confcap::core::Outcome::Failed,
     {},
     "failed: 3s of media is below --min-duration 10s after writing stopped early (the disk is "
     "full: could not write \"x.ts.part\")"},
    {"the disk was full from the start",
     {},
     0,
     false,
     kDefaultMin,
     10s,
     "The disk is full: could not write \"x.ts.part\".",
     confcap::core::Outcome::Failed,
     {},
     "failed: nothing was written (the disk is full: could not write \"x.ts.part\")"},
};

}  // namespace

BOOST_DATA_TEST_CASE(decisions, data::make(kRows), row) {
    FinalizeInput input;
    input.pieceBytes = row.pieces;
    input.coveredSeconds = row.covered;
    input.measured = row.measured;
    input.minBytes = row.minBytes;
    input.minDuration = row.minDuration;
    input.scheduled = 50min;
    input.writeError = row.writeError;
    const auto decision = decideFinal(input);
    BOOST_TEST((decision.outcome == row.outcome));
    BOOST_TEST(decision.kept == row.kept, boost::test_tools::per_element());
    BOOST_TEST(decision.reason == row.reason);
}

BOOST_AUTO_TEST_CASE(gaps_and_left_out_pieces_are_told) {
    FinalizeInput input;
    input.pieceBytes = {5'000'000, 900, 4'000'000};
    input.coveredSeconds = 600;
    input.measured = true;
    input.scheduled = 50min;
    input.gaps = 2;
    const auto decision = decideFinal(input);
    BOOST_TEST(decision.reason == "recorded: 9.0 MB covering 10m of the 50m window with 2 gaps");
    BOOST_REQUIRE_EQUAL(decision.notes.size(), 1u);
    BOOST_TEST(decision.notes[0] ==
               "1 piece under 16.4 kB left out: a connection or recorder run that ended before "
               "it delivered media.");
    BOOST_TEST(decision.bytes == 9'000'000u);
}

BOOST_AUTO_TEST_SUITE_END()
