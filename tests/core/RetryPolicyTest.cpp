#include "confcap/core/RetryPolicy.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <vector>

BOOST_AUTO_TEST_SUITE(RetryPolicyTest)

namespace bdata = boost::unit_test::data;
using confcap::core::ErrorKind;
using confcap::core::RetryPolicy;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr long kNone = -1;

struct Row {
    const char* name;
    int attempt;
    ErrorKind kind;
    long deadlineMs;   ///< deadline minus now
    long retryAfterS;  ///< kNone: no Retry-After
    double random01;
    long expectedMs;  ///< kNone: do not retry
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
    return out << row.name;
}

constexpr auto T = ErrorKind::Transient;
constexpr auto P = ErrorKind::Permanent;
constexpr auto U = ErrorKind::Unusable;
constexpr long kHour = 3'600'000;

const std::vector<Row> kRows = {
    // Doubling from 1 s, capped at 30 s; random01 = 0.5 is the unjittered wait.
    {"first retry waits 1s", 1, T, kHour, kNone, 0.5, 1000},
    {"second retry waits 2s", 2, T, kHour, kNone, 0.5, 2000},
    {"third retry waits 4s", 3, T, kHour, kNone, 0.5, 4000},
    {"fifth retry waits 16s", 5, T, kHour, kNone, 0.5, 16000},
    {"sixth retry is capped at 30s", 6, T, kHour, kNone, 0.5, 30000},
    {"hundredth retry stays at the cap", 100, T, kHour, kNone, 0.5, 30000},
    {"huge attempt does not overflow", 2'000'000'000, T, kHour, kNone, 0.5, 30000},
    {"attempt 0 is treated as the first", 0, T, kHour, kNone, 0.5, 1000},
    {"negative attempt is treated as the first", -3, T, kHour, kNone, 0.5, 1000},
    // Jitter of ±20 %.
    {"low jitter shortens by 20%", 1, T, kHour, kNone, 0.0, 800},
    {"high jitter lengthens by 20%", 1, T, kHour, kNone, 0.999999, 1200},
    {"jitter on the third retry", 3, T, kHour, kNone, 0.75, 4400},
    {"jitter below the cap", 6, T, kHour, kNone, 0.0, 24000},
    {"jitter never exceeds the cap", 6, T, kHour, kNone, 0.99, 30000},
    {"out-of-range random is clamped", 1, T, kHour, kNone, 7.0, 1200},
    // Only transient errors are retried (a capture retries permanent ones as transient).
    {"permanent error", 1, P, kHour, kNone, 0.5, kNone},
    {"permanent error with Retry-After", 1, P, kHour, 5, 0.5, kNone},
    {"unusable stream", 1, U, kHour, kNone, 0.5, kNone},
    // Never past the deadline.
    {"wait ending exactly at the deadline", 1, T, 1000, kNone, 0.5, kNone},
    {"wait ending just before the deadline", 1, T, 1001, kNone, 0.5, 1000},
    {"capped wait past the deadline", 8, T, 20000, kNone, 0.5, kNone},
    {"deadline already passed", 1, T, -5000, kNone, 0.5, kNone},
    {"deadline is now", 1, T, 0, kNone, 0.5, kNone},
    // Retry-After replaces a shorter computed wait, even beyond the cap.
    {"Retry-After longer than computed", 1, T, kHour, 60, 0.5, 60000},
    {"Retry-After shorter than computed", 3, T, kHour, 1, 0.5, 4000},
    {"Retry-After zero", 2, T, kHour, 0, 0.0, 1600},
    {"Retry-After past the deadline", 1, T, 30000, 60, 0.5, kNone},
    {"Retry-After just inside the deadline", 1, T, 60001, 60, 0.5, 60000},
};

}  // namespace

BOOST_DATA_TEST_CASE(decidesTheWait, bdata::make(kRows), row) {
    const RetryPolicy policy;
    const auto now = std::chrono::system_clock::time_point(seconds(1'735'000'000));
    const auto deadline = now + milliseconds(row.deadlineMs);
    std::optional<seconds> retryAfter;
    if (row.retryAfterS != kNone) {
        retryAfter = seconds(row.retryAfterS);
    }
    const auto wait = policy.next(row.attempt, row.kind, now, deadline, retryAfter, row.random01);
    if (row.expectedMs == kNone) {
        BOOST_TEST(!wait.has_value());
    } else {
        BOOST_REQUIRE(wait.has_value());
        BOOST_TEST(wait->count() == row.expectedMs);
    }
}

BOOST_AUTO_TEST_CASE(aConnectionThatDeliveredMediaIsPickedUpAtOnce) {
    const RetryPolicy policy;
    const auto now = std::chrono::system_clock::time_point(seconds(1'735'000'000));
    const auto deadline = now + std::chrono::minutes(1);
    BOOST_TEST(policy.afterMedia(T, now, deadline, std::nullopt).value() == milliseconds(0));
    // The server's Retry-After still counts.
    BOOST_TEST(policy.afterMedia(T, now, deadline, seconds(5)).value() == milliseconds(5000));
    BOOST_TEST(!policy.afterMedia(T, now, now + seconds(3), seconds(5)).has_value());
    // Past the window, or an error waiting cannot help: no attempt.
    BOOST_TEST(!policy.afterMedia(T, deadline, deadline, std::nullopt).has_value());
    BOOST_TEST(!policy.afterMedia(ErrorKind::Unusable, now, deadline, std::nullopt).has_value());
}

BOOST_AUTO_TEST_CASE(honoursCustomSettings) {
    RetryPolicy policy;
    policy.initial = milliseconds(250);
    policy.maximum = milliseconds(1000);
    policy.jitter = 0.0;
    const auto now = std::chrono::system_clock::time_point(seconds(1'735'000'000));
    const auto deadline = now + std::chrono::minutes(1);
    std::vector<long> waits;
    for (int attempt = 1; attempt <= 5; ++attempt) {
        waits.push_back(policy.next(attempt, T, now, deadline, std::nullopt, 0.0)->count());
    }
    BOOST_TEST(waits == (std::vector<long>{250, 500, 1000, 1000, 1000}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(jitterSpreadsWaitsAcrossTheRange) {
    const RetryPolicy policy;
    const auto now = std::chrono::system_clock::time_point(seconds(1'735'000'000));
    const auto deadline = now + std::chrono::minutes(10);
    long lowest = 1'000'000;
    long highest = 0;
    for (int i = 0; i < 100; ++i) {
        const auto wait = policy.next(4, T, now, deadline, std::nullopt, i / 100.0);
        BOOST_REQUIRE(wait.has_value());
        lowest = std::min(lowest, static_cast<long>(wait->count()));
        highest = std::max(highest, static_cast<long>(wait->count()));
    }
    BOOST_TEST(lowest == 6400);
    BOOST_TEST(highest >= 9500);
    BOOST_TEST(highest < 9600);
}

BOOST_AUTO_TEST_SUITE_END()
