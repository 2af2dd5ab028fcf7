#include <signal.h>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/Processes.h"
#include "support/RecordRun.h"

BOOST_AUTO_TEST_SUITE(RecorderEndToEndTest)

namespace bdata = boost::unit_test::data;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::demo::FakeRoom;
using confcap::demo::FakeTalk;
using confcap::demo::Fault;
using confcap::demo::StreamKind;
using confcap::testing::ChildProcess;
using confcap::testing::RunFolders;
using confcap::testing::Scenarios;
using confcap::testing::Timeline;

namespace {

/// One recorded talk as the run left it.
struct Recording {
    std::string file;  ///< relative to --out
    Poco::JSON::Object::Ptr sidecar;
    Timeline timeline;
};

/// What one `confcap record --recorder NAME` run over the fault scenario left behind.
struct RecorderRun {
    std::string error;  ///< what went wrong in the scenario itself
    std::optional<int> exitCode;
    std::string err;
    std::vector<std::string> outFiles;     ///< every file under --out but .confcap/
    std::vector<std::string> bookkeeping;  ///< files under --out/.confcap/
    std::vector<std::string> workEntries;
    std::vector<std::string> homeEntries;         ///< what is in the HOME confcap ran with
    std::map<std::string, Recording> recordings;  ///< by title
    Poco::JSON::Object::Ptr summary;
    /// Processes mentioning the run's folders after confcap exited.
    std::vector<std::string> strays;
    /// Children of confcap that stayed zombies for a second or more while it ran.
    std::set<int> lingeringZombies;
    /// How many programs confcap had started at most at once.
    std::size_t mostChildren = 0;
};

FakeTalk talk(const std::string& id, const std::string& title, int start, int duration) {
    return {"00000000-0000-4000-8000-0000000000" + id, "Saal 1", title, std::chrono::seconds(start),
            std::chrono::seconds(duration)};
}

// Two talks back to back in one room; the first loses its connection (refused for 7 s), the
// second's stream stalls for 8 s. Both outages are longer than the stall timeout (5 s), so that
// a program that rides them out by itself is still stopped and restarted. Times count from the
// conference's start.
const std::vector<FakeTalk> kTalks = {talk("01", "Dropped Talk", 5, 15),
                                      talk("02", "Stalled Talk", 20, 15)};
constexpr double kDropAt = 9;
constexpr double kRefusedUntil = 16;
constexpr double kStallFrom = 25;
constexpr double kStallUntil = 33;

// Samples confcap's children while it runs: a child that is a zombie in two samples a second
// apart was not reaped.
void watchChildren(const ChildProcess& confcap, RecorderRun& run) {
    std::map<int, std::chrono::steady_clock::time_point> zombieSince;
    while (confcap.running()) {
        const auto now = std::chrono::steady_clock::now();
        const auto children = confcap::testing::childrenOf(confcap.pid());
        run.mostChildren = std::max(run.mostChildren, children.size());
        std::set<int> zombies;
        for (const auto& child : children) {
            if (child.state == 'Z') {
                zombies.insert(child.pid);
                const auto [it, fresh] = zombieSince.emplace(child.pid, now);
                if (!fresh && now - it->second >= 1s) {
                    run.lingeringZombies.insert(child.pid);
                }
            }
        }
        std::erase_if(zombieSince,
                      [&](const auto& entry) { return !zombies.contains(entry.first); });
        std::this_thread::sleep_for(250ms);
    }
}

RecorderRun recordWith(const std::string& recorder, StreamKind kind) {
    RecorderRun run;
    try {
        RunFolders folders;
        const auto start =
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
        confcap::demo::StreamSpec stream{"saal1", kind};
        stream.window = 6;
        FakeConference conference(confcap::testing::testClip(), {{"Saal 1", stream}}, kTalks,
                                  start);
        auto& streams = conference.streams();
        const double lead =
            streams.elapsed() +
            std::chrono::duration<double>(start - std::chrono::system_clock::now()).count();
        streams.addFault("saal1", Fault::drop(lead + kDropAt, lead + kRefusedUntil));
        streams.addFault("saal1", Fault::stall(lead + kStallFrom, lead + kStallUntil));

        std::vector<std::string> args = {"record", "--schedule", conference.scheduleUrl()};
        for (const auto& option : conference.streamOptions()) {
            args.push_back("--stream");
            args.push_back(option);
        }
        for (const auto& option : std::vector<std::string>{
                 "--out", "out", "--recorder", recorder, "--pad-before", "2s", "--pad-after", "2s",
                 "--min-size", "32K", "--min-duration", "5s", "--stall-timeout", "5s", "--refresh",
                 "0", "--exit-when-done"}) {
            args.push_back(option);
        }
        ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());
        std::thread watcher([&] { watchChildren(confcap, run); });
        run.exitCode = confcap.wait(120s);
        watcher.join();
        run.err = confcap.err();
        run.workEntries = confcap::testing::entriesOf(folders.work);
        run.homeEntries = confcap::testing::entriesOf(folders.home);
        run.outFiles = confcap::testing::filesUnder(folders.out);
        run.bookkeeping = confcap::testing::filesUnder(folders.out / ".confcap", false);
        // A recorder's command line names its pipe (under the run's folder) and the stream.
        for (const auto& text : {folders.root.path.string() + "/", streams.url("saal1")}) {
            for (const auto& p : confcap::testing::processesMentioning(text)) {
                run.strays.push_back(std::to_string(p.pid) + " " + p.commandLine);
            }
        }
        const auto summaryPath = folders.out / ".confcap" / "summary.json";
        if (fs::exists(summaryPath)) {
            run.summary = confcap::testing::readJsonFile(summaryPath);
        }
        for (const auto& file : run.outFiles) {
            if (!file.ends_with(".json")) {
                continue;
            }
            const auto sidecar = confcap::testing::readJsonFile(folders.out / file);
            Recording recording;
            recording.sidecar = sidecar;
            recording.file = sidecar->optValue<std::string>("file", "");
            recording.timeline = confcap::testing::timelineOf(folders.out / recording.file);
            run.recordings[sidecar->getObject("talk")->getValue<std::string>("title")] = recording;
        }
    } catch (const std::exception& e) {
        run.error = e.what();
    }
    return run;
}

