#include "confcap/source/HlsFollowing.h"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "confcap/source/HlsVariantChoice.h"

BOOST_AUTO_TEST_SUITE(HlsFollowingTest)

namespace data = boost::unit_test::data;
using namespace confcap::source;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

HlsPlaylist parse(const std::string& text) {
    return parseHlsPlaylist(text, "http://h/live.m3u8");
}

// Segments 10..12 of 2 s; with `ended`, EXT-X-ENDLIST.
HlsPlaylist live(bool ended) {
    return parse(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:10\n"
        "#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n#EXTINF:2,\nc.ts\n" +
        std::string(ended ? "#EXT-X-ENDLIST\n" : ""));
}

struct RolledCase {
    const char* name;
    std::int64_t next;
    std::int64_t first;
    std::optional<std::int64_t> count;
    milliseconds length;
};

std::ostream& operator<<(std::ostream& out, const RolledCase& c) {
    return out << c.name;
}

const RolledCase kRolled[] = {
    {"the next one is listed", 10, 10, std::nullopt, 0ms},
    {"a later one is due", 12, 10, std::nullopt, 0ms},
    {"two rolled out", 8, 10, 2, 12s},
    {"a jump of the numbering counts a day's worth", 0, 1'000'000, 1'000'000, 86400 * 6s},
};

struct RefusalCase {
    const char* name;
    std::vector<std::int64_t> refused;  ///< the sequence numbers refused, in turn
    bool main;
    Refusal last;
};

std::ostream& operator<<(std::ostream& out, const RefusalCase& c) {
    return out << c.name;
}

const RefusalCase kRefusals[] = {
    {"the main track tries again", {5}, true, Refusal::Retry},
    {"a further track waits for the next reload", {5}, false, Refusal::NextReload},
    {"twice in a row is tried again", {5, 5}, true, Refusal::Retry},
    {"three times in a row is given up", {5, 5, 5}, true, Refusal::GiveUp},
    {"a further track gives up too", {7, 7, 7}, false, Refusal::GiveUp},
    {"another segment counts anew", {5, 5, 6}, true, Refusal::Retry},
};

struct PieceCase {
    const char* name;
    PiecePlace place;
    bool begins;
    bool first;
    bool newTimeline;
    bool keepsLosses;
};

std::ostream& operator<<(std::ostream& out, const PieceCase& c) {
    return out << c.name;
}

// connected, newPiece, newTimeline, newInit, discontinuity, deliveredBefore
const PieceCase kPieces[] = {
    {"the first segment of a connection",
     {false, false, false, false, false, false},
     true,
     true,
     false,
     true},
    {"the first segment after an earlier connection",
     {false, false, false, false, false, true},
     true,
     true,
     false,
     true},
    {"a discontinuity at a reconnect after deliveries",
     {false, false, false, false, true, true},
     true,
     true,
     true,
     true},
    {"a discontinuity before anything was delivered",
     {false, false, false, false, true, false},
     true,
     true,
     false,
     true},
    {"a segment that goes on",
     {true, false, false, false, false, true},
     false,
     false,
     false,
     false},
    {"a discontinuity while connected",
     {true, false, false, false, true, true},
     true,
     false,
     true,
     false},
    {"another initialization section",
     {true, false, false, true, false, true},
     true,
     false,
     false,
     false},
    {"a new piece asked for", {true, true, false, false, false, true}, true, false, false, false},
    {"a new timeline", {true, true, true, false, false, true}, true, false, true, false},
};

struct TrackCase {
    const char* name;
    bool connected;
    bool newPiece;
    std::optional<HlsMap> map;
    bool begun;
    std::optional<HlsMap> pieceMap;
    TrackStep expected;
};

std::ostream& operator<<(std::ostream& out, const TrackCase& c) {
    return out << c.name;
}

const HlsMap kInitA{"http://h/a.mp4", std::nullopt, 0};
const HlsMap kInitB{"http://h/b.mp4", std::nullopt, 0};

const TrackCase kTracks[] = {
    {"the main track has not connected", false, false, std::nullopt, false, std::nullopt,
     TrackStep::Wait},
    {"a new piece is pending", true, true, kInitA, true, kInitA, TrackStep::Wait},
    {"the piece goes on", true, false, kInitA, true, kInitA, TrackStep::Deliver},
    {"a segment without init section", true, false, std::nullopt, true, kInitA, TrackStep::Deliver},
    {"the track has not begun the piece", true, false, kInitB, false, kInitA, TrackStep::Deliver},
    {"another init section mid-piece", true, false, kInitB, true, kInitA, TrackStep::NewPiece},
};

