#include "confcap/source/HlsSource.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "confcap/demo/FakeStreamServer.h"
#include "confcap/demo/MediaLoop.h"
#include "support/LivePackager.h"
#include "support/MediaTestSupport.h"

BOOST_AUTO_TEST_SUITE(HlsSourceTest)

using confcap::demo::FakeStreamServer;
using confcap::demo::Fault;
using confcap::demo::MediaLoop;
using confcap::demo::StreamKind;
using confcap::demo::StreamSpec;
using confcap::source::HlsSource;
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
    options.stallTimeout = 1500ms;
    options.connectTimeout = 2000ms;
    return options;
}

// What the server's segments first..last hold, back to back.
std::string segments(const StreamSpec& spec, std::int64_t first, std::int64_t last) {
    const MediaLoop loop(testClip(), spec.kind == StreamKind::HlsFmp4 ? MediaLoop::Format::Fmp4
                                                                      : MediaLoop::Format::Ts);
    std::string bytes;
    for (std::int64_t s = first; s <= last; ++s) {
        bytes += loop.unit(s - spec.firstSequence);
    }
    return bytes;
}

// Checks that the server sent each segment once, in order, with no number skipped.
void requireConsecutive(const std::vector<confcap::demo::ServedSegment>& served) {
    BOOST_REQUIRE(!served.empty());
    for (std::size_t i = 1; i < served.size(); ++i) {
        BOOST_TEST_INFO("served[" << i << "]");
        BOOST_REQUIRE_EQUAL(served[i].sequence, served[i - 1].sequence + 1);
    }
}

// A source run against its own server until server time `until` (or, when `until` is 0, until
// the source fails for good), kept for the test case to inspect.
struct HlsRun {
    StreamSpec spec;
    std::shared_ptr<FakeStreamServer> server;
    std::shared_ptr<HlsSource> source;
    std::shared_ptr<RecordingOutput> out;
    int endings = 0;
    std::vector<confcap::source::RunEnd> ends;
    std::optional<std::string> permanent;
    std::chrono::milliseconds stopTook{0};
};

using UrlOf = std::function<std::string(const FakeStreamServer&)>;

HlsRun runHls(StreamSpec spec, double until, UrlOf url, SourceOptions options = fastOptions(),
              std::chrono::milliseconds pause = 300ms, bool windowRule = false) {
    HlsRun run;
    run.spec = spec;
    run.server = std::make_shared<FakeStreamServer>(testClip(), std::vector<StreamSpec>{spec});
    run.source = std::make_shared<HlsSource>(url(*run.server), options);
    run.out = std::make_shared<RecordingOutput>();
    SourceDriver driver(*run.source, *run.out, pause, windowRule);
    if (until > 0) {
        run.server->waitUntil(until);
    } else {
        driver.waitFinished(5s);
    }
    run.stopTook = driver.stop();
    run.endings = driver.endings();
    run.ends = driver.ends();
    run.permanent = driver.permanentError();
    return run;
}

UrlOf mediaPlaylist() {
    return [](const FakeStreamServer& s) { return s.mediaPlaylistUrl("room"); };
}

const HlsRun& scenario(const std::string& name) {
    static const Scenarios<HlsRun> all({
        {"short outage",
         [] {
             return runHls({"room",
                            StreamKind::Hls,
                            6,
                            1000,
                            false,
                            {Fault::httpStatus(2.0, 4.0, 503, 1), Fault::drop(4.0, 5.0)}},
                           8.6, mediaPlaylist());
         }},
        {"long outage",
         [] {
             return runHls(
                 {"room", StreamKind::Hls, 3, 0, false, {Fault::httpStatus(2.0, 7.0, 503)}}, 9.6,
                 mediaPlaylist());
         }},
        {"encrypted",
         [] {
             return runHls({"room", StreamKind::Hls, 4, 0, true, {}}, 0,
                           [](const FakeStreamServer& s) { return s.url("room"); });
         }},
        {"missing",
         [] {
             return runHls({"room", StreamKind::Hls, 4, 0, false, {}}, 0,
                           [](const FakeStreamServer& s) {
                               const std::string url = s.mediaPlaylistUrl("room");
                               return url.substr(0, url.find("/hls/")) + "/hls/nowhere/live.m3u8";
                           });
         }},
        {"master",
         [] {
             SourceOptions options = fastOptions();
             options.variant = "320x180";
             return runHls(
                 {"room", StreamKind::Hls, 4, 0, false, {Fault::failOnce(2)}}, 4.5,
                 [](const FakeStreamServer& s) { return s.redirectUrl("room"); }, options, 100ms);
         }},
        {"endlist",
         [] {
             return runHls({"room", StreamKind::Hls, 4, 0, false, {Fault::endList(1.5, 3.5)}}, 6.6,
                           mediaPlaylist());
         }},
        {"ended before it was read",
         [] {
             return runHls({"room", StreamKind::Hls, 4, 0, false, {Fault::endList(0, 1e9)}}, 3.0,
                           mediaPlaylist());
         }},
        {"restart",
         [] {
             return runHls({"room", StreamKind::Hls, 4, 500, false, {Fault::restart(2.0, 3.5)}},
                           7.0, mediaPlaylist(), fastOptions(), 300ms, true);
         }},
        {"stall",
         [] {
             return runHls({"room", StreamKind::Hls, 6, 0, false, {Fault::stall(2.0, 4.5)}}, 7.0,
                           mediaPlaylist());
         }},
        {"fmp4",
         [] {
             return runHls({"room", StreamKind::HlsFmp4, 4, 0, false, {Fault::drop(2.5, 3.6)}}, 5.6,
                           [](const FakeStreamServer& s) { return s.url("room"); });
         }},
        {"stop",
         [] {
             SourceOptions options;
             options.stallTimeout = 20s;
             return runHls({"room", StreamKind::Hls, 4, 0, false, {Fault::stall(1.0, 60.0)}}, 2.5,
                           mediaPlaylist(), options);
         }},
    });
    return all.get(name);
}

}  // namespace

