#include "confcap/status/LogWriter.h"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "confcap/core/Error.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(LogWriterTest)

using confcap::testing::TempDir;

using namespace confcap::status;
using namespace std::chrono_literals;

namespace {

// 02:12:04 UTC is 03:12:04 in Berlin in December.
const auto kTime = std::chrono::system_clock::time_point(
    date::sys_days{date::year{2024} / 12 / 27} + 2h + 12min + 4s);

const Mark kMark{"Saal 1", "10:30 Opening"};

Event event(Level level, Mark mark, std::string message) {
    return Event{kTime, level, std::move(mark), std::move(message)};
}

/// A console that records what it was given, line by line.
struct Screen {
    std::string text;
    Console console;
    explicit Screen(bool terminal)
        : console([this](std::string_view bytes) { text.append(bytes); }, terminal) {}
    std::vector<std::string> lines() const {
        std::vector<std::string> out;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) {
            out.push_back(line);
        }
        return out;
    }
};

LogWriter::Options berlin(Verbosity verbosity = Verbosity::Normal,
                          ColourMode colour = ColourMode::Auto) {
    LogWriter::Options options;
    options.verbosity = verbosity;
    options.colour = colour;
    options.zone = date::locate_zone("Europe/Berlin");
    return options;
}

/// Sets or clears NO_COLOR for one test and puts it back afterwards.
class NoColor {
public:
    explicit NoColor(const char* value) {
        if (const char* old = std::getenv("NO_COLOR")) {
            old_ = old;
        }
        if (value) {
            ::setenv("NO_COLOR", value, 1);
        } else {
            ::unsetenv("NO_COLOR");
        }
    }
    ~NoColor() {
        if (old_) {
            ::setenv("NO_COLOR", old_->c_str(), 1);
        } else {
            ::unsetenv("NO_COLOR");
        }
    }

private:
    std::optional<std::string> old_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(writesTheExactLineFormat) {
    Screen screen(false);
    LogWriter log(screen.console, berlin());
    log.write(event(Level::Info, kMark,
                    "reconnected after 3.2 s (HTTP 503), resumed at segment 1234, nothing lost"));
    log.write(event(Level::Info, {}, "schedule refreshed: 3 talks moved"));
    log.write(event(Level::Info, {"Saal 2", ""}, "stream up"));
    log.write(event(Level::Warning, kMark, "stream stalled"));
    log.write(event(Level::Error, kMark, "cannot write the file: disk full"));
    const auto lines = screen.lines();
    BOOST_REQUIRE_EQUAL(lines.size(), 5u);
    BOOST_TEST(lines[0] ==
               "03:12:04 [Saal 1 | 10:30 Opening] reconnected after 3.2 s (HTTP 503), resumed at "
               "segment 1234, nothing lost");
    BOOST_TEST(lines[1] == "03:12:04 schedule refreshed: 3 talks moved");
    BOOST_TEST(lines[2] == "03:12:04 [Saal 2] stream up");
    BOOST_TEST(lines[3] == "03:12:04 [Saal 1 | 10:30 Opening] warning: stream stalled");
    BOOST_TEST(lines[4] ==
               "03:12:04 [Saal 1 | 10:30 Opening] error: cannot write the file: disk full");
}

BOOST_AUTO_TEST_CASE(showsUtcWhenAsked) {
    Screen screen(false);
    auto options = berlin();
    options.utc = true;
    LogWriter log(screen.console, options);
    log.write(event(Level::Info, {}, "x"));
    BOOST_TEST(screen.text == "02:12:04 x\n");
}

BOOST_AUTO_TEST_CASE(levelsFilterTheConsole) {
    const auto run = [](Verbosity verbosity) {
        Screen screen(false);
        LogWriter log(screen.console, berlin(verbosity));
        log.write(event(Level::Debug, {}, "d"));
        log.write(event(Level::Info, {}, "i"));
        log.write(event(Level::Warning, {}, "w"));
        log.write(event(Level::Error, {}, "e"));
        return screen.lines();
    };
    BOOST_TEST(run(Verbosity::Quiet) ==
                   (std::vector<std::string>{"03:12:04 warning: w", "03:12:04 error: e"}),
               boost::test_tools::per_element());
    BOOST_TEST(
        run(Verbosity::Normal) ==
            (std::vector<std::string>{"03:12:04 i", "03:12:04 warning: w", "03:12:04 error: e"}),
        boost::test_tools::per_element());
    BOOST_TEST(run(Verbosity::Verbose) ==
                   (std::vector<std::string>{"03:12:04 debug: d", "03:12:04 i",
                                             "03:12:04 warning: w", "03:12:04 error: e"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(noEscapeCodesWhenNotATerminal) {
    NoColor unset(nullptr);
    Screen screen(false);
    LogWriter log(screen.console, berlin(Verbosity::Verbose));
    BOOST_TEST(!log.colour());
    for (const auto level : {Level::Debug, Level::Info, Level::Warning, Level::Error}) {
        log.write(event(level, kMark, "message"));
    }
    BOOST_TEST(screen.lines().size() == 4u);
    BOOST_TEST(screen.text.find('\x1b') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(colourWhenForcedOn) {
    Screen screen(false);
    LogWriter log(screen.console, berlin(Verbosity::Normal, ColourMode::Always));
    log.write(event(Level::Info, kMark, "recording"));
    log.write(event(Level::Warning, kMark, "stalled"));
    log.write(event(Level::Error, {}, "failed"));
    const auto lines = screen.lines();
    BOOST_REQUIRE_EQUAL(lines.size(), 3u);
    BOOST_TEST(lines[0] == "03:12:04 \x1b[2m[Saal 1 | 10:30 Opening]\x1b[0m recording");
    BOOST_TEST(lines[1] ==
               "03:12:04 \x1b[2m[Saal 1 | 10:30 Opening]\x1b[0m \x1b[33mwarning: stalled\x1b[0m");
    BOOST_TEST(lines[2] == "03:12:04 \x1b[1;31merror: failed\x1b[0m");
}

BOOST_AUTO_TEST_CASE(noColorIsHonouredOnATerminal) {
    {
        NoColor set("1");
        Screen screen(true);
        LogWriter log(screen.console, berlin());
        BOOST_TEST(!log.colour());
        log.write(event(Level::Warning, kMark, "stalled"));
        BOOST_TEST(screen.text == "03:12:04 [Saal 1 | 10:30 Opening] warning: stalled\n");
    }
    {
        NoColor unset(nullptr);
        Screen screen(true);
        LogWriter log(screen.console, berlin());
        BOOST_TEST(log.colour());
        log.write(event(Level::Warning, kMark, "stalled"));
        BOOST_TEST(screen.text.find("\x1b[33m") != std::string::npos);
    }
    BOOST_TEST(LogWriter::wantColour(ColourMode::Auto, true, nullptr));
    BOOST_TEST(LogWriter::wantColour(ColourMode::Auto, true, ""));  // empty means unset
    BOOST_TEST(!LogWriter::wantColour(ColourMode::Auto, true, "1"));
    BOOST_TEST(!LogWriter::wantColour(ColourMode::Auto, false, nullptr));
    BOOST_TEST(LogWriter::wantColour(ColourMode::Always, false, "1"));
    BOOST_TEST(!LogWriter::wantColour(ColourMode::Never, true, nullptr));
}

BOOST_AUTO_TEST_CASE(sanitizesAHostileTitle) {
    Screen screen(true);
    LogWriter log(screen.console, berlin(Verbosity::Normal, ColourMode::Never));
    const Mark hostile{"Saal\x1b[1A",
                       "10:30 \x1b[2J\x1b]0;owned\x07"
                       "Evil\r\n03:12:05 fake line\x9b"};
    log.write(event(Level::Info, hostile, "title \x1b[31mred\x1b[0m\nsecond line"));
    BOOST_TEST(screen.text.find('\x1b') == std::string::npos);
    BOOST_TEST(screen.text.find('\x07') == std::string::npos);
    BOOST_TEST(screen.text.find('\r') == std::string::npos);
    BOOST_TEST(screen.text.find("\xc2\x9b") == std::string::npos);
    BOOST_REQUIRE_EQUAL(screen.lines().size(), 1u);
    BOOST_TEST(screen.text.find("Evil  03:12:05 fake line") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(appendsPlainLinesToTheLogFile) {
    TempDir folder;
    const auto file = folder.path / "confcap.log";
    std::ofstream(file) << "an earlier run\n";
    for (int run = 0; run < 2; ++run) {
        Screen screen(true);
        auto options = berlin(Verbosity::Quiet, ColourMode::Always);
        options.logFile = file;
        LogWriter log(screen.console, options);
        log.write(event(Level::Debug, kMark, "not in a normal log"));
        log.write(event(Level::Info, kMark, "run " + std::to_string(run)));
        log.write(event(Level::Warning, kMark, "stalled"));
        // Quiet keeps info off the console only.
        BOOST_TEST(screen.text.find("run ") == std::string::npos);
    }
    std::ifstream in(file);
    std::stringstream content;
    content << in.rdbuf();
    BOOST_TEST(content.str() ==
               "an earlier run\n"
               "2024-12-27 03:12:04 [Saal 1 | 10:30 Opening] run 0\n"
               "2024-12-27 03:12:04 [Saal 1 | 10:30 Opening] warning: stalled\n"
               "2024-12-27 03:12:04 [Saal 1 | 10:30 Opening] run 1\n"
               "2024-12-27 03:12:04 [Saal 1 | 10:30 Opening] warning: stalled\n");
}

BOOST_AUTO_TEST_CASE(verboseLogsDebugToTheFileToo) {
    TempDir folder;
    Screen screen(false);
    auto options = berlin(Verbosity::Verbose);
    options.logFile = folder.path / "v.log";
    {
        LogWriter log(screen.console, options);
        log.write(event(Level::Debug, {}, "segment 17 fetched"));
    }
    std::ifstream in(options.logFile);
    std::string line;
    std::getline(in, line);
    BOOST_TEST(line == "2024-12-27 03:12:04 debug: segment 17 fetched");
}

BOOST_AUTO_TEST_CASE(anUnwritableLogFileIsAnOutputError) {
    TempDir folder;
    Screen screen(false);
    auto options = berlin();
    options.logFile = folder.path / "missing-folder" / "x.log";
    BOOST_CHECK_EXCEPTION(
        LogWriter(screen.console, options), confcap::core::OutputError, [](const auto& e) {
            return std::string(e.what()).find("missing-folder/x.log") != std::string::npos;
        });
}

BOOST_AUTO_TEST_CASE(listensToTheBoard) {
    Screen screen(false);
    LogWriter log(screen.console, berlin());
    StatusBoard board;
    board.addListener(log.listener());
    board.publish(event(Level::Info, kMark, "Waiting -> Recording"));
    BOOST_TEST(screen.text == "03:12:04 [Saal 1 | 10:30 Opening] Waiting -> Recording\n");
}

BOOST_AUTO_TEST_SUITE_END()
