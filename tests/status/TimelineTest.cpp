#include "confcap/status/Timeline.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <date/tz.h>

#include <regex>

#include "confcap/core/Media.h"
#include "support/JobStatePrinting.h"
#include "support/TextCount.h"

BOOST_AUTO_TEST_SUITE(TimelineTest)

using namespace confcap::status;
using namespace std::chrono_literals;
using confcap::core::Instant;
namespace bdata = boost::unit_test::data;

using confcap::testing::occurrences;

namespace {

const Instant kNow = date::sys_days{date::year{2024} / 12 / 27} + 10h + 42min;

JobSnapshot job(std::string key, std::string room, std::string title, JobState state, Instant from,
                std::chrono::minutes length = 60min) {
    JobSnapshot j;
    j.key = std::move(key);
    j.room = std::move(room);
    j.title = std::move(title);
    j.from = from;
    j.until = from + length;
    j.state = state;
    return j;
}

confcap::core::Gap gap(Instant at, std::chrono::seconds length, std::string cause) {
    confcap::core::Gap g;
    g.at = std::chrono::system_clock::time_point(at);
    g.length = length;
    g.cause = std::move(cause);
    return g;
}

}  // namespace

BOOST_AUTO_TEST_CASE(aRecordingTalkIsCoveredUpToNowExceptItsGaps) {
    auto j = job("a", "Saal 1", "Opening", JobState::Recording, kNow - 30min);
    j.lastData = std::chrono::system_clock::time_point(kNow);
    j.bytes = 1000;
    j.file = "Saal 1/a.ts.part";
    j.gapSpans = {gap(kNow - 20min, 120s, "outage"), gap(kNow - 40min, 15min, "not live yet")};
    const auto talk = timelineTalk(j, kNow);
    BOOST_TEST(talk.href == "/recordings/Saal%201/a.ts.part");
    BOOST_TEST(talk.state == "recording");
    // The gap before the window is clipped to its start; gaps come in order of offset.
    BOOST_REQUIRE_EQUAL(talk.gaps.size(), 2u);
    BOOST_TEST(talk.gaps[0].cause == "not live yet");
    BOOST_TEST(talk.gaps[0].offset == 0.0);
    BOOST_TEST(talk.gaps[0].seconds == 300.0);
    BOOST_TEST(talk.gaps[1].offset == 600.0);
    BOOST_TEST(talk.gaps[1].seconds == 120.0);
    BOOST_REQUIRE_EQUAL(talk.covered.size(), 2u);
    BOOST_TEST(talk.covered[0].offset == 300.0);
    BOOST_TEST(talk.covered[0].seconds == 300.0);
    BOOST_TEST(talk.covered[1].offset == 720.0);
    BOOST_TEST(talk.covered[1].seconds == 1080.0);  // up to now, not to the window's end
}

BOOST_AUTO_TEST_CASE(anOutageUnderWayIsAnOpenGap) {
    auto j = job("a", "Saal 1", "Opening", JobState::Retrying, kNow - 30min);
    j.lastData = std::chrono::system_clock::time_point(kNow - 5min);
    j.bytes = 1000;
    const auto talk = timelineTalk(j, kNow);
    BOOST_REQUIRE_EQUAL(talk.gaps.size(), 1u);
    BOOST_TEST(talk.gaps[0].cause == "outage");
    BOOST_TEST(talk.gaps[0].open);
    BOOST_TEST(talk.gaps[0].offset == 1500.0);
    BOOST_TEST(talk.gaps[0].seconds == 300.0);
    BOOST_REQUIRE_EQUAL(talk.covered.size(), 1u);
    BOOST_TEST(talk.covered[0].seconds == 1500.0);
}

BOOST_AUTO_TEST_CASE(aStreamThatNeverCameIsNotLiveYetAndNothingIsCovered) {
    auto j = job("a", "Saal 1", "Opening", JobState::Retrying, kNow - 10min);
    const auto talk = timelineTalk(j, kNow);
    BOOST_REQUIRE_EQUAL(talk.gaps.size(), 1u);
    BOOST_TEST(talk.gaps[0].cause == "not live yet");
    BOOST_TEST(talk.gaps[0].seconds == 600.0);
    BOOST_TEST(talk.covered.empty());
    BOOST_TEST(talk.href.empty());
}

