#include "confcap/plan/DiskForecast.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

BOOST_AUTO_TEST_SUITE(DiskForecastTest)

namespace bdata = boost::unit_test::data;
using namespace std::chrono_literals;
using confcap::core::Instant;
using confcap::plan::DiskOutlook;
using confcap::plan::Job;
using confcap::plan::RateSource;
using confcap::plan::RoomRates;

namespace {

const Instant kEight{std::chrono::sys_days{std::chrono::year{2026} / 12 / 27} + 20h};

Job job(const std::string& room, std::chrono::minutes from, std::chrono::minutes length,
        const std::string& stream = "https://cdn.example/hls/s1/native_hd.m3u8") {
    Job j;
    j.talk.guid = room + std::to_string(from.count());
    j.talk.room = room;
    j.stream = stream;
    j.from = kEight + from;
    j.until = j.from + length;
    return j;
}

struct ForecastCase {
    const char* name;
    std::vector<Job> jobs;
    RoomRates rates;
    std::chrono::minutes now;  ///< after 20:00
    std::uint64_t needed;
    std::uint64_t total;
    double peak;
};

std::ostream& operator<<(std::ostream& out, const ForecastCase& c) {
    return out << c.name;
}

// 3 Mbit/s is 375 kB/s, 1.35 GB an hour; 192 kbit/s is 24 kB/s.
const ForecastCase kForecasts[] = {
    {"nothing planned", {}, {}, 0min, 0, 0, 0},
    {"one hour of video ahead",
     {job("Saal 1", 0min, 60min)},
     {},
     0min,
     1'350'000'000,
     1'350'000'000,
     3e6},
    {"half of it passed", {job("Saal 1", 0min, 60min)}, {}, 30min, 675'000'000, 1'350'000'000, 3e6},
    {"all of it passed", {job("Saal 1", 0min, 60min)}, {}, 90min, 0, 1'350'000'000, 0},
    {"an audio stream is assumed at 192 kbit/s",
     {job("Radio", 0min, 10min, "http://radio.example/live.MP3?token=1")},
     {},
     0min,
     14'400'000,
     14'400'000,
     192e3},
    {"two rooms at once add up",
     {job("Saal 1", 0min, 60min), job("Saal 2", 30min, 60min)},
     {},
     0min,
     2'700'000'000,
     2'700'000'000,
     6e6},
    {"back-to-back talks overlap by their padding: each file gets it",
     {job("Saal 1", 0min, 40min), job("Saal 1", 35min, 40min)},
     {},
     0min,
     1'800'000'000,
     1'800'000'000,
     6e6},
    {"a measured rate wins over an announced one",
     {job("Saal 1", 0min, 60min)},
     {{{"Saal 1", 1e6}}, {{"Saal 1", 5e6}}},
     0min,
     450'000'000,
     450'000'000,
     1e6},
    {"an announced rate wins over the assumed one",
     {job("Saal 1", 0min, 60min)},
     {{}, {{"Saal 1", 5e6}}},
     0min,
     2'250'000'000,
     2'250'000'000,
     5e6},
    {"a measured rate of 0 (a stream that is down) is not believed",
     {job("Saal 1", 0min, 60min)},
     {{{"Saal 1", 0}}, {}},
     0min,
     1'350'000'000,
     1'350'000'000,
     3e6},
};

struct RunsOutCase {
    const char* name;
    std::vector<Job> jobs;
    std::chrono::minutes now;
    std::uint64_t freeBytes;
    std::optional<std::chrono::seconds> runsOut;  ///< after 20:00
    DiskOutlook outlook;
};

std::ostream& operator<<(std::ostream& out, const RunsOutCase& c) {
    return out << c.name;
}

const RunsOutCase kRunsOut[] = {
    {"it fits", {job("Saal 1", 0min, 60min)}, 0min, 1'350'000'000, std::nullopt, DiskOutlook::Fits},
    {"half an hour of space for an hour starting in two hours",
     {job("Saal 1", 120min, 60min)},
     0min,
     675'000'000,
     150min,
     DiskOutlook::DoesNotFit},
    {"runs out in 50 minutes",
     {job("Saal 1", 0min, 60min)},
     0min,
     1'125'000'000,
     50min,
     DiskOutlook::UnderAnHour},
    {"runs out in 10 minutes, counted from now",
     {job("Saal 1", 0min, 60min)},
     20min,
     225'000'000,
     30min,
     DiskOutlook::UnderFifteenMinutes},
    {"two rooms use it twice as fast",
     {job("Saal 1", 0min, 60min), job("Saal 2", 0min, 60min)},
     0min,
     1'350'000'000,
     30min,
     DiskOutlook::UnderAnHour},
    {"no space at all",
     {job("Saal 1", 0min, 60min)},
     0min,
     0,
     0min,
     DiskOutlook::UnderFifteenMinutes},
};

struct AudioCase {
    const char* url;
    bool audio;
};

std::ostream& operator<<(std::ostream& out, const AudioCase& c) {
    return out << c.url;
}

const AudioCase kAudio[] = {
    {"https://cdn.c3voc.de/s1_native.mp3", true},
    {"https://cdn.c3voc.de/s1_native.opus?x=1", true},
    {"http://radio.example/stream.AAC#live", true},
    {"http://radio.example/a.ogg", true},
    {"https://cdn.c3voc.de/hls/s1/native_hd.m3u8", false},
    {"http://127.0.0.1:8080/saal2.ts", false},
    {"http://radio.example/mp3", false},
    {"http://radio.mp3.example/live", false},
    {"http://radio.example/live?format=.mp3", false},
};

}  // namespace

BOOST_DATA_TEST_CASE(forecastsBytesAndPeakRate, bdata::make(kForecasts), c) {
    const auto forecast = confcap::plan::forecastDisk(c.jobs, c.rates, kEight + c.now);
    BOOST_TEST(forecast.neededBytes == c.needed);
    BOOST_TEST(forecast.totalBytes == c.total);
    BOOST_TEST(forecast.peakBitsPerSecond == c.peak);
    BOOST_TEST(forecast.peakBytesPerHour == static_cast<std::uint64_t>(c.peak) * 3600 / 8);
}

BOOST_AUTO_TEST_CASE(theForecastEndsWithTheLastWindow) {
    const auto forecast = confcap::plan::forecastDisk(
        {job("Saal 1", 0min, 60min), job("Saal 2", 10min, 20min)}, {}, kEight);
    BOOST_REQUIRE(forecast.end.has_value());
    BOOST_TEST((*forecast.end == kEight + 60min));
    BOOST_TEST(!confcap::plan::forecastDisk({}, {}, kEight).end.has_value());
}

BOOST_DATA_TEST_CASE(findsWhenTheFreeSpaceRunsOut, bdata::make(kRunsOut), c) {
    const auto now = kEight + c.now;
    const auto runsOut = confcap::plan::diskRunsOutAt(c.jobs, {}, now, c.freeBytes);
    BOOST_TEST(runsOut.has_value() == c.runsOut.has_value());
    if (runsOut && c.runsOut) {
        BOOST_TEST(confcap::core::formatUtc(*runsOut) ==
                   confcap::core::formatUtc(kEight + *c.runsOut));
    }
    BOOST_TEST((confcap::plan::diskOutlook(runsOut, now) == c.outlook));
}

BOOST_DATA_TEST_CASE(tellsAudioStreamsByTheirExtension, bdata::make(kAudio), c) {
    BOOST_TEST(confcap::plan::isAudioStream(c.url) == c.audio);
}

BOOST_AUTO_TEST_CASE(aRoomTapeBridgesShortBreaksAndRunsOnAfterTheLastTalk) {
    // Saal 1: 0-60, a 20 min break, 80-120, a 2 h break, 240-270; Saal 2: 10-30. Bridge 30 min.
    const auto tape =
        confcap::plan::forecastTape({job("Saal 1", 0min, 60min), job("Saal 1", 80min, 40min),
                                     job("Saal 1", 240min, 30min), job("Saal 2", 10min, 20min)},
                                    {}, 30min);
    // Saal 1: 0-150 and 240-300; Saal 2: 10-60.
    BOOST_TEST(tape.seconds.count() == (150 + 60 + 50) * 60);
    // What no window covers (the talks' files hold the rest), at the assumed 3 Mbit/s: Saal 1
    // 20 + 30 + 30 min, Saal 2 30 min.
    BOOST_TEST(tape.bytes == static_cast<std::uint64_t>(110 * 60 * 3'000'000.0 / 8));
    BOOST_TEST(confcap::plan::forecastTape({}, {}, 30min).seconds.count() == 0);
}

BOOST_AUTO_TEST_CASE(countsWhatTheWindowsOfARoomHaveInCommon) {
    // Saal 1: 0-60 and 50-110 share 10 min, 100-130 shares 10 min with the second and lies inside
    // no other; Saal 2's 20-40 overlaps Saal 1 but is another room's stream, in no other file.
    const auto forecast =
        confcap::plan::forecastDisk({job("Saal 1", 0min, 60min), job("Saal 1", 50min, 60min),
                                     job("Saal 1", 100min, 30min), job("Saal 2", 20min, 20min)},
                                    {}, kEight);
    BOOST_TEST(forecast.overlapSeconds.count() == 20 * 60);
    BOOST_TEST(forecast.overlapBytes == static_cast<std::uint64_t>(20 * 60 * 3'000'000.0 / 8));
    // A window inside another is in two files for its whole length.
    const auto inside = confcap::plan::forecastDisk(
        {job("Saal 1", 0min, 60min), job("Saal 1", 10min, 20min)}, {}, kEight);
    BOOST_TEST(inside.overlapSeconds.count() == 20 * 60);
    BOOST_TEST(confcap::plan::forecastDisk({job("Saal 1", 0min, 60min)}, {}, kEight)
                   .overlapSeconds.count() == 0);
}

BOOST_AUTO_TEST_CASE(saysWhereARateCameFrom) {
    const RoomRates rates{{{"Saal 1", 2e6}}, {{"Saal 2", 4e6}}};
    BOOST_TEST((rates.rateFor(job("Saal 1", 0min, 1min)).source == RateSource::Measured));
    BOOST_TEST((rates.rateFor(job("Saal 2", 0min, 1min)).source == RateSource::Announced));
    const auto assumed = rates.rateFor(job("Saal 3", 0min, 1min));
    BOOST_TEST((assumed.source == RateSource::Assumed));
    BOOST_TEST(assumed.bitsPerSecond == confcap::plan::kAssumedVideoBitsPerSecond);
    BOOST_TEST(std::string(confcap::plan::toString(RateSource::Announced)) == "announced");
}

BOOST_AUTO_TEST_SUITE_END()
