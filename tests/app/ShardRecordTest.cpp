// `--shard K/N` through the real binary: three `record --shard K/3` processes over one fake
// conference on loopback record every talk exactly once between them; `plan --shards` splits a
// large schedule so that a fourth shard takes about its share of the rooms and no more; bad values
// are refused.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(ShardRecordTest)

namespace bdata = boost::unit_test::data;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::demo::FakeRoom;
using confcap::demo::FakeTalk;
using confcap::demo::StreamKind;
using confcap::testing::ChildProcess;
using confcap::testing::RunFolders;
using confcap::testing::sidecarsUnder;

namespace {

FakeTalk talk(const std::string& id, const std::string& room, int start, int duration) {
    return {"00000000-0000-4000-8000-0000000015" + id, room, room + " talk " + id,
            std::chrono::seconds(start), std::chrono::seconds(duration)};
}

Poco::JSON::Object::Ptr parseJson(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// A frab schedule with `count` rooms of one talk each, as a file under `folder`.
fs::path bigSchedule(const fs::path& folder, int count) {
    std::vector<FakeRoom> rooms;
    std::vector<FakeTalk> talks;
    for (int i = 0; i < count; ++i) {
        const std::string name = "Room " + std::to_string(i);
        rooms.push_back({name, {"r" + std::to_string(i), StreamKind::Ts}});
        talks.push_back({"10000000-0000-4000-8000-" + std::to_string(100000000000 + i), name,
                         "Talk in " + name, std::chrono::hours(1), std::chrono::minutes(30)});
    }
    const auto path = folder / "big.xml";
    std::ofstream(path) << FakeConference::scheduleXml(rooms, talks,
                                                       std::chrono::system_clock::now(), 1);
    return path;
}

/// room -> shard, from `plan --shards N --json`.
std::map<std::string, int> shardsOf(const RunFolders& folders, const fs::path& schedule,
                                    int count) {
    const auto result = confcap::testing::runProcess(
        CONFCAP_BINARY,
        {"plan", "--schedule", schedule.string(), "--stream-template",
         "http://127.0.0.1:9/{room_slug}.ts", "--shards", std::to_string(count), "--json"},
        folders.env());
    BOOST_TEST_REQUIRE(result.exitCode == 0, result.err);
    std::map<std::string, int> shards;
    const auto rooms = parseJson(result.out)->getArray("rooms");
    for (std::size_t i = 0; i < rooms->size(); ++i) {
        const auto room = rooms->getObject(static_cast<unsigned>(i));
        shards[room->getValue<std::string>("room")] = room->getValue<int>("shard");
    }
    return shards;
}

}  // namespace

BOOST_AUTO_TEST_CASE(threeShardsRecordEveryTalkExactlyOnce) {
    // Saal 1..5 fall to shards 1, 2, 3, 3 and 2 of 3 (by their names: the fake schedule's rooms
    // have no guid), so every shard has a room to record.
    const std::vector<std::string> names = {"Saal 1", "Saal 2", "Saal 3", "Saal 4", "Saal 5"};
    std::vector<FakeRoom> rooms;
    for (std::size_t i = 0; i < names.size(); ++i) {
        rooms.push_back({names[i], {"s" + std::to_string(i + 1), StreamKind::Ts}});
    }
    const std::vector<FakeTalk> talks = {talk("01", "Saal 1", 1, 6), talk("02", "Saal 2", 1, 6),
                                         talk("03", "Saal 3", 1, 6), talk("04", "Saal 4", 1, 6),
                                         talk("05", "Saal 5", 1, 6), talk("06", "Saal 3", 7, 5)};
    const auto start =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 3s;
    FakeConference conference(confcap::testing::testClip(), rooms, talks, start);

    std::vector<std::unique_ptr<RunFolders>> folders;
    std::vector<std::unique_ptr<ChildProcess>> shards;
    for (int k = 1; k <= 3; ++k) {
        folders.push_back(std::make_unique<RunFolders>());
        std::vector<std::string> args = {"record", "--schedule", conference.scheduleUrl()};
        for (const auto& stream : conference.streamOptions()) {
            args.push_back("--stream");
            args.push_back(stream);
        }
        for (const auto* option :
             {"--out", "out", "--pad-before", "1s", "--pad-after", "1s", "--min-size", "32K",
              "--min-duration", "3s", "--refresh", "0", "--exit-when-done"}) {
            args.push_back(option);
        }
        args.push_back("--shard");
        args.push_back(std::to_string(k) + "/3");
        shards.push_back(std::make_unique<ChildProcess>(CONFCAP_BINARY, args, folders.back()->work,
                                                        folders.back()->env()));
    }
    std::multiset<std::string> recorded;
    std::vector<std::set<std::string>> roomsOf(3);
    for (int k = 0; k < 3; ++k) {
        const auto code = shards[static_cast<std::size_t>(k)]->wait(120s);
        const auto err = shards[static_cast<std::size_t>(k)]->err();
        BOOST_TEST_REQUIRE(code.has_value(), "shard " << k + 1 << " did not end:\n" << err);
        BOOST_TEST(*code == 0, err);
        BOOST_TEST(
            err.find("shard " + std::to_string(k + 1) + "/3: the talks of") != std::string::npos,
            err);
        for (const auto& sidecar : sidecarsUnder(folders[static_cast<std::size_t>(k)]->out)) {
            const auto json = confcap::testing::readJsonFile(sidecar);
            BOOST_TEST(json->getValue<std::string>("outcome") == "recorded");
            const auto talkJson = json->getObject("talk");
            recorded.insert(talkJson->getValue<std::string>("guid"));
            roomsOf[static_cast<std::size_t>(k)].insert(talkJson->getValue<std::string>("room"));
        }
        // A shard's summary lists its own talks only.
        const auto summary = confcap::testing::readJsonFile(
            folders[static_cast<std::size_t>(k)]->out / ".confcap" / "summary.json");
        const auto listed = summary->getArray("talks");
        for (std::size_t i = 0; i < listed->size(); ++i) {
            BOOST_TEST(
                listed->getObject(static_cast<unsigned>(i))->getValue<std::string>("outcome") ==
                "recorded");
        }
    }
    std::multiset<std::string> expected;
    for (const auto& t : talks) {
        expected.insert(t.guid);
    }
    BOOST_TEST(recorded == expected, boost::test_tools::per_element());
    BOOST_TEST((roomsOf[0] == std::set<std::string>{"Saal 1"}));
    BOOST_TEST((roomsOf[1] == std::set<std::string>{"Saal 2", "Saal 5"}));
    BOOST_TEST((roomsOf[2] == std::set<std::string>{"Saal 3", "Saal 4"}));

    // `confcap summary` over the three folders lists every talk once, with its folder and file.
    std::vector<std::string> args = {"summary"};
    for (const auto& f : folders) {
        args.push_back(f->out.string());
    }
    args.push_back("--json");
    const auto json = confcap::testing::runProcess(CONFCAP_BINARY, args, folders[0]->env());
    BOOST_TEST_REQUIRE(json.exitCode == 0, json.err);
    const auto listed = parseJson(json.out)->getArray("talks");
    std::multiset<std::string> summarized;
    for (std::size_t i = 0; i < listed->size(); ++i) {
        const auto entry = listed->getObject(static_cast<unsigned>(i));
        summarized.insert(entry->getValue<std::string>("key"));
        BOOST_TEST(entry->getValue<std::string>("outcome") == "recorded");
        BOOST_TEST(entry->getValue<int>("copies") == 1);
        BOOST_TEST(entry->getValue<double>("coveredSeconds") > 3.0);
        BOOST_TEST(fs::exists(entry->getValue<std::string>("file")),
                   entry->getValue<std::string>("file"));
        const auto folder = entry->getValue<std::string>("folder");
        std::size_t shard = folders.size();
        for (std::size_t k = 0; k < folders.size(); ++k) {
            if (folders[k]->out.string() == folder) {
                shard = k;
            }
        }
        BOOST_TEST_REQUIRE(shard < folders.size(), folder);
        BOOST_TEST(roomsOf[shard].count(entry->getValue<std::string>("room")) == 1u);
    }
    BOOST_TEST(summarized == expected, boost::test_tools::per_element());
    args.pop_back();
    const auto table = confcap::testing::runProcess(CONFCAP_BINARY, args, folders[0]->env());
    BOOST_TEST(table.exitCode == 0, table.err);
    BOOST_TEST(table.out.find("6 talks in 3 folders; 6 copies: 6 recorded") == 0, table.out);
    for (const auto& t : talks) {
        BOOST_TEST(table.out.find(t.title) != std::string::npos, table.out);
    }
}

BOOST_AUTO_TEST_CASE(summaryListsEachCopyAndMarksTheBest) {
    RunFolders folders;
    // Two replicas of one talk, the second covering more, and a talk only the first has.
    const auto sidecar = [](const fs::path& folder, const std::string& guid, double covered,
                            int gaps) {
        fs::create_directories(folder / "day");
        std::ofstream(folder / "day" / (guid + ".json"))
            << R"({"talk":{"guid":")" << guid << R"(","id":"1","title":"Talk )" << guid
            << R"(","room":"Saal 1","start":"2026-12-27T10:00:00Z"},"file":"day/)" << guid
            << R"(.ts","outcome":"recorded","reason":"","scheduledSeconds":100,"coveredSeconds":)"
            << covered << R"(,"gaps":[)" << (gaps > 0 ? R"({"lengthSeconds":5})" : "") << "]}";
        std::ofstream(folder / "day" / (guid + ".ts")) << "x";
    };
    const auto a = folders.root.path / "a";
    const auto b = folders.root.path / "b";
    sidecar(a, "one", 80, 1);
    sidecar(b, "one", 95, 0);
    sidecar(a, "two", 100, 0);
    fs::create_directories(a / ".confcap");
    std::ofstream(a / ".confcap" / "summary.json")
        << R"({"talks":[{"key":"three","title":"Failed Talk","room":"Saal 2","start":)"
        << R"("2026-12-27T11:00:00Z","outcome":"failed","reason":"no data arrived","file":"",)"
        << R"("covered_seconds":0,"window_seconds":100,"gaps":0,"gap_seconds":0}]})";
    const auto result = confcap::testing::runProcess(
        CONFCAP_BINARY, {"summary", a.string(), b.string(), "--json"}, folders.env());
    BOOST_TEST_REQUIRE(result.exitCode == 0, result.err);
    const auto talks = parseJson(result.out)->getArray("talks");
    BOOST_TEST_REQUIRE(talks->size() == 4u, result.out);
    std::map<std::string, bool> best;
    for (std::size_t i = 0; i < talks->size(); ++i) {
        const auto t = talks->getObject(static_cast<unsigned>(i));
        if (t->getValue<std::string>("key") == "one") {
            BOOST_TEST(t->getValue<int>("copies") == 2);
            best[t->getValue<std::string>("folder")] = t->getValue<bool>("best");
        }
        if (t->getValue<std::string>("key") == "three") {
            BOOST_TEST(t->getValue<std::string>("outcome") == "failed");
            BOOST_TEST(t->getValue<std::string>("reason") == "no data arrived");
        }
    }
    BOOST_TEST(best[a.string()] == false);
    BOOST_TEST(best[b.string()] == true);

    const auto none = confcap::testing::runProcess(CONFCAP_BINARY, {"summary"}, folders.env());
    BOOST_TEST(none.exitCode == 64, none.err);
    const auto missing = confcap::testing::runProcess(
        CONFCAP_BINARY, {"summary", a.string(), (folders.root.path / "nowhere").string()},
        folders.env());
    BOOST_TEST(missing.exitCode == 66, missing.err);
    BOOST_TEST(missing.err.find("nowhere") != std::string::npos, missing.err);
}

