#include "confcap/source/RecorderProcess.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ostream>
#include <string>
#include <thread>

#include "support/MediaTestSupport.h"
#include "support/Processes.h"

BOOST_AUTO_TEST_SUITE(RecorderProcessTest)

namespace data = boost::unit_test::data;
using confcap::source::exitText;
using confcap::source::RecorderCommand;
using confcap::source::RecorderProcess;
using confcap::testing::TempDir;
using namespace std::chrono_literals;

namespace {

struct StatusCase {
    int status;
    std::string text;
};

std::ostream& operator<<(std::ostream& out, const StatusCase& c) {
    return out << c.text;
}

const StatusCase kStatusCases[] = {
    {W_EXITCODE(0, 0), "exited with status 0"},
    {W_EXITCODE(4, 0), "exited with status 4"},
    {W_EXITCODE(255, 0), "exited with status 255"},
    {W_EXITCODE(0, SIGKILL), "was killed by signal 9 (SIGKILL)"},
    {W_EXITCODE(0, SIGTERM), "was killed by signal 15 (SIGTERM)"},
    {W_EXITCODE(0, SIGSEGV), "was killed by signal 11 (SIGSEGV)"},
    {W_EXITCODE(0, 40), "was killed by signal 40"},  // a real-time signal has no name
};

struct ScriptCase {
    std::string script;
    std::string ending;
};

std::ostream& operator<<(std::ostream& out, const ScriptCase& c) {
    return out << c.script;
}

const ScriptCase kScriptCases[] = {
    {"exit 0", "exited with status 0"},
    {"exit 3", "exited with status 3"},
    {"kill -TERM $$", "was killed by signal 15 (SIGTERM)"},
    {"kill -KILL $$", "was killed by signal 9 (SIGKILL)"},
};

// `script` run by sh, with the URL and the output as $1 and $2.
RecorderCommand shell(const std::string& script) {
    return {"sh", {"sh", "-c", script, "sh", "{url}", "{output}"}, true};
}

// Everything the program writes to stdout and stderr until it closes them (at most `limit`).
std::string outputOf(const RecorderProcess& program,
                     std::chrono::milliseconds limit = std::chrono::milliseconds(10'000)) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd fd{program.outputFd(), POLLIN, 0};
        if (::poll(&fd, 1, 50) <= 0) {
            continue;
        }
        char buffer[256];
        const ssize_t n = ::read(program.outputFd(), buffer, sizeof buffer);
        if (n == 0) {
            break;
        }
        if (n > 0) {
            text.append(buffer, static_cast<std::size_t>(n));
        }
    }
    return text;
}

// The first line the program writes (waiting at most 10 s for it), read byte by byte so that
// nothing after it is taken.
std::string firstLine(const RecorderProcess& program) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        char c = 0;
        if (::read(program.outputFd(), &c, 1) == 1) {
            line += c;
        } else {
            std::this_thread::sleep_for(10ms);
        }
    }
    return line;
}

// True when `program` has exited within `limit`.
bool exitsWithin(const RecorderProcess& program, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!program.exited()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

// True while the process `pid` runs (a zombie has ended).
bool running(int pid) {
    const auto all = confcap::testing::processes();
    return std::any_of(all.begin(), all.end(),
                       [&](const auto& p) { return p.pid == pid && p.state != 'Z'; });
}

}  // namespace

BOOST_DATA_TEST_CASE(an_exit_status_in_words, data::make(kStatusCases), c) {
    BOOST_TEST(exitText(c.status) == c.text);
}

BOOST_DATA_TEST_CASE(how_a_program_ended_is_read_from_its_status, data::make(kScriptCases), c) {
    RecorderProcess program(shell(c.script), "http://127.0.0.1:9/x.ts", "/tmp/none.ts", {});
    BOOST_REQUIRE(exitsWithin(program, 10s));
    BOOST_TEST(exitText(program.reap()) == c.ending);
}