struct EndCase {
    const char* name;
    bool ended;
    std::optional<std::int64_t> next;
    bool endedWhenFirstRead;
    std::chrono::steady_clock::duration still;
    ReloadEnd expected;
};

std::ostream& operator<<(std::ostream& out, const EndCase& c) {
    return out << c.name;
}

// Segments 10..12 of 2 s; a stall timeout of 20 s.
const EndCase kEnds[] = {
    {"a live playlist is read again", false, 13, false, 1s, ReloadEnd::Reload},
    {"an ended playlist with segments left", true, 12, false, 1s, ReloadEnd::Reload},
    {"an ended playlist delivered while live", true, 13, false, 1s, ReloadEnd::Paused},
    {"a finished recording delivered", true, 13, true, 1s, ReloadEnd::Finished},
    {"an ended playlist before the track started", true, std::nullopt, true, 1s, ReloadEnd::Reload},
    {"not grown for the stall timeout", false, 13, false, 20s, ReloadEnd::Reload},
    {"not grown for longer", false, 13, false, 20s + 1ms, ReloadEnd::Stalled},
    {"everything delivered wins over a stall", true, 13, false, 60s, ReloadEnd::Paused},
};

}  // namespace

BOOST_DATA_TEST_CASE(segments_that_rolled_out_before_they_were_fetched, data::make(kRolled), c) {
    const auto lost = rolledOut(c.next, c.first, 6s);
    BOOST_REQUIRE(lost.has_value() == c.count.has_value());
    if (lost) {
        BOOST_TEST(lost->count == *c.count);
        BOOST_TEST(lost->firstSequence == c.next);
        BOOST_TEST(lost->lastSequence == c.first - 1);
        BOOST_TEST(lost->length.count() == c.length.count());
    }
}

BOOST_AUTO_TEST_CASE(losses_before_the_first_segment_add_up) {
    Resume resume;
    addLost(resume, 5, 7, 6s);
    addLost(resume, 3, 4, 4s);
    addLost(resume, 9, 9, 2s);
    BOOST_TEST(*resume.lostFirst == 3);
    BOOST_TEST(*resume.lostLast == 9);
    BOOST_TEST(resume.lostLength.count() == milliseconds(12s).count());
}

BOOST_AUTO_TEST_CASE(gaps_name_the_track_and_the_segments) {
    const RolledOut lost{4, 6, 3, 6s};
    const auto at = std::chrono::system_clock::time_point(1000s);
    const auto main = rolledOutGap(lost, {}, "http://h/v.m3u8", at);
    BOOST_TEST(main.detail ==
               "3 segments of http://h/v.m3u8 rolled out of the playlist before they were fetched");
    BOOST_TEST(main.cause == confcap::core::gapcause::kRolledOut);
    BOOST_TEST(*main.firstSequence == 4);
    BOOST_TEST(*main.lastSequence == 6);
    BOOST_TEST(main.length.count() == milliseconds(6s).count());
    BOOST_TEST((main.at == at));
    const auto audio = rolledOutGap(lost, {1, "Translated", "en"}, "http://h/a.m3u8", at);
    BOOST_TEST(audio.detail.starts_with("The audio rendition \"Translated\": 3 segments of "));

    HlsSegment segment;
    segment.sequence = 8;
    segment.duration = 2.5;
    const auto refused = refusedGap(segment, at, "HTTP 404");
    BOOST_TEST(refused.cause == confcap::core::gapcause::kSegmentFailed);
    BOOST_TEST(refused.length.count() == 2500);
    BOOST_TEST(*refused.firstSequence == 8);
    BOOST_TEST(*refused.lastSequence == 8);
    BOOST_TEST(refused.detail == "HTTP 404");

    const auto restart = restartGap("http://h/v.m3u8", at, 4s);
    BOOST_TEST(restart.cause == confcap::core::gapcause::kRestarted);
    BOOST_TEST(restart.detail == "The stream http://h/v.m3u8 started again.");
}

