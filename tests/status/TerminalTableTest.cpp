#include "confcap/core/Text.h"
#include "confcap/status/TerminalTable.h"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <atomic>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "confcap/status/LogWriter.h"
#include "confcap/status/TextFormat.h"
#include "support/FakeClock.h"
#include "support/ManualTimer.h"
#include "support/Terminals.h"

BOOST_AUTO_TEST_SUITE(TerminalTableTest)

using namespace confcap::status;
using namespace std::chrono_literals;
using confcap::core::Instant;
using confcap::testing::PseudoTerminal;
using confcap::testing::VirtualTerminal;

namespace {

const Instant kNow = date::sys_days{date::year{2024} / 12 / 27} + 10h + 42min;
const std::string kLongTitle =
    "10:40 Überwachung, Datenschutz und 東京の未来: a very long title that cannot fit";

JobSnapshot job(std::string key, std::string room, std::string talk, JobState state, Instant from) {
    JobSnapshot j;
    j.key = std::move(key);
    j.room = room;
    j.mark = {std::move(room), std::move(talk)};
    j.title = j.mark.talk.substr(6);
    j.from = from;
    j.until = from + 50min;
    j.talkStart = from + 5min;
    j.talkEnd = j.until - 5min;
    j.state = state;
    return j;
}

void fillBoard(StatusBoard& board) {
    auto a = job("a", "Saal 1", "10:30 Opening", JobState::Recording, kNow - 17min);
    a.bytes = 1'000'000'000;
    a.bitsPerSecond = 4.1e6;
    a.coveredSeconds = 1000;
    a.reconnects = 1;
    a.gaps = 1;
    a.gapSeconds = 20;
    board.update(a);
    auto b = job("b", "Saal 2", kLongTitle, JobState::Recording, kNow - 2min);
    b.bytes = 100'000'000;
    b.bitsPerSecond = 2e6;
    b.coveredSeconds = 120;
    board.update(b);
    auto c = job("c", "Saal 3", "10:35 Retry talk", JobState::Retrying, kNow - 7min);
    c.bytes = 200'000'000;
    c.reconnects = 4;
    board.update(c);
    board.update(job("w1", "Saal 1", "11:00 Next one", JobState::Waiting, kNow + 12min));
    board.update(job("w2", "Saal 2", "11:30 Later", JobState::Waiting, kNow + 43min));
    board.update(job("w3", "Saal 3", "12:05 Lunch talk", JobState::Waiting, kNow + 78min));
    auto d = job("d", "Saal 1", "09:30 Early", JobState::Recorded, kNow - 80min);
    d.bytes = 200'000'000;
    board.update(d);
    board.update(job("e", "Saal 2", "09:00 Broken", JobState::Failed, kNow - 110min));
}

std::vector<std::size_t> cursorUpCounts(const std::string& output) {
    std::vector<std::size_t> counts;
    static const std::regex cuu("\x1b\\[([0-9]+)A");
    for (auto it = std::sregex_iterator(output.begin(), output.end(), cuu);
         it != std::sregex_iterator(); ++it) {
        counts.push_back(std::stoul((*it)[1]));
    }
    return counts;
}

std::string withoutEscapes(const std::string& text) {
    static const std::regex csi("\x1b\\[[0-9;?]*[A-Za-z]");
    return std::regex_replace(text, csi, "");
}

TerminalTable::Options fastTable(std::chrono::milliseconds period) {
    TerminalTable::Options options;
    options.period = period;
    options.summaryPeriod = period;
    options.utc = true;
    return options;
}

constexpr std::size_t kTableLines = 8;  // headline, header, 3 active, 3 waiting

}  // namespace

BOOST_AUTO_TEST_CASE(rendersRowsThatFitTheWidth) {
    StatusBoard board;
    fillBoard(board);
    const auto lines = TerminalTable::render(board.jobs(), kNow, 80, 23, 5, nullptr);
    for (const auto& line : lines) {
        BOOST_TEST_MESSAGE(line);
        BOOST_TEST(displayWidth(line) < 80u, "too wide: " << line);
    }
    BOOST_REQUIRE_EQUAL(lines.size(), kTableLines);
    BOOST_TEST(lines[0] ==
               "confcap 10:42:00  2 recording, 1 retrying, 3 waiting, 1 done, 1 failed; 1.5 GB");
    BOOST_TEST(lines[1].starts_with("ROOM     TALK"));
    // Saal 1's talk: 17 minutes in, 33 left, 1000 of 1020 seconds covered.
    BOOST_TEST(lines[2].starts_with("Saal 1   10:30 Opening"));
    for (const auto* cell : {"Recording", "17m/33m", "1.0 GB", "4.1 Mb/s", "98%", "1/20s"}) {
        BOOST_TEST(lines[2].find(cell) != std::string::npos, cell << " in " << lines[2]);
    }
    // The long title is cut by characters, never inside one.
    BOOST_TEST(lines[3].find("Retrying") != std::string::npos);
    BOOST_TEST(lines[4].find("10:40 Überwach…") != std::string::npos);
    BOOST_TEST(confcap::core::toValidUtf8(lines[4]) == lines[4]);
    BOOST_TEST(lines[5].find("11:00 Next one") != std::string::npos);
    BOOST_TEST(lines[5].find("in 12m") != std::string::npos);
    BOOST_TEST(lines[7].find("in 1h18") != std::string::npos);

    const auto wide = TerminalTable::render(board.jobs(), kNow, 160, 23, 5, nullptr);
    BOOST_TEST(wide[4].find(kLongTitle) != std::string::npos);
    for (const auto& line : wide) {
        BOOST_TEST(displayWidth(line) < 160u);
    }
}

