// A room runs over: `confcap record` of two talks with a short break between them on a live HLS
// stream writes the room's tape (bridging the break), and `confcap recut` makes the first talk's
// file again with a later end, from the tape: the new file holds the media of the new window,
// what the tape does not hold is a gap, the sidecar lists the cuts, and a file the user changed
// is left alone.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "confcap/sink/FileCheck.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(RecutCommandTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::demo::StreamKind;
using confcap::testing::ChildProcess;
using confcap::testing::RunFolders;

namespace {

// An HLS capture's media may begin a few one-second segments before its window.
constexpr double kSpanSlack = 3.5;

struct Talk {
    fs::path file;
    Poco::JSON::Object::Ptr sidecar;
    confcap::testing::Timeline timeline;
    confcap::testing::StreamList streams;
};

Talk talkIn(const fs::path& out, const std::string& title) {
    Talk talk;
    for (const auto& sidecar : confcap::testing::sidecarsUnder(out)) {
        const auto json = confcap::testing::readJsonFile(sidecar);
        const auto info = json->getObject("talk");
        if (!info.isNull() && info->getValue<std::string>("title") == title) {
            talk.sidecar = json;
            talk.file = out / json->getValue<std::string>("file");
            talk.timeline = confcap::testing::timelineOf(talk.file);
            talk.streams = confcap::testing::streamsOf(talk.file);
        }
    }
    return talk;
}

double gapSeconds(const Poco::JSON::Object::Ptr& sidecar, const std::string& cause) {
    double seconds = 0;
    const auto gaps = sidecar->getArray("gaps");
    for (std::size_t i = 0; gaps && i < gaps->size(); ++i) {
        const auto gap = gaps->getObject(static_cast<unsigned>(i));
        if (gap->getValue<std::string>("cause") == cause) {
            seconds += gap->getValue<double>("lengthSeconds");
        }
    }
    return seconds;
}

std::size_t cutsOf(const Poco::JSON::Object::Ptr& sidecar) {
    const auto cuts = sidecar->getArray("cuts");
    return cuts ? cuts->size() : 0;
}

/// `confcap record` of `conference` into "out": 2 s of padding, schedule read every `refresh`,
/// ending when every window has passed.
std::vector<std::string> recordArgs(const FakeConference& conference, const std::string& refresh) {
    std::vector<std::string> args = {"record",
                                     "--schedule",
                                     conference.scheduleUrl(),
                                     "--out",
                                     "out",
                                     "--pad-before",
                                     "2s",
                                     "--pad-after",
                                     "2s",
                                     "--min-size",
                                     "32K",
                                     "--min-duration",
                                     "5s",
                                     "--refresh",
                                     refresh,
                                     "--exit-when-done",
                                     "--stall-timeout",
                                     "4s"};
    for (const auto& stream : conference.streamOptions()) {
        args.push_back("--stream");
        args.push_back(stream);
    }
    return args;
}

struct RecutRun {
    std::string error;
    std::optional<int> recordExit;
    std::string recordErr;
    Talk nextBefore;                         ///< "Next Up" as record published it
    std::string nextBytes;                   ///< its file
    std::uintmax_t nextLinks = 0;            ///< the names its file has
    Talk moved;                              ///< "Runs Over" after the run (moved by 3 s)
    confcap::testing::ProcessResult longer;  ///< recut --end +5s, across the break
    Talk longerTalk;
    std::string nextBytesAfter;                  ///< "Next Up"'s file after that
    confcap::testing::ProcessResult bySchedule;  ///< recut --schedule: nothing moved since
    Talk afterSchedule;
    confcap::testing::ProcessResult beyond;  ///< "Next Up" --end +20s, past the tape
    Talk beyondTalk;
    confcap::testing::ProcessResult changed;  ///< recut of a file the user changed
    std::string changedBytes;                 ///< that file, as the user left it
    std::string changedAfter;                 ///< that file after the refused recut
    std::vector<std::string> tapeFiles;
};

std::string readFile(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

RecutRun recordThenRecut() {
    RecutRun run;
    try {
        RunFolders folders;
        const auto start =
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
        confcap::demo::StreamSpec hls{"hls1", StreamKind::Hls};
        hls.window = 8;
        // Windows, padded by 2 s: Runs Over [2,16), Next Up [20,32); the tape bridges the break.
        std::vector<confcap::demo::FakeTalk> talks = {
            {"00000000-0000-4000-8000-000000000301", "Saal 1", "Runs Over", 4s, 10s},
            {"00000000-0000-4000-8000-000000000302", "Saal 1", "Next Up", 22s, 8s}};
        FakeConference conference(confcap::testing::testClip(), {{"Saal 1", hls}}, talks, start);
        // At 18 s, after Runs Over was recorded, the schedule says it ran 3 s longer.
        std::jthread organizer([&conference, talks, start](std::stop_token stop) mutable {
            std::mutex mutex;
            std::condition_variable_any wake;
            std::unique_lock lock(mutex);
            if (!wake.wait_until(lock, stop, start + 18s,
                                 [&stop] { return stop.stop_requested(); })) {
                talks.front().duration += 3s;
                conference.setTalks(talks);
            }
        });
        const auto args = recordArgs(conference, "2s");
        {
            ChildProcess record(CONFCAP_BINARY, args, folders.work, folders.env());
            run.recordExit = record.wait(90s);
            run.recordErr = record.err();
        }
        run.tapeFiles = confcap::testing::filesUnder(folders.out / ".confcap" / "tape");
        run.moved = talkIn(folders.out, "Runs Over");
        run.nextBefore = talkIn(folders.out, "Next Up");
        run.nextBytes = readFile(run.nextBefore.file);
        std::error_code error;
        run.nextLinks = fs::hard_link_count(run.nextBefore.file, error);
        const auto out = folders.out.string();
        run.longer = confcap::testing::runConfcap(
            {"recut", "Runs Over", "--out", out, "--end", "+5s"}, folders.env());
        run.longerTalk = talkIn(folders.out, "Runs Over");
        run.nextBytesAfter = readFile(run.nextBefore.file);
        run.bySchedule = confcap::testing::runConfcap(
            {"recut", "--out", out, "--schedule", conference.scheduleUrl()}, folders.env());
        run.afterSchedule = talkIn(folders.out, "Runs Over");
        // A sidecar from before the file check was XXH128 holds a SHA-256; recut checks by it.
        const auto nextSidecar = fs::path(run.nextBefore.file).replace_extension(".json");
        const auto sha =
            confcap::sink::fileCheckOf(run.nextBefore.file, confcap::sink::FileCheck::Hash::Sha256);
        if (!sha) {
            throw std::runtime_error("cannot read " + run.nextBefore.file.string());
        }
        {
            Poco::JSON::Object json(*confcap::testing::readJsonFile(nextSidecar));
            Poco::JSON::Object::Ptr check = new Poco::JSON::Object;
            check->set("bytes", sha->bytes);
            check->set("sha256", sha->digest);
            json.set("fileCheck", check);
            std::ofstream older(nextSidecar, std::ios::trunc);
            json.stringify(older, 2);
        }
        run.beyond = confcap::testing::runConfcap(
            {"recut", "00000000-0000-4000-8000-000000000302", "--out", out, "--end", "+20s"},
            folders.env());
        run.beyondTalk = talkIn(folders.out, "Next Up");

        // The user trims the first talk's file; a recut must not replace it.
        const auto first = run.longerTalk.file;
        run.changedBytes = readFile(first).substr(0, 188 * 100);
        std::ofstream(first, std::ios::binary | std::ios::trunc) << run.changedBytes;
        run.changed = confcap::testing::runConfcap(
            {"recut", "Runs Over", "--out", out, "--start", "-4s"}, folders.env());
        run.changedAfter = readFile(first);
    } catch (const std::exception& e) {
        run.error = e.what();
    }
    return run;
}

}  // namespace

BOOST_AUTO_TEST_CASE(aTalkThatRanOverIsCutAgainFromTheRoomsTape) {
    const auto run = recordThenRecut();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(run.recordExit.has_value(), run.recordErr);
    BOOST_TEST(*run.recordExit == 0, run.recordErr);
    // One connection through the break: one piece on the tape.
    BOOST_TEST(std::count_if(run.tapeFiles.begin(), run.tapeFiles.end(),
                             [](const std::string& f) { return f.ends_with(".idx"); }) == 1);
    // The tape shares what the talks wrote instead of writing it again: a talk's file has a
    // second name on the tape.
    BOOST_TEST(run.nextLinks == 2u);
    // The refresh that moved Runs Over after it was recorded cut it again: 17 s.
    BOOST_TEST_REQUIRE(!run.moved.sidecar.isNull(), run.recordErr);
    BOOST_TEST_REQUIRE(run.moved.timeline.ok);
    BOOST_TEST(
        run.recordErr.find("cut again from the room's tape for its new times") != std::string::npos,
        run.recordErr);
    BOOST_TEST(cutsOf(run.moved.sidecar) == 1u);
    BOOST_TEST(std::abs(run.moved.timeline.span() - 17.0) <= kSpanSlack);
    // The new cut had its content checked as a finished talk has: the analysis is of it.
    const auto health = run.moved.sidecar->getObject("health");
    BOOST_TEST_REQUIRE(health, run.recordErr);
    BOOST_TEST(
        std::abs(health->getValue<double>("analysedSeconds") - run.moved.timeline.span()) <= 1.5,
        health->getValue<double>("analysedSeconds"));
    BOOST_TEST_MESSAGE("moved span " << run.moved.timeline.span() << " s; recut span "
                                     << run.longerTalk.timeline.span() << " s");

    // --end +5s: 22 s, all of it on the tape (the tape went on through the break).
    BOOST_TEST(run.longer.exitCode == 0, run.longer.err);
    BOOST_TEST(run.longer.out.find("Cut again from the tape") != std::string::npos);
    BOOST_TEST_REQUIRE(!run.longerTalk.sidecar.isNull());
    BOOST_TEST(run.longerTalk.file == run.moved.file);
    BOOST_TEST(run.longerTalk.streams.video == 1);
    BOOST_TEST(run.longerTalk.streams.audio == 1);
    BOOST_TEST(std::abs(run.longerTalk.timeline.span() - 22.0) <= kSpanSlack);
    BOOST_TEST(run.longerTalk.timeline.largestJump < 1.5);
    BOOST_TEST(run.longerTalk.timeline.repeated == 0);
    BOOST_TEST(gapSeconds(run.longerTalk.sidecar, "not on the tape") == 0.0);
    BOOST_TEST(cutsOf(run.longerTalk.sidecar) == 2u);
    // Its content was checked and its pictures drawn, beside where record puts a talk's.
    const auto longerHealth = run.longerTalk.sidecar->getObject("health");
    BOOST_TEST_REQUIRE(longerHealth, run.longer.err);
    BOOST_TEST(std::abs(longerHealth->getValue<double>("analysedSeconds") -
                        run.longerTalk.timeline.span()) <= 1.5);
    const auto thumbnails = run.longerTalk.sidecar->getObject("thumbnails");
    BOOST_TEST_REQUIRE(thumbnails, run.longer.err);
    BOOST_TEST(thumbnails->getValue<std::string>("middle").find("Saal 1/") != std::string::npos,
               thumbnails->getValue<std::string>("middle"));
    BOOST_TEST(run.longerTalk.sidecar->getValue<std::string>("outcome") == "recorded");
    // The schedule has not moved anything since: recut --schedule leaves the files alone.
    BOOST_TEST(run.bySchedule.exitCode == 0, run.bySchedule.err);
    BOOST_TEST(run.bySchedule.out.find("0 talks cut again") != std::string::npos,
               run.bySchedule.out);
    BOOST_TEST(cutsOf(run.afterSchedule.sidecar) == 2u);
    // The next talk's file was not touched.
    BOOST_TEST((run.nextBytesAfter == run.nextBytes));

    // The last talk 20 s longer: past the end of the run, which a gap says.
    BOOST_TEST(run.beyond.exitCode == 0, run.beyond.err);
    // Its sidecar had the SHA-256 of an older confcap; the new one has the XXH128.
    BOOST_TEST(
        !run.beyondTalk.sidecar->getObject("fileCheck")->getValue<std::string>("xxh128").empty());
    BOOST_TEST_REQUIRE(!run.beyondTalk.sidecar.isNull());
    BOOST_TEST(cutsOf(run.beyondTalk.sidecar) == 1u);
    const double missing = gapSeconds(run.beyondTalk.sidecar, "not on the tape");
    BOOST_TEST(missing >= 8.0);
    BOOST_TEST(missing <= 20.0);
    BOOST_TEST(run.beyondTalk.timeline.span() >= run.nextBefore.timeline.span() - 1.0);

    // A file changed since it was published is left as it is.
    BOOST_TEST(run.changed.exitCode == 73, run.changed.err);
    BOOST_TEST(run.changed.err.find("was changed since confcap published it") != std::string::npos);
    BOOST_TEST((run.changedAfter == run.changedBytes));
}

BOOST_AUTO_TEST_CASE(theTapeSurvivesKillAndTheNextRunAddsToIt) {
    RunFolders folders;
    const auto start =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
    confcap::demo::StreamSpec hls{"hls1", StreamKind::Hls};
    hls.window = 8;
    // Window [2,20), padded by 2 s; confcap is killed at 10 s and started again at 12 s.
    FakeConference conference(
        confcap::testing::testClip(), {{"Saal 1", hls}},
        {{"00000000-0000-4000-8000-000000000401", "Saal 1", "Killed", 4s, 14s}}, start);
    const auto args = recordArgs(conference, "0");
    const auto indexes = [&] {
        const auto files = confcap::testing::filesUnder(folders.out / ".confcap" / "tape");
        return std::count_if(files.begin(), files.end(),
                             [](const std::string& f) { return f.ends_with(".idx"); });
    };
    {
        ChildProcess first(CONFCAP_BINARY, args, folders.work, folders.env());
        std::this_thread::sleep_until(start + 10s);
        first.signal(SIGKILL);
        first.wait(10s);
    }
    BOOST_TEST(indexes() == 1);
    std::this_thread::sleep_until(start + 12s);
    std::string err;
    {
        ChildProcess second(CONFCAP_BINARY, args, folders.work, folders.env());
        const auto exit = second.wait(90s);
        err = second.err();
        BOOST_TEST_REQUIRE(exit.has_value(), err);
    }
    BOOST_TEST(indexes() == 2);
    // The talk cut again from both runs' tape: the window's media, but for the restart.
    const auto cut = confcap::testing::runConfcap(
        {"recut", "Killed", "--out", folders.out.string()}, folders.env());
    BOOST_TEST(cut.exitCode == 0, cut.err << err);
    const auto talk = talkIn(folders.out, "Killed");
    BOOST_TEST_REQUIRE(!talk.sidecar.isNull());
    BOOST_TEST(cutsOf(talk.sidecar) == 1u);
    BOOST_TEST(talk.streams.video == 1);
    BOOST_TEST(talk.streams.audio == 1);
    BOOST_TEST_MESSAGE("span after kill -9 and recut: " << talk.timeline.span() << " s");
    BOOST_TEST(std::abs(talk.timeline.span() - 18.0) <= kSpanSlack);
    BOOST_TEST(gapSeconds(talk.sidecar, "not on the tape") <= 4.0);
}

BOOST_AUTO_TEST_CASE(aTalkThatIsNotThereOrABadTimeIsRefusedInOneSentence) {
    RunFolders folders;
    fs::create_directories(folders.out);
    const auto out = folders.out.string();
    const auto unknown = confcap::testing::runConfcap({"recut", "No Such Talk", "--out", out});
    BOOST_TEST(unknown.exitCode == 64);
    BOOST_TEST(unknown.err.find("No recording in") != std::string::npos, unknown.err);
    const auto badEnd =
        confcap::testing::runConfcap({"recut", "x", "--out", out, "--end", "later"});
    BOOST_TEST(badEnd.exitCode == 64);
    BOOST_TEST(badEnd.err.find("--end takes a shift") != std::string::npos, badEnd.err);
    const auto none = confcap::testing::runConfcap({"recut", "--out", out});
    BOOST_TEST(none.exitCode == 64);
    const auto noFolder = confcap::testing::runConfcap(
        {"recut", "x", "--out", (folders.root.path / "nope").string()});
    BOOST_TEST(noFolder.exitCode == 66);
}

BOOST_AUTO_TEST_SUITE_END()
