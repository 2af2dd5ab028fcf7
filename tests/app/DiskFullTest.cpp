// `confcap record` onto a disk that fills up in the middle of a talk and has space again a few
// seconds later (a real tmpfs, filled and emptied by a ballast file), with a real live packager
// (ffmpeg's HLS muxer) behind a loopback web server. The talk goes on: the stream is read on,
// held, written when space is back, and the full disk is told in the log, the status, the
// sidecar and the exit code. Needs root for the mount; skipped with a message otherwise.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "support/ChildProcess.h"
#include "support/LivePackager.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"
#include "support/SmallDisk.h"
#include "support/StatusPoll.h"

BOOST_AUTO_TEST_SUITE(DiskFullTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::testing::ChildProcess;
using confcap::testing::FolderServer;
using confcap::testing::LivePackager;
using confcap::testing::RunFolders;
using confcap::testing::SmallDisk;

namespace {

using SystemTime = std::chrono::system_clock::time_point;

constexpr auto kLeadIn = 6s;
constexpr int kFirst = 24;   // the first talk's window, seconds
constexpr int kSecond = 12;  // the second talk's, right after it
constexpr auto kFullAt = 7s;
constexpr auto kFullFor = 8s;

struct Talk {
    Poco::JSON::Object::Ptr sidecar;
    fs::path media;
    confcap::testing::Timeline timeline;
    confcap::testing::StreamList streams;
};

struct FullDiskRun {
    std::string skipped;
    std::string error;
    std::optional<int> exitCode;
    std::string err;
    std::vector<std::string> files;
    std::map<std::string, Talk> talks;  ///< by title
    std::set<std::string> reasonsSeen;  ///< the first talk's status reasons
    std::uintmax_t ballast = 0;
    bool summary = false;
};

/// Polls /api/status until confcap exits, noting the reasons shown for `title`.
void watchStatus(const ChildProcess& confcap, const std::string& title,
                 std::set<std::string>& reasons) {
    const auto port = confcap::testing::statusPortOf(confcap);
    while (port != 0 && confcap.running()) {
        try {
            const auto jobs = confcap::testing::statusJobs(port);
            for (unsigned i = 0; i < jobs->size(); ++i) {
                const auto job = jobs->getObject(i);
                if (job->getValue<std::string>("title") == title && job->has("reason")) {
                    reasons.insert(job->getValue<std::string>("reason"));
                }
            }
        } catch (const std::exception&) {
            // The server goes away as confcap exits.
        }
        std::this_thread::sleep_for(250ms);
    }
}

FullDiskRun recordOntoADiskThatFills() {
    FullDiskRun run;
    try {
        SmallDisk disk(6);
        if (!disk.mounted()) {
            run.skipped = disk.why();
            return run;
        }
        RunFolders folders;
        const auto out = disk.path() / "out";
        const auto hlsFolder = folders.root.path / "hls";
        fs::create_directories(hlsFolder);
        FolderServer server(hlsFolder);
        LivePackager packager(hlsFolder, {});
        const auto start =
            std::chrono::ceil<std::chrono::seconds>(std::chrono::system_clock::now() + kLeadIn);
        const std::vector<confcap::demo::FakeRoom> rooms = {{"Saal 1", {}}};
        const std::vector<confcap::demo::FakeTalk> talks = {
            {"00000000-0000-4000-8000-000000000051", "Saal 1", "Disk Fills Up", 0s,
             std::chrono::seconds(kFirst)},
            {"00000000-0000-4000-8000-000000000052", "Saal 1", "Space Is Back",
             std::chrono::seconds(kFirst), std::chrono::seconds(kSecond)}};
        {
            std::ofstream schedule(folders.work / "schedule.xml");
            schedule << confcap::demo::FakeConference::scheduleXml(rooms, talks, start, 1);
        }
        const std::vector<std::string> args = {"record",
                                               "--schedule",
                                               "schedule.xml",
                                               "--stream",
                                               "Saal 1=" + server.url("live.m3u8"),
                                               "--out",
                                               out.string(),
                                               "--pad-before",
                                               "0s",
                                               "--pad-after",
                                               "0s",
                                               "--min-duration",
                                               "5s",
                                               "--refresh",
                                               "0",
                                               "--status-port",
                                               "0",
                                               "--exit-when-done"};
        ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());
        std::thread watcher([&] { watchStatus(confcap, "Disk Fills Up", run.reasonsSeen); });
        std::this_thread::sleep_until(start + kFullAt);
        run.ballast = disk.fill();
        std::this_thread::sleep_until(start + kFullAt + kFullFor);
        disk.free();
        run.exitCode = confcap.wait(std::chrono::seconds(kFirst + kSecond + 60));
        watcher.join();
        run.err = confcap.err();
        run.files = confcap::testing::filesUnder(out);
        for (const auto& file : run.files) {
            if (!file.ends_with(".json")) {
                continue;
            }
            Talk talk;
            talk.sidecar = confcap::testing::readJsonFile(out / file);
            talk.media = out / talk.sidecar->getValue<std::string>("file");
            talk.timeline = confcap::testing::timelineOf(talk.media);
            talk.streams = confcap::testing::streamsOf(talk.media);
            run.talks[talk.sidecar->getObject("talk")->getValue<std::string>("title")] = talk;
        }
        run.summary = fs::exists(out / ".confcap" / "summary.json");
    } catch (const std::exception& e) {
        run.error = e.what();
    }
    return run;
}

const FullDiskRun& fullDiskRun() {
    static const FullDiskRun run = recordOntoADiskThatFills();
    return run;
}

double gapSeconds(const Poco::JSON::Object::Ptr& sidecar, const std::string& cause) {
    double seconds = 0;
    const auto gaps = sidecar->getArray("gaps");
    for (unsigned i = 0; i < gaps->size(); ++i) {
        const auto gap = gaps->getObject(i);
        if (gap->getValue<std::string>("cause") == cause) {
            seconds += gap->getValue<double>("lengthSeconds");
        }
    }
    return seconds;
}

}  // namespace