BOOST_AUTO_TEST_CASE(aTalkWaitingForDiskSpaceSaysSo) {
    StatusBoard board;
    auto held = job("h1", "Saal 4", "10:40 Held back", JobState::Waiting, kNow - 2min);
    held.reason = "waiting for disk space";
    board.update(held);
    const auto lines = TerminalTable::render(board.jobs(), kNow, 80, 23, 5, nullptr);
    BOOST_REQUIRE_EQUAL(lines.size(), 4U);
    BOOST_TEST(lines[3].starts_with("Saal 4   10:40 Held back"), lines[3]);
    BOOST_TEST(lines[3].ends_with("Waiting     for disk"), lines[3]);
}

BOOST_AUTO_TEST_CASE(limitsTheTableToTheLinesGiven) {
    StatusBoard board;
    fillBoard(board);
    const auto two = TerminalTable::render(board.jobs(), kNow, 80, 23, 2, nullptr);
    BOOST_REQUIRE_EQUAL(two.size(), 8u);
    BOOST_TEST(two.back() == "+ 1 more waiting");
    const auto small = TerminalTable::render(board.jobs(), kNow, 80, 6, 5, nullptr);
    BOOST_REQUIRE_EQUAL(small.size(), 6u);
    BOOST_TEST(small.back() == "+ 3 more waiting");
    const auto tiny = TerminalTable::render(board.jobs(), kNow, 80, 4, 5, nullptr);
    BOOST_REQUIRE_EQUAL(tiny.size(), 4u);
    BOOST_TEST(tiny.back() == "+ 2 more recording");
    const auto idle = TerminalTable::render({}, kNow, 80, 23, 5, nullptr);
    BOOST_REQUIRE_EQUAL(idle.size(), 3u);
    BOOST_TEST(idle[0] == "confcap 10:42:00  no jobs");
    BOOST_TEST(idle[2] == "(nothing recording)");
}

BOOST_AUTO_TEST_CASE(summarizesInOneLine) {
    StatusBoard board;
    fillBoard(board);
    BOOST_TEST(TerminalTable::summaryLine(board.jobs()) ==
               "2 recording, 1 retrying, 3 waiting, 1 done, 1 failed; 1.5 GB");
    BOOST_TEST(TerminalTable::summaryLine({}) == "no jobs");
}