BOOST_AUTO_TEST_CASE(outage_shorter_than_the_window_loses_nothing) {
    const HlsRun& run = scenario("short outage");
    const auto served = run.server->served("room");
    requireConsecutive(served);
    // The live edge at the start: the newest three of 1000..1005.
    BOOST_TEST(served.front().sequence == 1003);
    BOOST_TEST(served.back().sequence >= run.server->liveEdge("room", 8.0) - 1);
    BOOST_TEST(run.out->failures().size() >= 2u);
    BOOST_TEST(run.out->lost().empty());

    const auto pieces = run.out->pieces();
    BOOST_REQUIRE(pieces.size() >= 2u);
    int segmentCount = 0;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        BOOST_TEST(pieces[i].format.extension == "ts");
        BOOST_TEST(pieces[i].resume.first == (i == 0));
        BOOST_TEST(*pieces[i].resume.sequence == served.front().sequence + segmentCount);
        BOOST_TEST(!pieces[i].resume.lostFirst.has_value());
        segmentCount += pieces[i].segments;
    }
    BOOST_TEST(segmentCount == static_cast<int>(served.size()));
    // Every sequence number exactly once, in order: the bytes are the segments back to back.
    const std::string bytes = run.out->allBytes();
    BOOST_TEST((bytes == segments(run.spec, served.front().sequence, served.back().sequence)));

    TempDir dir;
    const auto p = probe(writeFile(dir.path / "out.ts", bytes));
    BOOST_TEST(p.ok);
    BOOST_TEST(p.span == static_cast<double>(served.size()), boost::test_tools::tolerance(1.0));
}

BOOST_AUTO_TEST_CASE(outage_longer_than_the_window_reports_the_lost_segments) {
    const HlsRun& run = scenario("long outage");
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE(pieces.size() >= 2u);
    const auto& before = pieces[0];
    const auto& after = pieces[1];
    BOOST_REQUIRE(after.resume.lostFirst.has_value());
    const std::int64_t firstLost = *after.resume.lostFirst;
    const std::int64_t lastLost = *after.resume.lostLast;
    BOOST_TEST(firstLost == *before.resume.sequence + before.segments);
    BOOST_TEST(*after.resume.sequence == lastLost + 1);
    // About five seconds of outage, of which the three-segment window kept up to three.
    BOOST_TEST(lastLost - firstLost + 1 >= 2);
    BOOST_TEST(lastLost - firstLost + 1 <= 5);
    BOOST_TEST(after.resume.lostLength.count() == (lastLost - firstLost + 1) * 1000);

    // Recording went on after the gap, and what was kept is exact.
    BOOST_TEST(after.segments >= 2);
    BOOST_TEST((before.bytes == segments(run.spec, *before.resume.sequence, firstLost - 1)));
    std::string rest;
    int restSegments = 0;
    for (std::size_t i = 1; i < pieces.size(); ++i) {
        rest += pieces[i].bytes;
        restSegments += pieces[i].segments;
    }
    BOOST_TEST((rest == segments(run.spec, lastLost + 1, lastLost + restSegments)));
}

