// planFinish by table: what becomes of a decided recording at the window's end and at a clean
// stop inside it, and the sentence the result carries.
#include "confcap/sink/TalkFinisher.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(TalkFinisherTest)

namespace data = boost::unit_test::data;
using confcap::core::Outcome;
using confcap::sink::Container;
using confcap::sink::FinishStep;

namespace {

struct Row {
    const char* name;
    Outcome decided;
    bool interrupted;
    std::optional<Container> container;
    bool nfo;
    FinishStep step;
    Outcome outcome;
    Container finalContainer;
    bool tags;
    bool writesNfo;
    const char* reason;
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
    return out << row.name;
}

constexpr const char* kRecorded = "recorded: 300 MB covering 45m of the 50m window";
constexpr const char* kDiscarded = "discarded: 4s of media is below --min-duration 10s";

const std::vector<Row> kRows = {
    {"kept, as recorded", Outcome::Recorded, false, std::nullopt, false, FinishStep::Publish,
     Outcome::Recorded, Container::AsRecorded, false, false, kRecorded},
    {"kept, remuxed to mkv with a .nfo", Outcome::Recorded, false, Container::Matroska, true,
     FinishStep::Publish, Outcome::Recorded, Container::Matroska, true, true, kRecorded},
    {"kept, tagged in its own container", Outcome::Recorded, false, Container::AsRecorded, false,
     FinishStep::Publish, Outcome::Recorded, Container::AsRecorded, true, false, kRecorded},
    {"discarded", Outcome::Discarded, false, Container::Matroska, true, FinishStep::Remove,
     Outcome::Discarded, Container::AsRecorded, false, false, kDiscarded},
    {"failed", Outcome::Failed, false, std::nullopt, false, FinishStep::Remove, Outcome::Failed,
     Container::AsRecorded, false, false, "failed: nothing was written"},
    {"interrupted with a file worth keeping", Outcome::Recorded, true, Container::Matroska, true,
     FinishStep::Publish, Outcome::Interrupted, Container::AsRecorded, true, false,
     "interrupted: confcap stopped inside its window with 300 MB covering 45m of the 50m window "
     "so far; the next run with the same --out continues this file"},
    {"interrupted untagged", Outcome::Recorded, true, std::nullopt, false, FinishStep::Publish,
     Outcome::Interrupted, Container::AsRecorded, false, false,
     "interrupted: confcap stopped inside its window with 300 MB covering 45m of the 50m window "
     "so far; the next run with the same --out continues this file"},
    {"interrupted before it was worth a file", Outcome::Discarded, true, Container::Matroska, true,
     FinishStep::Keep, Outcome::Interrupted, Container::AsRecorded, false, false,
     "interrupted: confcap stopped inside its window before it had enough to keep; the parts "
     "stay for the next run with the same --out"},
    {"interrupted with nothing written", Outcome::Failed, true, std::nullopt, false,
     FinishStep::Keep, Outcome::Interrupted, Container::AsRecorded, false, false,
     "interrupted: confcap stopped inside its window before it had enough to keep; the parts "
     "stay for the next run with the same --out"},
};

std::string reasonFor(Outcome outcome) {
    switch (outcome) {
        case Outcome::Recorded:
            return kRecorded;
        case Outcome::Discarded:
            return kDiscarded;
        default:
            return "failed: nothing was written";
    }
}

}  // namespace

BOOST_DATA_TEST_CASE(plans, data::make(kRows), row) {
    confcap::sink::FinalizeDecision decision;
    decision.outcome = row.decided;
    decision.reason = reasonFor(row.decided);
    const auto plan = confcap::sink::planFinish(decision, row.interrupted, "confcap stopped",
                                                row.container, row.nfo);
    BOOST_TEST((plan.step == row.step));
    BOOST_TEST((plan.outcome == row.outcome));
    BOOST_TEST((plan.container == row.finalContainer));
    BOOST_TEST(plan.tags == row.tags);
    BOOST_TEST(plan.nfo == row.writesNfo);
    BOOST_TEST(plan.reason == row.reason);
}

BOOST_AUTO_TEST_SUITE_END()
