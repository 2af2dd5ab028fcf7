// A room's capture writing into real talk sinks, as a run joins them: two talks back to back with
// overlapping padding on a WebM stream that drops once each make a playable file.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "confcap/capture/RoomCapture.h"
#include "confcap/demo/FakeStreamServer.h"
#include "confcap/sink/TalkSink.h"
#include "support/MediaTestSupport.h"

BOOST_AUTO_TEST_SUITE(CaptureSinksTest)

using confcap::capture::RoomCapture;
using confcap::demo::FakeStreamServer;
using confcap::demo::Fault;
using confcap::demo::StreamKind;
using confcap::demo::StreamSpec;
using confcap::testing::probe;
using confcap::testing::TempDir;
using confcap::testing::testClip;
using namespace std::chrono_literals;
using SystemClock = std::chrono::system_clock;

namespace {

RoomCapture::Options fastRetry() {
    RoomCapture::Options options;
    options.retry.initial = 200ms;
    options.retry.maximum = 1000ms;
    options.retry.jitter = 0;
    return options;
}

confcap::source::SourceOptions fastSource() {
    confcap::source::SourceOptions options;
    options.stallTimeout = 1000ms;
    options.connectTimeout = 2000ms;
    return options;
}

// What the two talks' sinks published, first and second.
std::vector<confcap::sink::FinalizeResult> backToBack(const TempDir& dir) {
    FakeStreamServer server(
        testClip(), {StreamSpec{"cam", StreamKind::Webm, 0, 0, false, {Fault::drop(2.5, 3.0)}}});
    RoomCapture capture("Saal 1", server.url("cam"), fastSource(), fastRetry(), {});
    auto config = [&](const std::string& stem, SystemClock::time_point start,
                      SystemClock::time_point end) {
        confcap::sink::TalkSinkConfig c;
        c.outDir = dir.path;
        c.relativeStem = stem;
        c.windowStart = start;
        c.windowEnd = end;
        c.streamUrl = server.url("cam");
        return c;
    };
    const auto t0 = SystemClock::now();
    confcap::sink::TalkSink first(config("first", t0, t0 + 4s));
    confcap::sink::TalkSink second(config("second", t0 + 1500ms, t0 + 6s));
    std::vector<confcap::sink::FinalizeResult> results;
    capture.attach(first, t0 + 4s);
    server.waitUntil(1.5);
    capture.attach(second, t0 + 6s);
    server.waitUntil(4.0);
    capture.detach(first);
    results.push_back(first.finalize("window ended"));
    server.waitUntil(6.0);
    capture.detach(second);
    results.push_back(second.finalize("window ended"));
    return results;
}

}  // namespace

BOOST_AUTO_TEST_CASE(back_to_back_talk_sinks_make_playable_files) {
    TempDir dir;
    const auto results = backToBack(dir);
    BOOST_REQUIRE_EQUAL(results.size(), 2u);
    const double expected[] = {4.0, 4.5};
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& result = results[i];
        BOOST_TEST_INFO("talk " << i << ": " << result.reason);
        BOOST_REQUIRE((result.outcome == confcap::core::Outcome::Recorded));
        BOOST_REQUIRE_EQUAL(result.files.size(), 1u);
        const auto p = probe(result.files[0]);
        BOOST_TEST(p.ok);
        BOOST_TEST(p.streams == 2);
        BOOST_TEST(p.span == expected[i], boost::test_tools::tolerance(1.2));
    }
    // The first talk saw the drop at 2.5 s: a gap and two pieces merged into one file.
    BOOST_TEST(results[0].status.gaps.size() == 1u);
    BOOST_TEST(results[0].status.pieces == 2);
}

BOOST_AUTO_TEST_SUITE_END()