BOOST_AUTO_TEST_CASE(aBegunWindowWaitingForDiskSpaceIsADiskFullGap) {
    auto j = job("a", "Saal 1", "Held", JobState::Waiting, kNow - 2min);
    j.reason = "waiting for disk space";
    const auto talk = timelineTalk(j, kNow);
    BOOST_REQUIRE_EQUAL(talk.gaps.size(), 1u);
    BOOST_TEST(talk.gaps[0].cause == "disk full");
    BOOST_TEST(talk.gaps[0].seconds == 120.0);
    BOOST_TEST(
        timelineTalk(job("b", "Saal 1", "Later", JobState::Waiting, kNow + 1h), kNow).gaps.empty());
}

BOOST_AUTO_TEST_CASE(aFinishedTalkIsCoveredToTheWindowsEnd) {
    auto j = job("a", "Saal 1", "Done", JobState::Recorded, kNow - 2h);
    j.bytes = 1000;
    j.gapSpans = {gap(kNow - 2h + 50min, 20min, "confcap was not running")};
    const auto talk = timelineTalk(j, kNow);
    BOOST_REQUIRE_EQUAL(talk.gaps.size(), 1u);
    BOOST_TEST(talk.gaps[0].seconds == 600.0);  // clipped to the window's end
    BOOST_REQUIRE_EQUAL(talk.covered.size(), 1u);
    BOOST_TEST(talk.covered[0].seconds == 3000.0);
    // Skipped: nothing covered, nothing lost.
    const auto skipped = timelineTalk(job("b", "Saal 2", "No", JobState::Skipped, kNow - 2h), kNow);
    BOOST_TEST(skipped.covered.empty());
    BOOST_TEST(skipped.gaps.empty());
}

BOOST_DATA_TEST_CASE(eachCauseHasItsColour,
                     bdata::make({"not live yet", "outage", "stream restarted", "stream paused",
                                  "segments rolled out", "segment failed", "disk full",
                                  "confcap was not running", "something new"}) ^
                         bdata::make({"#9e9e9e", "#e53935", "#fb8c00", "#fdd835", "#8e24aa",
                                      "#8e24aa", "#6d4c41", "#263238", "#ec407a"}),
                     cause, colour) {
    BOOST_TEST(gapColour(cause) == colour);
    auto j = job("a", "Saal 1", "T", JobState::Recorded, kNow - 2h);
    j.bytes = 1;
    j.gapSpans = {gap(kNow - 2h + 10min, 60s, cause)};
    const auto talks = std::vector{timelineTalk(j, kNow)};
    const auto svg = timelineSvg(talks, timelineView(talks, kNow, std::nullopt));
    BOOST_TEST(svg.find("class=\"gap\" data-cause=\"" + std::string(cause) + "\" fill=\"" +
                        std::string(colour) + "\"") != std::string::npos,
               svg);
}

BOOST_DATA_TEST_CASE(
    theStateIsTheBarsStyle,
    bdata::make({JobState::Waiting, JobState::Recording, JobState::Retrying, JobState::Recorded,
                 JobState::Failed, JobState::Skipped}) ^
        bdata::make({"waiting", "recording", "retrying", "recorded", "failed", "skipped"}) ^
        bdata::make({"#78909c", "#1565c0", "#ef6c00", "#2e7d32", "#c62828", "#9e9e9e"}),
    state, name, stroke) {
    const auto talks =
        std::vector{timelineTalk(job("k", "Saal 1", "T", state, kNow - 10min), kNow)};
    const auto svg = timelineSvg(talks, timelineView(talks, kNow, std::nullopt));
    BOOST_TEST(svg.find("<g class=\"talk " + std::string(name) + "\" data-key=\"k\">") !=
               std::string::npos);
    BOOST_TEST(svg.find("class=\"window\" rx=\"3\" fill=\"") != std::string::npos);
    BOOST_TEST(svg.find("stroke=\"" + std::string(stroke) + "\"") != std::string::npos, svg);
}

