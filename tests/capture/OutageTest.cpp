#include "confcap/capture/Outage.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(OutageTest)

using confcap::capture::Outage;
using namespace std::chrono_literals;

namespace {

const Outage::TimePoint kStart = std::chrono::system_clock::from_time_t(1'735'300'000);

/// One failed attempt, `after` the capture started, and how it must be told.
struct Attempt {
    std::chrono::seconds after;
    std::string cause;
    bool repeat;
    std::string message;  // the Report's message
    int attempts;
};

struct Case {
    const char* name;
    std::vector<Attempt> attempts;
};

std::ostream& operator<<(std::ostream& out, const Case& c) {
    return out << c.name;
}

const std::vector<Case> kCases{
    {"a first failure is told in full", {{5s, "HTTP 404", false, "HTTP 404 failure", 1}}},
    {"the same failure within a minute is a quiet repeat",
     {{5s, "HTTP 404", false, "HTTP 404 failure", 1},
      {7s, "HTTP 404", true, "HTTP 404 failure", 2},
      {64s, "HTTP 404", true, "HTTP 404 failure", 3}}},
    {"the same failure a minute later is told with how long it lasts",
     {{5s, "HTTP 404", false, "HTTP 404 failure", 1},
      {66s, "HTTP 404", false, "still failing after 66 s (2 attempts): HTTP 404 failure", 2},
      {70s, "HTTP 404", true, "HTTP 404 failure", 3},
      {200s, "HTTP 404", false, "still failing after 3.3 min (4 attempts): HTTP 404 failure", 4}}},
    {"a different failure is told at once",
     {{5s, "HTTP 404", false, "HTTP 404 failure", 1},
      {6s, "HTTP 503", false, "HTTP 503 failure", 2},
      {7s, "HTTP 404", false, "HTTP 404 failure", 3}}},
};

}  // namespace

BOOST_DATA_TEST_CASE(failures_are_told_once_a_minute, boost::unit_test::data::make(kCases), c) {
    Outage outage;
    outage.reset(kStart);
    for (const Attempt& a : c.attempts) {
        const auto report = outage.fail(kStart + a.after, a.cause + " failure", a.cause, "outage");
        BOOST_TEST(report.repeat == a.repeat, a.after.count() << " s");
        BOOST_TEST(report.message == a.message);
        BOOST_TEST(report.attempts == a.attempts);
        BOOST_TEST((report.since == kStart));
    }
    BOOST_TEST(outage.active());
}

BOOST_AUTO_TEST_CASE(a_connection_ends_the_outage_and_the_next_failure_is_told_in_full) {
    Outage outage;
    outage.reset(kStart);
    outage.fail(kStart + 1s, "HTTP 404 failure", "HTTP 404", "not live yet");
    BOOST_TEST(outage.sentence() == "HTTP 404 failure");
    BOOST_TEST(outage.category() == "not live yet");

    outage.connected(kStart + 10s);
    BOOST_TEST(!outage.active());
    outage.delivered(kStart + 20s);
    BOOST_TEST((outage.lastData() == kStart + 20s));

    const auto report = outage.fail(kStart + 21s, "HTTP 404 failure", "HTTP 404", "outage");
    BOOST_TEST(!report.repeat);
    BOOST_TEST(report.attempts == 1);
    BOOST_TEST(report.message == "HTTP 404 failure");
    BOOST_TEST((report.since == kStart + 20s));
    BOOST_TEST(outage.category() == "outage");
}

/// How an outage that began `failedAfter` the last data ends, `t` later, on a connection that
/// resumes as `resume` says.
struct ResumeCase {
    const char* name;
    bool everConnected;
    const char* category;  // the failure's gapcause
    confcap::source::Resume resume;
    std::optional<std::chrono::seconds> lastMediaEnd;  // after kStart
    std::string message;
    std::optional<std::string> gapCause;
    std::chrono::milliseconds gapLength;
};

std::ostream& operator<<(std::ostream& out, const ResumeCase& c) {
    return out << c.name;
}

confcap::source::Resume hlsResume(std::int64_t sequence, std::optional<std::int64_t> lostFirst = {},
                                  std::optional<std::int64_t> lostLast = {},
                                  std::chrono::milliseconds lost = {}) {
    confcap::source::Resume r;
    r.first = false;
    r.sequence = sequence;
    r.lostFirst = lostFirst;
    r.lostLast = lostLast;
    r.lostLength = lost;
    return r;
}

confcap::source::Resume newTimeline(std::chrono::seconds mediaStart) {
    confcap::source::Resume r;
    r.first = false;
    r.sequence = 0;
    r.newTimeline = true;
    r.mediaStart = kStart + mediaStart;
    return r;
}

const std::vector<ResumeCase> kResumeCases{
    {"hls resumes at the next segment", true, "outage", hlsResume(1042), std::nullopt,
     "resumed at segment 1042, nothing lost", std::nullopt, 0ms},
    {"hls lost the segments that rolled out", true, "outage", hlsResume(1042, 1038, 1041, 8000ms),
     std::nullopt, "resumed at segment 1042, lost 4 segments (1038-1041, about 8.0 s)", "outage",
     8000ms},
    {"a restarted stream's gap runs to its new media", true, "outage", newTimeline(25s), 10s,
     "resumed after 20 s without data (the stream started again)", "stream restarted", 15000ms},
    {"a paused stream's gap is the time it was away", true, "stream paused", hlsResume(50), 10s,
     "resumed after 20 s without data", "stream paused", 20000ms},
    {"a stream that was never live was not live yet", false, "outage", confcap::source::Resume{},
     std::nullopt, "resumed after 20 s without data", "not live yet", 20000ms},
};

BOOST_DATA_TEST_CASE(an_outage_ends_with_the_gap_it_left,
                     boost::unit_test::data::make(kResumeCases), c) {
    Outage outage;
    outage.reset(kStart);
    outage.delivered(kStart + 10s);
    outage.fail(kStart + 12s, "HTTP 503 failure", "HTTP 503", c.category);
    std::optional<Outage::TimePoint> lastMediaEnd;
    if (c.lastMediaEnd) {
        lastMediaEnd = kStart + *c.lastMediaEnd;
    }
    const auto r = outage.resumption(kStart + 30s, c.resume, c.everConnected, lastMediaEnd);
    BOOST_TEST(r.message == c.message);
    BOOST_TEST(r.gap.has_value() == c.gapCause.has_value());
    if (r.gap && c.gapCause) {
        BOOST_TEST(r.gap->cause == *c.gapCause);
        BOOST_TEST(r.gap->detail == "HTTP 503 failure");
        BOOST_TEST(r.gap->length.count() == c.gapLength.count());
    }
}

BOOST_AUTO_TEST_CASE(a_sink_leaving_during_an_outage_gets_the_gap_since_it_came) {
    Outage outage;
    outage.reset(kStart);
    BOOST_TEST(!outage.gapUntil(kStart + 5s, kStart, true));
    outage.fail(kStart + 1s, "HTTP 404 failure", "HTTP 404", "outage");
    const auto gap = outage.gapUntil(kStart + 30s, kStart + 10s, false);
    BOOST_REQUIRE(gap);
    BOOST_TEST((gap->at == kStart + 10s));
    BOOST_TEST(gap->length.count() == 20000);
    BOOST_TEST(gap->cause == "not live yet");
    BOOST_TEST(!outage.gapUntil(kStart + 10s, kStart + 10s, false));
}

BOOST_AUTO_TEST_SUITE_END()