const RecorderRun& runOf(const std::string& recorder) {
    // The three runs go on side by side: each spends most of its minute waiting on the clock.
    static const Scenarios<RecorderRun> all({
        {"mplayer", [] { return recordWith("mplayer", StreamKind::Ts); }},
        {"ffmpeg", [] { return recordWith("ffmpeg", StreamKind::Hls); }},
        {"streamlink", [] { return recordWith("streamlink", StreamKind::Hls); }},
        {"mplayer on hls", [] { return recordWith("mplayer", StreamKind::Hls); }},
    });
    return all.get(recorder);
}

// The log lines marked with the talk (its room and title) that contain `text`.
std::vector<std::string> markedLines(const std::string& log, const std::string& title,
                                     const std::string& text) {
    std::vector<std::string> found;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("[Saal 1 | ") != std::string::npos &&
            line.find(" " + title + "]") != std::string::npos &&
            line.find(text) != std::string::npos) {
            found.push_back(line);
        }
    }
    return found;
}

const char* const kRecorders[] = {"mplayer", "ffmpeg", "streamlink"};

}  // namespace

BOOST_DATA_TEST_CASE(each_talk_gets_one_playable_merged_file, bdata::make(kRecorders), recorder) {
    const RecorderRun& run = runOf(recorder);
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(run.exitCode.has_value(), "confcap did not exit:\n" << run.err);
    BOOST_TEST(*run.exitCode == 0, run.err);
    // A media file and a sidecar per talk, and nothing else: no parts, no pipes, no tiny dumps.
    BOOST_TEST(run.outFiles.size() == 4u);
    for (const auto& file : run.outFiles) {
        BOOST_TEST((file.ends_with(".ts") || file.ends_with(".json")), file);
    }
    for (const auto& file : run.bookkeeping) {
        BOOST_TEST(file.find(".recorder-") == std::string::npos, file);
        BOOST_TEST(file.find(".part") == std::string::npos, file);
    }
    BOOST_TEST(run.workEntries == std::vector<std::string>{"out"},
               boost::test_tools::per_element());
    for (const auto& title : {"Dropped Talk", "Stalled Talk"}) {
        const auto it = run.recordings.find(title);
        BOOST_TEST_REQUIRE((it != run.recordings.end()), title << " has no recording\n" << run.err);
        const Recording& recording = it->second;
        BOOST_TEST(recording.sidecar->getValue<std::string>("outcome") == "recorded");
        BOOST_TEST(recording.sidecar->getArray("files")->size() == 1u);
        BOOST_TEST(recording.timeline.ok, recording.file);
        BOOST_TEST(recording.timeline.streams == 2);
        const double span = recording.timeline.last - recording.timeline.first;
        BOOST_TEST_MESSAGE(
            recorder << " " << title << ": "
                     << recording.sidecar->getValue<double>("coveredSeconds") << " s covered of "
                     << recording.sidecar->getValue<double>("scheduledSeconds") << ", media span "
                     << span << " s, " << recording.sidecar->getArray("gaps")->size() << " gaps, "
                     << recording.sidecar->getValue<int>("reconnects") << " reconnects");
        BOOST_TEST(span >= 8.0, title << " spans " << span << " s");
    }
}

