#include "confcap/capture/RoomCapture.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "confcap/demo/FakeStreamServer.h"
#include "confcap/demo/MediaLoop.h"
#include "support/FakeClock.h"
#include "support/FakeSleeper.h"
#include "support/MediaTestSupport.h"

BOOST_AUTO_TEST_SUITE(RoomCaptureTest)

using confcap::capture::CaptureEvent;
using confcap::capture::RoomCapture;
using confcap::demo::FakeStreamServer;
using confcap::demo::Fault;
using confcap::demo::MediaLoop;
using confcap::demo::StreamKind;
using confcap::demo::StreamSpec;
using confcap::source::SourceOptions;
using confcap::testing::probe;
using confcap::testing::RecordingSink;
using confcap::testing::Scenarios;
using confcap::testing::TempDir;
using confcap::testing::testClip;
using confcap::testing::writeFile;
using namespace std::chrono_literals;
using Kind = CaptureEvent::Kind;
using SystemClock = std::chrono::system_clock;

namespace {

SourceOptions fastSource() {
    SourceOptions options;
    options.stallTimeout = 1000ms;
    options.connectTimeout = 2000ms;
    return options;
}

RoomCapture::Options fastRetry() {
    RoomCapture::Options options;
    options.retry.initial = 200ms;
    options.retry.maximum = 1000ms;
    options.retry.jitter = 0;
    return options;
}

// A capture's clock and sleeper on which its waits pass at once.
struct FakeTime {
    confcap::testing::FakeClock clock{SystemClock::now()};
    confcap::testing::FakeSleeper sleeper{clock};

