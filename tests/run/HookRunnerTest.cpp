#include "confcap/run/HookRunner.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/MediaTestSupport.h"
#include "support/RunFakes.h"

BOOST_AUTO_TEST_SUITE(HookRunnerTest)

using confcap::run::HookRunner;
using confcap::run::HookState;
using confcap::run::HookValues;
using confcap::testing::NotingReporter;
using confcap::testing::readFile;
using confcap::testing::TempDir;
using namespace std::chrono_literals;

namespace {

/// An executable shell script at `path`.
std::filesystem::path script(const std::filesystem::path& path, const std::string& body) {
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
    return path;
}

/// A recorded talk in `dir`: its file and its sidecar.
HookValues recordedTalk(const std::filesystem::path& dir, const std::string& name) {
    const auto file = dir / (name + ".ts");
    const auto sidecar = dir / (name + ".json");
    std::ofstream(file) << "media";
    std::ofstream(sidecar) << "{\n  \"talk\": {\"room\": \"Saal 1\"},\n  \"outcome\": "
                              "\"recorded\"\n}\n";
    return {file.string(), sidecar.string(), name, "Saal 1", "2026-12-27T10:30:00Z", "recorded"};
}

Poco::JSON::Object::Ptr readJson(const std::filesystem::path& path) {
    return Poco::JSON::Parser().parse(readFile(path)).extract<Poco::JSON::Object::Ptr>();
}

HookRunner::Options optionsFor(const std::string& commandLine) {
    HookRunner::Options options;
    options.command = confcap::run::hookTemplate(commandLine);
    options.killGrace = 1s;
    return options;
}

/// Waits until the runner is idle; fails after a bound generous for a loaded machine.
void waitIdle(HookRunner& runner) {
    BOOST_REQUIRE(runner.waitIdle(60s));
}

}  // namespace

