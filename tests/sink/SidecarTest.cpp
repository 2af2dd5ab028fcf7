// sidecarText by table: each row changes one thing about a recording and names the field of the
// sidecar that shows it (or that it is left out), plus the order the fields are written in.
#include "confcap/sink/Sidecar.h"

#include <unistd.h>

#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Query.h>
#include <Poco/JSON/Stringifier.h>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "confcap/core/Error.h"

BOOST_AUTO_TEST_SUITE(SidecarTest)

namespace data = boost::unit_test::data;
using confcap::core::Outcome;
using confcap::sink::PartPiece;
using confcap::sink::PartTrack;
using confcap::sink::RecordedGap;
using confcap::sink::RecordedSwitch;
using confcap::sink::SidecarInput;
using confcap::sink::sidecarText;
using namespace std::chrono_literals;

namespace {

// 2024-12-27T10:25:00Z
const std::chrono::system_clock::time_point kStart{1'735'295'100s};

/// A recorded talk of a 45-minute window in one file, with nothing unusual about it.
SidecarInput plain() {
    SidecarInput input;
    input.talk.title = "Opening";
    input.streamUrl = "http://127.0.0.1:8080/saal1.m3u8";
    input.windowStart = kStart;
    input.windowEnd = kStart + 45min;
    input.outDir = "/rec";
    input.files = {"/rec/2024-12-27/Saal 1/10:30 Opening.ts"};
    input.merged = true;
    input.pieces = {PartPiece{{PartTrack{0, "10:30 Opening.ts.part", {}, "", ""}}, false}};
    input.counters.bytes = 1000;
    input.counters.coveredSeconds = 2700;
    input.counters.measured = true;
    input.keptPieces = 1;
    input.reason = "recorded: 1.00 kB covering 45m of the 45m window";
    input.finalizedBecause = "window ended";
    return input;
}

PartPiece withRenditions(std::vector<std::pair<std::string, std::string>> renditions) {
    PartPiece piece{{PartTrack{0, "main.ts.part", {}, "", ""}}, false};
    int track = 1;
    for (const auto& [name, language] : renditions) {
        piece.tracks.push_back(PartTrack{track++, "a.aac.part", {}, name, language});
    }
    return piece;
}

RecordedGap gapOf(std::chrono::seconds offset, std::chrono::milliseconds length) {
    RecordedGap gap;
    gap.at = kStart + offset;
    gap.offset = offset;
    gap.length = length;
    gap.cause = "connection lost";
    return gap;
}

RecordedSwitch stepDown(std::chrono::seconds offset) {
    RecordedSwitch change;
    change.at = kStart + offset;
    change.offset = offset;
    change.from = {1280, 720, 2'200'000};
    change.to = {640, 360, 660'000};
    change.why = "fetching took longer than playing";
    return change;
}

struct Row {
    const char* name;
    std::function<void(SidecarInput&)> change;
    const char* path;      ///< a JSON path (Poco::JSON::Query)
    const char* expected;  ///< the value there, condensed JSON; "absent" when it is left out
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
    return out << row.name;
}

const std::vector<Row> kRows = {
    {"the window in UTC, to the second", [](SidecarInput& in) { in.windowEnd += 1500ms; },
     "window.end", R"("2024-12-27T11:10:01Z")"},
    {"the scheduled length to the millisecond", [](SidecarInput& in) { in.windowEnd += 1500ms; },
     "scheduledSeconds", "2701.5"},
    {"the talk as list --json has it", [](SidecarInput&) {}, "talk.title", R"("Opening")"},
    {"files relative to the output folder", [](SidecarInput&) {}, "file",
     R"("2024-12-27/Saal 1/10:30 Opening.ts")"},
    {"pieces kept apart: every file, the final one first",
     [](SidecarInput& in) {
         in.files.push_back("/rec/2024-12-27/Saal 1/10:30 Opening-2.ts");
         in.merged = false;
     },
     "files", R"(["2024-12-27/Saal 1/10:30 Opening.ts","2024-12-27/Saal 1/10:30 Opening-2.ts"])"},
    {"first data after the window opened", [](SidecarInput& in) { in.firstData = kStart + 2345ms; },
     "firstDataOffsetSeconds", "2.345"},
    {"first data before the window opened",
     [](SidecarInput& in) { in.firstData = kStart - 1500ms; }, "firstDataOffsetSeconds", "-1.5"},
    {"no first data", [](SidecarInput&) {}, "firstDataOffsetSeconds", "absent"},
    {"covered time rounded to the millisecond",
     [](SidecarInput& in) { in.counters.coveredSeconds = 12.34567; }, "coveredSeconds", "12.346"},
    {"covered time not read from the media", [](SidecarInput& in) { in.counters.measured = false; },
     "coveredFromMedia", "false"},
    {"a gap with what is known about it",
     [](SidecarInput& in) {
         auto gap = gapOf(90s, 4500ms);
         gap.detail = "The server closed the connection.";
         gap.firstSequence = 17;
         gap.lastSequence = 18;
         in.counters.gaps.push_back(gap);
     },
     "gaps[0]",
     R"({"at":"2024-12-27T10:26:30Z","cause":"connection lost","detail":"The server closed the connection.","firstSequence":17,"lastSequence":18,"lengthSeconds":4.5,"offsetSeconds":90})"},
    {"a gap with only its time and cause",
     [](SidecarInput& in) { in.counters.gaps.push_back(gapOf(-10s, 250ms)); }, "gaps[0]",
     R"({"at":"2024-12-27T10:24:50Z","cause":"connection lost","lengthSeconds":0.25,"offsetSeconds":-10})"},
    {"no gaps", [](SidecarInput&) {}, "gaps", "[]"},
    {"a move to another variant, with both variants' resolution and bandwidth",
     [](SidecarInput& in) { in.counters.variants.push_back(stepDown(90s)); }, "variants[0]",
     R"({"at":"2024-12-27T10:26:30Z","from":{"bandwidth":2200000,"resolution":"1280x720"},"offsetSeconds":90,"to":{"bandwidth":660000,"resolution":"640x360"},"why":"fetching took longer than playing"})"},
    {"a variant without a resolution",
     [](SidecarInput& in) {
         auto change = stepDown(90s);
         change.to = {0, 0, 64'000};
         in.counters.variants.push_back(change);
     },
     "variants[0].to", R"({"bandwidth":64000})"},
    {"the variant never changed", [](SidecarInput&) {}, "variants", "absent"},
    {"audio renditions, each named once",
     [](SidecarInput& in) {
         in.pieces = {withRenditions({{"English", "en"}, {"Deutsch", "de"}}),
                      withRenditions({{"English", "en"}})};
     },
     "audioRenditions",
     R"([{"language":"en","name":"English"},{"language":"de","name":"Deutsch"}])"},
    {"no audio renditions", [](SidecarInput&) {}, "audioRenditions", "absent"},
    {"dropped bytes after a write failure",
     [](SidecarInput& in) { in.counters.droppedBytes = 4096; }, "droppedBytes", "4096"},
    {"no dropped bytes", [](SidecarInput&) {}, "droppedBytes", "absent"},
    {"the pieces kept, not all pieces",
     [](SidecarInput& in) {
         in.pieces.push_back(in.pieces.front());
         in.counters.pieces = 2;
     },
     "pieces", "1"},
    {"HLS segments per piece: sequence, offset in the piece's file, seconds",
     [](SidecarInput& in) {
         in.segments = {{1, 0, 752, {{41, 0, 4.0}, {42, 376, 3.9995}}}};
     },
     "segments[0]", R"({"bytes":752,"list":[[41,0,4],[42,376,4]],"piece":1,"track":0})"},
    {"no segments (not HLS)", [](SidecarInput&) {}, "segments", "absent"},
    {"the outcome by name",
     [](SidecarInput& in) { in.outcome = confcap::core::Outcome::Discarded; }, "outcome",
     R"("discarded")"},
    {"why it ended", [](SidecarInput& in) { in.finalizedBecause = "stopped"; }, "finalizedBecause",
     R"("stopped")"},
    {"the notes in order",
     [](SidecarInput& in) {
         in.notes = {"first", "second"};
     },
     "notes", R"(["first","second"])"},
};

/// The value at `path` in the JSON `text`, condensed; "absent" when there is none.
std::string valueAt(const std::string& text, const std::string& path) {
    Poco::JSON::Parser parser;
    const auto value = Poco::JSON::Query(parser.parse(text)).find(path);
    if (value.isEmpty()) {
        return "absent";
    }
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(value, out);
    return out.str();
}

}  // namespace

BOOST_DATA_TEST_CASE(what_the_sidecar_says, data::make(kRows), row) {
    auto input = plain();
    row.change(input);
    BOOST_TEST(valueAt(sidecarText(input), row.path) == row.expected);
}

BOOST_AUTO_TEST_CASE(fields_in_a_fixed_order_and_a_newline_at_the_end) {
    auto input = plain();
    input.firstData = kStart;
    input.counters.droppedBytes = 1;
    input.pieces = {withRenditions({{"English", "en"}})};
    input.counters.variants.push_back(stepDown(10s));
    const auto text = sidecarText(input);
    std::istringstream order(
        "talk stream window firstDataOffsetSeconds file files audioRenditions bytes "
        "scheduledSeconds coveredSeconds coveredFromMedia gaps variants reconnects pieces merged "
        "droppedBytes outcome reason finalizedBecause notes");
    std::size_t last = 0;
    for (std::string key; order >> key;) {
        // Top-level keys are indented by two spaces.
        const auto at = text.find("\n  \"" + key + "\"");
        BOOST_TEST_REQUIRE(at != std::string::npos, key);
        BOOST_TEST(at > last, key << " comes after the field before it");
        last = at;
    }
    BOOST_TEST(text.back() == '\n');
}

BOOST_AUTO_TEST_CASE(amendmentsFromTwoThreadsAreBothKept) {
    const auto folder = std::filesystem::temp_directory_path() /
                        ("confcap-sidecar-amend-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    const auto sidecar = folder / "talk.json";
    std::ofstream(sidecar) << R"({"file": "talk.ts", "window": {"start": "2026-12-27T10:00:00Z"},)"
                           << R"( "firstDataOffsetSeconds": 2.4})"
                           << "\n";
    // The hook runner and the health checks amend the same sidecar at the same time.
    const auto amend = [&](const std::string& field) {
        for (int i = 0; i < 40; ++i) {
            confcap::sink::amendSidecar(sidecar, {{field, i}});
        }
    };
    std::thread hooks(amend, "onRecorded");
    std::thread health(amend, "health");
    hooks.join();
    health.join();
    std::ifstream in(sidecar);
    const auto root = Poco::JSON::Parser().parse(in).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(root->getValue<int>("onRecorded") == 39);
    BOOST_TEST(root->getValue<int>("health") == 39);
    BOOST_TEST(root->getValue<std::string>("file") == "talk.ts");
    const auto first = confcap::sink::sidecarFirstData(sidecar);
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(confcap::core::formatUtc(*first) == "2026-12-27T10:00:02Z");
    BOOST_CHECK_THROW(confcap::sink::amendSidecar(folder / "missing.json", {{"health", 1}}),
                      confcap::core::OutputError);
    BOOST_TEST(!confcap::sink::sidecarFirstData(folder / "missing.json").has_value());
    std::filesystem::remove_all(folder);
}

BOOST_AUTO_TEST_CASE(theDocumentReadsBackWhatItWrote) {
    auto input = plain();
    input.firstData = kStart + 1500ms;
    input.pieces = {withRenditions({{"English", "en"}})};
    input.counters.gaps.push_back(gapOf(120s, 2500ms));
    input.counters.variants.push_back(stepDown(10s));
    input.segments = {{1, 0, 376, {{100, 0, 4.0}, {101, 188, 4.0}}}};
    const auto text = sidecarText(input);
    BOOST_TEST(valueAt(text, "version") == "1");
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    const auto json = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    const auto read = confcap::sink::sidecarFrom(*json);
    BOOST_TEST(read.file() == "2024-12-27/Saal 1/10:30 Opening.ts");
    BOOST_TEST(read.gaps.at(0).offset.count() == 120'000);
    BOOST_TEST(read.variants.at(0).to.height == 360);
    BOOST_TEST(read.segments.at(0).list.size() == 2u);
    BOOST_TEST(confcap::core::formatUtc(*read.firstData()) == "2024-12-27T10:25:02Z");
    BOOST_TEST(confcap::sink::sidecarText(read) == text);
}

BOOST_AUTO_TEST_CASE(aSidecarWithoutVersionKeepsWhatOthersAdded) {
    // As an older confcap wrote it, amended by the health checks.
    const std::string text =
        R"({"talk": {"guid": "g"}, "window": {"start": "2024-12-27T10:25:00Z"},)"
        R"( "gaps": [{"offsetSeconds": 4, "lengthSeconds": 2, "cause": "missing in every copy"}],)"
        R"( "outcome": "recorded", "health": {"video": true}, "notes": []})";
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    const auto read =
        confcap::sink::sidecarFrom(*parser.parse(text).extract<Poco::JSON::Object::Ptr>());
    BOOST_TEST(read.talk.guid == "g");
    BOOST_TEST(!read.firstData().has_value());
    BOOST_TEST_REQUIRE(read.others.size() == 1u);
    BOOST_TEST(read.others[0].first == "health");
    const auto written = confcap::sink::sidecarText(read);
    BOOST_TEST(valueAt(written, "health.video") == "true");
    BOOST_TEST(valueAt(written, "version") == "1");
    // A gap of a merged file tells no wall time, and gets none.
    BOOST_TEST(valueAt(written, "gaps[0].at") == "absent");
    BOOST_TEST(valueAt(written, "gaps[0].offsetSeconds") == "4");
}

BOOST_AUTO_TEST_CASE(aFilesCheckIsTheHashItsOwnToolsPrint) {
    // XXH128 as `xxhsum -H2` prints it, SHA-256 as `sha256sum` does.
    const auto folder = std::filesystem::temp_directory_path() /
                        ("confcap-filecheck-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    const auto empty = folder / "empty.ts";
    const auto some = folder / "some.ts";
    std::ofstream(empty).close();
    std::ofstream(some, std::ios::binary) << std::string(200'000, 'a');
    using Hash = confcap::sink::FileCheck::Hash;
    const auto none = confcap::sink::fileCheckOf(empty);
    BOOST_TEST_REQUIRE(none.has_value());
    BOOST_TEST(none->bytes == 0u);
    BOOST_TEST(none->digest == "99aa06d3014798d86001c324468d497f");
    const auto check = confcap::sink::fileCheckOf(some);
    BOOST_TEST_REQUIRE(check.has_value());
    BOOST_TEST(check->bytes == 200'000u);
    BOOST_TEST((check->hash == Hash::Xxh128));
    BOOST_TEST(check->digest == "62877c42deec445efe6260b94654c0f4");
    const auto sha = confcap::sink::fileCheckOf(some, Hash::Sha256);
    BOOST_TEST_REQUIRE(sha.has_value());
    BOOST_TEST(sha->digest == "2287d207f24a941ff3b56c04c8a25ad56b63e3023207b3bb5b4ac0c9869d74be");
    // Given in pieces, the same as whole.
    confcap::sink::FileHasher pieces;
    pieces.add(std::string(1, 'a'));
    pieces.add(std::string(199'999, 'a'));
    BOOST_TEST((pieces.done() == *check));
    BOOST_TEST(!confcap::sink::fileCheckOf(folder / "missing.ts").has_value());
    std::filesystem::remove_all(folder);
}

BOOST_AUTO_TEST_CASE(theFileCheckReadsBackWithItsHash) {
    using confcap::sink::FileCheck;
    auto input = plain();
    input.fileCheck = FileCheck{376, FileCheck::Hash::Xxh128, "62877c42deec445efe6260b94654c0f4"};
    const auto text = sidecarText(input);
    BOOST_TEST(valueAt(text, "fileCheck.xxh128") == R"("62877c42deec445efe6260b94654c0f4")");
    BOOST_TEST(valueAt(text, "fileCheck.sha256") == "absent");
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    const auto read =
        confcap::sink::sidecarFrom(*parser.parse(text).extract<Poco::JSON::Object::Ptr>());
    BOOST_TEST((read.fileCheck == input.fileCheck));
    // A sidecar from before XXH128 keeps its SHA-256, which recut then checks the file by.
    const std::string older =
        R"({"file": "a.ts", "fileCheck": {"bytes": 5, "sha256": "2cf24dba"}, "notes": []})";
    const auto old =
        confcap::sink::sidecarFrom(*parser.parse(older).extract<Poco::JSON::Object::Ptr>());
    BOOST_TEST_REQUIRE(old.fileCheck.has_value());
    BOOST_TEST((old.fileCheck->hash == FileCheck::Hash::Sha256));
    BOOST_TEST(old.fileCheck->digest == "2cf24dba");
    BOOST_TEST(valueAt(confcap::sink::sidecarText(old), "fileCheck.sha256") == R"("2cf24dba")");
}

BOOST_AUTO_TEST_SUITE_END()
