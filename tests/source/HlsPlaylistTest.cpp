#include "confcap/source/HlsPlaylist.h"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "confcap/core/Error.h"
#include "confcap/source/HlsVariantChoice.h"

BOOST_AUTO_TEST_SUITE(HlsPlaylistTest)

namespace data = boost::unit_test::data;
using confcap::source::chooseAudio;
using confcap::source::chooseVariant;
using confcap::source::continuityOf;
using confcap::source::describeVariant;
using confcap::source::HlsContinuity;
using confcap::source::HlsDelivered;
using confcap::source::HlsPlaylist;
using confcap::source::parseHlsPlaylist;
using confcap::source::variantLadder;
using namespace std::chrono_literals;

namespace {

const std::string kMaster =
    "#EXTM3U\n"
    "#EXT-X-VERSION:3\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS=\"avc1.4d401e,mp4a.40.2\"\n"
    "sd/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=1920x1080,CODECS=\"avc1.640028,mp4a.40.2\"\n"
    "https://cdn.example.org/fullhd/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720\n"
    "/live/hd/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720,FRAME-RATE=50\n"
    "hd50/index.m3u8\n";

const std::string kMedia =
    "\xEF\xBB\xBF#EXTM3U\r\n"
    "#EXT-X-VERSION:7\r\n"
    "#EXT-X-TARGETDURATION:6\r\n"
    "#EXT-X-MEDIA-SEQUENCE:1040\r\n"
    "#EXT-X-DISCONTINUITY-SEQUENCE:3\r\n"
    "\r\n"
    "# a comment\r\n"
    "#EXT-X-MAP:URI=\"init.mp4\"\r\n"
    "#EXT-X-PROGRAM-DATE-TIME:2024-12-27T10:30:00.000+01:00\r\n"
    "#EXTINF:6.000,Opening\r\n"
    "1040.m4s\r\n"
    "#EXTINF:5.96,\r\n"
    "#EXT-X-UNKNOWN-TAG:whatever\r\n"
    "1041.m4s\r\n"
    "#EXT-X-DISCONTINUITY\r\n"
    "#EXT-X-MAP:URI=\"init2.mp4\",BYTERANGE=\"720@0\"\r\n"
    "#EXTINF:6,\r\n"
    "#EXT-X-BYTERANGE:1000@2000\r\n"
    "big.m4s\r\n"
    "#EXTINF:6,\r\n"
    "#EXT-X-BYTERANGE:500\r\n"
    "big.m4s\r\n"
    "#EXT-X-ENDLIST\r\n";

// What ffmpeg's HLS muxer writes for -var_stream_map "v:0,agroup:aud a:0,agroup:aud,default:yes
// a:1,agroup:aud": a video-only variant and two audio renditions.
const std::string kRenditions =
    "#EXTM3U\n"
    "#EXT-X-VERSION:3\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"group_aud\",NAME=\"audio_1\",DEFAULT=YES,"
    "LANGUAGE=\"deu\",URI=\"stream_native.m3u8\"\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"group_aud\",NAME=\"Translated\",DEFAULT=NO,"
    "LANGUAGE=\"en-GB\",URI=\"stream_translated.m3u8\"\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"other\",NAME=\"x\",DEFAULT=YES,URI=\"x.m3u8\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=400400,RESOLUTION=320x180,CODECS=\"avc1.f4000c,mp4a.40.2\","
    "AUDIO=\"group_aud\"\n"
    "stream_0.m3u8\n";

// A live media playlist: segments `first`.. `first + count - 1` named "<prefix><n>.ts".
std::string live(std::int64_t first, int count, const std::string& prefix = "s",
                 int discontinuitySequence = 0) {
    std::string text =
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(first) + "\n";
    if (discontinuitySequence > 0) {
        text += "#EXT-X-DISCONTINUITY-SEQUENCE:" + std::to_string(discontinuitySequence) + "\n";
    }
    for (int i = 0; i < count; ++i) {
        text += "#EXTINF:2.0,\n" + prefix + std::to_string(first + i) +
                ".ts?token=" + std::to_string(i) + "\n";
    }
    return text;
}

// Segments first..last delivered from a playlist made by live(…, prefix).
std::vector<HlsDelivered> delivered(std::int64_t first, std::int64_t last,
                                    const std::string& prefix = "s") {
    std::vector<HlsDelivered> list;
    for (std::int64_t n = first; n <= last; ++n) {
        list.push_back({n, "http://h/" + prefix + std::to_string(n) + ".ts?token=old", {}});
    }
    return list;
}

struct ContinuityCase {
    const char* name;
    std::string playlist;
    std::vector<HlsDelivered> recent;
    int previousDiscontinuitySequence;
    std::chrono::milliseconds since;
    HlsContinuity expected;
};

std::ostream& operator<<(std::ostream& out, const ContinuityCase& c) {
    return out << c.name;
}

const std::vector<ContinuityCase> kContinuity = {
    {"the next reload", live(100, 5), delivered(96, 102), 0, 2s, HlsContinuity::Continues},
    {"nothing new yet", live(98, 5), delivered(96, 102), 0, 1s, HlsContinuity::Continues},
    {"an outage that rolled segments out", live(110, 5), delivered(96, 102), 0, 20s,
     HlsContinuity::Continues},
    {"a lagging copy of the same playlist", live(97, 5), delivered(96, 102), 0, 1s,
     HlsContinuity::Stale},
    {"numbering started again", live(0, 3), delivered(96, 102), 0, 5s, HlsContinuity::NewTimeline},
    {"the same numbers, other segments", live(100, 5, "new"), delivered(96, 102), 0, 2s,
     HlsContinuity::NewTimeline},
    {"a jump ahead no outage explains", live(5000, 5), delivered(96, 102), 0, 4s,
     HlsContinuity::NewTimeline},
    {"the discontinuity sequence went back", live(100, 5, "s", 1), delivered(96, 102), 4, 2s,
     HlsContinuity::NewTimeline},
    {"the discontinuity sequence moved on", live(100, 5, "s", 5), delivered(96, 102), 4, 2s,
     HlsContinuity::Continues},
    {"nothing delivered yet", live(0, 3), {}, 0, 0s, HlsContinuity::Continues},
};

}  // namespace