BOOST_AUTO_TEST_CASE(aFourthShardTakesAboutItsShareOfTheRoomsFromTheOthers) {
    RunFolders folders;
    constexpr int kRooms = 240;
    const auto schedule = bigSchedule(folders.root.path, kRooms);
    const auto three = shardsOf(folders, schedule, 3);
    const auto four = shardsOf(folders, schedule, 4);
    BOOST_TEST_REQUIRE(three.size() == std::size_t{kRooms});
    BOOST_TEST_REQUIRE(four.size() == std::size_t{kRooms});
    int moved = 0;
    for (const auto& [room, shard] : three) {
        if (four.at(room) != shard) {
            ++moved;
            BOOST_TEST(four.at(room) == 4,
                       room << " moved from " << shard << " to " << four.at(room));
        }
    }
    // Expected: a quarter of the rooms; a uniform hash stays within four standard deviations.
    const double expected = kRooms / 4.0;
    const double deviation = std::sqrt(kRooms * 0.25 * 0.75);
    BOOST_TEST_MESSAGE("3 -> 4 shards moved " << moved << " of " << kRooms << " rooms");
    BOOST_TEST(moved <= expected + 4 * deviation);
    BOOST_TEST(moved > 0);
}

BOOST_DATA_TEST_CASE(badShardsAreRefusedInOneSentence,
                     bdata::make({"--shard 0/3", "--shard 4/3", "--shard a/b", "--shards 0",
                                  "--shard 1/3 --shards 3"}),
                     options) {
    std::vector<std::string> extra;
    std::istringstream words(options);
    for (std::string word; words >> word;) {
        extra.push_back(word);
    }
    RunFolders folders;
    const auto schedule = bigSchedule(folders.root.path, 3);
    for (const char* command : {"plan", "record"}) {
        if (std::string(command) == "record" && extra.front() == "--shards") {
            continue;  // record has no --shards
        }
        std::vector<std::string> args = {command, "--schedule", schedule.string(),
                                         "--stream-template", "http://127.0.0.1:9/{room}.ts"};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto result = confcap::testing::runProcess(CONFCAP_BINARY, args, folders.env());
        BOOST_TEST(result.exitCode == 64, command << ": " << result.err);
        BOOST_TEST(std::count(result.err.begin(), result.err.end(), '\n') == 1, result.err);
        BOOST_TEST(result.err.find("shard") != std::string::npos, result.err);
    }
}