BOOST_AUTO_TEST_CASE(aTalkGoesOnThroughAFullDiskAndKeepsWhatArrived) {
    const auto& run = fullDiskRun();
    if (!run.skipped.empty()) {
        BOOST_TEST_MESSAGE("skipped: " << run.skipped);
        return;
    }
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(run.exitCode.has_value(), "confcap did not exit:\n" << run.err);
    BOOST_TEST_REQUIRE(run.ballast > 0u);
    // The run says the disk was full, and ends with the I/O exit code.
    BOOST_TEST(*run.exitCode == 74, run.err);
    BOOST_TEST(run.err.find("The disk is full: could not write") != std::string::npos, run.err);
    BOOST_TEST(run.err.find("Writing again after") != std::string::npos, run.err);
    BOOST_TEST(
        run.err.find("confcap: Writing failed for 1 talk (the disk is full") != std::string::npos,
        run.err);
    BOOST_TEST_REQUIRE(run.talks.count("Disk Fills Up") == 1u, run.err);
    const auto& talk = run.talks.at("Disk Fills Up");
    BOOST_TEST(talk.sidecar->getValue<std::string>("outcome") == "recorded");
    const auto full = talk.sidecar->getObject("diskFull");
    BOOST_TEST_REQUIRE(!full.isNull());
    BOOST_TEST(full->getValue<int>("episodes") >= 1);
    const double fullSeconds = full->getValue<double>("seconds");
    // Space came back 8 s later; writing is retried as segments (2 s) arrive.
    BOOST_TEST(fullSeconds >= 4.0);
    BOOST_TEST(fullSeconds <= 16.0);
    // The file plays, with picture and sound, over the window but for what is written down as
    // lost to the full disk.
    BOOST_TEST_REQUIRE(talk.timeline.ok);
    BOOST_TEST(talk.streams.video == 1);
    BOOST_TEST(talk.streams.audio == 1);
    const double lost = gapSeconds(talk.sidecar, "disk full");
    BOOST_TEST_MESSAGE("Disk Fills Up: media " << talk.timeline.span() << " s of " << kFirst
                                               << " s, the disk full for " << fullSeconds << " s, "
                                               << lost << " s lost");
    BOOST_TEST(talk.timeline.span() + lost >= kFirst - 4.0);
    BOOST_TEST(talk.timeline.largestJump <= lost + 1.0);
}

BOOST_AUTO_TEST_CASE(theStatusSaysTheTalkWaitsForDiskSpace) {
    const auto& run = fullDiskRun();
    if (!run.skipped.empty()) {
        BOOST_TEST_MESSAGE("skipped: " << run.skipped);
        return;
    }
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    bool waiting = false;
    for (const auto& reason : run.reasonsSeen) {
        waiting = waiting || reason.find("waiting for disk space since") == 0u;
    }
    BOOST_TEST(waiting);
}

BOOST_AUTO_TEST_CASE(theNextTalkRecordsWholeAndNothingIsLeftBehind) {
    const auto& run = fullDiskRun();
    if (!run.skipped.empty()) {
        BOOST_TEST_MESSAGE("skipped: " << run.skipped);
        return;
    }
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(run.talks.count("Space Is Back") == 1u, run.err);
    const auto& talk = run.talks.at("Space Is Back");
    BOOST_TEST(talk.sidecar->getValue<std::string>("outcome") == "recorded");
    BOOST_TEST(!talk.sidecar->has("diskFull"));
    BOOST_TEST(talk.timeline.span() >= kSecond - 3.0);
    for (const auto& file : run.files) {
        BOOST_TEST(!file.ends_with(".part"), file);
        BOOST_TEST(!file.ends_with(".tmp"), file);
    }
    BOOST_TEST(run.files.size() == 4u);
    BOOST_TEST(run.summary);
}

BOOST_AUTO_TEST_SUITE_END()