BOOST_DATA_TEST_CASE(continuity_of_a_reloaded_playlist, data::make(kContinuity), c) {
    const auto playlist = parseHlsPlaylist(c.playlist, "http://h/live.m3u8");
    BOOST_TEST(
        (continuityOf(playlist, c.recent, c.previousDiscontinuitySequence, c.since) == c.expected));
}

BOOST_AUTO_TEST_CASE(audio_renditions_are_parsed_and_chosen) {
    const auto master = parseHlsPlaylist(kRenditions, "http://h/live/master.m3u8");
    BOOST_TEST(master.master);
    BOOST_REQUIRE_EQUAL(master.renditions.size(), 3u);
    BOOST_TEST(master.renditions[1].uri == "http://h/live/stream_translated.m3u8");
    BOOST_TEST(master.renditions[1].language == "en-GB");
    BOOST_TEST(master.renditions[0].isDefault);
    const auto& variant = master.variants.at(0);
    BOOST_TEST(variant.audioGroup == "group_aud");

    auto names = [](const std::vector<confcap::source::HlsRendition>& list) {
        std::string text;
        for (const auto& r : list) {
            text += (text.empty() ? "" : ",") + r.name;
        }
        return text;
    };
    BOOST_TEST(names(chooseAudio(master, variant, "")) == "audio_1");
    BOOST_TEST(names(chooseAudio(master, variant, "all")) == "audio_1,Translated");
    BOOST_TEST(names(chooseAudio(master, variant, "translated")) == "Translated");
    BOOST_TEST(names(chooseAudio(master, variant, "en")) == "Translated");
    BOOST_TEST(names(chooseAudio(master, variant, "DEU")) == "audio_1");
    bool unmatched = false;
    BOOST_TEST(names(chooseAudio(master, variant, "fra", &unmatched)) == "audio_1");
    BOOST_TEST(unmatched);
    // A variant without an audio group, or whose default sound it carries itself, needs none.
    confcap::source::HlsVariant plain = variant;
    plain.audioGroup.clear();
    BOOST_TEST(chooseAudio(master, plain, "all").empty());
    auto carried = master;
    carried.renditions[0].uri.clear();
    BOOST_TEST(chooseAudio(carried, variant, "").empty());
    BOOST_TEST(names(chooseAudio(carried, variant, "all")) == "Translated");
}

