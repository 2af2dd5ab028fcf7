// `confcap merge` over real recordings: two `confcap capture` processes record the same live HLS
// stream from two loopback servers that fail at different times (two hosts on two uplinks),
// and merge makes one file per talk with each copy's segments filling the other's gap.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "confcap/demo/FakeStreamServer.h"
#include "confcap/sink/PartSet.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(MergeEndToEndTest)

namespace fs = std::filesystem;
using confcap::demo::FakeStreamServer;
using confcap::demo::Fault;
using confcap::demo::StreamKind;
using confcap::demo::StreamSpec;
using confcap::testing::readJsonFile;
using confcap::testing::runConfcap;
using confcap::testing::runProcess;
using confcap::testing::TempDir;
using confcap::testing::testClip;

namespace {

constexpr const char* kCaptureFor = "40s";

/// One host: its own server of the same stream (the same segments under the same sequence
/// numbers, as two hosts see one CDN) with its own outage, and its own output folder.
struct Replica {
    std::unique_ptr<FakeStreamServer> server;
    fs::path folder;
    confcap::testing::ProcessResult result;
};

/// Records the stream on every replica at once with `confcap capture`.
void recordAll(std::vector<Replica>& replicas) {
    std::vector<std::thread> threads;
    for (auto& replica : replicas) {
        threads.emplace_back([&replica] {
            replica.result = runConfcap({"capture", replica.server->url("room"), "--for",
                                         kCaptureFor, "-o", (replica.folder / "talk.ts").string(),
                                         "--min-size", "1K", "--min-duration", "1s"});
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
}

Replica replica(const fs::path& folder, double outageFrom, double outageTo,
                StreamKind kind = StreamKind::Hls) {
    Replica r;
    r.server = std::make_unique<FakeStreamServer>(
        testClip(),
        std::vector<StreamSpec>{{"room", kind, 3, 0, false, {Fault::drop(outageFrom, outageTo)}}});
    r.folder = folder;
    return r;
}

/// The largest step between consecutive packets of each kind ("video", "audio") in a file, and
/// the span of its timestamps, as ffprobe reads them.
struct Continuity {
    std::map<std::string, double> largestJump;
    std::map<std::string, int> packets;
    double first = 1e18;
    double last = 0;
};

Continuity continuityOf(const fs::path& file) {
    const auto result = runProcess(
        "ffprobe", {"-v", "error", "-show_entries", "packet=codec_type,pts_time,duration_time",
                    "-of", "csv=p=0", file.string()});
    BOOST_REQUIRE_EQUAL(result.exitCode, 0);
    Continuity c;
    std::map<std::string, double> previousEnd;
    std::istringstream lines(result.out);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string type, pts, duration;
        std::getline(fields, type, ',');
        std::getline(fields, pts, ',');
        std::getline(fields, duration, ',');
        if (pts.empty() || pts == "N/A") {
            continue;
        }
        const double start = std::stod(pts);
        const double length = duration.empty() || duration == "N/A" ? 0 : std::stod(duration);
        if (const auto p = previousEnd.find(type); p != previousEnd.end()) {
            c.largestJump[type] = std::max(c.largestJump[type], start - p->second);
        }
        previousEnd[type] = start + length;
        c.packets[type] += 1;
        c.first = std::min(c.first, start);
        c.last = std::max(c.last, start + length);
    }
    return c;
}

/// The sequences a copy's sidecar lists.
std::set<std::int64_t> sequencesOf(const fs::path& sidecar) {
    std::set<std::int64_t> sequences;
    const auto json = readJsonFile(sidecar);
    const auto pieces = json->getArray("segments");
    BOOST_REQUIRE(pieces);
    for (std::size_t i = 0; i < pieces->size(); ++i) {
        for (const auto& mark : confcap::sink::segmentsFrom(
                 *pieces->getObject(static_cast<unsigned>(i))->getArray("list"))) {
            sequences.insert(mark.sequence);
        }
    }
    return sequences;
}

/// The sequences from the lowest to the highest of `sequences` that it lacks.
std::set<std::int64_t> missingIn(const std::set<std::int64_t>& sequences, std::int64_t first,
                                 std::int64_t last) {
    std::set<std::int64_t> missing;
    for (auto s = first; s <= last; ++s) {
        if (sequences.count(s) == 0) {
            missing.insert(s);
        }
    }
    return missing;
}

}  // namespace

BOOST_AUTO_TEST_CASE(replicasFillEachOthersGapsAndACommonGapStays) {
    TempDir temp;
    // Pair one loses 8-18 s on one host and 28-38 s on the other; pair two loses 12-22 s on
    // both. Each outage is longer than the playlist's window, so segments are really lost. The
    // ten seconds between pair one's outages leave room for the first host's reconnect, which
    // the retry policy's backoff may put eight seconds after its stream is back.
    std::vector<Replica> replicas;
    replicas.push_back(replica(temp.path / "a", 8, 18));
    replicas.push_back(replica(temp.path / "b", 28, 38));
    replicas.push_back(replica(temp.path / "c", 12, 22));
    replicas.push_back(replica(temp.path / "d", 12, 22));
    recordAll(replicas);
    for (const auto& r : replicas) {
        BOOST_TEST_CONTEXT(r.folder) {
            BOOST_REQUIRE_MESSAGE(r.result.exitCode == 0, r.result.err);
            BOOST_REQUIRE(fs::exists(r.folder / "talk.json"));
        }
    }

    // Pair one: every segment is in one copy or the other.
    const auto a = sequencesOf(temp.path / "a" / "talk.json");
    const auto b = sequencesOf(temp.path / "b" / "talk.json");
    std::set<std::int64_t> both(a.begin(), a.end());
    both.insert(b.begin(), b.end());
    const auto first = *both.begin();
    const auto last = *both.rbegin();
    BOOST_TEST(!missingIn(a, first, last).empty());
    BOOST_TEST(!missingIn(b, first, last).empty());
    BOOST_REQUIRE(missingIn(both, first, last).empty());
    BOOST_TEST_MESSAGE("segments " << first << "-" << last << "; a lacks "
                                   << missingIn(a, first, last).size() << ", b lacks "
                                   << missingIn(b, first, last).size());

    const auto merged = runConfcap({"merge", (temp.path / "a").string(), (temp.path / "b").string(),
                                    "--out", (temp.path / "ab").string()});
    BOOST_REQUIRE_MESSAGE(merged.exitCode == 0, merged.err);
    BOOST_TEST(merged.out.find("no gap") != std::string::npos, merged.out);
    const auto file = temp.path / "ab" / "talk.ts";
    BOOST_REQUIRE(fs::exists(file));
    const auto sidecar = readJsonFile(temp.path / "ab" / "talk.json");
    BOOST_TEST(sidecar->getArray("gaps")->size() == 0u);
    BOOST_TEST(sequencesOf(temp.path / "ab" / "talk.json") == both);
    const auto sources = sidecar->getObject("replicas")->getArray("sources");
    BOOST_REQUIRE_EQUAL(sources->size(), 2u);
    double total = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        const auto source = sources->getObject(static_cast<unsigned>(i));
        BOOST_TEST(source->getValue<std::string>("folder") ==
                   (temp.path / (i == 0 ? "a" : "b")).string());
        BOOST_TEST(source->getValue<double>("seconds") > 0.0);
        total += source->getValue<double>("seconds");
    }
    BOOST_TEST(total == static_cast<double>(both.size()) * 1.0, boost::test_tools::tolerance(0.05));
    // ffprobe: video and audio run on without a hole over the whole window.
    auto c = continuityOf(file);
    BOOST_TEST_MESSAGE("merged: " << c.last - c.first << " s; largest step video "
                                  << c.largestJump["video"] << " s, audio "
                                  << c.largestJump["audio"] << " s; " << merged.out);
    BOOST_TEST(c.packets["video"] > 0);
    BOOST_TEST(c.packets["audio"] > 0);
    BOOST_TEST(c.largestJump["video"] < 0.5);
    BOOST_TEST(c.largestJump["audio"] < 0.5);
    BOOST_TEST(c.last - c.first == static_cast<double>(both.size()),
               boost::test_tools::tolerance(0.1));

    // Pair two: the seconds both lost stay exactly that gap.
    const auto cs = sequencesOf(temp.path / "c" / "talk.json");
    const auto ds = sequencesOf(temp.path / "d" / "talk.json");
    std::set<std::int64_t> cd(cs.begin(), cs.end());
    cd.insert(ds.begin(), ds.end());
    const auto lost = missingIn(cd, *cd.begin(), *cd.rbegin());
    BOOST_REQUIRE(!lost.empty());
    BOOST_TEST_MESSAGE("c and d both lack " << lost.size() << " segments from " << *lost.begin());
    const auto common = runConfcap({"merge", (temp.path / "c").string(), (temp.path / "d").string(),
                                    "--out", (temp.path / "cd").string()});
    BOOST_REQUIRE_MESSAGE(common.exitCode == 0, common.err);
    const auto gaps = readJsonFile(temp.path / "cd" / "talk.json")->getArray("gaps");
    BOOST_REQUIRE_EQUAL(gaps->size(), 1u);
    const auto gap = gaps->getObject(0);
    BOOST_TEST(gap->getValue<std::int64_t>("firstSequence") == *lost.begin());
    BOOST_TEST(gap->getValue<std::int64_t>("lastSequence") == *lost.rbegin());
    BOOST_TEST(gap->getValue<std::string>("cause") == "missing in every copy");
    BOOST_TEST(sequencesOf(temp.path / "cd" / "talk.json") == cd);

    // Merging again never replaces: the second file gets " (2)".
    const auto again = runConfcap({"merge", (temp.path / "a").string(), (temp.path / "b").string(),
                                   "--out", (temp.path / "ab").string()});
    BOOST_REQUIRE_EQUAL(again.exitCode, 0);
    BOOST_TEST(fs::exists(temp.path / "ab" / "talk (2).ts"));
    BOOST_TEST(fs::exists(temp.path / "ab" / "talk (2).json"));

    // A talk in one folder only is copied, and its sidecar says so.
    const auto single =
        runConfcap({"merge", (temp.path / "a").string(), "--out", (temp.path / "one").string()});
    BOOST_REQUIRE_MESSAGE(single.exitCode == 0, single.err);
    BOOST_TEST(confcap::testing::readFile(temp.path / "one" / "talk.ts") ==
               confcap::testing::readFile(temp.path / "a" / "talk.ts"));
    const auto copied = readJsonFile(temp.path / "one" / "talk.json");
    BOOST_TEST(copied->getObject("replicas")->getValue<int>("copies") == 1);
}

BOOST_AUTO_TEST_CASE(progressiveCopiesAreMergedByTimestamp) {
    TempDir temp;
    // Progressive MPEG-TS: one host loses 6-12 s, the other 16-22 s; a reconnect starts at the
    // live point, so each outage is lost on its host.
    std::vector<Replica> replicas;
    replicas.push_back(replica(temp.path / "a", 6, 12, StreamKind::Ts));
    replicas.push_back(replica(temp.path / "b", 16, 22, StreamKind::Ts));
    recordAll(replicas);
    for (const auto& r : replicas) {
        BOOST_TEST_CONTEXT(r.folder) {
            BOOST_REQUIRE_MESSAGE(r.result.exitCode == 0, r.result.err);
            const auto c = continuityOf(r.folder / "talk.ts");
            BOOST_TEST_MESSAGE(r.folder << ": largest video step " << c.largestJump.at("video")
                                        << " s");
            BOOST_TEST(c.largestJump.at("video") > 2.0);  // the copy has its hole
        }
    }
    const auto merged = runConfcap({"merge", (temp.path / "a").string(), (temp.path / "b").string(),
                                    "--out", (temp.path / "ab").string()});
    BOOST_REQUIRE_MESSAGE(merged.exitCode == 0, merged.err);
    BOOST_TEST_MESSAGE(merged.out);
    const auto sidecar = readJsonFile(temp.path / "ab" / "talk.json");
    BOOST_TEST(sidecar->getArray("gaps")->size() == 0u);
    const auto replicasJson = sidecar->getObject("replicas");
    BOOST_TEST(replicasJson->getValue<bool>("cutByTimestamp"));
    const auto sources = replicasJson->getArray("sources");
    BOOST_REQUIRE_EQUAL(sources->size(), 2u);
    BOOST_TEST(sources->getObject(0)->getValue<double>("seconds") > 0.0);
    BOOST_TEST(sources->getObject(1)->getValue<double>("seconds") > 0.0);
    auto c = continuityOf(temp.path / "ab" / "talk.ts");
    BOOST_TEST_MESSAGE("merged: " << c.last - c.first << " s; largest step video "
                                  << c.largestJump["video"] << " s, audio "
                                  << c.largestJump["audio"] << " s");
    BOOST_TEST(c.largestJump["video"] < 0.5);
    BOOST_TEST(c.largestJump["audio"] < 0.5);
}

BOOST_AUTO_TEST_SUITE_END()