BOOST_AUTO_TEST_CASE(aHookThatExitsZeroSeesItsArgumentsAndIsNotedOk) {
    TempDir dir;
    const auto args = dir.path / "args.txt";
    const auto hook =
        script(dir.path / "hook.sh", "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" +
                                         args.string() + "'\necho copied\necho 'a warning' >&2");
    confcap::run::Journal journal(dir.path / "journal.json");
    NotingReporter reporter;
    auto options = optionsFor(hook.string() + " {file} {title} {outcome}");
    options.journal = &journal;
    HookRunner runner(options, reporter);
    auto values = recordedTalk(dir.path, "It's \"new\"; a b");
    runner.submit("guid-1", {"Saal 1", "10:30 Opening"}, values);
    waitIdle(runner);

    BOOST_TEST(readFile(args) == values.file + "\nIt's \"new\"; a b\nrecorded\n");
    BOOST_TEST(reporter.said("10:30 Opening: hook: copied"));
    BOOST_TEST(reporter.said("10:30 Opening: hook: a warning"));
    BOOST_TEST(reporter.said("10:30 Opening: hook ok"));
    BOOST_TEST((runner.counts() == confcap::run::HookCounts{1, 0, 0, 0}));

    const auto sidecar = readJson(values.sidecar);
    BOOST_TEST(sidecar->getValue<std::string>("outcome") == "recorded");
    const auto onRecorded = sidecar->getObject("onRecorded");
    BOOST_REQUIRE(onRecorded);
    BOOST_TEST(onRecorded->getValue<std::string>("state") == "ok");
    BOOST_TEST(onRecorded->getValue<std::string>("exit") == "exited with status 0");
    BOOST_TEST(onRecorded->getArray("command")->size() == 4U);
    BOOST_TEST(onRecorded->getArray("command")->getElement<std::string>(2) == "It's \"new\"; a b");
    BOOST_TEST(!onRecorded->getValue<std::string>("finished").empty());
    BOOST_TEST((journal.hooks().at(0).state == HookState::Ok));
    for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
        BOOST_TEST(entry.path().string().find(".tmp") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(aHookThatExitsOneFailsAndTouchesNothing) {
    TempDir dir;
    const auto hook = script(dir.path / "fail.sh", "echo 'no space left' >&2\nexit 1");
    NotingReporter reporter;
    HookRunner runner(optionsFor(hook.string() + " {file}"), reporter);
    const auto values = recordedTalk(dir.path, "talk");
    runner.submit("guid-1", {"Saal 1", "10:30 Talk"}, values);
    waitIdle(runner);

    BOOST_TEST(reporter.said("10:30 Talk: hook: no space left"));
    BOOST_TEST(reporter.said("10:30 Talk: hook failed after 0s: exited with status 1"));
    BOOST_TEST((runner.counts() == confcap::run::HookCounts{0, 1, 0, 0}));
    BOOST_TEST(readFile(values.file) == "media");
    const auto onRecorded = readJson(values.sidecar)->getObject("onRecorded");
    BOOST_TEST(onRecorded->getValue<std::string>("state") == "failed");
    BOOST_TEST(onRecorded->getValue<std::string>("exit") == "exited with status 1");
}

BOOST_AUTO_TEST_CASE(aHookThatHangsIsStoppedAtItsTimeout) {
    TempDir dir;
    const auto hook = script(dir.path / "hang.sh", "echo started\nsleep 60");
    NotingReporter reporter;
    auto options = optionsFor(hook.string() + " {file}");
    options.timeout = 1s;
    HookRunner runner(options, reporter);
    const auto values = recordedTalk(dir.path, "talk");
    const auto began = std::chrono::steady_clock::now();
    runner.submit("guid-1", {"Saal 1", "10:30 Talk"}, values);
    waitIdle(runner);

    BOOST_TEST((std::chrono::steady_clock::now() - began < 20s));
    BOOST_TEST(reporter.said("10:30 Talk: hook: started"));
    BOOST_TEST(reporter.said("10:30 Talk: hook timed out"));
    BOOST_TEST((runner.counts() == confcap::run::HookCounts{0, 0, 1, 0}));
    BOOST_TEST(readFile(values.file) == "media");
    const auto onRecorded = readJson(values.sidecar)->getObject("onRecorded");
    BOOST_TEST(onRecorded->getValue<std::string>("state") == "timed-out");
    BOOST_TEST(onRecorded->getValue<double>("seconds") >= 1.0);
}

BOOST_AUTO_TEST_CASE(oneJobRunsTheHooksOneAfterTheOther) {
    TempDir dir;
    const auto log = dir.path / "log.txt";
    const auto hook =
        script(dir.path / "slow.sh", "echo \"start $1\" >> '" + log.string() +
                                         "'\nsleep 0.5\necho \"end $1\" >> '" + log.string() + "'");
    NotingReporter reporter;
    auto options = optionsFor(hook.string() + " {title}");
    options.jobs = 1;
    HookRunner runner(options, reporter);
    for (const auto* title : {"a", "b", "c"}) {
        runner.submit(title, {"Saal 1", title},
                      HookValues{"", "", title, "Saal 1", "", "discarded"});
    }
    waitIdle(runner);
    BOOST_TEST(readFile(log) == "start a\nend a\nstart b\nend b\nstart c\nend c\n");
    BOOST_TEST((runner.counts() == confcap::run::HookCounts{3, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(aStopInterruptsRunningHooksAndTheNextRunRunsThemAgain) {
    TempDir dir;
    const auto log = dir.path / "log.txt";
    const auto hook =
        script(dir.path / "hook.sh", "echo \"$1\" >> '" + log.string() + "'\n[ -e '" +
                                         (dir.path / "go").string() + "' ] || sleep 60");
    const auto journalPath = dir.path / "journal.json";
    {
        confcap::run::Journal journal(journalPath);
        NotingReporter reporter;
        auto options = optionsFor(hook.string() + " {title}");
        options.jobs = 1;
        options.stopGrace = 300ms;
        options.journal = &journal;
        HookRunner runner(options, reporter);
        runner.submit("guid-1", {"Saal 1", "one"}, recordedTalk(dir.path, "one"));
        runner.submit("guid-2", {"Saal 1", "two"},
                      HookValues{"", "", "two", "Saal 1", "", "discarded"});
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (readFile(log).empty() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(50ms);
        }
        runner.stop();
        BOOST_TEST(reporter.said("one: hook interrupted"));
        BOOST_TEST((runner.counts() == confcap::run::HookCounts{0, 0, 0, 1}));
        // A talk finalized after the stop is only noted, for the next run.
        runner.submit("guid-3", {"Saal 1", "three"},
                      HookValues{"", "", "three", "Saal 1", "", "failed"});
        const auto hooks = journal.hooks();
        BOOST_REQUIRE(hooks.size() == 3U);
        BOOST_TEST((hooks[0].state == HookState::Interrupted));
        BOOST_TEST((hooks[1].state == HookState::Pending));
        BOOST_TEST((hooks[2].state == HookState::Pending));
        BOOST_TEST(readJson(dir.path / "one.json")
                       ->getObject("onRecorded")
                       ->getValue<std::string>("state") == "interrupted");
    }
    BOOST_TEST(readFile(log) == "one\n");
    std::ofstream(dir.path / "go") << "";
    confcap::run::Journal journal(journalPath);
    NotingReporter reporter;
    auto options = optionsFor(hook.string() + " {title}");
    options.journal = &journal;
    HookRunner runner(options, reporter);
    BOOST_TEST(runner.resumePending() == 3U);
    waitIdle(runner);
    BOOST_TEST(reporter.said("one: an earlier run stopped this talk's hook"));
    BOOST_TEST(reporter.said("two: an earlier run did not run this talk's hook"));
    BOOST_TEST((runner.counts() == confcap::run::HookCounts{3, 0, 0, 0}));
    std::vector<std::string> lines;
    std::istringstream text(readFile(log));
    for (std::string line; std::getline(text, line);) {
        lines.push_back(line);
    }
    BOOST_REQUIRE(lines.size() == 4U);
    BOOST_TEST(lines[0] == "one");
    std::sort(lines.begin(), lines.end());
    BOOST_TEST(lines == (std::vector<std::string>{"one", "one", "three", "two"}),
               boost::test_tools::per_element());
    for (const auto& record : journal.hooks()) {
        BOOST_TEST((record.state == HookState::Ok));
    }
    // Nothing is left to run again.
    HookRunner third(options, reporter);
    BOOST_TEST(third.resumePending() == 0U);
}

BOOST_AUTO_TEST_CASE(aProgramThatCannotStartFails) {
    TempDir dir;
    NotingReporter reporter;
    HookRunner runner(optionsFor((dir.path / "missing").string() + " {file}"), reporter);
    runner.submit("guid-1", {"Saal 1", "t"}, HookValues{});
    waitIdle(runner);
    BOOST_TEST((runner.counts() == confcap::run::HookCounts{0, 1, 0, 0}));
}

BOOST_AUTO_TEST_SUITE_END()
