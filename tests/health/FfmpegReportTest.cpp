#include "confcap/health/FfmpegReport.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <ostream>
#include <sstream>

#include "confcap/health/AnalysisCommand.h"
#include "support/TestData.h"

BOOST_AUTO_TEST_SUITE(FfmpegReportTest)

namespace bdata = boost::unit_test::data;
using confcap::health::ContentHealth;
using confcap::health::parseAnalysis;
using confcap::health::Stretch;

namespace {

/// ffmpeg 5.1's stderr of a run of analysisArguments(), captured from real files.
std::string captured(const std::string& name) {
    return confcap::testing::testData("health/" + name);
}

struct Expected {
    std::string file;
    double analysed;
    bool video, audio;
    std::optional<Stretch> silence, black, frozen;
    std::optional<double> lufs;
    bool silentAtEnd, frozenAtEnd;
};

std::ostream& operator<<(std::ostream& out, const Expected& e) {
    return out << e.file;
}

void checkStretch(const std::optional<Stretch>& got, const std::optional<Stretch>& want) {
    BOOST_TEST(got.has_value() == want.has_value());
    if (got && want) {
        BOOST_TEST(got->offsetSeconds == want->offsetSeconds, boost::test_tools::tolerance(0.05));
        BOOST_TEST(got->seconds == want->seconds, boost::test_tools::tolerance(0.05));
    }
}

// Each file is what ffmpeg printed analysing a file made with lavfi (see each row):
const std::vector<Expected> kFiles = {
    // 100 s of moving picture and a tone, muted from 30 s to 70 s; 30 s thresholds.
    {"silence-in-the-middle.txt",
     100.03,
     true,
     true,
     Stretch{30.0235, 40.0078},
     {},
     {},
     -21.8,
     false,
     false},
    // The same file's last 60 s (-sseof -60): the silence is its first 30 s.
    {"last-minute.txt", 60.0, true, true, Stretch{0, 30.0081}, {}, {}, -21.8, false, false},
    // 8 s black, 1 s moving, 7 s still, silent throughout (key frames every 8 s); 3 s thresholds:
    // the still picture has begun and not ended, and does not count while it is black.
    {"black-then-still.txt", 16.0, true, true, Stretch{0, 16}, Stretch{0, 9.8}, Stretch{9.8, 6.2},
     -70.0, true, true},
    // 20 s of mp3 audio, silent from 12 s; 5 s threshold.
    {"audio-silent-at-end.txt",
     20.0,
     false,
     true,
     Stretch{12.005, 7.995},
     {},
     {},
     -22.4,
     true,
     false},
};

}  // namespace

BOOST_DATA_TEST_CASE(capturedOutputReadsAsMeasured, bdata::make(kFiles), e) {
    const auto health = parseAnalysis(captured(e.file));
    BOOST_TEST(health.analysedSeconds == e.analysed, boost::test_tools::tolerance(0.01));
    BOOST_TEST(health.hasVideo == e.video);
    BOOST_TEST(health.hasAudio == e.audio);
    checkStretch(health.silence.longest, e.silence);
    checkStretch(health.black.longest, e.black);
    checkStretch(health.frozen.longest, e.frozen);
    BOOST_TEST(health.loudnessLufs.has_value() == e.lufs.has_value());
    if (health.loudnessLufs && e.lufs) {
        BOOST_TEST(*health.loudnessLufs == *e.lufs, boost::test_tools::tolerance(0.01));
    }
    BOOST_TEST(health.silence.atEnd.has_value() == e.silentAtEnd);
    BOOST_TEST(health.frozen.atEnd.has_value() == e.frozenAtEnd);
}

struct Line {
    std::string text;
    double silenceSeconds, blackSeconds, frozenSeconds;
};

std::ostream& operator<<(std::ostream& out, const Line& l) {
    return out << l.text;
}

// Single lines as ffmpeg 5.1 prints them, after an input with both streams 100 s long.
const std::vector<Line> kLines = {
    {"[silencedetect @ 0x55693a0bca80] silence_start: 30.0235\n"
     "[silencedetect @ 0x55693a0bca80] silence_end: 70.0313 | silence_duration: 40.0078",
     40.0078, 0, 0},
    {"[blackdetect @ 0x557647a83500] black_start:0 black_end:9.8 black_duration:9.8", 0, 9.8, 0},
    {"[freezedetect @ 0x5588] lavfi.freezedetect.freeze_start: 40\n"
     "[freezedetect @ 0x5588] lavfi.freezedetect.freeze_duration: 35.5\n"
     "[freezedetect @ 0x5588] lavfi.freezedetect.freeze_end: 75.5",
     0, 0, 35.5},
    // Begun and not ended: lasts to the end of what was read.
    {"[silencedetect @ 0x1] silence_start: 90.5", 9.5, 0, 0},
    {"[freezedetect @ 0x1] lavfi.freezedetect.freeze_start: 60", 0, 0, 40},
    // An end without a start, and unknown lines, count for nothing.
    {"[silencedetect @ 0x1] silence_end: 20 | silence_duration: 20\n"
     "[mpegts @ 0x1] Packet corrupt (stream = 0, dts = 1)\nsilence_start: 3",
     0, 0, 0},
};

