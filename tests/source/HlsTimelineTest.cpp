#include "confcap/source/HlsTimeline.h"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "confcap/core/Time.h"

BOOST_AUTO_TEST_SUITE(HlsTimelineTest)

namespace data = boost::unit_test::data;
using confcap::source::HlsContinuity;
using confcap::source::HlsPlaylist;
using confcap::source::HlsSegment;
using confcap::source::HlsTimeline;
using confcap::source::parseHlsPlaylist;
using confcap::source::segmentEnd;
using confcap::source::startSequence;
using confcap::source::switchSequence;
using WallTime = std::chrono::system_clock::time_point;
using namespace std::chrono_literals;

namespace {

// An instant written with its zone, as the tests name them.
WallTime at(const std::string& iso) {
    const auto instant = confcap::core::parseIsoInstant(iso);
    BOOST_REQUIRE(instant);
    return WallTime(instant->time_since_epoch());
}

// A live media playlist: segments `first`.. `first + count - 1` of 2 s named "<prefix><n>.ts";
// with `startSecond`, segment n has the EXT-X-PROGRAM-DATE-TIME 2024-12-27T10:30:SSZ, SS being
// startSecond + 2 (n - first).
std::string live(std::int64_t first, int count, const std::string& prefix = "s",
                 int discontinuitySequence = 0, std::optional<int> startSecond = std::nullopt) {
    std::string text =
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(first) + "\n";
    if (discontinuitySequence > 0) {
        text += "#EXT-X-DISCONTINUITY-SEQUENCE:" + std::to_string(discontinuitySequence) + "\n";
    }
    for (int i = 0; i < count; ++i) {
        if (startSecond) {
            const int second = *startSecond + 2 * i;
            text +=
                "#EXT-X-PROGRAM-DATE-TIME:2024-12-27T10:30:" + std::string(second < 10 ? "0" : "") +
                std::to_string(second) + "Z\n";
        }
        text += "#EXTINF:2.0,\n" + prefix + std::to_string(first + i) +
                ".ts?token=" + std::to_string(i) + "\n";
    }
    return text;
}

HlsPlaylist parse(const std::string& text) {
    return parseHlsPlaylist(text, "http://h/live.m3u8");
}

struct EndCase {
    std::string name;
    std::optional<std::string> programDateTime;
    std::string firstListed;
    std::string expected;
};

std::ostream& operator<<(std::ostream& out, const EndCase& c) {
    return out << c.name;
}

// A 6 s segment.
const EndCase kEndCases[] = {
    {"no date and time", std::nullopt, "2024-12-27T10:31:00Z", "2024-12-27T10:31:00Z"},
    {"agrees with its listing", "2024-12-27T10:30:00Z", "2024-12-27T10:30:30Z",
     "2024-12-27T10:30:06Z"},
    {"written in another zone", "2024-12-27T11:30:00+01:00", "2024-12-27T10:30:30Z",
     "2024-12-27T10:30:06Z"},
    {"listed before its end", "2024-12-27T10:30:00Z", "2024-12-27T10:29:10Z",
     "2024-12-27T10:30:06Z"},
    {"59 s off", "2024-12-27T10:30:00Z", "2024-12-27T10:31:05Z", "2024-12-27T10:30:06Z"},
    {"a minute off", "2024-12-27T10:30:00Z", "2024-12-27T10:31:06Z", "2024-12-27T10:31:06Z"},
    {"an encoder clock an hour off", "2024-12-27T09:30:00Z", "2024-12-27T10:30:06Z",
     "2024-12-27T10:30:06Z"},
    {"no zone", "2024-12-27T10:30:00", "2024-12-27T10:30:30Z", "2024-12-27T10:30:30Z"},
    {"not a date", "yesterday", "2024-12-27T10:30:30Z", "2024-12-27T10:30:30Z"},
};

struct StartCase {
    std::string name;
    std::string playlist;
    bool ended;
    int liveEdgeSegments;
    std::optional<std::string> mainStart;
    std::int64_t expected;
};

std::ostream& operator<<(std::ostream& out, const StartCase& c) {
    return out << c.name;
}

// Read at 10:30:12Z. With date and time, segment 200 of live(200, 6) ends at 10:30:02, 205 at
// 10:30:12; without, by its listing: 109 of live(100, 10) ends at 10:30:12, 106 at 10:30:06 and
// 100 at 10:29:54.
const StartCase kStartCases[] = {
    {"the live edge", live(100, 10), false, 3, std::nullopt, 107},
    {"a live edge longer than the playlist", live(100, 10), false, 20, std::nullopt, 100},
    {"no live edge", live(100, 10), false, 0, std::nullopt, 109},
    {"a finished stream from its start", live(100, 10), true, 3, std::nullopt, 100},
    {"no segments", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n", false, 3,
     std::nullopt, 7},
    {"audio where the main track began", live(200, 6, "a", 0, 0), false, 3, "2024-12-27T10:30:05Z",
     202},
    {"audio from a segment that reaches past the start", live(200, 6, "a", 0, 0), false, 3,
     "2024-12-27T10:30:06Z", 203},
    {"audio when the main track began before the playlist", live(200, 6, "a", 0, 0), false, 3,
     "2024-12-27T10:29:00Z", 200},
    {"audio when the main track began after it", live(200, 6, "a", 0, 0), false, 3,
     "2024-12-27T10:31:00Z", 203},
    {"audio without date and time", live(100, 10, "a"), false, 3, "2024-12-27T10:30:05Z", 106},
    {"audio without date and time, begun a second ago", live(100, 10, "a"), false, 3,
     "2024-12-27T10:30:11Z", 109},
    {"audio without date and time, begun before the playlist", live(100, 10, "a"), false, 3,
     "2024-12-27T10:29:00Z", 100},
    {"audio of a finished stream without date and time", live(100, 10, "a") + "#EXT-X-ENDLIST\n",
     true, 3, "2024-12-27T10:30:11Z", 100},
    {"audio without date and time, begun just now", live(100, 10, "a"), false, 3,
     "2024-12-27T10:30:12Z", 107},
};

struct ReadCase {
    std::string name;
    std::string playlist;
    std::chrono::seconds since;
    HlsContinuity expected;
    std::int64_t next;
};

std::ostream& operator<<(std::ostream& out, const ReadCase& c) {
    return out << c.name;
}

// After live(96, 7, "s", 2) was read and all of it delivered, with 103 next.
const ReadCase kReadCases[] = {
    {"the next reload", live(100, 5, "s", 2), 2s, HlsContinuity::Continues, 103},
    {"nothing new yet", live(98, 5, "s", 2), 1s, HlsContinuity::Continues, 103},
    {"a lagging copy", live(95, 5, "s", 2), 1s, HlsContinuity::Stale, 103},
    {"numbering started again", live(0, 3, "s", 2), 5s, HlsContinuity::NewTimeline, 0},
    {"renamed segments", live(100, 5, "x", 2), 2s, HlsContinuity::NewTimeline, 100},
    {"discontinuity sequence went back", live(100, 5, "s", 1), 2s, HlsContinuity::NewTimeline, 100},
    {"after an outage", live(160, 5, "s", 2), 120s, HlsContinuity::Continues, 103},
    {"no segments", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n", 2s, HlsContinuity::Continues, 103},
};

}  // namespace

BOOST_DATA_TEST_CASE(a_segment_ends_by_its_date_and_time_when_that_agrees_with_its_listing,
                     data::make(kEndCases), c) {
    HlsSegment segment;
    segment.duration = 6;
    segment.programDateTime = c.programDateTime;
    BOOST_TEST((segmentEnd(segment, at(c.firstListed)) == at(c.expected)));
}

BOOST_DATA_TEST_CASE(a_track_starts_at_the_live_edge_or_where_the_main_track_began,
                     data::make(kStartCases), c) {
    const auto mainStart = c.mainStart ? std::optional<WallTime>(at(*c.mainStart)) : std::nullopt;
    BOOST_TEST(startSequence(parse(c.playlist), c.ended, c.liveEdgeSegments, mainStart,
                             at("2024-12-27T10:30:12Z")) == c.expected);
}

BOOST_DATA_TEST_CASE(a_reload_goes_on_lags_or_starts_a_new_timeline, data::make(kReadCases), c) {
    const WallTime delivered = at("2024-12-27T10:30:00Z");
    HlsTimeline timeline;
    const auto before = parse(live(96, 7, "s", 2));
    BOOST_TEST((timeline.read(before, delivered - 1s) == HlsContinuity::Continues));
    for (const auto& segment : before.segments) {
        timeline.delivered(segment, delivered);
    }
    timeline.setNext(103);
    BOOST_TEST((timeline.read(parse(c.playlist), delivered + c.since) == c.expected));
    BOOST_TEST(timeline.next().value_or(-1) == c.next);
}

BOOST_AUTO_TEST_CASE(a_segment_keeps_the_time_it_was_first_listed) {
    const WallTime t0 = at("2024-12-27T10:30:00Z");
    HlsTimeline timeline;
    timeline.read(parse(live(100, 3)), t0);
    const auto later = parse(live(101, 3));
    timeline.read(later, t0 + 2s);
    BOOST_TEST((timeline.endOf(later.segments[0], t0 + 9s) == t0 - 2s));
    BOOST_TEST((timeline.endOf(later.segments[2], t0 + 9s) == t0 + 2s));
    BOOST_TEST((timeline.startOf(later.segments[2], t0 + 9s) == t0));
    // Segment 100 rolled out: it is no longer known.
    const auto first = parse(live(100, 1));
    BOOST_TEST((timeline.endOf(first.segments[0], t0 + 9s) == t0 + 9s));
}

BOOST_AUTO_TEST_CASE(segments_first_listed_together_end_one_duration_apart) {
    const WallTime t0 = at("2024-12-27T10:30:00Z");
    HlsTimeline timeline;
    const auto first = parse(live(100, 3));
    timeline.read(first, t0);
    BOOST_TEST((timeline.endOf(first.segments[0], t0 + 9s) == t0 - 4s));
    BOOST_TEST((timeline.endOf(first.segments[2], t0 + 9s) == t0));
    // Back after an outage: the segments listed meanwhile end one after another up to now.
    const auto after = parse(live(104, 4));
    timeline.read(after, t0 + 60s);
    BOOST_TEST((timeline.endOf(after.segments[0], t0 + 99s) == t0 + 54s));
    BOOST_TEST((timeline.endOf(after.segments[3], t0 + 99s) == t0 + 60s));
    // Two new segments a second after the last reading: neither ends before 107 did.
    const auto soon = parse(live(106, 4));
    timeline.read(soon, t0 + 61s);
    BOOST_TEST((timeline.endOf(soon.segments[2], t0 + 99s) == t0 + 60s));
    BOOST_TEST((timeline.endOf(soon.segments[3], t0 + 99s) == t0 + 61s));
    // A finished playlist ties nothing to the wall clock.
    HlsTimeline finished;
    const auto done = parse(live(100, 3) + "#EXT-X-ENDLIST\n");
    finished.read(done, t0);
    BOOST_TEST((finished.endOf(done.segments[0], t0 + 9s) == t0));
}

BOOST_AUTO_TEST_CASE(a_stale_playlist_changes_nothing) {
    const WallTime t0 = at("2024-12-27T10:30:00Z");
    HlsTimeline timeline;
    const auto current = parse(live(100, 5));
    timeline.read(current, t0);
    for (const auto& segment : current.segments) {
        timeline.delivered(segment, t0 + 1s);
    }
    timeline.setNext(105);
    const auto stale = parse(live(97, 5));
    BOOST_TEST((timeline.read(stale, t0 + 2s) == HlsContinuity::Stale));
    BOOST_TEST(timeline.next().value_or(-1) == 105);
    // Segment 97 was listed only by the stale copy: its listing was not taken in.
    BOOST_TEST((timeline.endOf(stale.segments[0], t0 + 9s) == t0 + 9s));
}

BOOST_AUTO_TEST_CASE(where_an_earlier_run_stopped_tells_a_playlist_that_started_again) {
    const WallTime t0 = at("2024-12-27T10:30:00Z");
    HlsTimeline goesOn;
    goesOn.resumeAt(50, "http://h/s49.ts?token=old");
    BOOST_TEST(goesOn.next().value_or(-1) == 50);
    BOOST_TEST((goesOn.read(parse(live(48, 4)), t0) == HlsContinuity::Continues));
    BOOST_TEST(goesOn.next().value_or(-1) == 50);

    HlsTimeline restarted;
    restarted.resumeAt(50, "http://h/s49.ts?token=old");
    BOOST_TEST((restarted.read(parse(live(48, 4, "t")), t0) == HlsContinuity::NewTimeline));
    BOOST_TEST(restarted.next().value_or(-1) == 48);
}

BOOST_AUTO_TEST_CASE(the_last_delivery_is_remembered) {
    const WallTime t0 = at("2024-12-27T10:30:00Z");
    HlsTimeline timeline;
    BOOST_TEST(!timeline.next());
    BOOST_TEST((timeline.lastDelivered() == WallTime{}));
    timeline.delivered(parse(live(100, 1)).segments[0], t0);
    BOOST_TEST((timeline.lastDelivered() == t0));
}

namespace {

// Moving to another variant after segment 104 (next 105) of a playlist whose newest was 106.
struct SwitchCase {
    std::string name;
    std::string other;  ///< the other variant's media playlist
    std::optional<std::string> lastEnd;
    std::int64_t expected;
};

std::ostream& operator<<(std::ostream& out, const SwitchCase& c) {
    return out << c.name;
}

const SwitchCase kSwitchCases[] = {
    {"numbered alike: the next sequence number", live(102, 5, "b"), std::nullopt, 105},
    {"numbered alike, a reload behind", live(101, 5, "b"), std::nullopt, 105},
    {"numbered alike, next already rolled out there (reported lost later)", live(106, 3, "b"),
     std::nullopt, 105},
    {"numbered otherwise: by program date and time", live(10, 5, "b", 0, 4), "2024-12-27T10:30:10Z",
     13},
    {"by program date and time, less a second of drift", live(10, 5, "b", 0, 4),
     "2024-12-27T10:30:11Z", 13},
    {"every dated segment starts before: the next one due", live(10, 5, "b", 0, 4),
     "2024-12-27T10:31:00Z", 15},
    {"numbered otherwise and undated: as far behind the newest", live(10, 5, "b"), std::nullopt,
     13},
};

}  // namespace

BOOST_DATA_TEST_CASE(where_another_variant_goes_on, data::make(kSwitchCases), c) {
    std::optional<WallTime> lastEnd;
    if (c.lastEnd) {
        lastEnd = at(*c.lastEnd);
    }
    BOOST_TEST(switchSequence(parse(c.other), 105, 106, lastEnd) == c.expected);
}

BOOST_AUTO_TEST_CASE(going_on_in_another_variant_remembers_no_segment_of_the_first) {
    const WallTime t0 = at("2024-12-27T10:30:00Z");
    HlsTimeline timeline;
    BOOST_TEST((timeline.read(parse(live(100, 5)), t0) == HlsContinuity::Continues));
    for (const auto& segment : parse(live(100, 5)).segments) {
        timeline.delivered(segment, t0 + 1s);
    }
    timeline.continueAt(105, timeline.lastDelivered());
    // The other variant's segments have other URIs: that is no new timeline.
    BOOST_TEST((timeline.read(parse(live(101, 5, "b")), t0 + 2s) == HlsContinuity::Continues));
    BOOST_TEST(timeline.next().value_or(-1) == 105);
    BOOST_TEST((timeline.lastDelivered() == t0 + 1s));
}

BOOST_AUTO_TEST_SUITE_END()
