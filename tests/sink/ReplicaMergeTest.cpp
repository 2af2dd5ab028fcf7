// scanReplica and mergeCopies on made-up copies: MPEG-TS "segments" of one packet each, whose
// bytes tell which copy and sequence they came from, so the merged file can be read back.
#include "confcap/sink/ReplicaMerge.h"

#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/MediaTestSupport.h"

BOOST_AUTO_TEST_SUITE(ReplicaMergeTest)

namespace fs = std::filesystem;
using confcap::sink::mergeCopies;
using confcap::sink::scanReplica;
using confcap::testing::readFile;
using confcap::testing::TempDir;

namespace {

constexpr std::size_t kPacket = 188;

/// One packet: the sync byte, then `tag` and the sequence as text, padded.
std::string packet(char tag, std::int64_t sequence) {
    std::string p(kPacket, ' ');
    p[0] = 0x47;
    const auto text = std::string(1, tag) + std::to_string(sequence);
    p.replace(1, text.size(), text);
    return p;
}

/// Writes a copy of the talk "t1" into `folder`: the sequences `first`..`last` without
/// `missing`, one packet each, with its sidecar.
void writeCopy(const fs::path& folder, char tag, std::int64_t first, std::int64_t last,
               const std::vector<std::int64_t>& missing) {
    fs::create_directories(folder / "Room");
    std::string bytes;
    std::string list;
    for (auto s = first; s <= last; ++s) {
        if (std::find(missing.begin(), missing.end(), s) != missing.end()) {
            continue;
        }
        list += std::string(list.empty() ? "" : ",") + "[" + std::to_string(s) + "," +
                std::to_string(bytes.size()) + ",2]";
        bytes += packet(tag, s);
    }
    std::ofstream(folder / "Room" / "talk.ts", std::ios::binary) << bytes;
    std::ofstream(folder / "Room" / "talk.json")
        << R"({"talk": {"id": "t1", "guid": "g-1", "title": "Talk"}, "file": "Room/talk.ts",)"
        << R"( "files": ["Room/talk.ts"], "coveredSeconds": 1, "gaps": [], "merged": true,)"
        << R"( "container": {"format": "ts"}, "segments": [{"piece": 1, "track": 0, "bytes": )"
        << bytes.size() << R"(, "list": [)" << list << R"(]}], "outcome": "recorded"})";
}

std::string expected(const std::vector<std::pair<char, std::int64_t>>& packets) {
    std::string bytes;
    for (const auto& [tag, sequence] : packets) {
        bytes += packet(tag, sequence);
    }
    return bytes;
}

Poco::JSON::Object::Ptr readJson(const fs::path& path) {
    return Poco::JSON::Parser().parse(readFile(path)).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(copiesAreCutBySegmentAndPlacedUnderTheSameName) {
    TempDir temp;
    writeCopy(temp.path / "a", 'A', 10, 15, {12, 13});
    writeCopy(temp.path / "b", 'B', 10, 15, {15});
    const auto a = scanReplica(temp.path / "a");
    const auto b = scanReplica(temp.path / "b");
    BOOST_REQUIRE_EQUAL(a.copies.size(), 1u);
    BOOST_REQUIRE_EQUAL(b.copies.size(), 1u);
    BOOST_TEST(a.copies[0].key == "guid:g-1");
    BOOST_TEST(a.copies[0].segments.size() == 4u);
    const auto merged = mergeCopies({a.copies[0], b.copies[0]}, temp.path / "out");
    BOOST_TEST(merged.cut);
    BOOST_TEST(merged.file == temp.path / "out" / "Room" / "talk.ts");
    BOOST_TEST(readFile(merged.file) ==
               expected({{'A', 10}, {'A', 11}, {'B', 12}, {'B', 13}, {'B', 14}, {'A', 15}}));
    const auto sidecar = readJson(merged.sidecar);
    BOOST_TEST(sidecar->getValue<std::string>("file") == "Room/talk.ts");
    BOOST_TEST(sidecar->getArray("gaps")->size() == 0u);
    BOOST_TEST(sidecar->getValue<double>("coveredSeconds") == 12.0);
    const auto sources = sidecar->getObject("replicas")->getArray("sources");
    BOOST_TEST(sources->getObject(0)->getValue<double>("seconds") == 6.0);
    BOOST_TEST(sources->getObject(1)->getValue<double>("seconds") == 6.0);
    // The merged file's segments point into it.
    const auto segments =
        confcap::sink::segmentsFrom(*sidecar->getArray("segments")->getObject(0)->getArray("list"));
    BOOST_REQUIRE_EQUAL(segments.size(), 6u);
    BOOST_TEST(segments[2].sequence == 12);
    BOOST_TEST(segments[2].offset == 2 * kPacket);

    // Merging again places a second file beside it, replacing nothing.
    const auto again = mergeCopies({a.copies[0], b.copies[0]}, temp.path / "out");
    BOOST_TEST(again.file == temp.path / "out" / "Room" / "talk (2).ts");
    BOOST_TEST(readFile(merged.file) == readFile(again.file));
}

BOOST_AUTO_TEST_CASE(aSegmentNoCopyHoldsStaysAGap) {
    TempDir temp;
    writeCopy(temp.path / "a", 'A', 1, 8, {4, 5, 6});
    writeCopy(temp.path / "b", 'B', 1, 8, {5, 6, 7});
    const auto merged = mergeCopies(
        {scanReplica(temp.path / "a").copies[0], scanReplica(temp.path / "b").copies[0]},
        temp.path / "out");
    BOOST_TEST(readFile(merged.file) ==
               expected({{'A', 1}, {'A', 2}, {'A', 3}, {'B', 4}, {'A', 7}, {'A', 8}}));
    const auto gaps = readJson(merged.sidecar)->getArray("gaps");
    BOOST_REQUIRE_EQUAL(gaps->size(), 1u);
    BOOST_TEST(gaps->getObject(0)->getValue<int>("firstSequence") == 5);
    BOOST_TEST(gaps->getObject(0)->getValue<int>("lastSequence") == 6);
    BOOST_TEST(gaps->getObject(0)->getValue<double>("offsetSeconds") == 8.0);
    BOOST_TEST(gaps->getObject(0)->getValue<double>("lengthSeconds") == 4.0);
}

BOOST_AUTO_TEST_CASE(damagedOrUncuttableCopies) {
    TempDir temp;
    writeCopy(temp.path / "a", 'A', 1, 4, {});
    std::ofstream(temp.path / "a" / "broken.json") << R"({"talk": )";
    std::ofstream(temp.path / "a" / "other.json") << R"({"not": "a sidecar"})";
    const auto scan = scanReplica(temp.path / "a");
    BOOST_TEST(scan.copies.size() == 1u);
    BOOST_REQUIRE_EQUAL(scan.warnings.size(), 1u);
    BOOST_TEST(scan.warnings[0].find("broken.json") != std::string::npos);
    // A file whose size does not match its segments cannot be cut: it is taken whole.
    writeCopy(temp.path / "b", 'B', 1, 4, {2});
    std::ofstream(temp.path / "b" / "Room" / "talk.ts", std::ios::app) << "x";
    const auto b = scanReplica(temp.path / "b");
    BOOST_REQUIRE_EQUAL(b.copies.size(), 1u);
    BOOST_TEST(b.copies[0].segments.empty());
    const auto merged = mergeCopies({scan.copies[0], b.copies[0]}, temp.path / "out");
    BOOST_TEST(!merged.cut);
    BOOST_TEST(readFile(merged.file) == readFile(temp.path / "a" / "Room" / "talk.ts"));
}

BOOST_AUTO_TEST_SUITE_END()