BOOST_DATA_TEST_CASE(detectorLinesAddUp, bdata::make(kLines), l) {
    const std::string input =
        "Input #0, mpegts, from 'x.ts':\n  Duration: 00:01:40.00, start: 1.400000, bitrate: 749 "
        "kb/s\n  Stream #0:0[0x100]: Video: h264\n  Stream #0:1[0x101]: Audio: aac (LC)\n"
        "Stream mapping:\n";
    const auto health = parseAnalysis(input + l.text + "\n");
    BOOST_TEST(health.analysedSeconds == 100.0);
    BOOST_TEST(health.silence.seconds == l.silenceSeconds, boost::test_tools::tolerance(0.001));
    BOOST_TEST(health.black.seconds == l.blackSeconds, boost::test_tools::tolerance(0.001));
    BOOST_TEST(health.frozen.seconds == l.frozenSeconds, boost::test_tools::tolerance(0.001));
}

BOOST_AUTO_TEST_CASE(theProbeNamesTheStreamsAndLength) {
    const auto ts = confcap::health::parseProbe(captured("probe-ts.txt"));
    BOOST_TEST(ts.hasVideo);
    BOOST_TEST(ts.hasAudio);
    BOOST_TEST(ts.durationSeconds.value_or(0) == 100.02, boost::test_tools::tolerance(0.001));
    const auto mp3 = confcap::health::parseProbe(captured("probe-audio.txt"));
    BOOST_TEST(!mp3.hasVideo);
    BOOST_TEST(mp3.hasAudio);
}

BOOST_AUTO_TEST_CASE(coverArtIsNotVideoAndOutputsAreNotCounted) {
    const auto probe = confcap::health::parseProbe(
        "Input #0, mp3, from 'a.mp3':\n  Duration: N/A, bitrate: N/A\n"
        "  Stream #0:0: Audio: mp3, 44100 Hz\n"
        "  Stream #0:1: Video: mjpeg (Baseline), 600x600 (attached pic)\n"
        "Output #0, null, to 'pipe:':\n  Stream #0:0: Video: wrapped_avframe\n");
    BOOST_TEST(!probe.hasVideo);
    BOOST_TEST(probe.hasAudio);
    BOOST_TEST(!probe.durationSeconds.has_value());
}

BOOST_AUTO_TEST_CASE(theAnalysisMeasuresOnlyTheStreamsThereAre) {
    confcap::health::Thresholds thresholds;
    const auto audioOnly =
        confcap::health::analysisArguments("a b.mp3", {false, true, 20.0}, thresholds);
    const auto graph = std::find(audioOnly.begin(), audioOnly.end(), "-filter_complex");
    BOOST_REQUIRE(graph != audioOnly.end());
    BOOST_TEST(*(graph + 1) ==
               "[0:a:0]silencedetect=noise=-50.0dB:d=30,ebur128=framelog=verbose[audio]");
    BOOST_TEST((std::find(audioOnly.begin(), audioOnly.end(), "a b.mp3") != audioOnly.end()));
    const auto last = confcap::health::analysisArguments("v.ts", {true, true, {}}, thresholds,
                                                         confcap::core::Seconds(60));
    const auto sseof = std::find(last.begin(), last.end(), "-sseof");
    BOOST_REQUIRE(sseof != last.end());
    BOOST_TEST(*(sseof + 1) == "-60");
    BOOST_CHECK_THROW(confcap::health::analysisArguments("x", {}, thresholds),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(theStripKeepsAwayFromTheFilesEnd) {
    // An 11 s file: seeking into its last group of pictures would find no frame.
    const auto args = confcap::health::stripArguments("short.ts", 11.0, "strip.jpg");
    std::vector<double> at;
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == "-ss") {
            at.push_back(std::stod(args[i + 1]));
        }
    }
    BOOST_REQUIRE(at.size() == 6u);
    BOOST_TEST(at.front() > 0.0);
    BOOST_TEST(at.back() < 7.5);
    BOOST_TEST(std::is_sorted(at.begin(), at.end()));
    // A talk of an hour: the frames span it.
    const auto hour = confcap::health::stripArguments("talk.ts", 3600.0, "strip.jpg");
    BOOST_TEST((std::find(hour.begin(), hour.end(), "3295.417") != hour.end()));
}

BOOST_AUTO_TEST_SUITE_END()
