#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "confcap/sink/RoomTape.h"
#include "support/Browser.h"
#include "support/FakeClock.h"
#include "support/MediaTestSupport.h"
#include "support/RunProcess.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(SummaryCommandTest)

namespace fs = std::filesystem;
using confcap::testing::occurrences;
using confcap::testing::runConfcap;

namespace {

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

/// A sidecar as `record` writes it, with what the health analysis and thumbnails add.
std::string sidecar(const std::string& title, const std::string& file, double covered,
                    const std::string& extra) {
    return R"({"talk": {"guid": "guid-1", "id": "1", "title": ")" + title +
           R"(", "room": "Saal 1", "start": "2024-12-27T10:30:00Z"},
 "window": {"start": "2024-12-27T10:29:00Z", "end": "2024-12-27T11:35:00Z"},
 "file": ")" +
           file + R"(", "outcome": "recorded", "reason": "recorded",
 "coveredSeconds": )" +
           std::to_string(covered) + R"(, "scheduledSeconds": 3960,
 "gaps": [{"at": "2024-12-27T10:41:00Z", "offsetSeconds": 720, "lengthSeconds": 95,
           "cause": "stream restarted"}])" +
           extra + "}\n";
}

/// Two replicas of one room: both hold the opening (A covers more, and has its pictures and
/// health); B's summary.json also lists a talk that failed there, with its gap.
struct Replicas {
    confcap::testing::TempDir root;
    fs::path a = root.path / "hostA";
    fs::path b = root.path / "hostB";
    Replicas() {
        write(a / "Saal 1" / "opening.ts", std::string(4096, 'G'));
        write(a / "Saal 1" / "opening.json",
              sidecar("Opening <script>", "Saal 1/opening.ts", 3800,
                      R"(, "thumbnails": {"middle": ".confcap/thumbs/opening.jpg",
                           "strip": ".confcap/thumbs/opening-strip.jpg"},
                      "firstDataOffsetSeconds": 0,
                      "health": {"analysedSeconds": 3960, "video": true, "audio": true,
                                 "silence": {"seconds": 2280,
                                             "longest": {"offsetSeconds": 780, "seconds": 2280}},
                                 "black": {"seconds": 0}, "frozen": {"seconds": 0}})"));
        write(a / ".confcap" / "thumbs" / "opening.jpg", "\xFF\xD8\xFF jpeg");
        write(a / ".confcap" / "thumbs" / "opening-strip.jpg", "\xFF\xD8\xFF jpeg");
        write(a / ".confcap" / "summary.json", R"({"zone": "Europe/Berlin", "talks": []})");
        write(b / "Saal 1" / "opening.ts", std::string(2048, 'G'));
        write(b / "Saal 1" / "opening.json",
              sidecar("Opening <script>", "Saal 1/opening.ts", 1900, ""));
        write(b / ".confcap" / "summary.json", R"json({"zone": "Europe/Berlin", "talks": [
  {"key": "guid-2", "room": "Saal 1", "title": "Dark Talk", "start": "2024-12-27T12:00:00Z",
   "from": "2024-12-27T11:59:00Z", "until": "2024-12-27T13:05:00Z", "outcome": "failed",
   "reason": "the stream never answered (HTTP 404)", "file": "", "covered_seconds": 0,
   "window_seconds": 3960, "gaps": 1, "gap_seconds": 3960,
   "gap_spans": [{"offset_seconds": 0, "seconds": 3960, "cause": "not live yet"}]}]})json");
    }
};