BOOST_AUTO_TEST_CASE(redrawsInPlaceInARealTerminal) {
    StatusBoard board;
    fillBoard(board);
    confcap::testing::FakeClock clock(kNow);
    PseudoTerminal pty;
    Console console(pty.slave());
    BOOST_REQUIRE(console.terminal());
    BOOST_TEST(console.width() == 80u);
    confcap::testing::ManualTimer timer;
    TerminalTable table(board, console, clock, timer, fastTable(20ms));
    table.start();
    for (int i = 0; i < 6; ++i) {
        BOOST_TEST(timer.fireRepeating());
    }
    // A change shows on the next redraw.
    auto a = *board.job("a");
    a.state = JobState::Retrying;
    board.update(a);
    clock.advance(60s);
    BOOST_TEST(timer.fireRepeating());
    table.stop();
    BOOST_TEST(timer.cancelled());
    const auto output = pty.finish();

    // Stopping takes the table off the screen: its last write erases the block.
    const auto erase = "\r\x1b[" + std::to_string(kTableLines) + "A\x1b[J";
    BOOST_REQUIRE(output.ends_with(erase));
    const auto drawn = output.substr(0, output.size() - erase.size());
    VirtualTerminal after(80, 24);
    after.feed(output);
    BOOST_TEST(after.lines().empty());

    // Redrawn many times, always over the same number of lines: no scrolling, no growth.
    const auto ups = cursorUpCounts(drawn);
    BOOST_TEST(ups.size() >= 5u);
    for (const auto n : ups) {
        BOOST_TEST(n == kTableLines);
    }
    // In place, not a full-screen program: no alternate screen, no clear screen, no homing.
    for (const auto* sequence : {"\x1b[?1049h", "\x1b[2J", "\x1b[H"}) {
        BOOST_TEST(drawn.find(sequence) == std::string::npos);
    }
    std::size_t start = 0;
    for (auto end = drawn.find('\n'); end != std::string::npos; end = drawn.find('\n', start)) {
        auto line = withoutEscapes(drawn.substr(start, end - start));
        std::erase(line, '\r');
        BOOST_TEST(displayWidth(line) < 80u, "too wide: " << line);
        start = end + 1;
    }
    VirtualTerminal screen(80, 24);
    screen.feed(drawn);
    BOOST_TEST(screen.unexpected.empty());
    const auto lines = screen.lines();
    BOOST_REQUIRE_EQUAL(lines.size(), kTableLines);
    BOOST_TEST(lines[0] ==
               "confcap 10:43:00  1 recording, 2 retrying, 3 waiting, 1 done, 1 failed; 1.5 GB");
    BOOST_TEST(lines[2].find("Retrying") != std::string::npos);
    BOOST_TEST(drawn.find("confcap 10:42:00  2 recording") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(logLinesAppearAboveTheTableWithoutTearingIt) {
    StatusBoard board;
    fillBoard(board);
    confcap::testing::FakeClock clock(kNow);
    PseudoTerminal pty;
    Console console(pty.slave());
    LogWriter::Options logOptions;
    logOptions.utc = true;
    logOptions.colour = ColourMode::Never;
    LogWriter log(console, logOptions);
    board.addListener(log.listener());
    confcap::testing::ManualTimer timer;
    TerminalTable table(board, console, clock, timer, fastTable(2ms));
    table.start();
    // Redraws go on while the log lines come.
    std::atomic<bool> logging{true};
    std::thread redraws([&] {
        while (logging) {
            timer.fireRepeating();
            std::this_thread::yield();
        }
    });

    const auto eventTime = std::chrono::system_clock::time_point(kNow);
    std::set<std::string> expected;
    for (int t = 0; t < 4; ++t) {
        for (int i = 0; i < 50; ++i) {
            expected.insert("10:42:00 [Saal " + std::to_string(t) + " | talk] line " +
                            std::to_string(i) + " of thread " + std::to_string(t));
        }
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                board.publish(
                    Event{eventTime,
                          Level::Info,
                          {"Saal " + std::to_string(t), "talk"},
                          "line " + std::to_string(i) + " of thread " + std::to_string(t)});
                auto a = *board.job("a");
                a.bytes += 1000;
                board.update(a);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    logging = false;
    redraws.join();
    BOOST_TEST(timer.fireRepeating());
    table.stop();
    const auto output = pty.finish();
    const auto erase = "\r\x1b[" + std::to_string(kTableLines) + "A\x1b[J";
    BOOST_REQUIRE(output.ends_with(erase));

    VirtualTerminal screen(80, 24);
    screen.feed(output.substr(0, output.size() - erase.size()));
    BOOST_TEST(screen.unexpected.empty());
    const auto lines = screen.lines();
    BOOST_REQUIRE_EQUAL(lines.size(), expected.size() + kTableLines);
    // Every log line whole, each exactly once, all above the one table.
    const std::set<std::string> logged(lines.begin(), lines.end() - kTableLines);
    BOOST_TEST(logged == expected, boost::test_tools::per_element());
    BOOST_TEST(lines[expected.size()].starts_with("confcap 10:42:00"));
    BOOST_TEST(lines[expected.size() + 1].starts_with("ROOM"));

    VirtualTerminal after(80, 24);
    after.feed(output);
    const auto left = after.lines();
    BOOST_TEST(left.size() == expected.size());
    BOOST_TEST(std::set<std::string>(left.begin(), left.end()) == expected,
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(printsOneLineSummariesIntoAPipe) {
    StatusBoard board;
    fillBoard(board);
    confcap::testing::FakeClock clock(kNow);
    int fds[2];
    BOOST_REQUIRE(::pipe(fds) == 0);
    {
        Console console(fds[1]);
        BOOST_REQUIRE(!console.terminal());
        LogWriter::Options logOptions;
        logOptions.utc = true;
        LogWriter log(console, logOptions);  // Auto colour: none on a pipe
        board.addListener(log.listener());
        confcap::testing::ManualTimer timer;
        TerminalTable table(board, console, clock, timer, fastTable(30ms));
        table.start();
        BOOST_TEST(timer.fireRepeating());
        BOOST_TEST(timer.fireRepeating());
        board.publish(Event{std::chrono::system_clock::time_point(kNow),
                            Level::Warning,
                            {"Saal 3", "10:35 Retry talk"},
                            "stream stalled"});
        BOOST_TEST(timer.fireRepeating());
        table.stop();
    }
    ::close(fds[1]);
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) {
        out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    BOOST_TEST(out.find('\x1b') == std::string::npos);
    std::istringstream in(out);
    int summaries = 0, logLines = 0;
    for (std::string line; std::getline(in, line);) {
        if (line == "10:42:00 2 recording, 1 retrying, 3 waiting, 1 done, 1 failed; 1.5 GB") {
            ++summaries;
        } else if (line == "10:42:00 [Saal 3 | 10:35 Retry talk] warning: stream stalled") {
            ++logLines;
        } else {
            BOOST_ERROR("unexpected line: " << line);
        }
    }
    BOOST_TEST(summaries >= 3);
    BOOST_TEST(logLines == 1);
}

BOOST_AUTO_TEST_SUITE_END()