BOOST_AUTO_TEST_CASE(master_playlist_lists_variants_with_resolved_uris) {
    const auto p = parseHlsPlaylist(kMaster, "https://cdn.example.org/live/master.m3u8");
    BOOST_TEST(p.master);
    BOOST_REQUIRE_EQUAL(p.variants.size(), 4u);
    BOOST_TEST(p.variants[0].uri == "https://cdn.example.org/live/sd/index.m3u8");
    BOOST_TEST(p.variants[0].bandwidth == 800000);
    BOOST_TEST(p.variants[0].width == 640);
    BOOST_TEST(p.variants[0].height == 360);
    BOOST_TEST(p.variants[0].codecs == "avc1.4d401e,mp4a.40.2");
    BOOST_TEST(p.variants[1].uri == "https://cdn.example.org/fullhd/index.m3u8");
    BOOST_TEST(p.variants[2].uri == "https://cdn.example.org/live/hd/index.m3u8");
    BOOST_TEST(p.variants[2].codecs.empty());
}

const char* const kSelectors[] = {"",  "best", "MAX",      "min",   "0",
                                  "3", "720p", "1280x720", "1080p", "640X360"};
const int kChosen[] = {1, 1, 1, 0, 0, 3, 3, 3, 1, 0};

BOOST_DATA_TEST_CASE(variant_selectors, data::make(kSelectors) ^ data::make(kChosen), selector,
                     chosen) {
    const auto p = parseHlsPlaylist(kMaster, "https://cdn.example.org/live/master.m3u8");
    BOOST_TEST(&chooseVariant(p.variants, selector) ==
               &p.variants[static_cast<std::size_t>(chosen)]);
}

const char* const kBadSelectors[] = {"4", "480p", "2k", "1280x721", "-1"};

