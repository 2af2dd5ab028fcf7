// The live health a HealthChecker finds in a growing recording, as the status server shows it.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "confcap/core/Clock.h"
#include "confcap/core/Time.h"
#include "confcap/run/HealthChecker.h"
#include "confcap/status/StatusBoard.h"
#include "confcap/status/StatusServer.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/StatusPoll.h"

BOOST_AUTO_TEST_SUITE(LiveHealthStatusTest)

using confcap::run::HealthChecker;
using confcap::run::JobSnapshot;
using confcap::run::JobState;
using confcap::testing::TempDir;

BOOST_AUTO_TEST_CASE(aSilentLiveStreamShowsSilentSinceOnTheStatusServer) {
    TempDir dir;
    // A recording that grows in real time, with a muted microphone.
    const auto growing = dir.path / "live.ts";
    confcap::testing::ChildProcess ffmpeg("ffmpeg",
                                          {"-hide_banner",
                                           "-nostdin",
                                           "-loglevel",
                                           "error",
                                           "-re",
                                           "-f",
                                           "lavfi",
                                           "-i",
                                           "testsrc2=size=320x180:rate=25",
                                           "-f",
                                           "lavfi",
                                           "-i",
                                           "anullsrc=sample_rate=48000:channel_layout=mono",
                                           "-t",
                                           "40",
                                           "-c:v",
                                           "libx264",
                                           "-preset",
                                           "ultrafast",
                                           "-g",
                                           "25",
                                           "-c:a",
                                           "aac",
                                           "-threads",
                                           "1",
                                           "-f",
                                           "mpegts",
                                           growing.string()},
                                          dir.path);
    confcap::status::StatusBoard board;
    JobSnapshot job;
    job.key = "live";
    job.room = "Saal 1";
    job.state = JobState::Recording;
    job.file = "live.ts";
    board.update(job);
    HealthChecker::Options options;
    options.ffmpeg = HealthChecker::ffmpegOnPath();
    options.outDir = dir.path;
    options.thresholds.silenceFor = std::chrono::seconds(5);
    options.liveEvery = std::chrono::seconds(3);
    options.liveWindow = std::chrono::seconds(10);
    options.recordingJobs = [&board] { return board.jobs(); };
    HealthChecker checker(options, board);
    confcap::status::StatusServer::Options serverOptions;
    serverOptions.outputDir = dir.path;
    confcap::core::SystemClock clock;
    confcap::status::StatusServer server(board, clock, serverOptions);
    // A process boundary (ffmpeg writes in real time): polled with a deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(35);
    std::string since;
    while (since.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        const auto jobs = confcap::testing::statusJobs(server.port());
        const auto live = jobs->getObject(0)->getObject("liveHealth");
        if (!live.isNull() && live->has("silentSince")) {
            since = live->getValue<std::string>("silentSince");
        }
    }
    BOOST_TEST_MESSAGE("silent since " << since);
    BOOST_REQUIRE(!since.empty());
    const auto at = confcap::core::parseIsoInstant(since);
    BOOST_REQUIRE(at.has_value());
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    BOOST_TEST((*at <= now && *at > now - std::chrono::seconds(40)));
    checker.stop();
}

BOOST_AUTO_TEST_SUITE_END()
