#include "confcap/status/Console.h"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

BOOST_AUTO_TEST_SUITE(ConsoleTest)

using namespace confcap::status;

namespace {

struct Capture {
    std::vector<std::string> writes;
    Console::Writer writer() {
        return [this](std::string_view bytes) { writes.emplace_back(bytes); };
    }
    std::string all() const {
        std::string out;
        for (const auto& w : writes) {
            out += w;
        }
        return out;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(printsAboveTheBlockInOneWrite) {
    Capture capture;
    Console console(capture.writer(), true, 80, 24);
    console.showBlock({"table 1", "table 2"});
    BOOST_TEST(capture.all() == "table 1\x1b[K\ntable 2\x1b[K\n\x1b[J");
    capture.writes.clear();

    console.print("a log line");
    // One write: back over the block, erase it, the line, the block again.
    BOOST_REQUIRE_EQUAL(capture.writes.size(), 1u);
    BOOST_TEST(capture.writes[0] == "\r\x1b[2A\x1b[Ja log line\ntable 1\x1b[K\ntable 2\x1b[K\n");
    capture.writes.clear();

    console.showBlock({"only one"});
    BOOST_TEST(capture.all() == "\r\x1b[2Aonly one\x1b[K\n\x1b[J");
    capture.writes.clear();

    console.clearBlock();
    BOOST_TEST(capture.all() == "\r\x1b[1A\x1b[J");
    capture.writes.clear();
    console.print("after");
    BOOST_TEST(capture.all() == "after\n");
}

BOOST_AUTO_TEST_CASE(cutsTheBlockToTheScreen) {
    Capture capture;
    Console console(capture.writer(), true, 20, 5);
    console.showBlock({"123456789012345678901234567890", "b", "c", "d", "e", "f"});
    const auto out = capture.all();
    BOOST_TEST(out.find("1234567890123456789") == std::string::npos);
    BOOST_TEST(out.find("123456789012345678…") != std::string::npos);
    BOOST_TEST(out.find("d\x1b[K") != std::string::npos);
    BOOST_TEST(out.find("e\x1b[K") == std::string::npos);  // 4 lines fit below a 5-row screen
}

BOOST_AUTO_TEST_CASE(aPipeGetsPlainLinesOnly) {
    int fds[2];
    BOOST_REQUIRE(::pipe(fds) == 0);
    {
        Console console(fds[1]);
        BOOST_TEST(!console.terminal());
        console.showBlock({"never shown"});
        console.print("one");
        console.print("two\n");
        console.clearBlock();
    }
    ::close(fds[1]);
    std::string out;
    char buffer[256];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) {
        out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    BOOST_TEST(out == "one\ntwo\n");
}

BOOST_AUTO_TEST_SUITE_END()