BOOST_AUTO_TEST_CASE(a_restart_loses_the_time_since_the_last_segment_less_the_one_due) {
    BOOST_TEST(!restartLoss(2s, 2s).has_value());
    BOOST_TEST(!restartLoss(1s, 2s).has_value());
    BOOST_TEST(restartLoss(9s, 2s)->count() == 7000);
}

BOOST_AUTO_TEST_CASE(a_segment_stays_listed_one_update_longer_than_those_before_it) {
    BOOST_TEST(timeLeftListed(0, 2s, 500ms).count() == 1500);
    BOOST_TEST(timeLeftListed(2, 2s, 500ms).count() == 5500);
    BOOST_TEST(timeLeftListed(0, 2s, 3s).count() == -1000);
}

BOOST_DATA_TEST_CASE(a_refused_segment_is_tried_again_then_given_up, data::make(kRefusals), c) {
    SegmentRefusals refusals;
    std::optional<Refusal> last;
    for (const auto sequence : c.refused) {
        last = refusals.refused(sequence, c.main);
    }
    BOOST_TEST((*last == c.last));
}

BOOST_AUTO_TEST_CASE(a_delivery_ends_the_refusals_in_a_row) {
    SegmentRefusals refusals;
    refusals.refused(5, true);
    refusals.refused(5, true);
    refusals.clear();
    BOOST_TEST((refusals.refused(5, true) == Refusal::Retry));
}

BOOST_DATA_TEST_CASE(where_a_main_segment_begins_a_piece, data::make(kPieces), c) {
    Resume pending;
    pending.first = true;
    pending.lostFirst = 3;
    pending.lostLast = 4;
    const auto resume = pieceResume(c.place, pending);
    BOOST_REQUIRE(resume.has_value() == c.begins);
    if (resume) {
        BOOST_TEST(resume->first == c.first);
        BOOST_TEST(resume->newTimeline == c.newTimeline);
        BOOST_TEST(resume->lostFirst.has_value() == c.keepsLosses);
    }
}

BOOST_DATA_TEST_CASE(what_a_further_track_does_with_its_next_segment, data::make(kTracks), c) {
    BOOST_TEST(
        (furtherTrackStep(c.connected, c.newPiece, c.map, c.begun, c.pieceMap) == c.expected));
}

BOOST_DATA_TEST_CASE(how_a_reload_ends, data::make(kEnds), c) {
    BOOST_TEST(
        (reloadEnd(live(c.ended), c.next, c.endedWhenFirstRead, c.still, 20s) == c.expected));
}

BOOST_AUTO_TEST_CASE(the_stall_limit_is_at_least_three_target_durations) {
    const auto slow = parse("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\na.ts\n");
    BOOST_TEST((reloadEnd(slow, 1, false, 25s, 20s) == ReloadEnd::Reload));
    BOOST_TEST((reloadEnd(slow, 1, false, 31s, 20s) == ReloadEnd::Stalled));
}

BOOST_AUTO_TEST_CASE(a_playlist_is_read_again_after_a_target_duration_or_half_of_one) {
    BOOST_TEST(reloadDelay(live(false), true).count() == 2000);
    BOOST_TEST(reloadDelay(live(false), false).count() == 1000);
    const auto zero = parse("#EXTM3U\n#EXT-X-TARGETDURATION:0\n");
    BOOST_TEST(targetOf(zero).count() == 1000);
}

BOOST_AUTO_TEST_CASE(a_variant_switch_names_both_variants_and_the_segment) {
    HlsVariant high{"http://h/hd.m3u8", 2'200'000, 1280, 720, "", ""};
    HlsVariant low{"http://h/sd.m3u8", 800'000, 640, 360, "", ""};
    VariantDecision decision{VariantStep::Down, 0, "two slow fetches"};
    const auto at = std::chrono::system_clock::time_point(1000s);
    const auto change = variantSwitch(decision, high, low, 42, at);
    BOOST_TEST(change.from.height == 720);
    BOOST_TEST(change.to.bandwidth == 800'000);
    BOOST_TEST(*change.sequence == 42);
    BOOST_TEST(change.why == "two slow fetches");
    BOOST_TEST(switchNotice(change, decision.step, high, low) ==
               "Stepping down from the variant " + describeVariant(high) + " to " +
                   describeVariant(low) + " at segment 42: two slow fetches.");
}

BOOST_AUTO_TEST_SUITE_END()
