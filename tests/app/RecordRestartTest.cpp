#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "confcap/demo/FakeStreamServer.h"
#include "confcap/demo/LoopbackServer.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"

BOOST_AUTO_TEST_SUITE(RecordRestartTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::demo::FakeRoom;
using confcap::demo::FakeTalk;
using confcap::demo::StreamKind;
using confcap::testing::ChildProcess;
using confcap::testing::RunFolders;
using confcap::testing::Timeline;
using confcap::testing::waitFor;

namespace {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyClock = std::chrono::steady_clock;

// Both sides of every talk are padded by this much.
constexpr int kPad = 2;
// A recording's media timeline may differ from its window by this much (an HLS capture that
// opens a connection begins a few one-second segments behind the live edge).
constexpr double kSpanSlack = 3.5;

FakeTalk talk(const std::string& id, const std::string& room, const std::string& title, int start,
              int duration) {
    return {"00000000-0000-4000-8000-0000000001" + id, room, title, std::chrono::seconds(start),
            std::chrono::seconds(duration)};
}

/// The conference's start: the next whole second but one, so talk times are whole seconds.
SystemTime conferenceStart() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
}

std::vector<std::string> recordArgs(const std::string& scheduleUrl,
                                    const std::vector<std::string>& streams,
                                    const std::vector<std::string>& more) {
    std::vector<std::string> args = {"record", "--schedule", scheduleUrl};
    for (const auto& stream : streams) {
        args.push_back("--stream");
        args.push_back(stream);
    }
    for (const auto& option : std::vector<std::string>{
             "--out", "out", "--pad-before", "2s", "--pad-after", "2s", "--min-size", "32K",
             "--min-duration", "5s", "--stall-timeout", "4s"}) {
        args.push_back(option);
    }
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

std::string readFile(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

/// The .part files under `out` with their bytes, by path relative to `out`.
std::map<std::string, std::string> partsUnder(const fs::path& out) {
    std::map<std::string, std::string> parts;
    for (const auto& file : confcap::testing::filesUnder(out)) {
        if (file.ends_with(".part")) {
            parts[file] = readFile(out / file);
        }
    }
    return parts;
}

/// The media files under `out` (neither parts nor sidecars) with their bytes.
std::map<std::string, std::string> mediaUnder(const fs::path& out) {
    std::map<std::string, std::string> media;
    for (const auto& file : confcap::testing::filesUnder(out)) {
        if (!file.ends_with(".part") && !file.ends_with(".json") && !file.ends_with(".part.log")) {
            media[file] = readFile(out / file);
        }
    }
    return media;
}

/// One recorded talk as a run left it.
struct Recording {
    std::string file;  ///< relative to --out
    std::string bytes;
    Poco::JSON::Object::Ptr sidecar;
    Timeline timeline;
};

/// The recordings under `out`, by talk title, read from the sidecars.
std::map<std::string, Recording> recordingsUnder(const fs::path& out) {
    std::map<std::string, Recording> recordings;
    for (const auto& file : confcap::testing::filesUnder(out)) {
        if (!file.ends_with(".json") || file.ends_with(".part.json")) {
            continue;
        }
        const auto sidecar = confcap::testing::readJsonFile(out / file);
        const auto talkInfo = sidecar->getObject("talk");
        if (talkInfo.isNull()) {
            continue;
        }
        Recording recording;
        recording.sidecar = sidecar;
        recording.file = sidecar->optValue<std::string>("file", "");
        recording.bytes = readFile(out / recording.file);
        recording.timeline = confcap::testing::timelineOf(out / recording.file);
        // A talk with an interrupted file beside its recorded one is known by the recorded one.
        auto& known = recordings[talkInfo->getValue<std::string>("title")];
        if (known.sidecar.isNull() ||
            known.sidecar->getValue<std::string>("outcome") != "recorded") {
            known = recording;
        }
    }
    return recordings;
}

Poco::JSON::Object::Ptr summaryEntry(const Poco::JSON::Object::Ptr& summary,
                                     const std::string& title) {
    const auto talks = summary->getArray("talks");
    for (std::size_t i = 0; i < talks->size(); ++i) {
        const auto entry = talks->getObject(static_cast<unsigned>(i));
        if (entry->getValue<std::string>("title") == title) {
            return entry;
        }
    }
    return nullptr;
}

double gapSeconds(const Poco::JSON::Object::Ptr& sidecar, const std::string& cause) {
    double seconds = 0;
    const auto gaps = sidecar->getArray("gaps");
    for (std::size_t i = 0; i < gaps->size(); ++i) {
        const auto gap = gaps->getObject(static_cast<unsigned>(i));
        if (cause.empty() || gap->getValue<std::string>("cause") == cause) {
            seconds += gap->getValue<double>("lengthSeconds");
        }
    }
    return seconds;
}

// --- kill -9 or SIGTERM in the middle of talks, then a restart with the same options ---------

/// Three rooms, talks counted from the conference's start, padded by 2 s:
///   Saal 1 (progressive MPEG-TS): Killed Progressive [5,21)
///   Saal 2 (live HLS): Killed HLS [5,21)
///   Saal 3 (progressive MPEG-TS): Begins While Down [12,21), whose window opens while no
///     confcap runs.
/// confcap is stopped (SIGKILL, or SIGTERM as `systemctl restart` does) at 9 and started again
/// at 13. With `changeOne`, the user adds to the file the stop published for Killed Progressive
/// before the restart.
constexpr int kKillAt = 9;
constexpr int kRestartAt = 13;

struct KillRun {
    std::string error;
    SystemTime start;
    std::optional<int> killedExit;
    std::optional<int> exitCode;
    std::string firstErr, err, out;
    double downtime = 0;  ///< from the kill to the restart, seconds
    std::map<std::string, std::string> partsAtKill;
    /// What a clean stop published, by file; and their sidecars' outcomes, by title.
    std::map<std::string, std::string> publishedAtKill;
    std::map<std::string, std::string> outcomesAtKill;
    std::string changed;       ///< the file the user changed, as changed
    std::string changedAfter;  ///< that file after the restarted run
    std::vector<std::string> filesAtKill;
    std::vector<std::string> outFiles;
    std::map<std::string, Recording> recordings;
    /// The parts at the kill, as ffprobe reads them.
    std::map<std::string, Timeline> partTimelines;
    Poco::JSON::Object::Ptr summary;
};

KillRun stopAndRestart(int stopSignal, bool changeOne = false) {
    KillRun run;
    try {
        RunFolders folders;
        run.start = conferenceStart();
        confcap::demo::StreamSpec hls{"hls2", StreamKind::Hls};
        hls.window = 8;
        FakeConference conference(confcap::testing::testClip(),
                                  {{"Saal 1", {"ts1", StreamKind::Ts}},
                                   {"Saal 2", hls},
                                   {"Saal 3", {"ts3", StreamKind::Ts}}},
                                  {talk("01", "Saal 1", "Killed Progressive", 5, 16),
                                   talk("02", "Saal 2", "Killed HLS", 5, 16),
                                   talk("03", "Saal 3", "Begins While Down", 12, 9)},
                                  run.start);
        const auto args = recordArgs(conference.scheduleUrl(), conference.streamOptions(),
                                     {"--refresh", "0", "--exit-when-done"});
        SystemTime killedAt;
        {
            ChildProcess first(CONFCAP_BINARY, args, folders.work, folders.env());
            std::this_thread::sleep_until(run.start + std::chrono::seconds(kKillAt));
            killedAt = std::chrono::system_clock::now();
            first.signal(stopSignal);
            run.killedExit = first.wait(10s);
            run.firstErr = first.err();
        }
        run.partsAtKill = partsUnder(folders.out);
        run.publishedAtKill = mediaUnder(folders.out);
        run.filesAtKill = confcap::testing::filesUnder(folders.out);
        for (const auto& [title, recording] : recordingsUnder(folders.out)) {
            run.outcomesAtKill[title] = recording.sidecar->getValue<std::string>("outcome");
        }
        const auto probeDir = folders.root.path / "parts";
        fs::create_directories(probeDir);
        for (const auto* before : {&run.partsAtKill, &run.publishedAtKill}) {
            for (const auto& [file, bytes] : *before) {
                const auto copy = probeDir / "part.ts";
                confcap::testing::writeFile(copy, bytes);
                run.partTimelines[file] = confcap::testing::timelineOf(copy);
            }
        }
        std::string changedFile;
        if (changeOne) {
            // The user cuts the published file's last packet away.
            for (const auto& [file, bytes] : run.publishedAtKill) {
                if (file.find("Killed Progressive") != std::string::npos) {
                    run.changed = bytes.substr(0, bytes.size() - 188);
                    confcap::testing::writeFile(folders.out / file, run.changed);
                    changedFile = file;
                }
            }
        }

        std::this_thread::sleep_until(run.start + std::chrono::seconds(kRestartAt));
        run.downtime =
            std::chrono::duration<double>(std::chrono::system_clock::now() - killedAt).count();
        ChildProcess second(CONFCAP_BINARY, args, folders.work, folders.env());
        run.exitCode = second.wait(60s);
        run.err = second.err();
        run.out = second.out();
        run.outFiles = confcap::testing::filesUnder(folders.out);
        run.recordings = recordingsUnder(folders.out);
        if (!changedFile.empty()) {
            run.changedAfter = readFile(folders.out / changedFile);
        }
        const auto summaryPath = folders.out / ".confcap" / "summary.json";
        if (fs::exists(summaryPath)) {
            run.summary = confcap::testing::readJsonFile(summaryPath);
        }
    } catch (const std::exception& e) {
        run.error = e.what();
    }
    return run;
}

// --- SIGINT -------------------------------------------------------------------------------

/// What a run stopped by SIGINT left.
struct StopRun {
    std::string error;
    SystemTime start;
    std::optional<int> exitCode;
    double exitSeconds = 0;  ///< from the (last) SIGINT to the exit
    std::string out, err;
    std::vector<std::string> outFiles;
    std::map<std::string, std::string> parts;
    std::map<std::string, Recording> recordings;
    Poco::JSON::Object::Ptr summary;
    bool stalledRefresh = false;  ///< the schedule refresh hung when the first SIGINT came
};

/// One room (progressive MPEG-TS): Interrupted [4,30) and Never Begun [40,50). One SIGINT at 9.
/// The run ends there: nothing continues the interrupted talk.
StopRun interruptOnce() {
    StopRun run;
    try {
        RunFolders folders;
        run.start = conferenceStart();
        FakeConference conference(confcap::testing::testClip(),
                                  {{"Saal 1", {"ts1", StreamKind::Ts}}},
                                  {talk("11", "Saal 1", "Interrupted", 4, 26),
                                   talk("12", "Saal 1", "Never Begun", 40, 10)},
                                  run.start);
        ChildProcess confcap(CONFCAP_BINARY,
                             recordArgs(conference.scheduleUrl(), conference.streamOptions(),
                                        {"--refresh", "0", "--exit-when-done"}),
                             folders.work, folders.env());
        std::this_thread::sleep_until(run.start + 9s);
        const auto signalled = SteadyClock::now();
        confcap.signal(SIGINT);
        run.exitCode = confcap.wait(30s);
        run.exitSeconds = std::chrono::duration<double>(SteadyClock::now() - signalled).count();
        run.out = confcap.out();
        run.err = confcap.err();
        run.outFiles = confcap::testing::filesUnder(folders.out);
        run.recordings = recordingsUnder(folders.out);
        run.parts = partsUnder(folders.out);
        const auto summaryPath = folders.out / ".confcap" / "summary.json";
        if (fs::exists(summaryPath)) {
            run.summary = confcap::testing::readJsonFile(summaryPath);
        }
    } catch (const std::exception& e) {
        run.error = e.what();
    }
    return run;
}

/// A schedule server that answers the first request and lets every later one hang until it is
/// released: a schedule refresh that does not come back.
class HangingSchedule {
public:
    explicit HangingSchedule(std::string document)
        : document_(std::move(document)),
          server_([this](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
              std::unique_lock lock(mutex_);
              if (++requests_ == 1) {
                  lock.unlock();
                  response.setContentType("application/xml");
                  response.sendBuffer(document_.data(), document_.size());
                  return;
              }
              ++hanging_;
              released_.wait(lock, [this] { return release_; });
              --hanging_;
              lock.unlock();
              response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
              response.send();
          }) {}
    ~HangingSchedule() {
        {
            std::lock_guard lock(mutex_);
            release_ = true;
        }
        released_.notify_all();
    }
    std::string url() const { return server_.url("/schedule.xml"); }
    int hanging() const {
        std::lock_guard lock(mutex_);
        return hanging_;
    }

private:
    std::string document_;
    mutable std::mutex mutex_;
    std::condition_variable released_;
    int requests_ = 0;
    int hanging_ = 0;
    bool release_ = false;
    confcap::demo::LoopbackServer server_;
};

/// One room (progressive MPEG-TS): Stuck [3,40), refreshed every 2 s from a schedule server
/// that stops answering. The first SIGINT waits for the hanging refresh; a second one must end
/// the process at once.
StopRun interruptTwice() {
    StopRun run;
    try {
        RunFolders folders;
        run.start = conferenceStart();
        const std::vector<FakeRoom> rooms = {{"Saal 1", {"ts1", StreamKind::Ts}}};
        const std::vector<FakeTalk> talks = {talk("21", "Saal 1", "Stuck", 3, 37)};
        confcap::demo::FakeStreamServer streams(confcap::testing::testClip(),
                                                {rooms.front().stream});
        HangingSchedule schedule(FakeConference::scheduleXml(rooms, talks, run.start, 1));
        ChildProcess confcap(CONFCAP_BINARY,
                             recordArgs(schedule.url(), {"Saal 1=" + streams.url("ts1")},
                                        {"--refresh", "2s", "--exit-when-done"}),
                             folders.work, folders.env());
        std::this_thread::sleep_until(run.start + 5s);
        waitFor([&] { return schedule.hanging() > 0; }, 5s);
        run.stalledRefresh = schedule.hanging() > 0;
        confcap.signal(SIGINT);
        waitFor([&] { return confcap.err().find("stopping:") != std::string::npos; }, 3s);
        std::this_thread::sleep_for(300ms);
        const auto signalled = SteadyClock::now();
        confcap.signal(SIGINT);
        run.exitCode = confcap.wait(10s);
        run.exitSeconds = std::chrono::duration<double>(SteadyClock::now() - signalled).count();
        run.out = confcap.out();
        run.err = confcap.err();
        run.outFiles = confcap::testing::filesUnder(folders.out);
        run.parts = partsUnder(folders.out);
    } catch (const std::exception& e) {
        run.error = e.what();
    }
    return run;
}

/// The scenarios spend most of their time waiting on the wall clock: all run side by side.
struct Runs {
    confcap::testing::Scenarios<KillRun> kill{
        {{"kill", [] { return stopAndRestart(SIGKILL); }},
         {"term", [] { return stopAndRestart(SIGTERM); }},
         {"term, file changed", [] { return stopAndRestart(SIGTERM, true); }}}};
    confcap::testing::Scenarios<StopRun> stop{{{"once", interruptOnce}, {"twice", interruptTwice}}};
};

const Runs& runs() {
    static const Runs all;
    return all;
}

void checkOneFilePerTalk(const std::string& how) {
    const KillRun& run = runs().kill.get(how);
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(run.killedExit.has_value());
    if (how == "kill") {
        BOOST_TEST(*run.killedExit == 256 + SIGKILL, run.firstErr);
        // The kill left the two talks under way as parts.
        BOOST_TEST_REQUIRE(run.partsAtKill.size() == 2u);
        for (const auto& file : run.filesAtKill) {
            BOOST_TEST((file.ends_with(".part") || file.ends_with(".part.json") ||
                        file.ends_with(".part.log")),
                       file);
        }
    } else {
        // A clean stop inside the windows leaves the talks open, not failed, and a file a
        // person can play for each, under its final name, with a sidecar saying so.
        BOOST_TEST(*run.killedExit == 0, run.firstErr);
        BOOST_TEST(run.firstErr.find("Recording -> Interrupted") != std::string::npos,
                   run.firstErr);
        BOOST_TEST(run.partsAtKill.empty());
        BOOST_TEST_REQUIRE(run.publishedAtKill.size() == 2u);
        BOOST_TEST(run.filesAtKill.size() == 4u);
        BOOST_TEST(run.outcomesAtKill.at("Killed Progressive") == "interrupted");
        BOOST_TEST(run.outcomesAtKill.at("Killed HLS") == "interrupted");
        for (const auto& [file, bytes] : run.publishedAtKill) {
            BOOST_TEST(run.partTimelines.at(file).ok, file);
            BOOST_TEST(run.partTimelines.at(file).streams == 2, file);
        }
    }
    BOOST_TEST_REQUIRE(run.exitCode.has_value(), "the restarted confcap did not exit:\n"
                                                     << run.err);
    BOOST_TEST(*run.exitCode == 0, run.err);
    // One media file and one sidecar per talk, under the names the parts had: nothing else.
    std::vector<std::string> expected;
    for (const auto& [title, recording] : run.recordings) {
        expected.push_back(recording.file);
        expected.push_back(fs::path(recording.file).replace_extension(".json").generic_string());
    }
    std::sort(expected.begin(), expected.end());
    BOOST_TEST(run.recordings.size() == 3u);
    BOOST_TEST(run.outFiles == expected, boost::test_tools::per_element());
    for (const auto& [part, bytes] : run.partsAtKill) {
        const auto final = part.substr(0, part.size() - std::string(".part").size());
        BOOST_TEST(std::count(expected.begin(), expected.end(), final) == 1, final);
    }
    for (const auto& [file, bytes] : run.publishedAtKill) {
        BOOST_TEST(std::count(expected.begin(), expected.end(), file) == 1, file);
    }
    BOOST_TEST_REQUIRE(!run.summary.isNull());
    BOOST_TEST(run.summary->getObject("counts")->getValue<int>("recorded") == 3);
}

void checkCoverage(const std::string& how) {
    const KillRun& run = runs().kill.get(how);
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_MESSAGE("confcap was down for " << run.downtime << " s");
    for (const auto* title : {"Killed Progressive", "Killed HLS"}) {
        BOOST_TEST_CONTEXT(title) {
            const auto it = run.recordings.find(title);
            BOOST_TEST_REQUIRE((it != run.recordings.end()));
            const auto& recording = it->second;
            // What the stop left: the parts after a kill, the published file after SIGTERM.
            const auto part = how == "kill" ? recording.file + ".part" : recording.file;
            const auto& left = how == "kill" ? run.partsAtKill : run.publishedAtKill;
            BOOST_TEST_REQUIRE(left.count(part) == 1u);
            const auto& before = left.at(part);
            // What the stopped run wrote is the file's beginning, unchanged but for the service
            // description that names the talk; the restart added on.
            BOOST_TEST_REQUIRE(before.size() > 0u);
            BOOST_TEST(recording.bytes.size() > before.size() * 3 / 2);
            const auto media = confcap::testing::withoutServiceTable(recording.bytes);
            const auto mediaBefore = confcap::testing::withoutServiceTable(before);
            BOOST_TEST((media.compare(0, mediaBefore.size(), mediaBefore) == 0));
            const auto& sidecar = recording.sidecar;
            const double window = 16 + 2 * kPad;
            BOOST_TEST(sidecar->getValue<double>("scheduledSeconds") == window);
            BOOST_TEST(sidecar->getValue<std::string>("finalizedBecause") == "window ended");
            const double lost = gapSeconds(sidecar, "confcap was not running");
            const double covered = sidecar->getValue<double>("coveredSeconds");
            const auto& timeline = recording.timeline;
            const auto& partTimeline = run.partTimelines.at(part);
            BOOST_TEST_MESSAGE(
                title << ": window " << window << " s, media " << timeline.span() << " s, covered "
                      << covered << " s, lost while down " << lost << " s, largest media jump "
                      << timeline.largestJump << " s, start offset "
                      << sidecar->getValue<double>("firstDataOffsetSeconds") << " s");
            if (std::string(title) == "Killed HLS") {
                // The playlist (8 segments of 1 s) still listed the next segment when confcap
                // came back: it went on from there, and nothing was lost.
                BOOST_TEST(sidecar->getArray("gaps")->size() == 0u);
                BOOST_TEST(timeline.largestJump < 1.5);
                BOOST_TEST(covered >= window - kSpanSlack);
            } else {
                // The downtime is written down as one gap, no shorter than what the media lacks.
                // The gap also holds the restarted process's start-up and first connection, and
                // the stopped run's last second of data that its part list had not yet noted: on
                // a busy machine (CI runs suites side by side) that is up to a few seconds.
                BOOST_TEST(sidecar->getArray("gaps")->size() == 1u);
                BOOST_TEST(lost >= run.downtime - 1.0);
                BOOST_TEST(lost <= run.downtime + 3.0);
                BOOST_TEST(lost >= timeline.largestJump - 1.0);
                BOOST_TEST(std::abs(timeline.largestJump - run.downtime) <= 1.5);
                BOOST_TEST(covered + lost >= window - kSpanSlack);
            }
            // A live HLS capture may also keep one more whole segment at each end when the
            // machine is busy (its first playlist read and the wait for the window's end).
            const double over = kSpanSlack + (std::string(title) == "Killed HLS" ? 1.0 : 0.0);
            BOOST_TEST(covered <= window + over);
            // The media runs from the window's start to its end, across the stop.
            BOOST_TEST_REQUIRE(timeline.ok);
            BOOST_TEST_REQUIRE(partTimeline.ok);
            BOOST_TEST(timeline.streams == 2);
            BOOST_TEST(timeline.span() - window <= over);
            BOOST_TEST(window - timeline.span() <= kSpanSlack);
            BOOST_TEST(timeline.first == partTimeline.first);
            BOOST_TEST(timeline.last - partTimeline.last >= window - kKillAt - kPad - 2.0);
            BOOST_TEST(sidecar->getValue<double>("firstDataOffsetSeconds") <= 0.5);
        }
    }
}

}  // namespace

BOOST_DATA_TEST_CASE(stoppedMidTalkAndRestartedGivesOneFilePerTalk,
                     boost::unit_test::data::make({"kill", "term"}), how) {
    checkOneFilePerTalk(how);
}

BOOST_DATA_TEST_CASE(theFileCoversBeforeAndAfterTheStopLessWhatWasLost,
                     boost::unit_test::data::make({"kill", "term"}), how) {
    checkCoverage(how);
}

BOOST_AUTO_TEST_CASE(aFileTheUserChangedAfterTheStopIsNeverReplaced) {
    const KillRun& run = runs().kill.get("term, file changed");
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(!run.changed.empty());
    BOOST_TEST_REQUIRE(run.exitCode.has_value(), "the restarted confcap did not exit:\n"
                                                     << run.err);
    BOOST_TEST(run.err.find("was changed since confcap published it") != std::string::npos,
               run.err);
    std::string changedFile;
    for (const auto& [file, bytes] : run.publishedAtKill) {
        if (file.find("Killed Progressive") != std::string::npos) {
            changedFile = file;
        }
    }
    BOOST_TEST_REQUIRE(!changedFile.empty());
    // The changed file is as the user left it, its interrupted sidecar beside it; the rest of
    // the talk went to a file of its own.
    BOOST_TEST(std::count(run.outFiles.begin(), run.outFiles.end(), changedFile) == 1);
    BOOST_TEST((run.changedAfter == run.changed));
    const auto it = run.recordings.find("Killed Progressive");
    BOOST_TEST_REQUIRE((it != run.recordings.end()));
    BOOST_TEST(it->second.file != changedFile);
    BOOST_TEST(it->second.file.find("Killed Progressive (2).ts") != std::string::npos,
               it->second.file);
    BOOST_TEST(it->second.sidecar->getValue<std::string>("outcome") == "recorded");
    // The other talk's file was unchanged: continued into the same name.
    const auto hls = run.recordings.find("Killed HLS");
    BOOST_TEST_REQUIRE((hls != run.recordings.end()));
    BOOST_TEST(run.publishedAtKill.count(hls->second.file) == 1u);
    BOOST_TEST(hls->second.sidecar->getValue<std::string>("outcome") == "recorded");
}

BOOST_AUTO_TEST_CASE(aTalkThatBeganWhileDownIsRecordedFromTheRestart) {
    const auto& run = runs().kill.get("kill");
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    const auto it = run.recordings.find("Begins While Down");
    BOOST_TEST_REQUIRE((it != run.recordings.end()));
    const auto& sidecar = it->second.sidecar;
    const double offset = sidecar->getValue<double>("firstDataOffsetSeconds");
    BOOST_TEST_MESSAGE("Begins While Down: first data " << offset << " s into its window");
    // Its window opened at 10; the restart came at 13.
    BOOST_TEST(offset >= kRestartAt - (12 - kPad) - 0.5);
    BOOST_TEST(offset <= kRestartAt - (12 - kPad) + 1.5);
    BOOST_TEST(std::abs(it->second.timeline.span() - (21 + kPad - kRestartAt)) <= kSpanSlack);
}

BOOST_AUTO_TEST_CASE(oneSigintLeavesAPlayableFileOfTheTalkUnderWayAndExitsZero) {
    const auto& run = runs().stop.get("once");
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(run.exitCode.has_value(), "confcap did not stop:\n" << run.err);
    BOOST_TEST_MESSAGE("exited " << run.exitSeconds << " s after SIGINT");
    // The talk under way is interrupted, and the talk that never began is cancelled: neither
    // failed, so exit 0.
    BOOST_TEST(*run.exitCode == 0, run.err);
    BOOST_TEST(run.exitSeconds < 3.0);
    BOOST_TEST(run.err.find("stopping:") != std::string::npos, run.err);
    BOOST_TEST(run.out.find("Summary: 1 cancelled, 1 interrupted (2 talks") != std::string::npos,
               run.out);
    // A file a person can play, under the talk's final name, with its sidecar: no parts.
    BOOST_TEST(run.parts.empty());
    BOOST_TEST_REQUIRE(run.recordings.size() == 1u);
    const auto& recording = run.recordings.begin()->second;
    BOOST_TEST(recording.file.ends_with("Interrupted.ts"), recording.file);
    const auto sidecar = fs::path(recording.file).replace_extension(".json").generic_string();
    BOOST_TEST(run.outFiles == (std::vector<std::string>{sidecar, recording.file}),
               boost::test_tools::per_element());
    BOOST_TEST(recording.sidecar->getValue<std::string>("outcome") == "interrupted");
    BOOST_TEST(recording.sidecar->getValue<std::string>("reason").find("next run") !=
               std::string::npos);
    // It plays, with picture and sound, from the window's start (2 s before the talk at 4) to
    // the stop at 9.
    BOOST_TEST_REQUIRE(recording.timeline.ok);
    BOOST_TEST(recording.timeline.streams == 2);
    BOOST_TEST(recording.timeline.span() >= 9 - (4 - kPad) - kSpanSlack);
    BOOST_TEST(recording.bytes.size() > 100'000u);
    BOOST_TEST_REQUIRE(!run.summary.isNull());
    const auto interrupted = summaryEntry(run.summary, "Interrupted");
    BOOST_TEST_REQUIRE(!interrupted.isNull());
    BOOST_TEST(interrupted->getValue<std::string>("outcome") == "interrupted");
    BOOST_TEST(interrupted->getValue<std::string>("file") == recording.file);
    BOOST_TEST(interrupted->getValue<std::string>("reason").find("next run") != std::string::npos);
    BOOST_TEST(interrupted->getValue<double>("covered_seconds") > 4.0);
    const auto never = summaryEntry(run.summary, "Never Begun");
    BOOST_TEST_REQUIRE(!never.isNull());
    BOOST_TEST(never->getValue<std::string>("outcome") == "cancelled");
    BOOST_TEST(never->getValue<std::string>("reason") == "the run stopped before its window began");
}

BOOST_AUTO_TEST_CASE(aSecondSigintQuitsAtOnceLeavingParts) {
    const auto& run = runs().stop.get("twice");
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    // The first SIGINT's stop waits for the hanging schedule refresh; the second cuts it short.
    BOOST_TEST_REQUIRE(run.stalledRefresh);
    BOOST_TEST_REQUIRE(run.exitCode.has_value(), "confcap did not stop:\n" << run.err);
    BOOST_TEST_MESSAGE("exited " << run.exitSeconds << " s after the second SIGINT");
    BOOST_TEST(*run.exitCode == 130, run.err);
    BOOST_TEST(run.exitSeconds < 1.0);
    BOOST_TEST(run.err.find("stopped at once; .part files remain for the next start.") !=
                   std::string::npos,
               run.err);
    // Nothing was finalized: the recording stays as parts for the next start.
    BOOST_TEST(run.parts.size() == 1u);
    for (const auto& file : run.outFiles) {
        BOOST_TEST((file.ends_with(".part") || file.ends_with(".part.json") ||
                    file.ends_with(".part.log")),
                   file);
    }
}

BOOST_AUTO_TEST_SUITE_END()