    RoomCapture::Options options() {
        auto options = fastRetry();
        options.clock = &clock;
        options.sleeper = &sleeper;
        return options;
    }
};

class EventLog {
public:
    void add(const CaptureEvent& e) {
        std::lock_guard lock(mutex_);
        events_.push_back(e);
    }
    std::vector<CaptureEvent> all() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    std::vector<CaptureEvent> of(Kind kind) const {
        std::vector<CaptureEvent> found;
        for (const auto& e : all()) {
            if (e.kind == kind) {
                found.push_back(e);
            }
        }
        return found;
    }

private:
    mutable std::mutex mutex_;
    std::vector<CaptureEvent> events_;
};

struct CaptureRun {
    std::shared_ptr<FakeStreamServer> server;
    std::shared_ptr<EventLog> events = std::make_shared<EventLog>();
    std::vector<std::shared_ptr<RecordingSink>> sinks;
    /// How long the capture took to stop by itself after its last sink left (or stop()).
    std::chrono::milliseconds stopTook{-1};
    bool stillRunning = false;
    SystemClock::time_point windowEnd;
};

std::shared_ptr<FakeStreamServer> serve(StreamSpec spec) {
    return std::make_shared<FakeStreamServer>(testClip(), std::vector<StreamSpec>{spec});
}

RoomCapture::EventHandler logTo(const std::shared_ptr<EventLog>& log) {
    return [log](const CaptureEvent& e) { log->add(e); };
}

std::chrono::milliseconds waitStopped(const RoomCapture& capture) {
    const auto start = std::chrono::steady_clock::now();
    while (capture.running() && std::chrono::steady_clock::now() - start < 5s) {
        std::this_thread::sleep_for(10ms);
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
}

// Sink A from the start, sink B from `joinAt`; A leaves at `leaveAt`, B at `endAt`.
CaptureRun overlapping(StreamSpec spec, double joinAt, double leaveAt, double endAt) {
    CaptureRun run;
    run.server = serve(spec);
    const std::string url = spec.kind == StreamKind::Hls ? run.server->mediaPlaylistUrl(spec.name)
                                                         : run.server->url(spec.name);
    RoomCapture capture("Saal 1", url, fastSource(), fastRetry(), logTo(run.events));
    auto a = std::make_shared<RecordingSink>();
    auto b = std::make_shared<RecordingSink>();
    run.sinks = {a, b};
    const auto windowEnd = SystemClock::now() + 60s;
    capture.attach(*a, windowEnd);
    run.server->waitUntil(joinAt);
    capture.attach(*b, windowEnd);
    run.server->waitUntil(leaveAt);
    capture.detach(*a);
    run.server->waitUntil(endAt);
    capture.detach(*b);
    run.stopTook = waitStopped(capture);
    run.stillRunning = capture.running();
    return run;
}

// One sink for the whole run; `detachAt` seconds.
CaptureRun single(StreamSpec spec, double detachAt) {
    CaptureRun run;
    run.server = serve(spec);
    const std::string url = spec.kind == StreamKind::Hls ? run.server->mediaPlaylistUrl(spec.name)
                                                         : run.server->url(spec.name);
    RoomCapture capture("Saal 1", url, fastSource(), fastRetry(), logTo(run.events));
    auto sink = std::make_shared<RecordingSink>();
    run.sinks = {sink};
    capture.attach(*sink, SystemClock::now() + 60s);
    run.server->waitUntil(detachAt);
    capture.detach(*sink);
    run.stopTook = waitStopped(capture);
    run.stillRunning = capture.running();
    return run;
}

// A playlist that answers 404 all along, in a window that ends after 3 s (of a fake clock).
CaptureRun missingPlaylist() {
    CaptureRun run;
    FakeTime time;
    run.server = serve({"room", StreamKind::Hls, 4, 0, false, {}});
    const std::string url = run.server->mediaPlaylistUrl("room");
    RoomCapture capture("Saal 1", url.substr(0, url.find("/hls/")) + "/hls/nowhere/live.m3u8",
                        fastSource(), time.options(), logTo(run.events));
    auto sink = std::make_shared<RecordingSink>();
    run.sinks = {sink};
    capture.attach(*sink, time.clock.now() + 3s);
    run.stopTook = waitStopped(capture);
    run.stillRunning = capture.running();
    capture.detach(*sink);
    return run;
}

// A stream that answers 503 all along, in a window that ends after 2 s (of a fake clock).
CaptureRun pastTheDeadline() {
    CaptureRun run;
    FakeTime time;
    run.server = serve({"tv", StreamKind::Ts, 0, 0, false, {Fault::httpStatus(0, 60.0, 503)}});
    RoomCapture capture("Saal 1", run.server->url("tv"), fastSource(), time.options(),
                        logTo(run.events));
    auto sink = std::make_shared<RecordingSink>();
    run.sinks = {sink};
    capture.attach(*sink, time.clock.now() + 2s);
    run.stopTook = waitStopped(capture);
    run.stillRunning = capture.running();
    capture.detach(*sink);
    return run;
}

// Two sinks whose windows end 3.5 s in: one leaves waiting for the segment that holds its
// window's end, the other at once.
CaptureRun windowEnd() {
    CaptureRun run;
    run.server = serve({"room", StreamKind::Hls, 4, 0, false, {}});
    RoomCapture capture("Saal 1", run.server->mediaPlaylistUrl("room"), fastSource(), fastRetry(),
                        logTo(run.events));
    auto waiting = std::make_shared<RecordingSink>();
    auto hasty = std::make_shared<RecordingSink>();
    run.sinks = {waiting, hasty};
    const auto end = SystemClock::now() + 3500ms;
    run.windowEnd = end;
    capture.attach(*waiting, end);
    capture.attach(*hasty, end);
    std::this_thread::sleep_until(end);
    capture.detach(*hasty);
    const auto start = std::chrono::steady_clock::now();
    capture.detach(*waiting, end);
    run.stopTook = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return run;
}

// Follows one sink through `seconds` of an HLS stream's media playlist.
CaptureRun hlsFor(StreamSpec spec, double seconds, RoomCapture::Options options = fastRetry()) {
    CaptureRun run;
    run.server = serve(spec);
    RoomCapture capture("Saal 1", run.server->mediaPlaylistUrl(spec.name), fastSource(), options,
                        logTo(run.events));
    auto sink = std::make_shared<RecordingSink>();
    run.sinks = {sink};
    capture.attach(*sink, SystemClock::now() + 60s);
    run.server->waitUntil(seconds);
    run.stillRunning = capture.running();
    capture.detach(*sink);
    return run;
}

CaptureRun stopDuringStall() {
    CaptureRun run;
    run.server = serve({"tv", StreamKind::Ts, 0, 0, false, {Fault::stall(1.0, 60.0)}});
    SourceOptions source;
    source.stallTimeout = 20s;
    RoomCapture capture("Saal 1", run.server->url("tv"), source, fastRetry(), logTo(run.events));
    auto sink = std::make_shared<RecordingSink>();
    run.sinks = {sink};
    capture.attach(*sink, SystemClock::now() + 60s);
    run.server->waitUntil(2.5);
    const auto start = std::chrono::steady_clock::now();
    capture.stop();
    run.stopTook = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    run.stillRunning = capture.running();
    return run;
}

// The last sink leaves and a new one comes at once: the capture stops and starts again.
CaptureRun restart() {
    CaptureRun run;
    run.server = serve({"tv", StreamKind::Ts, 0, 0, false, {}});
    RoomCapture capture("Saal 1", run.server->url("tv"), fastSource(), fastRetry(),
                        logTo(run.events));
    auto a = std::make_shared<RecordingSink>();
    auto b = std::make_shared<RecordingSink>();
    run.sinks = {a, b};
    capture.attach(*a, SystemClock::now() + 60s);
    run.server->waitUntil(1.5);
    capture.detach(*a);
    capture.attach(*b, SystemClock::now() + 60s);
    run.server->waitUntil(3.0);
    capture.detach(*b);
    run.stopTook = waitStopped(capture);
    run.stillRunning = capture.running();
    return run;
}

const CaptureRun& scenario(const std::string& name) {
    static const Scenarios<CaptureRun> all({
        {"hls overlap",
         [] {
             return overlapping({"room", StreamKind::Hls, 6, 0, false, {}}, 2.0, 4.5, 6.5);
         }},
        {"webm overlap",
         [] {
             return overlapping({"cam", StreamKind::Webm, 0, 0, false, {}}, 1.5, 3.0, 4.5);
         }},
        {"ts overlap",
         [] {
             return overlapping({"tv", StreamKind::Ts, 0, 0, false, {}}, 1.3, 2.5, 3.5);
         }},
        {"ts outage",
         [] {
             return single({"tv", StreamKind::Ts, 0, 0, false, {Fault::drop(2.0, 3.5)}}, 5.5);
         }},
        {"hls resume",
         [] {
             return single(
                 {"room", StreamKind::Hls, 6, 0, false, {Fault::httpStatus(2.0, 4.0, 503)}}, 6.5);
         }},
        {"hls lost",
         [] {
             return single(
                 {"room", StreamKind::Hls, 2, 0, false, {Fault::httpStatus(2.0, 6.0, 503)}}, 8.0);
         }},
        {"detach in outage",
         [] {
             return single({"tv",
                            StreamKind::Ts,
                            0,
                            0,
                            false,
                            {Fault::drop(1.5), Fault::httpStatus(1.5, 60.0, 503, 1)}},
                           4.0);
         }},
        {"deadline", [] { return pastTheDeadline(); }},
        {"missing", [] { return missingPlaylist(); }},
        {"window end", [] { return windowEnd(); }},
        {"not live yet",
         [] {
             return hlsFor({"room", StreamKind::Hls, 4, 0, false, {Fault::httpStatus(0, 3.0, 404)}},
                           7.0);
         }},
        {"encoder restart",
         [] {
             return hlsFor({"room", StreamKind::Hls, 4, 0, false, {Fault::restart(3.0, 5.0)}},
                           10.0);
         }},
        {"encrypted",
         [] {
             return hlsFor({"room", StreamKind::Hls, 4, 0, true, {}}, 2.0);
         }},
        {"stop", [] { return stopDuringStall(); }},
        {"restart", [] { return restart(); }},
    });
    return all.get(name);
}

// Checks that `later` (a sink that joined mid-stream) starts with bytes `earlier` also got, and
// that from there on both got the same bytes; returns the length they share.
std::size_t requireSameOverlap(const std::string& earlier, const std::string& later,
                               std::size_t skip = 0) {
    BOOST_REQUIRE(later.size() > skip + 4096);
    const std::size_t at = earlier.find(later.substr(skip, 4096));
    BOOST_REQUIRE(at != std::string::npos);
    const std::size_t shared = std::min(earlier.size() - at, later.size() - skip);
    BOOST_TEST(earlier.compare(at, shared, later, skip, shared) == 0);
    return shared;
}

bool mentions(const std::vector<CaptureEvent>& events, const std::string& text) {
    return std::any_of(events.begin(), events.end(), [&](const CaptureEvent& e) {
        return e.message.find(text) != std::string::npos;
    });
}

}  // namespace

BOOST_AUTO_TEST_CASE(overlapping_hls_sinks_share_one_connection) {
    const CaptureRun& run = scenario("hls overlap");
    const auto& a = *run.sinks[0];
    const auto& b = *run.sinks[1];
    BOOST_TEST(a.beginPieces() == 1);
    BOOST_TEST(b.beginPieces() == 1);
    BOOST_TEST(!b.wroteBeforeBegin());
    const std::string aBytes = a.allBytes();
    const std::string bBytes = b.allBytes();
    // B joined at a segment boundary and got the same segments as A while both were attached.
    const std::size_t shared = requireSameOverlap(aBytes, bBytes);
    BOOST_TEST(shared > 40'000u);
    BOOST_TEST(aBytes.size() - shared > 0u);
    BOOST_TEST(bBytes.size() - shared > 0u);
    BOOST_TEST(run.server->connections() == 1u);
    BOOST_TEST(run.events->of(Kind::Connected).size() == 1u);
    BOOST_TEST(run.events->of(Kind::Failed).empty());
    // The last detach stopped the capture promptly.
    BOOST_TEST(!run.stillRunning);
    BOOST_TEST(run.stopTook.count() < 5000);
    BOOST_TEST(run.events->of(Kind::Stopped).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_sink_joining_webm_gets_the_header_then_a_cluster) {
    const CaptureRun& run = scenario("webm overlap");
    const std::string header = MediaLoop(testClip(), MediaLoop::Format::Webm).header();
    const std::string bBytes = run.sinks[1]->allBytes();
    BOOST_REQUIRE(bBytes.size() > header.size() + 4);
    BOOST_TEST(bBytes.compare(0, header.size(), header) == 0);
    BOOST_TEST(bBytes.compare(header.size(), 4, "\x1F\x43\xB6\x75") == 0);
    requireSameOverlap(run.sinks[0]->allBytes(), bBytes, header.size());
    TempDir dir;
    const auto p = probe(writeFile(dir.path / "joined.webm", bBytes));
    BOOST_TEST(p.ok);
    BOOST_TEST(p.streams == 2);
    BOOST_TEST(p.span == 3.0, boost::test_tools::tolerance(1.0));
    BOOST_TEST(run.server->connections() == 1u);
}

BOOST_AUTO_TEST_CASE(a_sink_joining_ts_starts_on_a_packet) {
    const CaptureRun& run = scenario("ts overlap");
    const std::string bBytes = run.sinks[1]->allBytes();
    BOOST_REQUIRE(bBytes.size() > 188u);
    BOOST_TEST(bBytes[0] == 0x47);
    BOOST_TEST(bBytes[188] == 0x47);
    requireSameOverlap(run.sinks[0]->allBytes(), bBytes);
    TempDir dir;
    BOOST_TEST(probe(writeFile(dir.path / "joined.ts", bBytes)).ok);
    BOOST_TEST(run.server->connections() == 1u);
}

BOOST_AUTO_TEST_CASE(progressive_outage_is_measured_as_a_gap) {
    const CaptureRun& run = scenario("ts outage");
    const auto& sink = *run.sinks[0];
    BOOST_TEST(sink.reconnects() == 1);
    BOOST_TEST(sink.beginPieces() == 2);
    BOOST_TEST(sink.pieces().size() == 1u);  // MPEG-TS: the second connection appends
    const auto gaps = sink.gaps();
    BOOST_REQUIRE_EQUAL(gaps.size(), 1u);
    // Refused for 1.5 s; the backoff (0.2, 0.4, 0.8, 1 s) may add up to a second.
    BOOST_TEST(gaps[0].length.count() >= 1400);
    BOOST_TEST(gaps[0].length.count() <= 3000);
    BOOST_TEST(!gaps[0].cause.empty());
    BOOST_TEST(!gaps[0].firstSequence.has_value());

    const auto events = run.events->all();
    BOOST_REQUIRE(events.size() >= 4u);
    BOOST_TEST((events.front().kind == Kind::Connected));
    BOOST_TEST(events.front().room == "Saal 1");
    BOOST_TEST(!run.events->of(Kind::Failed).empty());
    BOOST_TEST(!run.events->of(Kind::Reconnecting).empty());
    const auto resumed = run.events->of(Kind::Resumed);
    BOOST_REQUIRE_EQUAL(resumed.size(), 1u);
    BOOST_REQUIRE(resumed[0].gap.has_value());
    BOOST_TEST(resumed[0].message.find("resumed after") != std::string::npos);
    TempDir dir;
    BOOST_TEST(probe(writeFile(dir.path / "tv.ts", sink.allBytes())).ok);
}

BOOST_AUTO_TEST_CASE(hls_outage_within_the_window_resumes_with_nothing_lost) {
    const CaptureRun& run = scenario("hls resume");
    const auto& sink = *run.sinks[0];
    BOOST_TEST(sink.gaps().empty());
    BOOST_TEST(sink.reconnects() == 1);
    BOOST_TEST(sink.beginPieces() == 2);
    const auto resumed = run.events->of(Kind::Resumed);
    BOOST_REQUIRE_EQUAL(resumed.size(), 1u);
    BOOST_TEST(resumed[0].message.find("nothing lost") != std::string::npos);
    BOOST_REQUIRE(resumed[0].sequence.has_value());
    const auto served = run.server->served("room");
    // Resumed at the segment after the last one delivered before the outage.
    BOOST_TEST(std::any_of(served.begin(), served.end(),
                           [&](const auto& s) { return s.sequence == *resumed[0].sequence - 1; }));
    for (std::size_t i = 1; i < served.size(); ++i) {
        BOOST_TEST(served[i].sequence == served[i - 1].sequence + 1);
    }
    // A connection that delivered media is picked up again at once.
    const auto reconnecting = run.events->of(Kind::Reconnecting);
    BOOST_REQUIRE(!reconnecting.empty());
    BOOST_TEST(reconnecting[0].wait.count() == 0);
    BOOST_TEST(reconnecting[0].message == "reconnecting at once");
}

BOOST_AUTO_TEST_CASE(hls_outage_beyond_the_window_gives_a_gap_with_the_lost_segments) {
    const CaptureRun& run = scenario("hls lost");
    const auto gaps = run.sinks[0]->gaps();
    BOOST_REQUIRE_EQUAL(gaps.size(), 1u);
    BOOST_REQUIRE(gaps[0].firstSequence.has_value());
    const auto lost = *gaps[0].lastSequence - *gaps[0].firstSequence + 1;
    BOOST_TEST(lost >= 1);
    BOOST_TEST(lost <= 4);
    BOOST_TEST(gaps[0].length.count() == lost * 1000);
    BOOST_TEST(
        mentions(run.events->of(Kind::Resumed), "lost " + std::to_string(lost) + " segments"));
}

BOOST_AUTO_TEST_CASE(detaching_during_an_outage_delivers_the_gap_so_far) {
    const CaptureRun& run = scenario("detach in outage");
    const auto gaps = run.sinks[0]->gaps();
    BOOST_REQUIRE_EQUAL(gaps.size(), 1u);
    BOOST_TEST(gaps[0].length.count() >= 2000);
    BOOST_TEST(gaps[0].length.count() <= 3000);
    BOOST_TEST(gaps[0].cause == "outage");
    BOOST_TEST(gaps[0].detail.find("503") != std::string::npos);
    // The reset of a connection that delivered media is retried at once; the 503 that follows
    // is the first failure of the backoff, whose 200 ms give way to its Retry-After: 1.
    const auto reconnecting = run.events->of(Kind::Reconnecting);
    BOOST_REQUIRE(reconnecting.size() >= 2u);
    BOOST_TEST(reconnecting[0].wait.count() == 0);
    BOOST_TEST(reconnecting[1].wait.count() == 1000);
    BOOST_TEST(!run.stillRunning);
}

BOOST_AUTO_TEST_CASE(retries_end_with_the_last_window) {
    const CaptureRun& run = scenario("deadline");
    const auto gaveUp = run.events->of(Kind::GaveUp);
    BOOST_REQUIRE_EQUAL(gaveUp.size(), 1u);
    BOOST_TEST((gaveUp[0].errorKind == confcap::core::ErrorKind::Transient));
    BOOST_TEST(gaveUp[0].message.find("last window") != std::string::npos);
    BOOST_TEST(run.sinks[0]->beginPieces() == 0);
}

BOOST_AUTO_TEST_CASE(a_404_is_tried_again_until_the_window_ends_and_told_once) {
    const CaptureRun& run = scenario("missing");
    BOOST_TEST(!run.stillRunning);
    const auto gaveUp = run.events->of(Kind::GaveUp);
    BOOST_REQUIRE_EQUAL(gaveUp.size(), 1u);
    BOOST_TEST(gaveUp[0].message.find("last window") != std::string::npos);
    BOOST_TEST(run.events->of(Kind::Reconnecting).size() >= 3u);
    const auto failed = run.events->of(Kind::Failed);
    BOOST_REQUIRE(failed.size() >= 3u);
    BOOST_TEST(!failed.front().repeat);
    BOOST_TEST(failed.front().cause == "HTTP 404");
    BOOST_TEST(failed.front().message.find("404") != std::string::npos);
    for (std::size_t i = 1; i < failed.size(); ++i) {
        BOOST_TEST(failed[i].repeat, "attempt " << i + 1 << " told again within a minute");
        BOOST_TEST(failed[i].attempts == static_cast<int>(i + 1));
    }
    BOOST_TEST(run.sinks[0]->beginPieces() == 0);
    BOOST_TEST(run.sinks[0]->allBytes().empty());
}

BOOST_AUTO_TEST_CASE(a_stream_that_is_not_live_yet_is_recorded_from_when_it_appears) {
    const CaptureRun& run = scenario("not live yet");
    const auto& sink = *run.sinks[0];
    BOOST_TEST(sink.beginPieces() == 1);
    BOOST_TEST(sink.allBytes().size() > 10'000u);
    const auto gaps = sink.gaps();
    BOOST_REQUIRE_EQUAL(gaps.size(), 1u);
    BOOST_TEST(gaps[0].cause == "not live yet");
    BOOST_TEST(gaps[0].detail.find("404") != std::string::npos);
    // The playlist answered 404 for 3 s, then listed the segments of the seconds before: the gap
    // ends where the first segment recorded begins, dated back from when it was listed.
    BOOST_TEST(gaps[0].length.count() > 0);
    BOOST_TEST(gaps[0].length.count() <= 6000);
    BOOST_TEST(run.events->of(Kind::GaveUp).empty());
}

BOOST_AUTO_TEST_CASE(a_restarted_encoder_is_followed_on_its_new_timeline) {
    const CaptureRun& run = scenario("encoder restart");
    const auto& sink = *run.sinks[0];
    // The new timeline's timestamps start again: a piece of its own, after one gap.
    const auto pieces = sink.pieces();
    BOOST_REQUIRE_EQUAL(pieces.size(), 2u);
    BOOST_TEST(pieces[1].bytes.size() > 10'000u);
    const auto gaps = sink.gaps();
    BOOST_REQUIRE_EQUAL(gaps.size(), 1u);
    BOOST_TEST(gaps[0].cause == "stream restarted");
    BOOST_TEST(gaps[0].length.count() >= 1500);
    BOOST_TEST(gaps[0].length.count() <= 7000);
    BOOST_TEST(mentions(run.events->all(), "started again"));
    BOOST_TEST(run.events->of(Kind::GaveUp).empty());
}

BOOST_AUTO_TEST_CASE(a_sink_leaving_at_its_window_end_gets_the_segment_that_holds_it) {
    const CaptureRun& run = scenario("window end");
    const auto waited = run.sinks[0]->reached();
    const auto hasty = run.sinks[1]->reached();
    BOOST_REQUIRE(waited.has_value());
    BOOST_REQUIRE(hasty.has_value());
    // Segments are about a second long: the one holding the end is out within two of them.
    BOOST_TEST((*waited >= run.windowEnd - 50ms));
    BOOST_TEST((*hasty < run.windowEnd));
    BOOST_TEST(run.stopTook.count() <= 3500);
    BOOST_TEST(run.sinks[0]->allBytes().size() > run.sinks[1]->allBytes().size());
}

BOOST_AUTO_TEST_CASE(unsupported_encryption_gives_up_at_once) {
    const CaptureRun& run = scenario("encrypted");
    const auto gaveUp = run.events->of(Kind::GaveUp);
    BOOST_REQUIRE_EQUAL(gaveUp.size(), 1u);
    BOOST_TEST((gaveUp[0].errorKind == confcap::core::ErrorKind::Unusable));
    BOOST_TEST(gaveUp[0].message.find("AES-128") != std::string::npos);
    BOOST_TEST(run.events->of(Kind::Reconnecting).empty());
    BOOST_TEST(run.sinks[0]->allBytes().empty());
}

BOOST_AUTO_TEST_CASE(stop_does_not_wait_for_the_read_timeout) {
    const CaptureRun& run = scenario("stop");
    BOOST_TEST(run.stopTook.count() < 5000);
    BOOST_TEST(!run.stillRunning);
    BOOST_TEST(run.events->of(Kind::Stopped).size() == 1u);
    BOOST_TEST(run.events->of(Kind::Failed).empty());
}

BOOST_AUTO_TEST_CASE(a_sink_arriving_after_the_last_one_left_restarts_the_capture) {
    const CaptureRun& run = scenario("restart");
    const auto& a = *run.sinks[0];
    const auto& b = *run.sinks[1];
    BOOST_TEST(a.beginPieces() == 1);
    BOOST_TEST(b.beginPieces() == 1);
    BOOST_TEST(!b.wroteBeforeBegin());
    BOOST_TEST(b.allBytes().size() > 10'000u);
    BOOST_TEST(run.server->requests("tv") == 2u);
    BOOST_TEST(run.events->of(Kind::Connected).size() == 2u);
    BOOST_TEST(run.events->of(Kind::Stopped).size() == 2u);
    BOOST_TEST(!run.stillRunning);
}

namespace {

// A source that delivers two segments of one connection with a move to another variant between
// them, then says the stream is finished.
class SwitchingSource final : public confcap::source::Source {
public:
    confcap::source::RunEnd run(confcap::source::SourceOutput& out) override {
        if (!ran_) {
            ran_ = true;
            out.connected({"ts", true}, confcap::source::Resume{});
            out.write(segment("first"));
            confcap::core::VariantSwitch change;
            change.at = SystemClock::now();
            change.from = {1280, 720, 2'195'600};
            change.to = {640, 360, 642'400};
            change.why = "fetching took longer than playing";
            out.notice("Stepping down from the variant 1280x720 to 640x360.");
            out.variantSwitched(change);
            out.write(segment("second"));
        }
        return confcap::source::RunEnd::Finished;
    }
    void stop() noexcept override {}
    const std::string& url() const noexcept override { return url_; }

private:
    static confcap::core::Chunk segment(std::string_view bytes) {
        confcap::core::Chunk chunk;
        chunk.bytes = bytes;
        chunk.kind = confcap::core::ChunkKind::SegmentStart;
        chunk.mediaSeconds = 2;
        return chunk;
    }
    bool ran_ = false;
    std::string url_ = "http://h/master.m3u8";
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_move_to_another_variant_reaches_every_sink_in_the_same_piece) {
    std::promise<void> ended;
    auto options = fastRetry();
    options.stopWhenFinished = true;
    EventLog events;
    RoomCapture capture(
        "Saal 1", [] { return std::make_unique<SwitchingSource>(); }, options,
        [&](const CaptureEvent& e) {
            events.add(e);
            if (e.kind == Kind::Ended) {
                ended.set_value();
            }
        });
    RecordingSink sink;
    capture.attach(sink, SystemClock::now() + 1min);
    BOOST_REQUIRE(ended.get_future().wait_for(10s) == std::future_status::ready);
    capture.stop();
    BOOST_TEST(sink.beginPieces() == 1);
    BOOST_TEST(sink.allBytes() == "firstsecond");
    const auto switches = sink.switches();
    BOOST_REQUIRE_EQUAL(switches.size(), 1u);
    BOOST_TEST(switches[0].to.height == 360);
    BOOST_TEST(switches[0].why == "fetching took longer than playing");
    // The log has it from the source's notice.
    bool told = false;
    for (const auto& e : events.of(Kind::Notice)) {
        told = told || e.message.find("Stepping down") != std::string::npos;
    }
    BOOST_TEST(told);
}

BOOST_AUTO_TEST_SUITE_END()