BOOST_DATA_TEST_CASE(outages_are_written_down_as_gaps, bdata::make(kRecorders), recorder) {
    const RecorderRun& run = runOf(recorder);
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    // Both outages are longer than the stall timeout: whatever the program does, confcap stops
    // it, and the time without data is a gap of the talk (ffmpeg on HLS goes on at the next
    // segment instead).
    const std::vector<std::pair<std::string, double>> outages = {
        {"Dropped Talk", kRefusedUntil - kDropAt}, {"Stalled Talk", kStallUntil - kStallFrom}};
    for (const auto& entry : outages) {
        const std::string& title = entry.first;
        const double outage = entry.second;
        const auto it = run.recordings.find(title);
        BOOST_TEST_REQUIRE((it != run.recordings.end()), run.err);
        const auto gaps = it->second.sidecar->getArray("gaps");
        double lost = 0;
        for (unsigned i = 0; i < gaps->size(); ++i) {
            const auto gap = gaps->getObject(i);
            lost += gap->getValue<double>("lengthSeconds");
            BOOST_TEST_MESSAGE(recorder << " " << title << ": gap of "
                                        << gap->getValue<double>("lengthSeconds") << " s, "
                                        << gap->getValue<std::string>("cause") << ": "
                                        << gap->optValue<std::string>("detail", ""));
        }
        BOOST_TEST_MESSAGE(recorder << " " << title << ": " << lost << " s of gaps");
        if (std::string(recorder) == "ffmpeg") {
            // Restarted at the first listed segment after what it wrote: what is lost is what
            // left the fake stream's short playlist during the outage (and the rest of the
            // segment ffmpeg was killed in), never more than the outage, written down as such.
            for (unsigned i = 0; i < gaps->size(); ++i) {
                BOOST_TEST(gaps->getObject(i)->getValue<std::string>("cause") ==
                           "segments rolled out");
            }
            BOOST_TEST(lost <= outage + 1.0, title << "\n" << run.err);
            continue;
        }
        BOOST_TEST_REQUIRE(gaps->size() >= 1u, title << "\n" << run.err);
        // The program may have buffered part of the outage; it may take seconds to start again.
        BOOST_TEST(lost >= outage - 5.0, title << "\n" << run.err);
        BOOST_TEST(lost <= outage + 12.0, title << "\n" << run.err);
    }
}

