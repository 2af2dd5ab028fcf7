#include "confcap/source/ProgressiveSource.h"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "confcap/core/Error.h"
#include "confcap/demo/FakeStreamServer.h"
#include "support/MediaTestSupport.h"

BOOST_AUTO_TEST_SUITE(ProgressiveSourceTest)

namespace data = boost::unit_test::data;
using confcap::demo::FakeStreamServer;
using confcap::demo::Fault;
using confcap::demo::StreamKind;
using confcap::demo::StreamSpec;
using confcap::source::detectFormat;
using confcap::source::ProgressiveSource;
using confcap::source::SourceOptions;
using confcap::testing::probe;
using confcap::testing::RecordingOutput;
using confcap::testing::Scenarios;
using confcap::testing::SourceDriver;
using confcap::testing::TempDir;
using confcap::testing::testClip;
using confcap::testing::writeFile;
using namespace std::chrono_literals;

namespace {

SourceOptions fastOptions() {
    SourceOptions options;
    options.stallTimeout = 1000ms;
    options.connectTimeout = 2000ms;
    return options;
}

struct ProgressiveRun {
    std::shared_ptr<FakeStreamServer> server;
    std::shared_ptr<RecordingOutput> out;
    std::optional<std::string> permanent;
    std::chrono::milliseconds stopTook{0};
};

ProgressiveRun runProgressive(StreamSpec spec, double until,
                              std::function<std::string(const FakeStreamServer&)> url = {},
                              SourceOptions options = fastOptions()) {
    ProgressiveRun run;
    run.server = std::make_shared<FakeStreamServer>(testClip(), std::vector<StreamSpec>{spec});
    ProgressiveSource source(url ? url(*run.server) : run.server->url(spec.name), options);
    run.out = std::make_shared<RecordingOutput>();
    SourceDriver driver(source, *run.out);
    run.server->waitUntil(until);
    run.stopTook = driver.stop();
    run.permanent = driver.permanentError();
    return run;
}

const ProgressiveRun& scenario(const std::string& name) {
    static const Scenarios<ProgressiveRun> all({
        {"ts",
         [] {
             return runProgressive({"tv",
                                    StreamKind::Ts,
                                    0,
                                    0,
                                    false,
                                    {Fault::drop(2.0, 3.0), Fault::stall(4.5, 6.5)}},
                                   9.0);
         }},
        {"webm",
         [] {
             return runProgressive({"cam", StreamKind::Webm, 0, 0, false, {Fault::drop(2.0, 2.5)}},
                                   5.0);
         }},
        {"mp3",
         [] {
             return runProgressive({"radio", StreamKind::Mp3, 0, 0, false, {}}, 2.0);
         }},
        {"hls",
         [] {
             return runProgressive({"room", StreamKind::Hls, 4, 0, false, {}}, 3.0,
                                   [](const FakeStreamServer& s) { return s.redirectUrl("room"); });
         }},
        {"stop",
         [] {
             SourceOptions options;
             options.stallTimeout = 20s;
             return runProgressive({"tv", StreamKind::Ts, 0, 0, false, {Fault::stall(1.0, 60.0)}},
                                   2.5, {}, options);
         }},
    });
    return all.get(name);
}

double secondsBetween(std::chrono::steady_clock::time_point a,
                      std::chrono::steady_clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

}  // namespace

BOOST_AUTO_TEST_CASE(ts_with_a_drop_and_a_stall_makes_one_playable_file) {
    const ProgressiveRun& run = scenario("ts");
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE_EQUAL(pieces.size(), 3u);
    for (const auto& piece : pieces) {
        BOOST_TEST(piece.format.extension == "ts");
        BOOST_TEST(piece.format.concatSafe);
        BOOST_TEST(piece.bytes[0] == 0x47);
    }
    // The outages as measured from the last byte to the first byte of the next connection:
    // refused for 1 s after the drop, then 2 s of stall.
    BOOST_TEST(secondsBetween(pieces[0].lastWrite, pieces[1].at) >= 0.9);
    BOOST_TEST(secondsBetween(pieces[0].lastWrite, pieces[1].at) <= 1.8);
    BOOST_TEST(secondsBetween(pieces[1].lastWrite, pieces[2].at) >= 1.7);
    BOOST_TEST(secondsBetween(pieces[1].lastWrite, pieces[2].at) <= 2.6);
    const auto failures = run.out->failures();
    BOOST_TEST(std::any_of(failures.begin(), failures.end(), [](const std::string& f) {
        return f.find("no data") != std::string::npos;
    }));

    TempDir dir;
    const auto p = probe(writeFile(dir.path / "tv.ts", run.out->allBytes()));
    BOOST_TEST(p.ok);
    BOOST_TEST(p.streams == 2);
    // Live timestamps: the file spans the whole wall time, outages included.
    BOOST_TEST(p.span == 9.0, boost::test_tools::tolerance(1.0));
}

BOOST_AUTO_TEST_CASE(webm_with_a_drop_gives_two_pieces) {
    const ProgressiveRun& run = scenario("webm");
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE_EQUAL(pieces.size(), 2u);
    TempDir dir;
    int n = 0;
    for (const auto& piece : pieces) {
        BOOST_TEST(piece.format.extension == "webm");
        BOOST_TEST(!piece.format.concatSafe);
        BOOST_TEST(piece.bytes.compare(0, 4, "\x1A\x45\xDF\xA3") == 0);
        const auto p =
            probe(writeFile(dir.path / ("piece" + std::to_string(n++) + ".webm"), piece.bytes));
        BOOST_TEST(p.ok);
        BOOST_TEST(p.streams == 2);
        BOOST_TEST(p.span > 1.0);
    }
    BOOST_TEST(pieces[1].resume.first == false);
}

BOOST_AUTO_TEST_CASE(mp3_is_recognised_and_plays) {
    const ProgressiveRun& run = scenario("mp3");
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE_EQUAL(pieces.size(), 1u);
    BOOST_TEST(pieces[0].format.extension == "mp3");
    BOOST_TEST(pieces[0].format.concatSafe);
    TempDir dir;
    const auto p = probe(writeFile(dir.path / "radio.mp3", pieces[0].bytes));
    BOOST_TEST(p.ok);
    BOOST_TEST(p.span == 2.0, boost::test_tools::tolerance(1.0));
}

BOOST_AUTO_TEST_CASE(a_playlist_answer_switches_to_hls) {
    const ProgressiveRun& run = scenario("hls");
    const auto notices = run.out->notices();
    BOOST_REQUIRE(!notices.empty());
    BOOST_TEST(notices.front().find("HLS playlist") != std::string::npos);
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE_EQUAL(pieces.size(), 1u);
    BOOST_TEST(pieces[0].format.extension == "ts");
    BOOST_TEST(pieces[0].segments >= 3);
    BOOST_TEST(run.server->served("room").size() == static_cast<std::size_t>(pieces[0].segments));
}

BOOST_AUTO_TEST_CASE(stop_ends_a_stalled_stream_at_once) {
    const ProgressiveRun& run = scenario("stop");
    BOOST_TEST(run.stopTook.count() < 5000);  // the stall timeout is 20 s
    BOOST_TEST(run.out->failures().empty());
    BOOST_TEST(run.out->pieces().size() == 1u);
}

BOOST_AUTO_TEST_CASE(http_errors_reach_the_caller_classified) {
    FakeStreamServer server(
        testClip(),
        {StreamSpec{"busy", StreamKind::Ts, 0, 0, false, {Fault::httpStatus(0, 60, 503, 7)}},
         StreamSpec{"gone", StreamKind::Ts, 0, 0, false, {Fault::httpStatus(0, 60, 404)}}});
    RecordingOutput out;
    ProgressiveSource busy(server.url("busy"), fastOptions());
    BOOST_CHECK_EXCEPTION(busy.run(out), confcap::core::FetchError,
                          [](const confcap::core::FetchError& e) {
                              return e.transient() && e.httpStatus() == 503 &&
                                     e.retryAfter() == std::optional(std::chrono::seconds(7));
                          });
    ProgressiveSource gone(server.url("gone"), fastOptions());
    BOOST_CHECK_EXCEPTION(
        gone.run(out), confcap::core::FetchError,
        [](const confcap::core::FetchError& e) { return !e.transient() && e.httpStatus() == 404; });
    BOOST_TEST(out.pieces().empty());
}

const std::string kTsPackets = std::string("\x47\x40\x00\x10", 4) + std::string(184, '\xff') +
                               std::string("\x47\x40\x11\x10", 4) + std::string(184, '\xff');
const std::string kId3Mp3 =
    std::string("ID3\x04\x00\x00\x00\x00\x00\x02xx", 12) + "\xFF\xFB\x90\x64";
const std::string kId3Aac =
    std::string("ID3\x04\x00\x00\x00\x00\x00\x02xx", 12) + "\xFF\xF1\x50\x80";

struct FormatCase {
    const char* contentType;
    std::string bytes;
    const char* extension;
    bool concatSafe;
};

std::ostream& operator<<(std::ostream& out, const FormatCase& c) {
    return out << c.contentType << " -> " << c.extension;
}

const FormatCase kFormats[] = {
    {"video/mp2t", kTsPackets, "ts", true},
    {"application/octet-stream", kTsPackets, "ts", true},
    {"audio/mpeg", "\xFF\xFB\x90\x64rest", "mp3", true},
    {"", kId3Mp3, "mp3", true},
    {"audio/aac", "\xFF\xF1\x50\x80\x02\x1F\xFC", "aac", true},
    {"", kId3Aac, "aac", true},
    {"application/ogg", "OggS\x00\x02", "ogg", true},
    {"video/webm", "\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm", "webm", false},
    {"", "\x1A\x45\xDF\xA3\xA3\x42\x86\x81\x01\x42\x82\x88matroska", "mkv", false},
    {"video/x-flv", "FLV\x01\x05", "flv", false},
    {"",
     std::string("\x00\x00\x00\x18"
                 "ftypisom",
                 12),
     "mp4", false},
    {"video/webm; codecs=vp8", "", "webm", false},
    {"Audio/MPEG", "", "mp3", true},
    {"text/html", "<html>", "bin", false},
};

BOOST_DATA_TEST_CASE(format_from_magic_bytes_then_content_type, data::make(kFormats), c) {
    const auto format = detectFormat(c.contentType, c.bytes);
    BOOST_TEST(format.extension == c.extension);
    BOOST_TEST(format.concatSafe == c.concatSafe);
}

BOOST_AUTO_TEST_CASE(magic_bytes_win_over_a_wrong_content_type) {
    BOOST_TEST(detectFormat("audio/mpeg", kTsPackets).extension == "ts");
    BOOST_TEST(confcap::source::looksLikeHlsPlaylist("application/vnd.apple.mpegurl", ""));
    BOOST_TEST(confcap::source::looksLikeHlsPlaylist("text/plain", "#EXTM3U\n"));
    BOOST_TEST(!confcap::source::looksLikeHlsPlaylist("video/mp2t", kTsPackets));
}

BOOST_AUTO_TEST_SUITE_END()
