#include "confcap/status/StatusBoard.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

BOOST_AUTO_TEST_SUITE(StatusBoardTest)

using namespace confcap::status;
using namespace std::chrono_literals;
using confcap::core::Instant;

namespace {

const Instant kDay = date::sys_days{date::year{2024} / 12 / 27};

JobSnapshot job(std::string key, std::string room, Instant from,
                JobState state = JobState::Waiting) {
    JobSnapshot j;
    j.key = std::move(key);
    j.room = std::move(room);
    j.from = from;
    j.until = from + 1h;
    j.state = state;
    return j;
}

}  // namespace

BOOST_AUTO_TEST_CASE(keepsJobsInWindowOrderAndReplacesByKey) {
    StatusBoard board;
    board.update(job("c", "Saal 1", kDay + 12h));
    board.update(job("a", "Saal 2", kDay + 10h));
    board.update(job("b", "Saal 1", kDay + 10h));
    auto jobs = board.jobs();
    BOOST_REQUIRE_EQUAL(jobs.size(), 3u);
    BOOST_TEST(jobs[0].key == "b");  // same start: room decides
    BOOST_TEST(jobs[1].key == "a");
    BOOST_TEST(jobs[2].key == "c");

    // A moved talk changes place; the old snapshot is gone.
    board.update(job("c", "Saal 1", kDay + 9h, JobState::Recording));
    jobs = board.jobs();
    BOOST_REQUIRE_EQUAL(jobs.size(), 3u);
    BOOST_TEST(jobs[0].key == "c");
    BOOST_TEST((jobs[0].state == JobState::Recording));
    BOOST_TEST((board.job("c")->from == kDay + 9h));
    BOOST_TEST(!board.job("nope").has_value());
}

BOOST_AUTO_TEST_CASE(keepsTheLastEventsAndCallsListeners) {
    StatusBoard board;
    std::vector<std::string> heard;
    board.addListener([&](const Event& event) { heard.push_back(event.message); });
    for (int i = 0; i < 600; ++i) {
        board.publish(Level::Info, {"Saal 1", ""}, "event " + std::to_string(i));
    }
    BOOST_TEST(heard.size() == 600u);
    const auto all = board.recentEvents(10000);
    BOOST_REQUIRE_EQUAL(all.size(), StatusBoard::kKeptEvents);
    BOOST_TEST(all.front().message == "event 100");
    BOOST_TEST(all.back().message == "event 599");
    const auto last = board.recentEvents(2);
    BOOST_REQUIRE_EQUAL(last.size(), 2u);
    BOOST_TEST(last[0].message == "event 598");
    BOOST_TEST(last[1].message == "event 599");
}

BOOST_AUTO_TEST_CASE(listenersRunWithoutTheLockHeld) {
    StatusBoard board;
    std::size_t seen = 0;
    // A listener that reads the board would deadlock if publish held the lock.
    board.addListener(
        [&](const Event&) { seen = board.recentEvents(5).size() + board.jobs().size(); });
    board.update(job("a", "Saal 1", kDay));
    board.publish(Level::Warning, {}, "x");
    BOOST_TEST(seen == 2u);
}

BOOST_AUTO_TEST_CASE(isThreadSafe) {
    StatusBoard board;
    std::atomic<int> heard{0};
    board.addListener([&](const Event&) { ++heard; });
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                board.update(job("job" + std::to_string(t) + "-" + std::to_string(i % 10), "R",
                                 kDay + std::chrono::minutes(i % 10)));
                board.publish(Level::Info, {}, "m");
                (void)board.jobs();
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    BOOST_TEST(heard == 800);
    BOOST_TEST(board.jobs().size() == 40u);
    const auto jobs = board.jobs();
    BOOST_TEST(std::is_sorted(jobs.begin(), jobs.end(),
                              [](const auto& a, const auto& b) { return a.from < b.from; }));
}

BOOST_AUTO_TEST_CASE(coverageCountsTheElapsedPartOfTheWindow) {
    auto j = job("a", "Saal 1", kDay, JobState::Recording);
    j.coveredSeconds = 900;
    BOOST_TEST(coverage(j, kDay - 5min) == 0.0);
    BOOST_TEST(coverage(j, kDay + 30min) == 0.5);
    BOOST_TEST(coverage(j, kDay + 2h) == 0.25);  // window over: all of it counts
    j.state = JobState::Recorded;
    BOOST_TEST(coverage(j, kDay + 30min) == 0.25);
    j.coveredSeconds = 99999;
    BOOST_TEST(coverage(j, kDay + 2h) == 1.0);
}

BOOST_AUTO_TEST_CASE(namesStatesAndLevels) {
    BOOST_TEST(std::string(toString(JobState::Finalizing)) == "Finalizing");
    BOOST_TEST(std::string(toString(Level::Warning)) == "warning");
    BOOST_TEST(isActive(JobState::Retrying));
    BOOST_TEST(!isActive(JobState::Waiting));
    BOOST_TEST(isFinal(JobState::Cancelled));
    BOOST_TEST(!isFinal(JobState::Finalizing));
}

BOOST_AUTO_TEST_SUITE_END()
