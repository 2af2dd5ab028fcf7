#include "confcap/status/Summary.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/status/TextFormat.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(SummaryTest)

using confcap::testing::TempDir;

using namespace confcap::status;
using namespace std::chrono_literals;
using confcap::core::Instant;
namespace fs = std::filesystem;

namespace {

const Instant kDay = date::sys_days{date::year{2024} / 12 / 27};

JobSnapshot job(std::string key, std::string room, std::string talk, JobState state, Instant start,
                std::string reason = {}, std::string file = {}) {
    JobSnapshot j;
    j.key = std::move(key);
    j.room = room;
    j.title = talk.substr(6);
    j.mark = {std::move(room), std::move(talk)};
    j.talkStart = start;
    j.talkEnd = start + 45min;
    j.from = start - 5min;
    j.until = j.talkEnd + 5min;
    j.state = state;
    j.reason = std::move(reason);
    j.file = std::move(file);
    return j;
}

/// A 30 s outage 600.5 s into the job's window.
confcap::core::Gap outageIn(const JobSnapshot& job) {
    confcap::core::Gap gap;
    gap.at = std::chrono::system_clock::time_point(job.from + 600s + 500ms);
    gap.length = 30s;
    gap.cause = "outage";
    gap.detail = "HTTP 503";
    return gap;
}

Poco::JSON::Object::Ptr parseJson(const std::string& json) {
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::vector<JobSnapshot> finalJobs() {
    auto recorded = job("r", "Saal 1", "10:30 Opening", JobState::Recorded, kDay + 9h + 30min, "",
                        "Saal 1/2024-12-27 10-30 Opening.ts");
    recorded.bytes = 1'200'000'000;
    recorded.coveredSeconds = 3270;
    recorded.gapSeconds = 30;
    recorded.gaps = 2;
    recorded.reconnects = 3;
    auto discarded = job("d", "Saal 2", "11:00 Tiny", JobState::Discarded, kDay + 10h,
                         "only 2 kB in 5 s, below --min-size 1 MB");
    discarded.bytes = 2000;
    discarded.coveredSeconds = 5;
    return {
        recorded,
        discarded,
        job("f", "Saal 3", "11:30 Dark", JobState::Failed, kDay + 10h + 30min,
            "the stream never answered (HTTP 404)"),
        job("s", "Saal 4", "12:00 Optout", JobState::Skipped, kDay + 11h,
            "the speaker opted out of recording"),
        job("c", "Saal 1", "12:30 Gone", JobState::Cancelled, kDay + 11h + 30min,
            "removed from the schedule"),
        job("w", "Saal 2", "13:00 Later", JobState::Waiting, kDay + 12h),
        job("i", "Saal 3", "13:30 Cut \x1b[31mshort\x1b[0m", JobState::Recording,
            kDay + 12h + 30min, "", "Saal 3/2024-12-27 13-30 Cut short.ts.part"),
    };
}

}  // namespace

BOOST_AUTO_TEST_CASE(jsonHasEveryTalkWithOutcomeAndReason) {
    const auto summary = Summary::fromJobs(finalJobs(), kDay + 14h);
    const auto root =
        Poco::JSON::Parser().parse(summary.toJson()).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(root->getValue<std::string>("finished") == "2024-12-27T14:00:00Z");
    const auto counts = root->getObject("counts");
    BOOST_TEST(counts->getValue<int>("recorded") == 1);
    BOOST_TEST(counts->getValue<int>("discarded") == 1);
    BOOST_TEST(counts->getValue<int>("failed") == 1);
    BOOST_TEST(counts->getValue<int>("skipped") == 1);
    BOOST_TEST(counts->getValue<int>("cancelled") == 3);
    const auto talks = root->getArray("talks");
    BOOST_REQUIRE_EQUAL(talks->size(), 7u);

    const std::vector<std::pair<std::string, std::string>> expected{
        {"recorded", ""},
        {"discarded", "only 2 kB in 5 s, below --min-size 1 MB"},
        {"failed", "the stream never answered (HTTP 404)"},
        {"skipped", "the speaker opted out of recording"},
        {"cancelled", "removed from the schedule"},
        {"cancelled", "the run stopped before its window began"},
        {"cancelled",
         "the run stopped during its window; the partial file is finished on the next start"},
    };
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto talk = talks->getObject(static_cast<unsigned>(i));
        BOOST_TEST(talk->getValue<std::string>("outcome") == expected[i].first, i);
        BOOST_TEST(talk->getValue<std::string>("reason") == expected[i].second, i);
    }
    const auto first = talks->getObject(0);
    BOOST_TEST(first->getValue<std::string>("key") == "r");
    BOOST_TEST(first->getValue<std::string>("room") == "Saal 1");
    BOOST_TEST(first->getValue<std::string>("title") == "Opening");
    BOOST_TEST(first->getValue<std::string>("talk") == "10:30 Opening");
    BOOST_TEST(first->getValue<std::string>("start") == "2024-12-27T09:30:00Z");
    BOOST_TEST(first->getValue<std::string>("end") == "2024-12-27T10:15:00Z");
    BOOST_TEST(first->getValue<std::string>("from") == "2024-12-27T09:25:00Z");
    BOOST_TEST(first->getValue<std::string>("until") == "2024-12-27T10:20:00Z");
    BOOST_TEST(first->getValue<std::string>("file") == "Saal 1/2024-12-27 10-30 Opening.ts");
    BOOST_TEST(first->getValue<std::uint64_t>("bytes") == 1'200'000'000u);
    BOOST_TEST(first->getValue<double>("scheduled_seconds") == 2700.0);
    BOOST_TEST(first->getValue<double>("window_seconds") == 3300.0);
    BOOST_TEST(first->getValue<double>("covered_seconds") == 3270.0);
    BOOST_TEST(first->getValue<double>("gap_seconds") == 30.0);
    BOOST_TEST(first->getValue<int>("gaps") == 2);
    BOOST_TEST(first->getValue<int>("reconnects") == 3);
    // Text that reaches a terminal or a page carries no escape sequences.
    BOOST_TEST(summary.toJson().find("\\u001b") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(jsonKeepsEachGapAndTheZone) {
    auto jobs = finalJobs();
    jobs[0].gapSpans = {outageIn(jobs[0])};
    auto summary = Summary::fromJobs(jobs, kDay + 12h);
    BOOST_TEST(parseJson(summary.toJson())->getValue<std::string>("zone") == "UTC");
    summary.setZone("Europe/Berlin");
    const auto root = parseJson(summary.toJson());
    BOOST_TEST(root->getValue<std::string>("zone") == "Europe/Berlin");
    const auto talks = root->getArray("talks");
    const auto spans = talks->getObject(0)->getArray("gap_spans");
    BOOST_REQUIRE_EQUAL(spans->size(), 1u);
    BOOST_TEST(spans->getObject(0)->getValue<double>("offset_seconds") == 600.5);
    BOOST_TEST(spans->getObject(0)->getValue<double>("seconds") == 30.0);
    BOOST_TEST(spans->getObject(0)->getValue<std::string>("cause") == "outage");
    BOOST_TEST(spans->getObject(0)->getValue<std::string>("detail") == "HTTP 503");
    BOOST_TEST(talks->getObject(1)->getArray("gap_spans")->size() == 0u);
}

BOOST_AUTO_TEST_CASE(printsAReadableTable) {
    std::ostringstream out;
    Summary::fromJobs(finalJobs(), kDay + 14h).print(out);
    std::vector<std::string> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) {
        BOOST_TEST_MESSAGE(line);
        lines.push_back(line);
    }
    BOOST_REQUIRE_EQUAL(lines.size(), 9u);
    BOOST_TEST(
        lines[0] ==
        "Summary: 1 recorded, 1 discarded, 1 failed, 1 skipped, 3 cancelled (7 talks, 1.2 GB)");
    BOOST_TEST(lines[1].starts_with("OUTCOME    ROOM    TALK"));
    BOOST_TEST(lines[2] ==
               "recorded   Saal 1  10:30 Opening             54m/55m 99%      2 (30s)    Saal "
               "1/2024-12-27 10-30 Opening.ts");
    BOOST_TEST(lines[4].starts_with("failed     Saal 3  11:30 Dark"));
    BOOST_TEST(lines[4].ends_with("the stream never answered (HTTP 404)"));
    // Columns line up on screen (by characters, not bytes): the covered cell of every row
    // starts under the header's COVERED.
    const auto column = lines[1].find("COVERED");
    static const std::regex covered("[0-9]+[smh][0-9]*/[0-9]");
    for (std::size_t i = 2; i < lines.size(); ++i) {
        std::smatch match;
        BOOST_REQUIRE(std::regex_search(lines[i], match, covered));
        BOOST_TEST(displayWidth(lines[i].substr(0, static_cast<std::size_t>(match.position()))) ==
                   column);
    }
    BOOST_TEST(out.str().find('\x1b') == std::string::npos);

    std::ostringstream empty;
    Summary::fromJobs({}, kDay).print(empty);
    BOOST_TEST(empty.str() == "Summary: no talks\n");
}

BOOST_AUTO_TEST_CASE(tellsWhatBecameOfTheHooks) {
    auto summary = Summary::fromJobs(finalJobs(), kDay + 14h);
    confcap::run::HookRecord ok;
    ok.key = "r";
    ok.state = confcap::run::HookState::Ok;
    ok.exit = "exited with status 0";
    confcap::run::HookRecord failed;
    failed.key = "d";
    failed.state = confcap::run::HookState::Failed;
    failed.exit = "exited with status 1";
    summary.addHooks({ok, failed});
    BOOST_TEST(summary.hookCount(confcap::run::HookState::Ok) == 1u);
    BOOST_TEST(summary.hookCount(confcap::run::HookState::TimedOut) == 0u);

    std::ostringstream out;
    summary.print(out);
    BOOST_TEST(out.str().find("\nHooks: 1 ok, 1 failed\n") != std::string::npos);
    BOOST_TEST(out.str().find("below --min-size 1 MB - hook failed: exited with status 1\n") !=
               std::string::npos);
    BOOST_TEST(out.str().find("hook ok") == std::string::npos);

    const auto root =
        Poco::JSON::Parser().parse(summary.toJson()).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(root->getObject("hooks")->getValue<int>("ok") == 1);
    BOOST_TEST(root->getObject("hooks")->getValue<int>("failed") == 1);
    BOOST_TEST(root->getObject("hooks")->getValue<int>("timed-out") == 0);
    const auto talks = root->getArray("talks");
    BOOST_TEST(talks->getObject(1)->getObject("hook")->getValue<std::string>("state") == "failed");
    BOOST_TEST(!talks->getObject(2)->has("hook"));
    // Without hooks the JSON is as it was.
    BOOST_TEST(!Poco::JSON::Parser()
                    .parse(Summary::fromJobs(finalJobs(), kDay).toJson())
                    .extract<Poco::JSON::Object::Ptr>()
                    ->has("hooks"));
}

BOOST_AUTO_TEST_CASE(showsWhatTheHealthCheckFound) {
    auto jobs = finalJobs();
    confcap::health::ContentHealth content;
    content.analysedSeconds = 3300;
    content.hasVideo = content.hasAudio = true;
    content.silence = {2280, confcap::health::Stretch{720, 2280}, {}};
    content.loudnessLufs = -23.4;
    jobs[0].health.content = content;
    jobs[0].health.flags = {"silent 38.0 min from 10:42"};
    jobs[0].health.middleThumbnail = ".confcap/thumbs/Saal 1/2024-12-27 10-30 Opening.jpg";
    jobs[0].health.stripThumbnail = ".confcap/thumbs/Saal 1/2024-12-27 10-30 Opening-strip.jpg";
    const auto summary = Summary::fromJobs(jobs, kDay + 14h);
    std::ostringstream out;
    summary.print(out);
    BOOST_TEST(out.str().find("Opening.ts - silent 38.0 min from 10:42\n") != std::string::npos);
    const auto talks = Poco::JSON::Parser()
                           .parse(summary.toJson())
                           .extract<Poco::JSON::Object::Ptr>()
                           ->getArray("talks");
    const auto opening = talks->getObject(0);
    const auto health = opening->getObject("health");
    BOOST_REQUIRE(!health.isNull());
    BOOST_TEST(health->getObject("silence")->getObject("longest")->getValue<double>(
                   "offsetSeconds") == 720.0);
    BOOST_TEST(health->getValue<double>("loudnessLufs") == -23.4);
    BOOST_TEST(opening->getArray("health_flags")->getElement<std::string>(0) ==
               "silent 38.0 min from 10:42");
    BOOST_TEST(opening->getObject("thumbnails")->getValue<std::string>("strip") ==
               ".confcap/thumbs/Saal 1/2024-12-27 10-30 Opening-strip.jpg");
    // A talk that was not checked has neither.
    BOOST_TEST(!talks->getObject(1)->has("health"));
    BOOST_TEST(!talks->getObject(1)->has("thumbnails"));
}

BOOST_AUTO_TEST_CASE(writesTheJsonAtomically) {
    TempDir folder;
    const auto path = Summary::defaultPath(folder.path / "out");
    BOOST_TEST(path == folder.path / "out" / ".confcap" / "summary.json");
    const auto summary = Summary::fromJobs(finalJobs(), kDay + 14h);
    summary.writeJson(path);
    Summary::fromJobs({}, kDay).writeJson(path);  // replaces the file
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    BOOST_TEST(content.str() == Summary::fromJobs({}, kDay).toJson());
    // Nothing but the summary is left in the folder.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(path.parent_path())) {
        ++files;
    }
    BOOST_TEST(files == 1u);
}

BOOST_AUTO_TEST_CASE(anUnwritableFolderIsAnOutputError) {
    TempDir folder;
    std::ofstream(folder.path / "file") << "not a folder";
    BOOST_CHECK_THROW(Summary::fromJobs({}, kDay).writeJson(folder.path / "file" / "summary.json"),
                      confcap::core::OutputError);
    if (::geteuid() != 0) {  // root writes anywhere
        fs::create_directory(folder.path / "locked");
        fs::permissions(folder.path / "locked", fs::perms::owner_read | fs::perms::owner_exec);
        BOOST_CHECK_THROW(Summary::fromJobs({}, kDay).writeJson(folder.path / "locked" / "s.json"),
                          confcap::core::OutputError);
    }
}

BOOST_AUTO_TEST_CASE(theJsonReadsBackAsTheSameSummary) {
    // Everything toJson() writes: gaps, a hook, health, thumbnails, a full disk, the zone.
    auto jobs = finalJobs();
    const auto gap = outageIn(jobs[0]);
    jobs[0].gapSpans = {gap};
    jobs[0].diskFullSeconds = 12.5;
    confcap::health::ContentHealth content;
    content.analysedSeconds = 3300;
    content.hasVideo = content.hasAudio = true;
    content.loudnessLufs = -23.4;
    jobs[0].health.content = content;
    jobs[0].health.flags = {"silent 38.0 min from 10:42"};
    jobs[0].health.middleThumbnail = ".confcap/thumbs/a.jpg";
    jobs[0].health.stripThumbnail = ".confcap/thumbs/a-strip.jpg";
    auto summary = Summary::fromJobs(jobs, kDay + 14h);
    summary.setZone("Europe/Berlin");
    confcap::run::HookRecord failed;
    failed.key = "d";
    failed.state = confcap::run::HookState::Failed;
    failed.exit = "exited with status 1";
    summary.addHooks({failed});

    const auto json = summary.toJson();
    BOOST_TEST(parseJson(json)->getValue<int>("version") == 1);
    const auto back = Summary::fromJson(json);
    BOOST_TEST(back.toJson() == json);
    BOOST_REQUIRE_EQUAL(back.entries().size(), summary.entries().size());
    BOOST_TEST((back.entries()[0].gapSpans.at(0).at == gap.at));
    BOOST_TEST(back.entries()[0].health->loudnessLufs.value_or(0) == -23.4);
    BOOST_TEST(back.zone() == "Europe/Berlin");
    BOOST_TEST(back.hookCount(confcap::run::HookState::Failed) == 1u);
}

BOOST_AUTO_TEST_CASE(anOlderJsonWithoutVersionIsRead) {
    // As confcap wrote it before the summary had a version; an unknown outcome is left out.
    const auto summary = Summary::fromJson(R"({"finished": "2024-12-27T14:00:00Z",
        "zone": "UTC", "talks": [
        {"key": "a", "room": "Saal 1", "title": "Opening", "start": "2024-12-27T10:30:00Z",
         "from": "2024-12-27T10:25:00Z", "until": "2024-12-27T11:10:00Z", "outcome": "recorded",
         "file": "2024-12-27/Saal 1/10:30 Opening.ts", "window_seconds": 2700,
         "covered_seconds": 2650, "gaps": 1,
         "gap_spans": [{"offset_seconds": 60, "seconds": 50, "cause": "outage"}]},
        {"key": "b", "outcome": "exploded"}]})");
    BOOST_REQUIRE_EQUAL(summary.entries().size(), 1u);
    const auto& entry = summary.entries()[0];
    BOOST_TEST(entry.key == "a");
    BOOST_TEST((entry.outcome == confcap::core::Outcome::Recorded));
    BOOST_TEST(entry.coveredSeconds == 2650.0);
    BOOST_REQUIRE_EQUAL(entry.gapSpans.size(), 1u);
    BOOST_TEST((entry.gapSpans[0].at == entry.from + 60s));
    BOOST_TEST((entry.gapSpans[0].length == 50s));
}

BOOST_AUTO_TEST_CASE(whatIsNotASummaryIsAnInputError) {
    BOOST_CHECK_THROW(Summary::fromJson("{"), confcap::core::InputError);
    BOOST_CHECK_THROW(Summary::fromJson("[1, 2]"), confcap::core::InputError);
    BOOST_CHECK_THROW(Summary::fromJson(R"({"talks": {}})"), confcap::core::InputError);
    BOOST_TEST(!Summary::readJson("/nonexistent/summary.json").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