BOOST_AUTO_TEST_CASE(encrypted_stream_is_a_permanent_error_and_writes_nothing) {
    const HlsRun& run = scenario("encrypted");
    BOOST_REQUIRE(run.permanent.has_value());
    BOOST_TEST(run.permanent->find("encrypted HLS (AES-128) is not supported") !=
               std::string::npos);
    BOOST_TEST(run.out->pieces().empty());
    BOOST_TEST(!run.out->wroteBeforeConnect());
    BOOST_TEST(run.server->served("room").empty());
}

BOOST_AUTO_TEST_CASE(missing_playlist_is_a_permanent_error) {
    const HlsRun& run = scenario("missing");
    BOOST_REQUIRE(run.permanent.has_value());
    BOOST_TEST(run.permanent->find("404") != std::string::npos);
    BOOST_TEST(run.out->failures().size() == 1u);
    BOOST_TEST(run.out->pieces().empty());
}

BOOST_AUTO_TEST_CASE(master_playlist_behind_a_redirect_over_one_connection) {
    const HlsRun& run = scenario("master");
    BOOST_TEST(run.source->mediaPlaylistUrl() == run.server->mediaPlaylistUrl("room", "low"));
    const auto served = run.server->served("room");
    requireConsecutive(served);
    for (const auto& s : served) {
        BOOST_TEST(s.variant == "low");
    }
    BOOST_TEST(served.front().sequence == 1);
    BOOST_TEST(served.size() >= 5u);
    // The segment that failed once was fetched again and delivered once.
    BOOST_TEST(run.out->failures().size() == 1u);
    BOOST_TEST((run.out->allBytes() == segments(run.spec, 1, served.back().sequence)));
    // Playlist reloads follow the target duration (1 s) rather than polling.
    const auto playlists = run.server->requests("room") - served.size() - 2;
    BOOST_TEST(playlists >= 4u);
    BOOST_TEST(playlists <= 10u);
    BOOST_TEST(run.server->connections() == 1u);
}

BOOST_AUTO_TEST_CASE(endlist_pauses_the_run_and_the_stream_goes_on_in_a_new_piece) {
    const HlsRun& run = scenario("endlist");
    BOOST_TEST(run.endings >= 1);
    // The playlist was live when first read: its end is a pause, not a finished recording.
    BOOST_TEST(std::all_of(run.ends.begin(), run.ends.end(),
                           [](auto end) { return end == confcap::source::RunEnd::Paused; }));
    // The segments after the pause follow a discontinuity: their timestamps start a new piece.
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE(pieces.size() >= 2u);
    BOOST_TEST(pieces.back().resume.newTimeline);
    const auto notices = run.out->notices();
    auto mentions = [&](const std::string& text) {
        return std::any_of(notices.begin(), notices.end(),
                           [&](const std::string& n) { return n.find(text) != std::string::npos; });
    };
    BOOST_TEST(mentions("ended (EXT-X-ENDLIST)"));
    BOOST_TEST(mentions("Discontinuity before segment"));
    const auto served = run.server->served("room");
    requireConsecutive(served);
    BOOST_TEST(served.back().sequence >= 6);
    BOOST_TEST((run.out->allBytes() ==
                segments(run.spec, served.front().sequence, served.back().sequence)));
}