BOOST_DATA_TEST_CASE(restarts_are_logged_marked_with_room_and_talk, bdata::make(kRecorders),
                     recorder) {
    const RecorderRun& run = runOf(recorder);
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    const std::string program(recorder);
    const auto stalls = markedLines(run.err, "Stalled Talk", program + " wrote nothing for");
    BOOST_TEST(!stalls.empty(), run.err);
    // A restarted ffmpeg on HLS goes on at the next segment; the others from the live edge.
    const std::string resumes = program == "ffmpeg" ? "resumed at segment" : "resumed after";
    const auto resumed = markedLines(run.err, "Stalled Talk", resumes);
    BOOST_TEST(!resumed.empty(), run.err);
    // The drop ends the first talk's connection one way or another: the program exits, or it
    // hangs and is stopped; either way it is restarted and the log says so.
    const auto failed = markedLines(run.err, "Dropped Talk", program + " ");
    BOOST_TEST(!failed.empty(), run.err);
    BOOST_TEST(!markedLines(run.err, "Dropped Talk", resumes).empty(), run.err);
    if (program == "ffmpeg") {
        // Marked with the room's most recent talk: on a busy machine the second may have begun.
        const std::string began = "ffmpeg began again at segment";
        BOOST_TEST((!markedLines(run.err, "Dropped Talk", began).empty() ||
                    !markedLines(run.err, "Stalled Talk", began).empty()),
                   run.err);
    }
}

BOOST_DATA_TEST_CASE(no_program_outlives_its_run_or_stays_a_zombie, bdata::make(kRecorders),
                     recorder) {
    const RecorderRun& run = runOf(recorder);
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST(run.mostChildren >= 1u);  // the watcher did see the recorder run
    BOOST_TEST(run.strays.empty());
    for (const auto& stray : run.strays) {
        BOOST_TEST_MESSAGE("still running: " << stray);
    }
    BOOST_TEST(run.lingeringZombies.empty());
}

BOOST_DATA_TEST_CASE(recorders_keep_nothing_in_the_users_home, bdata::make(kRecorders), recorder) {
    const RecorderRun& run = runOf(recorder);
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    // mplayer writes ~/.mplayer on its first run: HOME points into the output folder.
    BOOST_TEST(run.homeEntries.empty(),
               recorder << " left " << run.homeEntries.size() << " entries in HOME");
}

BOOST_AUTO_TEST_CASE(a_room_mplayer_cannot_record_is_recorded_natively) {
    const RecorderRun& run = runOf("mplayer on hls");
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(run.exitCode.has_value());
    BOOST_TEST(*run.exitCode == 0, run.err);
    // Said once, for the room; and no talk is lost for the recorder choice.
    std::size_t said = 0;
    for (auto at = run.err.find("mplayer cannot record HLS"); at != std::string::npos;
         at = run.err.find("mplayer cannot record HLS", at + 1)) {
        ++said;
    }
    BOOST_TEST(said == 1u, run.err);
    BOOST_TEST(run.err.find("[Saal 1] mplayer cannot record HLS: this room is recorded by the "
                            "native engine") != std::string::npos,
               run.err);
    BOOST_TEST_REQUIRE(run.recordings.size() == 2u);
    for (const auto& [title, recording] : run.recordings) {
        BOOST_TEST_CONTEXT(title) {
            BOOST_TEST(recording.sidecar->getValue<std::string>("outcome") == "recorded");
            BOOST_TEST(recording.timeline.ok);
            BOOST_TEST(recording.timeline.streams == 2);
        }
    }
    BOOST_TEST(run.strays.empty());
}

BOOST_AUTO_TEST_CASE(the_summary_lists_both_talks_as_recorded) {
    for (const auto* recorder : kRecorders) {
        const RecorderRun& run = runOf(recorder);
        BOOST_TEST_REQUIRE(run.error.empty(), run.error);
        BOOST_TEST_REQUIRE(!run.summary.isNull(), recorder);
        const auto talks = run.summary->getArray("talks");
        BOOST_TEST_REQUIRE(talks->size() == 2u);
        for (unsigned i = 0; i < talks->size(); ++i) {
            BOOST_TEST(talks->getObject(i)->getValue<std::string>("outcome") == "recorded",
                       recorder);
        }
    }
}

