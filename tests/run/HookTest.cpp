#include "confcap/run/Hook.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <stdexcept>

#include "confcap/core/Error.h"
#include "confcap/run/Journal.h"
#include "support/MediaTestSupport.h"

BOOST_AUTO_TEST_SUITE(HookTest)

using confcap::run::fillHook;
using confcap::run::HookRecord;
using confcap::run::HookState;
using confcap::run::hookTemplate;
using confcap::run::HookValues;

namespace {

HookValues someValues() {
    return {"/rec/2026/Saal 1/10-30 Opening.ts",
            "/rec/2026/Saal 1/10-30 Opening.json",
            "It's \"new\"; rm -rf / {room}",
            "Saal 1",
            "2026-12-27T10:30:00Z",
            "recorded"};
}

struct HookMove {
    HookState from;
    HookState to;
    bool allowed;
};

std::ostream& operator<<(std::ostream& out, const HookMove& m) {
    return out << toString(m.from) << " -> " << toString(m.to);
}

// Every pair of states: a pending hook ends one way or another, and an ended one stays.
const HookMove kHookMoves[] = {
    {HookState::Pending, HookState::Pending, false},
    {HookState::Pending, HookState::Ok, true},
    {HookState::Pending, HookState::Failed, true},
    {HookState::Pending, HookState::TimedOut, true},
    {HookState::Pending, HookState::Interrupted, true},
    {HookState::Ok, HookState::Pending, false},
    {HookState::Ok, HookState::Failed, false},
    {HookState::Ok, HookState::Ok, false},
    {HookState::Failed, HookState::Ok, false},
    {HookState::Failed, HookState::Pending, false},
    {HookState::TimedOut, HookState::Failed, false},
    {HookState::TimedOut, HookState::Pending, false},
    {HookState::Interrupted, HookState::Pending, false},
    {HookState::Interrupted, HookState::Ok, false},
};

}  // namespace

BOOST_DATA_TEST_CASE(a_hook_moves_only_from_pending_to_an_end,
                     boost::unit_test::data::make(kHookMoves), m) {
    BOOST_TEST(confcap::run::hookTransitionAllowed(m.from, m.to) == m.allowed);
    HookRecord hook;
    hook.state = m.from;
    if (m.allowed) {
        confcap::run::moveHook(hook, m.to, "exited with status 0");
        BOOST_TEST((hook.state == m.to));
        BOOST_TEST(hook.exit == "exited with status 0");
    } else {
        BOOST_CHECK_THROW(confcap::run::moveHook(hook, m.to, "exited with status 0"),
                          std::logic_error);
        BOOST_TEST((hook.state == m.from));
    }
}

BOOST_AUTO_TEST_CASE(aTemplateIsSplitWithoutAShell) {
    const auto command = hookTemplate("/usr/bin/rclone copy {file} 'nas:talks/{room}/'");
    BOOST_TEST(command.name == "rclone");
    BOOST_TEST(command.arguments == (std::vector<std::string>{"/usr/bin/rclone", "copy", "{file}",
                                                              "nas:talks/{room}/"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(eachValueStaysOneArgument) {
    const auto command = hookTemplate(
        "notify {title} --file={file} {sidecar} {room} {start} {outcome} '{x' {} '{\"a\":1}'");
    const auto filled = fillHook(command, someValues());
    BOOST_TEST(filled == (std::vector<std::string>{"notify", "It's \"new\"; rm -rf / {room}",
                                                   "--file=/rec/2026/Saal 1/10-30 Opening.ts",
                                                   "/rec/2026/Saal 1/10-30 Opening.json", "Saal 1",
                                                   "2026-12-27T10:30:00Z", "recorded", "{x", "{}",
                                                   "{\"a\":1}"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(aDiscardedTalkFillsEmptyPaths) {
    auto values = someValues();
    values.file.clear();
    values.sidecar.clear();
    values.outcome = "discarded";
    const auto filled = fillHook(hookTemplate("log {outcome} {file} {sidecar}"), values);
    BOOST_TEST(filled == (std::vector<std::string>{"log", "discarded", "", ""}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(anUnknownPlaceholderIsAUsageError) {
    try {
        hookTemplate("rclone copy {path} nas:");
        BOOST_FAIL("no error");
    } catch (const confcap::core::UsageError& e) {
        const std::string text = e.what();
        BOOST_TEST(text.find("{path}") != std::string::npos);
        BOOST_TEST(text.find("{file}") != std::string::npos);
    }
    BOOST_CHECK_THROW(hookTemplate(""), confcap::core::UsageError);
    BOOST_CHECK_THROW(hookTemplate("rclone 'copy"), confcap::core::UsageError);
}

BOOST_AUTO_TEST_CASE(theStatesHaveTheirNames) {
    for (const auto state : {HookState::Pending, HookState::Ok, HookState::Failed,
                             HookState::TimedOut, HookState::Interrupted}) {
        BOOST_TEST((confcap::run::hookStateNamed(toString(state)) == state));
    }
    BOOST_TEST(std::string(toString(HookState::TimedOut)) == "timed-out");
    BOOST_TEST(!confcap::run::hookStateNamed("running").has_value());
}

BOOST_AUTO_TEST_CASE(theJournalKeepsHooksBesideTheJobs) {
    confcap::testing::TempDir dir;
    const auto path = dir.path / "journal.json";
    confcap::run::HookRecord hook;
    hook.key = "guid-1";
    hook.mark = {"Saal 1", "10:30 Opening"};
    hook.values = someValues();
    hook.command = {"notify", "x y"};
    hook.state = HookState::Interrupted;
    hook.exit = "was killed by signal 15 (SIGTERM)";
    hook.seconds = 3.5;
    hook.finished = "2026-12-27T11:40:00Z";
    {
        confcap::run::Journal journal(path);
        journal.record("guid-1", {confcap::run::JobState::Recorded, "a.ts", "recorded"});
        journal.recordHook(hook);
    }
    confcap::run::Journal again(path);
    BOOST_TEST(again.find("guid-1").has_value());
    const auto hooks = again.hooks();
    BOOST_REQUIRE(hooks.size() == 1U);
    BOOST_TEST(hooks[0].key == "guid-1");
    BOOST_TEST(hooks[0].mark.talk == "10:30 Opening");
    BOOST_TEST((hooks[0].values == hook.values));
    BOOST_TEST(hooks[0].command == hook.command, boost::test_tools::per_element());
    BOOST_TEST((hooks[0].state == HookState::Interrupted));
    BOOST_TEST(hooks[0].exit == hook.exit);
    BOOST_TEST(hooks[0].seconds == 3.5);
}

BOOST_AUTO_TEST_SUITE_END()