BOOST_AUTO_TEST_CASE(a_playlist_that_had_ended_is_a_finished_recording_delivered_once) {
    const HlsRun& run = scenario("ended before it was read");
    BOOST_REQUIRE(!run.ends.empty());
    BOOST_TEST(std::all_of(run.ends.begin(), run.ends.end(),
                           [](auto end) { return end == confcap::source::RunEnd::Finished; }));
    // Every listed segment once, from the first, however often the source is run again.
    const auto served = run.server->served("room");
    requireConsecutive(served);
    BOOST_TEST(served.size() == 4u);
    BOOST_TEST(served.front().sequence == 0);
    BOOST_TEST(run.out->pieces().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_restarted_packager_is_followed_from_its_first_segment) {
    const HlsRun& run = scenario("restart");
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE_EQUAL(pieces.size(), 2u);
    BOOST_TEST(!pieces[0].resume.newTimeline);
    BOOST_TEST(pieces[0].sequences.front() >= 500);
    BOOST_TEST(pieces[1].resume.newTimeline);
    // The new numbering from its start: nothing of the new timeline is skipped.
    BOOST_REQUIRE(!pieces[1].sequences.empty());
    BOOST_TEST(pieces[1].sequences.front() == 0);
    for (std::size_t i = 1; i < pieces[1].sequences.size(); ++i) {
        BOOST_TEST(pieces[1].sequences[i] == pieces[1].sequences[i - 1] + 1);
    }
    BOOST_TEST(pieces[1].sequences.size() >= 2u);
    BOOST_TEST(run.out->lost().empty());
}

BOOST_AUTO_TEST_CASE(stalled_requests_time_out_and_resume_without_loss) {
    const HlsRun& run = scenario("stall");
    BOOST_TEST(!run.out->failures().empty());
    BOOST_TEST(run.out->lost().empty());
    const auto served = run.server->served("room");
    requireConsecutive(served);
    BOOST_TEST(served.back().sequence >= run.server->liveEdge("room", 6.5) - 1);
    BOOST_TEST((run.out->allBytes() ==
                segments(run.spec, served.front().sequence, served.back().sequence)));
}

BOOST_AUTO_TEST_CASE(fmp4_pieces_start_with_their_init_section) {
    const HlsRun& run = scenario("fmp4");
    const std::string init = MediaLoop(testClip(), MediaLoop::Format::Fmp4).header();
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE(pieces.size() >= 2u);
    TempDir dir;
    int n = 0;
    for (const auto& piece : pieces) {
        BOOST_TEST(piece.format.extension == "mp4");
        BOOST_TEST(!piece.format.concatSafe);
        BOOST_TEST(piece.inits == 1);
        BOOST_TEST(piece.bytes.compare(0, init.size(), init) == 0);
        const auto p =
            probe(writeFile(dir.path / ("piece" + std::to_string(n++) + ".mp4"), piece.bytes));
        BOOST_TEST(p.ok);
        BOOST_TEST(p.streams == 2);
        BOOST_TEST(p.span == piece.mediaSeconds, boost::test_tools::tolerance(0.5));
    }
    requireConsecutive(run.server->served("room"));
}

BOOST_AUTO_TEST_CASE(stop_ends_a_stalled_request_at_once) {
    const HlsRun& run = scenario("stop");
    BOOST_TEST(run.stopTook.count() < 5000);  // the stall timeout is 20 s
    BOOST_TEST(run.out->pieces().size() == 1u);
    BOOST_TEST(run.out->failures().empty());
}

namespace {

// Waits up to `limit` for `ready()`: for a live packager, a process that keeps real time.
template <typename Ready>
bool within(std::chrono::seconds limit, Ready ready) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!ready() && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(100ms);
    }
    return ready();
}

}  // namespace

// ffmpeg's HLS muxer with 720p, 360p and 180p behind a line that starts at 1.2 Mbit/s and then
// widens to 20 Mbit/s; the fitter waits 8 s (not a minute) before a step up.
BOOST_AUTO_TEST_CASE(a_follower_steps_down_on_a_thin_line_and_back_up_when_it_widens) {
    TempDir root;
    confcap::testing::PackagerSpec spec;
    spec.ladder = true;
    confcap::testing::LivePackager packager(root.path / "hls", spec);
    confcap::testing::FolderServer line(root.path / "hls", 1.2e6 / 8);
    BOOST_REQUIRE_MESSAGE(
        within(30s, [&] { return std::filesystem::exists(root.path / "hls" / "stream_2.m3u8"); }),
        "the packager did not start: " << packager.errors());
    auto options = fastOptions();
    options.stallTimeout = 10s;
    options.fitter.roomFor = 8s;
    options.fitter.upHold = 8s;
    HlsSource source(line.url("master.m3u8"), options);
    RecordingOutput out;
    SourceDriver driver(source, out);
    const bool down = within(40s, [&] { return !out.switches().empty(); });
    line.setBytesPerSecond(20e6 / 8);
    auto upward = [&] {
        for (const auto& change : out.switches()) {
            if (change.to.bandwidth > change.from.bandwidth) {
                return true;
            }
        }
        return false;
    };
    const bool up = within(40s, upward);
    driver.stop();

    BOOST_TEST_REQUIRE(down, "no step down");
    const auto switches = out.switches();
    BOOST_TEST(switches.front().from.height == 720);
    BOOST_TEST(switches.front().to.bandwidth < switches.front().from.bandwidth);
    BOOST_TEST(!switches.front().why.empty());
    BOOST_TEST(up, "no step up once the line widened");
    // One piece: the variants share their timestamps, and no segment came twice.
    const auto pieces = out.pieces();
    BOOST_TEST(pieces.size() == 1u);
    const auto& sequences = pieces.front().sequences;
    for (std::size_t i = 1; i < sequences.size(); ++i) {
        BOOST_TEST(sequences[i] > sequences[i - 1]);
    }
    std::size_t told = 0;
    for (const auto& notice : out.notices()) {
        told += notice.rfind("Stepping ", 0) == 0 ? 1u : 0u;
    }
    BOOST_TEST(told == switches.size());
    BOOST_TEST_MESSAGE(switches.size() << " moves; " << sequences.size() << " segments");
}

BOOST_AUTO_TEST_SUITE_END()