BOOST_AUTO_TEST_CASE(theShardMayComeFromTheConfigFile) {
    RunFolders folders;
    const auto schedule = bigSchedule(folders.root.path, 12);
    const auto config = folders.root.path / "confcap.ini";
    std::ofstream(config) << "schedule = " << schedule.string()
                          << "\nstream-template = http://127.0.0.1:9/{room_slug}.ts\nshard = 2/3\n";
    const auto result = confcap::testing::runProcess(
        CONFCAP_BINARY, {"plan", "--config", config.string(), "--json"}, folders.env());
    BOOST_TEST_REQUIRE(result.exitCode == 0, result.err);
    const auto plan = parseJson(result.out);
    BOOST_TEST(plan->getObject("shard")->getValue<std::string>("name") == "2/3");
    const auto all = shardsOf(folders, schedule, 3);
    const auto jobs = plan->getArray("jobs");
    const auto skipped = plan->getArray("skipped");
    BOOST_TEST(jobs->size() + skipped->size() == 12u);
    for (std::size_t i = 0; i < jobs->size(); ++i) {
        const auto room = jobs->getObject(static_cast<unsigned>(i))
                              ->getObject("talk")
                              ->getValue<std::string>("room");
        BOOST_TEST(all.at(room) == 2);
    }
    for (std::size_t i = 0; i < skipped->size(); ++i) {
        const auto entry = skipped->getObject(static_cast<unsigned>(i));
        const auto room = entry->getObject("talk")->getValue<std::string>("room");
        BOOST_TEST(entry->getValue<std::string>("reason") ==
                   "room '" + room + "' is recorded by shard " + std::to_string(all.at(room)) +
                       "/3");
    }
}

BOOST_AUTO_TEST_SUITE_END()