BOOST_DATA_TEST_CASE(unmatched_variant_selector_is_a_usage_error, data::make(kBadSelectors),
                     selector) {
    const auto p = parseHlsPlaylist(kMaster, "https://cdn.example.org/live/master.m3u8");
    BOOST_CHECK_EXCEPTION(chooseVariant(p.variants, selector), confcap::core::UsageError,
                          [&](const confcap::core::UsageError& e) {
                              const std::string what = e.what();
                              return what.find(std::string("\"") + selector + "\"") !=
                                         std::string::npos &&
                                     what.find("1920x1080") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(media_playlist_tags) {
    const auto p = parseHlsPlaylist(kMedia, "https://cdn.example.org/live/s1/index.m3u8");
    BOOST_TEST(!p.master);
    BOOST_TEST(p.targetDuration == 6);
    BOOST_TEST(p.mediaSequence == 1040);
    BOOST_TEST(p.discontinuitySequence == 3);
    BOOST_TEST(p.endList);
    BOOST_TEST(!p.encrypted());
    BOOST_REQUIRE_EQUAL(p.segments.size(), 4u);

    const auto& s0 = p.segments[0];
    BOOST_TEST(s0.sequence == 1040);
    BOOST_TEST(s0.duration == 6.0);
    BOOST_TEST(s0.title == "Opening");
    BOOST_TEST(s0.uri == "https://cdn.example.org/live/s1/1040.m4s");
    BOOST_TEST(!s0.discontinuity);
    BOOST_TEST(s0.discontinuitySequence == 3);
    BOOST_REQUIRE(s0.programDateTime.has_value());
    BOOST_TEST(*s0.programDateTime == "2024-12-27T10:30:00.000+01:00");
    BOOST_REQUIRE(s0.map.has_value());
    BOOST_TEST(s0.map->uri == "https://cdn.example.org/live/s1/init.mp4");
    BOOST_TEST(!s0.map->byteLength.has_value());

    const auto& s1 = p.segments[1];
    BOOST_TEST(s1.sequence == 1041);
    BOOST_TEST(s1.duration == 5.96);
    BOOST_TEST(!s1.programDateTime.has_value());
    BOOST_TEST((s1.map == s0.map));

    const auto& s2 = p.segments[2];
    BOOST_TEST(s2.discontinuity);
    BOOST_TEST(s2.discontinuitySequence == 4);
    BOOST_TEST(s2.map->uri == "https://cdn.example.org/live/s1/init2.mp4");
    BOOST_TEST(*s2.map->byteLength == 720u);
    BOOST_TEST(*s2.byteLength == 1000u);
    BOOST_TEST(s2.byteOffset == 2000u);

    // A range without an offset continues after the previous one.
    const auto& s3 = p.segments[3];
    BOOST_TEST(*s3.byteLength == 500u);
    BOOST_TEST(s3.byteOffset == 3000u);
    BOOST_TEST(s3.discontinuitySequence == 4);
}

BOOST_AUTO_TEST_CASE(live_playlist_without_endlist) {
    const auto p =
        parseHlsPlaylist("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n#EXTINF:3.5,\nb.ts\n",
                         "http://127.0.0.1:8080/hls/x/live.m3u8");
    BOOST_TEST(!p.endList);
    BOOST_TEST(p.mediaSequence == 0);
    BOOST_REQUIRE_EQUAL(p.segments.size(), 2u);
    BOOST_TEST(p.segments[1].sequence == 1);
    BOOST_TEST(p.segments[1].uri == "http://127.0.0.1:8080/hls/x/b.ts");
}

BOOST_AUTO_TEST_CASE(keys_mark_segments_encrypted_until_method_none) {
    const auto p = parseHlsPlaylist(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n"
        "#EXT-X-KEY:METHOD=AES-128,URI=\"https://keys.example.org/k?id=1,2\",IV=0x0102\n"
        "#EXTINF:2,\n7.ts\n"
        "#EXT-X-KEY:METHOD=NONE\n"
        "#EXTINF:2,\n8.ts\n",
        "https://cdn.example.org/a/live.m3u8");
    BOOST_TEST(p.encrypted());
    BOOST_TEST(p.encryptionMethod() == "AES-128");
    BOOST_REQUIRE(p.segments[0].key.has_value());
    BOOST_TEST(p.segments[0].key->uri == "https://keys.example.org/k?id=1,2");
    BOOST_TEST(!p.segments[1].key.has_value());
}

// Base: the playlist's final URL after redirects, with a query string.
const char* const kUris[] = {
    "seg1.ts",
    "../sd/seg1.ts",
    "/abs/seg.ts",
    "//other.example.org/x.ts",
    "http://plain.example.org/y.ts?a=b",
    "seg2.ts?token=xyz",
    "sub/dir/seg3.ts",
};
const char* const kResolved[] = {
    "https://cdn.example.org/live/s1/hd/seg1.ts",
    "https://cdn.example.org/live/s1/sd/seg1.ts",
    "https://cdn.example.org/abs/seg.ts",
    "https://other.example.org/x.ts",
    "http://plain.example.org/y.ts?a=b",
    "https://cdn.example.org/live/s1/hd/seg2.ts?token=xyz",
    "https://cdn.example.org/live/s1/hd/sub/dir/seg3.ts",
};

BOOST_DATA_TEST_CASE(segment_uris_resolve_against_the_final_url,
                     data::make(kUris) ^ data::make(kResolved), uri, resolved) {
    const auto p =
        parseHlsPlaylist(std::string("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n") + uri + "\n",
                         "https://cdn.example.org/live/s1/hd/index.m3u8?session=42");
    BOOST_REQUIRE_EQUAL(p.segments.size(), 1u);
    BOOST_TEST(p.segments[0].uri == resolved);
}

const char* const kMalformed[] = {
    "",
    "<html><body>Not found</body></html>",
    "#EXTINF:1,\na.ts\n",
    "#EXTM3U\n#EXTINF:1,\na.ts\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:1\na.ts\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:abc,\na.ts\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:x\n",
    // Numbers a hostile server sends (issue 11): float-to-int overflow, nan, inf, out-of-range
    // exponents, signs, trailing junk, and sequence numbers whose sums overflow.
    "#EXTM3U\n#EXT-X-TARGETDURATION:6922330000\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:nan\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:inf\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:1e999\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:-6\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:0x10\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:6NCE\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:nan,\na.ts\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:1e308,\na.ts\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6s,\na.ts\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:9223372036854775807\n"
    "#EXTINF:6,\na.ts\n#EXTINF:6,\nb.ts\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:-1\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-DISCONTINUITY-SEQUENCE:9223372036854775807\n"
    "#EXT-X-DISCONTINUITY\n#EXTINF:6,\na.ts\n",
    "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n#EXT-X-BYTERANGE:10@18446744073709551615\n"
    "a.ts\n",
};

BOOST_DATA_TEST_CASE(malformed_playlists_are_permanent_source_errors, data::make(kMalformed),
                     text) {
    BOOST_CHECK_EXCEPTION(parseHlsPlaylist(text, "http://127.0.0.1/x.m3u8"),
                          confcap::core::SourceError, [](const confcap::core::SourceError& e) {
                              return !e.transient() &&
                                     std::string(e.what()).find("http://127.0.0.1/x.m3u8") !=
                                         std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(the_ladder_a_fitting_follower_moves_on) {
    const auto p = parseHlsPlaylist(
        "#EXTM3U\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=2195600,RESOLUTION=1280x720,AUDIO=\"a\"\nhd.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=162800,RESOLUTION=320x180,AUDIO=\"a\"\nlow.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=642400,RESOLUTION=640x360,AUDIO=\"b\"\nsd-b.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=642400,RESOLUTION=640x360,AUDIO=\"a\"\nsd-a.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS=\"mp4a.40.2\",AUDIO=\"a\"\nradio.m3u8\n",
        "http://h/master.m3u8");
    const auto ladder = variantLadder(p.variants, chooseVariant(p.variants, ""));
    std::string rungs;
    for (const auto& v : ladder) {
        rungs += v.uri.substr(v.uri.rfind('/') + 1) + " ";
    }
    // Lowest first; of two alike, the one with the same audio; no step down to sound alone.
    BOOST_TEST(rungs == "low.m3u8 sd-a.m3u8 hd.m3u8 ");
    BOOST_TEST(describeVariant(ladder.back()) == "1280x720, 2.2 Mb/s");
    // Following sound alone, every variant is a rung.
    BOOST_TEST(variantLadder(p.variants, p.variants[4]).size() == 4u);
}

BOOST_AUTO_TEST_CASE(choosing_from_no_variants_fails) {
    BOOST_CHECK_THROW(chooseVariant({}, ""), confcap::core::SourceError);
}

BOOST_AUTO_TEST_CASE(the_largest_numbers_it_accepts_leave_room_for_arithmetic) {
    const auto p = parseHlsPlaylist(
        "#EXTM3U\n#EXT-X-TARGETDURATION:86400\n#EXT-X-MEDIA-SEQUENCE:9007199254740992\n"
        "#EXT-X-DISCONTINUITY-SEQUENCE:9007199254740992\n#EXTINF:.5,\na.ts\n"
        "#EXT-X-DISCONTINUITY\n#EXTINF:86400,\nb.ts\n",
        "http://127.0.0.1/x.m3u8");
    BOOST_TEST(p.targetDuration == 86400);
    BOOST_REQUIRE(p.segments.size() == 2u);
    BOOST_TEST(p.segments[0].duration == 0.5);
    BOOST_TEST(p.segments[1].sequence == 9007199254740993);
    BOOST_TEST(p.segments[1].discontinuitySequence == 9007199254740993);
}

BOOST_AUTO_TEST_SUITE_END()