BOOST_AUTO_TEST_CASE(killing_confcap_takes_its_recorder_along) {
    RunFolders folders;
    const auto start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    FakeConference conference(confcap::testing::testClip(), {{"Saal 1", {"saal1", StreamKind::Ts}}},
                              {talk("01", "Long Talk", 0, 600)}, start);
    // A recorder that writes nothing and never notices that its pipe lost its reader: only the
    // parent-death signal can end it.
    std::vector<std::string> args = {"record",
                                     "--schedule",
                                     conference.scheduleUrl(),
                                     "--out",
                                     "out",
                                     "--recorder-command",
                                     "sh -c 'exec sleep 600' sh {output} {url}",
                                     "--stall-timeout",
                                     "10m"};
    for (const auto& option : conference.streamOptions()) {
        args.push_back("--stream");
        args.push_back(option);
    }
    ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    std::vector<confcap::testing::ProcessInfo> recorders;
    while (confcap.running() && std::chrono::steady_clock::now() < deadline) {
        recorders = confcap::testing::childrenOf(confcap.pid());
        if (!recorders.empty() && recorders.front().commandLine.starts_with("sleep 600")) {
            break;
        }
        std::this_thread::sleep_for(100ms);
    }
    BOOST_TEST_REQUIRE(recorders.size() == 1u, confcap.err());
    BOOST_TEST_REQUIRE(recorders.front().commandLine.starts_with("sleep 600"), confcap.err());
    const int recorder = recorders.front().pid;
    confcap.signal(SIGKILL);
    BOOST_TEST(confcap.wait(10s).has_value());
    // The kernel's parent-death signal reaches the recorder at once.
    const auto gone = [recorder] {
        const auto all = confcap::testing::processes();
        return std::none_of(all.begin(), all.end(),
                            [&](const auto& p) { return p.pid == recorder && p.state != 'Z'; });
    };
    for (int i = 0; i < 30 && !gone(); ++i) {
        std::this_thread::sleep_for(100ms);
    }
    const bool ended = gone();
    if (!ended) {
        ::kill(recorder, SIGKILL);
    }
    BOOST_TEST(ended);
}

BOOST_DATA_TEST_CASE(a_missing_recorder_fails_at_start_with_exit_69,
                     bdata::make({"record", "plan"}), command) {
    RunFolders folders;
    const auto schedule = folders.root.path / "schedule.xml";
    std::ofstream(schedule) << FakeConference::scheduleXml({{"Saal 1", {"saal1", StreamKind::Ts}}},
                                                           {talk("01", "Much Later", 3600, 600)},
                                                           std::chrono::system_clock::now(), 1);
    // A PATH with the supervising programs but without mplayer.
    const auto bin = folders.root.path / "bin";
    fs::create_directories(bin);
    for (const auto* program : {"setsid", "env", "setpriv"}) {
        fs::create_symlink(fs::path("/usr/bin") / program, bin / program);
    }
    struct Case {
        std::vector<std::string> options;
        std::string path;
        std::string message;
    };
    const std::vector<Case> cases = {
        {{"--recorder", "mplayer"},
         bin.string(),
         "The recorder program 'mplayer' is not installed (not found on PATH); install it "
         "(Debian: apt-get install mplayer) or choose another --recorder."},
        {{"--recorder-command", "/nonexistent/recorder -o {output} {url}"},
         "/usr/bin:/bin",
         "The recorder program '/nonexistent/recorder' is not installed"},
        {{"--recorder-command", "no-such-recorder-xyz -o {output} {url}"},
         "/usr/bin:/bin",
         "'no-such-recorder-xyz' is not installed (not found on PATH)"},
    };
    for (const auto& [options, path, message] : cases) {
        auto env = folders.env();
        env["PATH"] = path;
        std::vector<std::string> args = {command,
                                         "--schedule",
                                         schedule.string(),
                                         "--stream",
                                         "Saal 1=http://127.0.0.1:9/live.ts",
                                         "--out",
                                         "out"};
        args.insert(args.end(), options.begin(), options.end());
        const auto began = std::chrono::steady_clock::now();
        ChildProcess confcap(CONFCAP_BINARY, args, folders.work, env);
        const auto code = confcap.wait(20s);
        BOOST_TEST_REQUIRE(code.has_value(), "confcap waits instead of failing");
        BOOST_TEST(*code == 69, confcap.err());
        BOOST_TEST((std::chrono::steady_clock::now() - began < 10s));
        const auto err = confcap.err();
        BOOST_TEST(err.find(message) != std::string::npos, err);
        BOOST_TEST(std::count(err.begin(), err.end(), '\n') == 1, err);
        BOOST_TEST(confcap::testing::entriesOf(folders.work).empty());
    }
}

BOOST_AUTO_TEST_SUITE_END()