BOOST_AUTO_TEST_CASE(drawsOneRowPerRoomBarsLinksTitlesAndTheNowLine) {
    auto a = job("a", "Saal 1", "Opening", JobState::Recording, kNow - 30min);
    a.file = "Saal 1/a.ts.part";
    a.lastData = std::chrono::system_clock::time_point(kNow);
    a.bytes = 5;
    a.gapSpans = {gap(kNow - 20min, 90s, "stream restarted")};
    const std::vector talks{
        timelineTalk(a, kNow),
        timelineTalk(job("b", "Saal 2", "Second", JobState::Waiting, kNow + 20min), kNow),
        timelineTalk(job("c", "Saal 1", "Third", JobState::Waiting, kNow + 40min), kNow)};
    auto view = timelineView(talks, kNow, std::nullopt);
    BOOST_TEST((view.start == kNow - 30min));
    BOOST_TEST((view.end == kNow + 100min));
    view.zone = date::locate_zone("Europe/Berlin");
    view.roomHref = "?room=";
    const auto svg = timelineSvg(talks, view);
    BOOST_TEST(occurrences(svg, "<g class=\"room-row\"") == 2u);
    BOOST_TEST(occurrences(svg, "<g class=\"talk ") == 3u);
    BOOST_TEST(svg.find("<a href=\"/recordings/Saal%201/a.ts.part\">") != std::string::npos);
    BOOST_TEST(svg.find(">Opening</text>") != std::string::npos);
    BOOST_TEST(svg.find("<a href=\"?room=Saal%202\">") != std::string::npos);
    // The gap hovers with its cause, length and local start; the now line with the local time.
    BOOST_TEST(svg.find("<title>stream restarted: 90 s from 11:22:00</title>") != std::string::npos,
               svg);
    BOOST_TEST(occurrences(svg, "class=\"now\"") == 1u);
    BOOST_TEST(svg.find("<title>now, 11:42:00</title>") != std::string::npos);
    // Axis labels are local (UTC+1 in December).
    BOOST_TEST(svg.find(">11:30</text>") != std::string::npos);

    // One room only; and a zoom that leaves the now line out of view draws none.
    view.room = "Saal 2";
    const auto one = timelineSvg(talks, view);
    BOOST_TEST(occurrences(one, "<g class=\"room-row\"") == 1u);
    BOOST_TEST(occurrences(one, "<g class=\"talk ") == 1u);
    view.now = kNow - 3h;
    BOOST_TEST(timelineSvg(talks, view).find("class=\"now\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(theLastHoursEndShortlyAfterNow) {
    const auto view = timelineView({}, kNow, 3);
    BOOST_TEST((view.start == kNow - 3h));
    BOOST_TEST((view.end == kNow + 30min));
}

BOOST_AUTO_TEST_CASE(aHostileTitleIsText) {
    auto j = job("k\"<", "Saal <1>", "<script>alert(1)</script> \"& 'x'", JobState::Recorded,
                 kNow - 2h, 600min);
    j.bytes = 1;
    j.file = "Saal/\"><script>.ts";
    j.gapSpans = {gap(kNow - 1h, 60s, "<b>cause</b>")};
    j.gapSpans[0].detail = "HTTP 503 </title><script>";
    const std::vector talks{timelineTalk(j, kNow)};
    auto view = timelineView(talks, kNow, std::nullopt);
    view.roomHref = "?room=";
    const auto svg = timelineSvg(talks, view);
    BOOST_TEST(svg.find("<script") == std::string::npos, svg);
    BOOST_TEST(svg.find("<b>") == std::string::npos);
    BOOST_TEST(svg.find("&lt;script&gt;alert(1)&lt;/script&gt; &quot;&amp; &#39;x&#39;") !=
               std::string::npos);
    BOOST_TEST(svg.find("data-key=\"k&quot;&lt;\"") != std::string::npos);
    BOOST_TEST(svg.find("href=\"/recordings/Saal/%22%3E%3Cscript%3E.ts\"") != std::string::npos);
    BOOST_TEST(svg.find("HTTP 503 &lt;/title&gt;&lt;script&gt;") != std::string::npos);
    // Every element opened is closed: the text cannot break out of the SVG.
    BOOST_TEST(occurrences(svg, "<title>") == occurrences(svg, "</title>"));
    BOOST_TEST(occurrences(svg, "<g ") == occurrences(svg, "</g>"));
    BOOST_TEST(std::regex_search(svg, std::regex("^<svg [^<]*><title>")));
}

BOOST_AUTO_TEST_CASE(theLegendNamesEveryCause) {
    const auto legend = timelineLegend();
    for (const auto* cause :
         {"not live yet", "outage", "stream restarted", "disk full", "confcap was not running"}) {
        BOOST_TEST(legend.find(cause) != std::string::npos, cause);
    }
}

BOOST_AUTO_TEST_SUITE_END()
