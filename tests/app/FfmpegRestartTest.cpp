// `confcap capture --recorder ffmpeg` on a live HLS stream (ffmpeg's own HLS muxer behind a
// loopback web server) that is gone for 6 s: the restarted ffmpeg begins at the segment that holds
// the end of what it wrote, and what it writes again is dropped, so the file goes on without a hole
// or a repeat, as the native engine's does.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/ChildProcess.h"
#include "support/LivePackager.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"

BOOST_AUTO_TEST_SUITE(FfmpegRestartTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::testing::ChildProcess;
using confcap::testing::FolderServer;
using confcap::testing::LivePackager;
using confcap::testing::RunFolders;

namespace {

constexpr auto kFor = 30s;
constexpr auto kOutageAt = 10s;
constexpr auto kOutage = 6s;

struct RestartRun {
    std::string error;
    std::optional<int> exitCode;
    std::string err;
    Poco::JSON::Object::Ptr sidecar;
    confcap::testing::Timeline timeline;
    confcap::testing::StreamList streams;
};

/// Points the served folder at `target` in one step (a symbolic link renamed over the old one).
void serve(const fs::path& served, const fs::path& target) {
    auto next = served;
    next += ".next";
    fs::remove(next);
    fs::create_directory_symlink(target, next);
    fs::rename(next, served);
}

RestartRun captureThroughAnOutage() {
    RestartRun run;
    try {
        RunFolders folders;
        const auto hls = folders.root.path / "hls";
        const auto gone = folders.root.path / "gone";
        const auto served = folders.root.path / "served";
        fs::create_directories(hls);
        fs::create_directories(gone);
        serve(served, hls);
        FolderServer server(served);
        // A window of 20 s: the segment written last is still listed when ffmpeg comes back.
        confcap::testing::PackagerSpec spec;
        spec.window = 10;
        LivePackager packager(hls, spec);
        confcap::testing::waitFor([&] { return fs::exists(hls / "live3.ts"); }, 20s);
        ChildProcess confcap(CONFCAP_BINARY,
                             {"capture", server.url("live.m3u8"), "--recorder", "ffmpeg", "--for",
                              std::to_string(kFor.count()) + "s", "-o", "out/talk.ts"},
                             folders.work, folders.env());
        std::this_thread::sleep_for(kOutageAt);
        serve(served, gone);  // every request answers 404
        std::this_thread::sleep_for(kOutage);
        serve(served, hls);
        run.exitCode = confcap.wait(kFor + 60s);
        run.err = confcap.err();
        const auto sidecar = folders.out / "talk.json";
        if (fs::exists(sidecar)) {
            run.sidecar = confcap::testing::readJsonFile(sidecar);
            const auto media = folders.out / run.sidecar->getValue<std::string>("file");
            run.timeline = confcap::testing::timelineOf(media);
            run.streams = confcap::testing::streamsOf(media);
        }
    } catch (const std::exception& e) {
        run.error = e.what();
    }
    return run;
}

}  // namespace

BOOST_AUTO_TEST_CASE(aRestartedFfmpegNeitherLosesNorRepeatsMedia) {
    const auto run = captureThroughAnOutage();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(run.exitCode.has_value(), "confcap did not exit:\n" << run.err);
    BOOST_TEST(*run.exitCode == 0, run.err);
    BOOST_TEST(run.err.find("ffmpeg began again at segment") != std::string::npos, run.err);
    BOOST_TEST(run.err.find("which holds the end of what it had written") != std::string::npos,
               run.err);
    BOOST_TEST_REQUIRE(!run.sidecar.isNull(), run.err);
    BOOST_TEST_REQUIRE(run.timeline.ok);
    BOOST_TEST(run.streams.video == 1);
    BOOST_TEST(run.streams.audio == 1);
    double lost = 0;
    const auto gaps = run.sidecar->getArray("gaps");
    for (unsigned i = 0; i < gaps->size(); ++i) {
        lost += gaps->getObject(i)->getValue<double>("lengthSeconds");
    }
    BOOST_TEST_MESSAGE("media " << run.timeline.span() << " s, largest jump "
                                << run.timeline.largestJump << " s, " << gaps->size() << " gaps of "
                                << lost << " s, " << run.timeline.repeated
                                << " repeated video packets, "
                                << run.sidecar->getValue<int>("reconnects") << " reconnects");
    BOOST_TEST(run.sidecar->getValue<int>("reconnects") >= 1);
    // The 6 s the server was gone left no hole in the media, and none is written down; the
    // segment the restart began with was not written twice.
    BOOST_TEST(run.timeline.largestJump < 1.0);
    BOOST_TEST(run.timeline.repeated == 0);
    BOOST_TEST(lost < 1.0);
    // The file spans the capture but for the first segments' wait.
    BOOST_TEST(run.timeline.span() >= std::chrono::duration<double>(kFor).count() - 6.0);
}

BOOST_AUTO_TEST_SUITE_END()