std::string read(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

BOOST_AUTO_TEST_CASE(writesOnePageForSeveralFolders) {
    Replicas replicas;
    const auto page = replicas.root.path / "report" / "all.html";
    const auto result =
        runConfcap({"summary", replicas.a.string(), replicas.b.string(), "--html", page.string()});
    BOOST_TEST_REQUIRE(result.exitCode == 0, result.err);
    BOOST_TEST(result.out.find("Opening <script>") != std::string::npos);  // the table as before
    const auto html = read(page);
    BOOST_TEST(html.find("2 talks in 2 folders: 1 failed, 2 recorded") != std::string::npos, html);
    BOOST_TEST(html.find("all times in <strong id=\"zone\">Europe/Berlin</strong>") !=
               std::string::npos);
    BOOST_TEST(occurrences(html, "<tr class=") == 3u);
    // The timeline draws each talk once (the best copy) with its gap by cause.
    BOOST_TEST(occurrences(html, "<g class=\"talk ") == 2u);
    BOOST_TEST(html.find("data-cause=\"stream restarted\"") != std::string::npos);
    BOOST_TEST(html.find("data-cause=\"not live yet\"") != std::string::npos);
    BOOST_TEST(html.find("(the best of 2 copies)") != std::string::npos);
    // Pictures and health from the sidecar; a copy without them gets the placeholder.
    BOOST_TEST(html.find("<img class=\"thumb\" src=\"../hostA/.confcap/thumbs/opening.jpg\"") !=
               std::string::npos);
    BOOST_TEST(
        html.find("<img class=\"strip\" src=\"../hostA/.confcap/thumbs/opening-strip.jpg\"") !=
        std::string::npos);
    BOOST_TEST(occurrences(html, "<div class=\"nothumb\">") == 2u);
    BOOST_TEST(html.find("<li>silent 38.0 min from 11:42</li>") != std::string::npos);
    BOOST_TEST(html.find("the stream never answered (HTTP 404)") != std::string::npos);
    BOOST_TEST(html.find("<script") == std::string::npos);
    // Every link leads to a file that is there, relative to the page.
    const std::regex link("(?:href|src)=\"(\\.\\./[^\"]+)\"");
    std::size_t links = 0;
    for (std::sregex_iterator it(html.begin(), html.end(), link), end; it != end; ++it) {
        const auto target = std::regex_replace((*it)[1].str(), std::regex("%20"), " ");
        BOOST_TEST(fs::is_regular_file(page.parent_path() / target), target);
        ++links;
    }
    BOOST_TEST(links == 5u);  // two copies, the best one's bar, a thumbnail and a strip
}

BOOST_AUTO_TEST_CASE(eachRoomsTapeIsListedForRecut) {
    confcap::testing::TempDir out;
    {
        confcap::testing::FakeClock clock(
            std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)));
        confcap::sink::RoomTape tape(out.path / ".confcap" / "tape" / "Saal 1", clock);
        tape.beginPiece({"ts", true}, false);
        const std::string bytes(188 * 10, '\x47');
        confcap::core::Chunk chunk;
        chunk.bytes = bytes;
        tape.write(chunk);
        clock.advance(std::chrono::seconds(90));
        tape.write(chunk);
    }
    const auto page = out.path / "summary.html";
    const auto result = runConfcap({"summary", out.path.string(), "--html", page.string()});
    BOOST_TEST(result.exitCode == 0, result.err);
    BOOST_TEST(result.out.find("Room tapes") != std::string::npos, result.out);
    // The page's timeline draws the tape in its room's row.
    const auto html = read(page);
    BOOST_TEST(html.find("<g class=\"tape\" data-room=\"Saal 1\"><title>tape of Saal 1: 1 piece, "
                         "3.8 kB</title>") != std::string::npos,
               html);
    BOOST_TEST(occurrences(html, "class=\"tape-span\"") == 1u);
    BOOST_TEST(result.out.find("Saal 1") != std::string::npos, result.out);
    BOOST_TEST(result.out.find("2027-01-15T08:00:00Z to 2027-01-15T08:01:30Z, 1 piece, 3.8 kB") !=
                   std::string::npos,
               result.out);
}

BOOST_AUTO_TEST_CASE(aPageThatCannotBeWrittenIsOneSentenceAndExit73) {
    Replicas replicas;
    write(replicas.root.path / "file", "a regular file");
    const auto page = replicas.root.path / "file" / "summary.html";
    const auto result = runConfcap({"summary", replicas.a.string(), "--html", page.string()});
    BOOST_TEST(result.exitCode == 73, result.err);
    BOOST_TEST(result.err.find(page.string()) != std::string::npos, result.err);
    BOOST_TEST(std::count(result.err.begin(), result.err.end(), '\n') == 1, result.err);
}

BOOST_AUTO_TEST_SUITE_END()
