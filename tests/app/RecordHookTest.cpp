// `confcap record --on-recorded` through the real binary against a fake conference on loopback:
// the hook of a recorded talk, a hook still running at SIGTERM or at kill -9 and the restart that
// runs it again, and the mistakes refused at start.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"

BOOST_AUTO_TEST_SUITE(RecordHookTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::demo::FakeTalk;
using confcap::demo::StreamKind;
using confcap::testing::ChildProcess;
using confcap::testing::RunFolders;
using confcap::testing::sidecarsUnder;
using confcap::testing::waitFor;

namespace {

using SystemTime = std::chrono::system_clock::time_point;

FakeTalk talk(const std::string& id, const std::string& title, int start, int duration) {
    return {"00000000-0000-4000-8000-0000000002" + id, "Saal 1", title, std::chrono::seconds(start),
            std::chrono::seconds(duration)};
}

/// The conference's start: the next whole second but one, so talk times are whole seconds.
SystemTime conferenceStart() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
}

std::vector<std::string> recordArgs(const FakeConference& conference,
                                    const std::vector<std::string>& more) {
    std::vector<std::string> args = {"record", "--schedule", conference.scheduleUrl()};
    for (const auto& stream : conference.streamOptions()) {
        args.push_back("--stream");
        args.push_back(stream);
    }
    for (const auto* option : {"--out", "out", "--pad-before", "1s", "--pad-after", "1s",
                               "--min-size", "32K", "--min-duration", "3s", "--refresh", "0"}) {
        args.push_back(option);
    }
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

/// An executable shell script at `path`.
fs::path script(const fs::path& path, const std::string& body) {
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
    return path;
}

/// The lines of a text file.
std::vector<std::string> linesOf(const fs::path& file) {
    std::vector<std::string> lines;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

}  // namespace

BOOST_AUTO_TEST_CASE(theHookGetsTheRecordedFileAndTheSidecarSaysOk) {
    RunFolders folders;
    const auto args = folders.root.path / "args.txt";
    const auto hook = script(folders.root.path / "after talk.sh",
                             "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + args.string() +
                                 "'\necho \"copied $3\"");
    const auto start = conferenceStart();
    FakeConference conference(confcap::testing::testClip(), {{"Saal 1", {"ts1", StreamKind::Ts}}},
                              {talk("01", "Hooked; \"Quoted\" Talk", 1, 6)}, start);
    ChildProcess confcap(
        CONFCAP_BINARY,
        recordArgs(conference,
                   {"--exit-when-done", "--on-recorded",
                    "'" + hook.string() + "' {file} {sidecar} {title} {outcome} {start}"}),
        folders.work, folders.env());
    const auto code = confcap.wait(90s);
    BOOST_TEST_REQUIRE(code.has_value(), "confcap did not end:\n" << confcap.err());
    BOOST_TEST(*code == 0, confcap.err());

    const auto sidecars = sidecarsUnder(folders.out);
    BOOST_TEST_REQUIRE(sidecars.size() == 1u, confcap.err());
    const auto sidecar = confcap::testing::readJsonFile(sidecars.front());
    const auto file = folders.out / sidecar->getValue<std::string>("file");
    const auto lines = linesOf(args);
    BOOST_TEST_REQUIRE(lines.size() == 5u, confcap.err());
    BOOST_TEST(lines[0] == fs::absolute(file).lexically_normal().string());
    BOOST_TEST(fs::file_size(lines[0]) > 32'000u);
    BOOST_TEST(lines[1] == fs::absolute(sidecars.front()).lexically_normal().string());
    BOOST_TEST(lines[2] == "Hooked; \"Quoted\" Talk");
    BOOST_TEST(lines[3] == "recorded");
    BOOST_TEST(lines[4] == sidecar->getObject("talk")->getValue<std::string>("start"));

    const auto onRecorded = sidecar->getObject("onRecorded");
    BOOST_TEST_REQUIRE(!onRecorded.isNull());
    BOOST_TEST(onRecorded->getValue<std::string>("state") == "ok");
    BOOST_TEST(onRecorded->getValue<std::string>("exit") == "exited with status 0");
    BOOST_TEST(onRecorded->getArray("command")->getElement<std::string>(0) == hook.string());
    // The hook's output is in the log, marked with the talk.
    const auto err = confcap.err();
    BOOST_TEST(err.find("Hooked; \"Quoted\" Talk] hook: copied Hooked") != std::string::npos, err);
    BOOST_TEST(confcap.out().find("Hooks: 1 ok") != std::string::npos, confcap.out());
    const auto summary = confcap::testing::readJsonFile(folders.out / ".confcap" / "summary.json");
    BOOST_TEST(summary->getObject("hooks")->getValue<int>("ok") == 1);
}

BOOST_AUTO_TEST_CASE(aHookRunningAtSigtermIsInterruptedAndTheRestartRunsItAgain) {
    RunFolders folders;
    const auto log = folders.root.path / "hook.log";
    const auto go = folders.root.path / "go";
    const auto hook =
        script(folders.root.path / "hook.sh",
               "echo \"$1\" >> '" + log.string() + "'\n[ -e '" + go.string() + "' ] || sleep 120");
    const auto start = conferenceStart();
    FakeConference conference(confcap::testing::testClip(), {{"Saal 1", {"ts1", StreamKind::Ts}}},
                              {talk("02", "Slow Upload", 1, 6)}, start);
    const auto args =
        recordArgs(conference, {"--exit-when-done", "--on-recorded", hook.string() + " {title}"});
    {
        ChildProcess first(CONFCAP_BINARY, args, folders.work, folders.env());
        BOOST_TEST_REQUIRE(waitFor([&] { return !linesOf(log).empty(); }, 60s),
                           "the hook never started:\n"
                               << first.err());
        const auto signalled = std::chrono::steady_clock::now();
        first.signal(SIGTERM);
        const auto code = first.wait(30s);
        BOOST_TEST_REQUIRE(code.has_value(), "confcap did not stop:\n" << first.err());
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
        BOOST_TEST_MESSAGE("exited " << seconds << " s after SIGTERM");
        BOOST_TEST(seconds < 15.0);
        BOOST_TEST(*code == 0, first.err());
        BOOST_TEST(
            first.err().find("Slow Upload] warning: hook interrupted after") != std::string::npos,
            first.err());
        BOOST_TEST(first.out().find("Hooks: 1 interrupted") != std::string::npos, first.out());
    }
    const auto sidecars = sidecarsUnder(folders.out);
    BOOST_TEST_REQUIRE(sidecars.size() == 1u);
    BOOST_TEST(confcap::testing::readJsonFile(sidecars.front())
                   ->getObject("onRecorded")
                   ->getValue<std::string>("state") == "interrupted");
    const auto file =
        folders.out /
        confcap::testing::readJsonFile(sidecars.front())->getValue<std::string>("file");
    BOOST_TEST(fs::exists(file));

    // The restart: the talk's window has passed, its hook did not finish: it runs again.
    std::ofstream(go) << "";
    ChildProcess second(CONFCAP_BINARY, args, folders.work, folders.env());
    const auto code = second.wait(60s);
    BOOST_TEST_REQUIRE(code.has_value(), "confcap did not end:\n" << second.err());
    BOOST_TEST(*code == 0, second.err());
    BOOST_TEST(second.err().find("an earlier run stopped this talk's hook") != std::string::npos,
               second.err());
    BOOST_TEST(linesOf(log) == (std::vector<std::string>{"Slow Upload", "Slow Upload"}),
               boost::test_tools::per_element());
    BOOST_TEST(confcap::testing::readJsonFile(sidecars.front())
                   ->getObject("onRecorded")
                   ->getValue<std::string>("state") == "ok");
    BOOST_TEST(fs::exists(file));
    BOOST_TEST(second.out().find("Hooks: 1 ok") != std::string::npos, second.out());

    // A third start finds nothing left to run.
    ChildProcess third(CONFCAP_BINARY, args, folders.work, folders.env());
    BOOST_TEST_REQUIRE(third.wait(60s).has_value());
    BOOST_TEST(linesOf(log).size() == 2u);
}

BOOST_AUTO_TEST_CASE(aHookLeftPendingByAKilledRunRunsOnTheRestart) {
    RunFolders folders;
    const auto log = folders.root.path / "hook.log";
    const auto go = folders.root.path / "go";
    // exec: the parent-death signal that ends the hook with confcap reaches the sleep itself.
    const auto hook =
        script(folders.root.path / "hook.sh", "echo \"$1 $2\" >> '" + log.string() + "'\n[ -e '" +
                                                  go.string() + "' ] || exec sleep 120");
    const auto start = conferenceStart();
    FakeConference conference(confcap::testing::testClip(), {{"Saal 1", {"ts1", StreamKind::Ts}}},
                              {talk("04", "Killed Meanwhile", 1, 6)}, start);
    const auto args = recordArgs(
        conference, {"--exit-when-done", "--on-recorded", hook.string() + " {title} {outcome}"});
    {
        ChildProcess first(CONFCAP_BINARY, args, folders.work, folders.env());
        BOOST_TEST_REQUIRE(waitFor([&] { return !linesOf(log).empty(); }, 60s),
                           "the hook never started:\n"
                               << first.err());
        first.signal(SIGKILL);
        BOOST_TEST_REQUIRE(first.wait(10s).has_value());
    }
    const auto sidecars = sidecarsUnder(folders.out);
    BOOST_TEST_REQUIRE(sidecars.size() == 1u);
    BOOST_TEST(confcap::testing::readJsonFile(sidecars.front())
                   ->getObject("onRecorded")
                   ->getValue<std::string>("state") == "pending");

    std::ofstream(go) << "";
    ChildProcess second(CONFCAP_BINARY, args, folders.work, folders.env());
    const auto code = second.wait(60s);
    BOOST_TEST_REQUIRE(code.has_value(), "confcap did not end:\n" << second.err());
    BOOST_TEST(*code == 0, second.err());
    BOOST_TEST(
        second.err().find("an earlier run did not run this talk's hook") != std::string::npos,
        second.err());
    BOOST_TEST(linesOf(log) == (std::vector<std::string>{"Killed Meanwhile recorded",
                                                         "Killed Meanwhile recorded"}),
               boost::test_tools::per_element());
    BOOST_TEST(confcap::testing::readJsonFile(sidecars.front())
                   ->getObject("onRecorded")
                   ->getValue<std::string>("state") == "ok");
}

BOOST_AUTO_TEST_CASE(mistakesAreRefusedAtStart) {
    RunFolders folders;
    const auto schedule = folders.root.path / "schedule.xml";
    std::ofstream(schedule) << FakeConference::scheduleXml({{"Saal 1", {"saal1", StreamKind::Ts}}},
                                                           {talk("03", "Much Later", 3600, 600)},
                                                           std::chrono::system_clock::now(), 1);
    struct Case {
        std::vector<std::string> options;
        int code;
        std::string message;
    };
    const std::vector<Case> cases = {
        {{"--on-recorded", "true {file} {path}"},
         64,
         "--on-recorded 'true {file} {path}' holds {path}; the placeholders are"},
        {{"--on-recorded", "/nonexistent/upload {file}"},
         69,
         "The --on-recorded program '/nonexistent/upload' is not installed"},
        {{"--on-recorded", "true", "--hook-jobs", "0"}, 64, "--hook-jobs '0' is not a number"},
        {{"--on-recorded", "true", "--hook-timeout", "soon"}, 64, "--hook-timeout 'soon'"},
    };
    for (const auto& [options, expected, message] : cases) {
        std::vector<std::string> args = {"record",
                                         "--schedule",
                                         schedule.string(),
                                         "--stream",
                                         "Saal 1=http://127.0.0.1:9/live.ts",
                                         "--out",
                                         "out"};
        args.insert(args.end(), options.begin(), options.end());
        ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());
        const auto code = confcap.wait(20s);
        BOOST_TEST_REQUIRE(code.has_value(), "confcap waits instead of failing");
        BOOST_TEST(*code == expected, confcap.err());
        const auto err = confcap.err();
        BOOST_TEST(err.find(message) != std::string::npos, err);
        BOOST_TEST(std::count(err.begin(), err.end(), '\n') == 1, err);
        BOOST_TEST(confcap::testing::entriesOf(folders.work).empty());
    }
}

BOOST_AUTO_TEST_SUITE_END()