BOOST_AUTO_TEST_CASE(the_program_gets_its_url_and_output_and_speaks_through_one_pipe) {
    RecorderProcess program(shell("echo \"url $1\"; echo \"output $2\" >&2; cat; echo done"),
                            "http://127.0.0.1:9/x.ts", "/tmp/p.ts", {});
    // cat ends at once: stdin is at end of file.
    BOOST_TEST(outputOf(program) == "url http://127.0.0.1:9/x.ts\noutput /tmp/p.ts\ndone\n");
    BOOST_REQUIRE(exitsWithin(program, 10s));
    BOOST_TEST(exitText(program.reap()) == "exited with status 0");
}

BOOST_AUTO_TEST_CASE(the_program_keeps_its_files_in_its_own_home) {
    TempDir temp;
    const auto home = temp.path / "home" / "recorder";
    RecorderProcess program(
        shell("printf '%s\\n' \"$HOME\" \"$XDG_CONFIG_HOME\" \"$XDG_CACHE_HOME\" "
              "\"$XDG_DATA_HOME\" \"$XDG_STATE_HOME\""),
        "http://127.0.0.1:9/x.ts", "/tmp/p.ts", home);
    const std::string h = home.string();
    BOOST_TEST(outputOf(program) == h + "\n" + h + "/.config\n" + h + "/.cache\n" + h +
                                        "/.local/share\n" + h + "/.local/state\n");
    BOOST_TEST(std::filesystem::is_directory(home));
}

BOOST_AUTO_TEST_CASE(without_a_home_the_program_has_the_users) {
    const char* home = std::getenv("HOME");
    RecorderProcess program(shell("printf '%s' \"$HOME\""), "http://127.0.0.1:9/x.ts", "/tmp/p.ts",
                            {});
    BOOST_TEST(outputOf(program) == std::string(home != nullptr ? home : ""));
}

BOOST_AUTO_TEST_CASE(terminate_asks_the_program_to_stop) {
    RecorderProcess program(shell("sleep 30"), "http://127.0.0.1:9/x.ts", "/tmp/p.ts", {});
    const auto started = std::chrono::steady_clock::now();
    program.terminate(10s, [] { std::this_thread::sleep_for(5ms); });
    BOOST_TEST((std::chrono::steady_clock::now() - started < 5s));
    BOOST_TEST(exitText(program.reap()) == "was killed by signal 15 (SIGTERM)");
}

BOOST_AUTO_TEST_CASE(a_program_that_ignores_sigterm_is_killed_with_its_helpers_after_the_grace) {
    RecorderProcess program(shell("trap '' TERM; sleep 30 & echo $!; wait"),
                            "http://127.0.0.1:9/x.ts", "/tmp/p.ts", {});
    const int helper = std::atoi(firstLine(program).c_str());
    BOOST_REQUIRE(helper > 0);
    BOOST_TEST(running(helper));
    const auto started = std::chrono::steady_clock::now();
    int drained = 0;
    program.terminate(300ms, [&] {
        ++drained;
        std::this_thread::sleep_for(5ms);
    });
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(drained > 0);
    BOOST_TEST((took >= 300ms));
    BOOST_TEST((took < 5s));
    BOOST_TEST(exitText(program.reap()) == "was killed by signal 9 (SIGKILL)");
    const auto gone = std::chrono::steady_clock::now() + 5s;
    while (running(helper) && std::chrono::steady_clock::now() < gone) {
        std::this_thread::sleep_for(20ms);
    }
    BOOST_TEST(!running(helper));
}

BOOST_AUTO_TEST_CASE(a_program_is_never_left_running_or_unreaped) {
    int pid = 0;
    {
        RecorderProcess program(shell("echo $$; exec sleep 30"), "http://127.0.0.1:9/x.ts",
                                "/tmp/p.ts", {});
        pid = std::atoi(firstLine(program).c_str());
        BOOST_REQUIRE(pid > 0);
        BOOST_TEST(running(pid));
    }
    BOOST_TEST(::kill(pid, 0) == -1);  // neither running nor a zombie
}

BOOST_AUTO_TEST_SUITE_END()
