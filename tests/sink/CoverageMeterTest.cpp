// CoverageMeter on real media made by ffmpeg: the media time of each container, fed in odd-sized
// pieces, and what it leaves out (a jump in the timestamps, bytes that are not media).
#include "confcap/sink/CoverageMeter.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "support/MediaTestSupport.h"

BOOST_AUTO_TEST_SUITE(CoverageMeterTest)

namespace data = boost::unit_test::data;
using confcap::sink::CoverageMeter;
using confcap::testing::readFile;
using confcap::testing::runProcess;
using confcap::testing::TempDir;
using confcap::testing::testClip;

namespace {

/// Encodes `seconds` of test picture and tone with ffmpeg; `codec` are its output options.
std::string encode(const std::string& name, int seconds, std::vector<std::string> codec,
                   bool video = true) {
    static TempDir dir;
    const auto file = dir.path / name;
    std::vector<std::string> args = {"-hide_banner", "-loglevel", "error", "-nostdin", "-y"};
    if (video) {
        args.insert(args.end(), {"-f", "lavfi", "-i", "testsrc=size=160x90:rate=25"});
    }
    args.insert(args.end(), {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t",
                             std::to_string(seconds)});
    args.insert(args.end(), codec.begin(), codec.end());
    args.push_back(file.string());
    const auto result = runProcess("/usr/bin/ffmpeg", args);
    BOOST_TEST_REQUIRE(result.exitCode == 0, result.err);
    return readFile(file);
}

/// Feeds `bytes` to `meter` in pieces of 1, 7, 188, 1000, 65536... bytes.
void feedOddly(CoverageMeter& meter, const std::string& bytes) {
    static const std::size_t kSizes[] = {1, 7, 188, 1000, 65536, 13};
    std::size_t at = 0;
    for (std::size_t i = 0; at < bytes.size(); ++i) {
        const std::size_t n = std::min(kSizes[i % 6], bytes.size() - at);
        meter.feed(std::string_view(bytes).substr(at, n));
        at += n;
    }
}

struct Case {
    const char* name;
    const char* extension;
    std::vector<std::string> codec;
    bool video;
};

std::ostream& operator<<(std::ostream& out, const Case& c) {
    return out << c.name;
}

const std::vector<Case> kCases = {
    {"mpeg-ts h.264 aac",
     "ts",
     {"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-f", "mpegts"},
     true},
    {"mpeg-ts mpeg-2 mp2", "ts", {"-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts"}, true},
    {"mp3 32 kbit/s", "mp3", {"-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3"}, false},
    {"mp3 mpeg-2 22 kHz",
     "mp3",
     {"-c:a", "libmp3lame", "-ar", "22050", "-b:a", "24k", "-f", "mp3"},
     false},
    {"adts aac", "aac", {"-c:a", "aac", "-f", "adts"}, false},
    {"webm vp8 opus",
     "webm",
     {"-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libopus", "-f", "webm"},
     true},
    {"fragmented mp4",
     "mp4",
     {"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-movflags",
      "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4"},
     true},
};

}  // namespace

BOOST_DATA_TEST_CASE(media_time_of_each_container, data::make(kCases), c) {
    std::string name = c.name;
    std::replace(name.begin(), name.end(), '/', '-');
    const auto bytes = encode(name + "." + c.extension, 6, c.codec, c.video);
    CoverageMeter meter(c.extension);
    feedOddly(meter, bytes);
    BOOST_TEST(meter.measured());
    BOOST_TEST(meter.seconds() == 6.0, boost::test_tools::tolerance(0.04));
}

BOOST_AUTO_TEST_CASE(hls_fmp4_segments_after_their_init_section) {
    const auto& clip = testClip();
    CoverageMeter meter("mp4");
    meter.feed(readFile(clip.fmp4Init));
    double listed = 0;
    for (std::size_t i = 0; i < clip.fmp4Segments.size(); ++i) {
        feedOddly(meter, readFile(clip.fmp4Segments[i]));
        listed += clip.segmentSeconds[i];
    }
    BOOST_TEST(meter.measured());
    BOOST_TEST(meter.seconds() == listed, boost::test_tools::tolerance(0.05));
}

BOOST_AUTO_TEST_CASE(a_jump_in_the_timestamps_is_not_counted) {
    // Two 3 s recordings whose timestamps are 60 s apart: an outage between two connections.
    const auto first = encode("first.ts", 3, {"-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts"});
    const auto later =
        encode("later.ts", 3,
               {"-c:v", "mpeg2video", "-c:a", "mp2", "-output_ts_offset", "60", "-f", "mpegts"});
    CoverageMeter meter("ts");
    feedOddly(meter, first + later);
    BOOST_TEST(meter.seconds() == 6.0, boost::test_tools::tolerance(0.05));
    // Timestamps that start again (a restarted encoder) are a new run too.
    CoverageMeter again("ts");
    feedOddly(again, later + first);
    BOOST_TEST(again.seconds() == 6.0, boost::test_tools::tolerance(0.05));
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_media_are_not_measured) {
    CoverageMeter html("ts");
    html.feed("<html><body>502 Bad Gateway</body></html>");
    BOOST_TEST(!html.measured());
    BOOST_TEST(html.seconds() == 0.0);
    CoverageMeter noise("mp3");
    noise.feed(std::string(100'000, '\x5a'));
    BOOST_TEST(!noise.measured());
    CoverageMeter unknown("flv");
    unknown.feed(encode("unknown.ts", 1, {"-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts"}));
    BOOST_TEST(!unknown.measured());
}

BOOST_AUTO_TEST_CASE(runs_of_timestamps_wrap_at_33_bits) {
    CoverageMeter::Runs runs(90'000, std::uint64_t{1} << 33);
    const std::int64_t nearWrap = (std::int64_t{1} << 33) - 90'000;
    for (int i = 0; i < 100; ++i) {
        runs.add(nearWrap + i * 3600);  // 25 per second across the wrap
    }
    BOOST_TEST(runs.seconds() == 4.0, boost::test_tools::tolerance(0.02));
}

BOOST_AUTO_TEST_SUITE_END()
