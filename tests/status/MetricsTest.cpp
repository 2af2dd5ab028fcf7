#include "confcap/status/Metrics.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(MetricsTest)

using namespace confcap::status;
using namespace std::chrono_literals;
using confcap::core::Instant;
using TimePoint = std::chrono::system_clock::time_point;

namespace {

const Instant kNow = date::sys_days{date::year{2024} / 12 / 27} + 10h + 42min;

JobSnapshot job(std::string key, std::string room, std::string title, JobState state, Instant from,
                Instant until) {
    JobSnapshot s;
    s.key = std::move(key);
    s.room = std::move(room);
    s.title = std::move(title);
    s.mark = {s.room, "10:30 " + s.title};
    s.from = from;
    s.until = until;
    s.talkStart = from + 1min;
    s.talkEnd = until - 5min;
    s.state = state;
    return s;
}

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    return lines;
}

/// A sample line: name, labels, value.
struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    std::string value;
};

/// Reads one sample line as the exposition format defines it; nullopt when it is not one.
std::optional<Sample> parseSample(const std::string& line) {
    static const std::regex kName("^([a-zA-Z_:][a-zA-Z0-9_:]*)");
    static const std::regex kValue(R"(^ (NaN|[+-]Inf|[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)$)");
    std::smatch match;
    if (!std::regex_search(line, match, kName)) {
        return std::nullopt;
    }
    Sample sample;
    sample.name = match[1];
    std::size_t at = sample.name.size();
    if (at < line.size() && line[at] == '{') {
        ++at;
        while (at < line.size() && line[at] != '}') {
            const auto eq = line.find("=\"", at);
            if (eq == std::string::npos) {
                return std::nullopt;
            }
            const auto label = line.substr(at, eq - at);
            if (!std::regex_match(label, std::regex("[a-zA-Z_][a-zA-Z0-9_]*"))) {
                return std::nullopt;
            }
            std::string value;
            at = eq + 2;
            for (;;) {
                if (at >= line.size()) {
                    return std::nullopt;
                }
                const char c = line[at++];
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    if (at >= line.size()) {
                        return std::nullopt;
                    }
                    const char e = line[at++];
                    if (e == 'n') {
                        value += '\n';
                    } else if (e == '\\' || e == '"') {
                        value += e;
                    } else {
                        return std::nullopt;
                    }
                } else {
                    value += c;
                }
            }
            sample.labels[label] = value;
            if (at < line.size() && line[at] == ',') {
                ++at;
            }
        }
        if (at >= line.size()) {
            return std::nullopt;
        }
        ++at;  // '}'
    }
    const auto rest = line.substr(at);
    if (!std::regex_match(rest, match, kValue)) {
        return std::nullopt;
    }
    sample.value = match[1];
    return sample;
}

/// Every line of `text`, checked: HELP and TYPE once per family before its samples, samples of
/// a family together, every sample well-formed. Returns the samples.
std::vector<Sample> checkedSamples(const std::string& text) {
    BOOST_TEST_REQUIRE(!text.empty());
    BOOST_TEST(text.back() == '\n');
    std::vector<Sample> samples;
    std::set<std::string> families;
    std::string current;
    std::string type;
    for (const auto& line : linesOf(text)) {
        BOOST_TEST_CONTEXT("line: " << line) {
            BOOST_TEST_REQUIRE(!line.empty());
            if (line.starts_with("# HELP ")) {
                const auto name = line.substr(7, line.find(' ', 7) - 7);
                BOOST_TEST(families.insert(name).second, "a second family " << name);
                current = name;
                type.clear();
                continue;
            }
            if (line.starts_with("# TYPE ")) {
                std::istringstream words(line.substr(7));
                std::string name;
                words >> name >> type;
                BOOST_TEST(name == current);
                BOOST_TEST((type == "gauge" || type == "counter"));
                continue;
            }
            const auto sample = parseSample(line);
            BOOST_TEST_REQUIRE(sample.has_value(), "not a sample line");
            BOOST_TEST(sample->name == current);
            BOOST_TEST(!type.empty());
            if (type == "counter") {
                BOOST_TEST(sample->name.ends_with("_total"));
            }
            samples.push_back(*sample);
        }
    }
    return samples;
}

std::vector<Sample> named(const std::vector<Sample>& samples, const std::string& name) {
    std::vector<Sample> out;
    for (const auto& s : samples) {
        if (s.name == name) {
            out.push_back(s);
        }
    }
    return out;
}

std::optional<Sample> find(const std::vector<Sample>& samples, const std::string& name,
                           const std::map<std::string, std::string>& labels) {
    for (const auto& s : samples) {
        if (s.name != name) {
            continue;
        }
        bool all = true;
        for (const auto& [label, value] : labels) {
            const auto it = s.labels.find(label);
            all = all && it != s.labels.end() && it->second == value;
        }
        if (all) {
            return s;
        }
    }
    return std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_CASE(labelValuesEscapeBackslashQuoteAndNewline) {
    BOOST_TEST(escapeLabelValue("plain") == "plain");
    BOOST_TEST(escapeLabelValue(R"(a "quoted" \ title)") == R"(a \"quoted\" \\ title)");
    BOOST_TEST(escapeLabelValue("two\nlines") == "two\\nlines");
    BOOST_TEST(escapeLabelValue("Grüße aus Köln") == "Grüße aus Köln");
    BOOST_TEST(escapeLabelValue("tab\there") == "tab\there");
    BOOST_TEST(escapeLabelValue(std::string("bad \xff byte")) == "bad \xef\xbf\xbd byte");
}

BOOST_AUTO_TEST_CASE(aTitleWithQuotesBackslashNewlineAndUmlautsReadsBack) {
    const std::string title = "Über \"Quotes\" \\ and\nnewlines – Ärger mit Öl";
    auto recording =
        job("guid-1", "Saal \"1\"", title, JobState::Recording, kNow - 5min, kNow + 40min);
    recording.bytes = 1234567;
    const auto text = metricsText({recording}, {}, kNow);
    const auto samples = checkedSamples(text);
    const auto state = find(samples, "confcap_talk_state", {{"id", "guid-1"}});
    BOOST_REQUIRE(state.has_value());
    BOOST_TEST(state->labels.at("talk") == title);
    BOOST_TEST(state->labels.at("room") == "Saal \"1\"");
    BOOST_TEST(state->labels.at("state") == "recording");
    BOOST_TEST(text.find("talk=\"Über \\\"Quotes\\\" \\\\ and\\nnewlines – Ärger mit Öl\"") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(everyTalkHasItsStateAndCounters) {
    auto recording =
        job("guid-1", "Saal 1", "Opening", JobState::Recording, kNow - 5min, kNow + 40min);
    recording.bytes = 123456789;
    recording.coveredSeconds = 290.5;
    recording.gapSeconds = 9.5;
    recording.diskFullSeconds = 12;
    recording.reconnects = 2;
    recording.lastData = TimePoint(kNow) - 1500ms;
    const auto waiting =
        job("guid-2", "Saal 1", "Later", JobState::Waiting, kNow + 40min, kNow + 90min);
    auto recorded = job("guid-3", "Saal 2", "Earlier", JobState::Recorded, kNow - 2h, kNow - 1h);
    recorded.bytes = 1000;
    recorded.lastData = TimePoint(kNow - 1h);
    const auto samples = checkedSamples(metricsText({recording, waiting, recorded}, {}, kNow));

    BOOST_TEST(named(samples, "confcap_talk_state").size() == 3U);
    BOOST_TEST(find(samples, "confcap_talk_state", {{"id", "guid-2"}})->labels.at("state") ==
               "waiting");
    BOOST_TEST(find(samples, "confcap_talk_state", {{"id", "guid-3"}})->labels.at("state") ==
               "recorded");
    BOOST_TEST(find(samples, "confcap_talk_bytes", {{"id", "guid-1"}})->value == "123456789");
    BOOST_TEST(find(samples, "confcap_talk_covered_seconds", {{"id", "guid-1"}})->value == "290.5");
    BOOST_TEST(find(samples, "confcap_talk_gap_seconds", {{"id", "guid-1"}})->value == "9.5");
    BOOST_TEST(find(samples, "confcap_talk_disk_full_seconds", {{"id", "guid-1"}})->value == "12");
    BOOST_TEST(find(samples, "confcap_talk_reconnects_total", {{"id", "guid-1"}})->value == "2");
    BOOST_TEST(find(samples, "confcap_talk_seconds_since_last_byte", {{"id", "guid-1"}})->value ==
               "1.5");
    BOOST_TEST(find(samples, "confcap_talk_seconds_since_last_byte", {{"id", "guid-3"}})->value ==
               "3600");
    // No byte yet, no seconds since the last one.
    BOOST_TEST(!find(samples, "confcap_talk_seconds_since_last_byte", {{"id", "guid-2"}}));
    BOOST_TEST(find(samples, "confcap_talk_bytes", {{"id", "guid-2"}})->value == "0");
}

BOOST_AUTO_TEST_CASE(aCheckedTalkHasItsContentHealth) {
    auto checked = job("guid-1", "Saal 1", "Opening", JobState::Recorded, kNow - 2h, kNow - 1h);
    confcap::health::ContentHealth content;
    content.analysedSeconds = 3300;
    content.hasVideo = content.hasAudio = true;
    content.silence.seconds = 2280;
    content.frozen.seconds = 45.5;
    content.loudnessLufs = -23.4;
    checked.health.content = content;
    auto radio = job("guid-2", "Radio", "Sound", JobState::Recorded, kNow - 2h, kNow - 1h);
    confcap::health::ContentHealth audioOnly;
    audioOnly.hasAudio = true;
    radio.health.content = audioOnly;
    const auto unchecked = job("guid-3", "Saal 2", "Later", JobState::Recording, kNow, kNow + 1h);
    const auto samples = checkedSamples(metricsText({checked, radio, unchecked}, {}, kNow));
    BOOST_TEST(find(samples, "confcap_talk_silent_seconds", {{"id", "guid-1"}})->value == "2280");
    BOOST_TEST(find(samples, "confcap_talk_black_seconds", {{"id", "guid-1"}})->value == "0");
    BOOST_TEST(find(samples, "confcap_talk_frozen_seconds", {{"id", "guid-1"}})->value == "45.5");
    BOOST_TEST(find(samples, "confcap_talk_loudness_lufs", {{"id", "guid-1"}})->value == "-23.4");
    // Without video there is no picture to be black; before its check a talk has none.
    BOOST_TEST(find(samples, "confcap_talk_silent_seconds", {{"id", "guid-2"}})->value == "0");
    BOOST_TEST(!find(samples, "confcap_talk_black_seconds", {{"id", "guid-2"}}));
    BOOST_TEST(!find(samples, "confcap_talk_loudness_lufs", {{"id", "guid-2"}}));
    BOOST_TEST(!find(samples, "confcap_talk_silent_seconds", {{"id", "guid-3"}}));
}

BOOST_AUTO_TEST_CASE(aRoomIsInItsWindowUntilItsTalkEndsWithAFile) {
    // Saal 1 records, and received its last byte 130 s ago.
    auto silent = job("a", "Saal 1", "Silent", JobState::Retrying, kNow - 10min, kNow + 30min);
    silent.lastData = TimePoint(kNow - 130s);
    // Saal 2's talk began 50 s ago and nothing came yet; its last talk's bytes are older.
    const auto fresh = job("b", "Saal 2", "Fresh", JobState::Recording, kNow - 50s, kNow + 30min);
    auto before = job("c", "Saal 2", "Before", JobState::Recorded, kNow - 2h, kNow - 1h);
    before.lastData = TimePoint(kNow - 1h);
    // Saal 3's talk failed inside its window: the room stays in it, silent since it began.
    const auto failed = job("d", "Saal 3", "Broken", JobState::Failed, kNow - 3min, kNow + 30min);
    // Saal 4's talk ended with its stream: out of its window, however long it still lasts.
    auto ended = job("e", "Saal 4", "Ended", JobState::Recorded, kNow - 10min, kNow + 30min);
    ended.lastData = TimePoint(kNow - 20s);
    // Saal 5 only waits; Saal 6 has a skipped talk in the window.
    const auto waits = job("f", "Saal 5", "Waits", JobState::Waiting, kNow + 1h, kNow + 2h);
    const auto skipped = job("g", "Saal 6", "Skipped", JobState::Skipped, kNow - 1min, kNow + 1h);

    const auto samples = checkedSamples(
        metricsText({silent, fresh, before, failed, ended, waits, skipped}, {}, kNow));
    const auto inWindow = [&](const std::string& room) {
        return find(samples, "confcap_room_in_window", {{"room", room}})->value;
    };
    const auto silence = [&](const std::string& room) -> std::string {
        const auto s = find(samples, "confcap_room_seconds_since_last_byte", {{"room", room}});
        return s ? s->value : "absent";
    };
    BOOST_TEST(named(samples, "confcap_room_in_window").size() == 6U);
    BOOST_TEST(inWindow("Saal 1") == "1");
    BOOST_TEST(silence("Saal 1") == "130");
    BOOST_TEST(inWindow("Saal 2") == "1");
    BOOST_TEST(silence("Saal 2") == "50");
    BOOST_TEST(inWindow("Saal 3") == "1");
    BOOST_TEST(silence("Saal 3") == "180");
    BOOST_TEST(inWindow("Saal 4") == "0");
    BOOST_TEST(silence("Saal 4") == "20");
    BOOST_TEST(inWindow("Saal 5") == "0");
    BOOST_TEST(silence("Saal 5") == "absent");
    BOOST_TEST(inWindow("Saal 6") == "0");
    BOOST_TEST(silence("Saal 6") == "absent");
}

BOOST_AUTO_TEST_CASE(talksAreCountedByOutcome) {
    const auto samples =
        checkedSamples(metricsText({job("a", "R", "A", JobState::Recorded, kNow - 2h, kNow - 1h),
                                    job("b", "R", "B", JobState::Recorded, kNow - 2h, kNow - 1h),
                                    job("c", "R", "C", JobState::Failed, kNow - 2h, kNow - 1h),
                                    job("d", "R", "D", JobState::Recording, kNow - 1h, kNow + 1h),
                                    job("e", "R", "E", JobState::Cancelled, kNow + 1h, kNow + 2h)},
                                   {}, kNow));
    const auto count = [&](const std::string& outcome) {
        return find(samples, "confcap_talks_finished", {{"outcome", outcome}})->value;
    };
    BOOST_TEST(named(samples, "confcap_talks_finished").size() == 6U);
    BOOST_TEST(count("recorded") == "2");
    BOOST_TEST(count("failed") == "1");
    BOOST_TEST(count("cancelled") == "1");
    BOOST_TEST(count("discarded") == "0");
    BOOST_TEST(count("skipped") == "0");
    BOOST_TEST(count("interrupted") == "0");
}

BOOST_AUTO_TEST_CASE(scheduleRefreshesAndHooksAreCounted) {
    RunCounters run;
    run.refreshes = confcap::run::ScheduleRefresher::Counts{};
    run.refreshes->refreshes = 12;
    run.refreshes->failures = 3;
    run.refreshes->lastSuccess = TimePoint(kNow - 5min) + 250ms;
    run.refreshPeriod = 300s;
    run.hooks = {{"exit 0", 4}, {"exit 1", 1}, {"timeout", 2}};
    const auto samples = checkedSamples(metricsText({}, run, kNow));
    BOOST_TEST(find(samples, "confcap_schedule_refreshes_total", {})->value == "12");
    BOOST_TEST(find(samples, "confcap_schedule_refresh_failures_total", {})->value == "3");
    BOOST_TEST(find(samples, "confcap_schedule_last_refresh_timestamp_seconds", {})->value ==
               "1735295820.25");
    BOOST_TEST(find(samples, "confcap_schedule_refresh_interval_seconds", {})->value == "300");
    BOOST_TEST(find(samples, "confcap_hooks_total", {{"result", "exit 0"}})->value == "4");
    BOOST_TEST(find(samples, "confcap_hooks_total", {{"result", "exit 1"}})->value == "1");
    BOOST_TEST(find(samples, "confcap_hooks_total", {{"result", "timeout"}})->value == "2");
}

BOOST_AUTO_TEST_CASE(theDiskGuardsLastLookIsThreeGauges) {
    RunCounters run;
    run.disk = confcap::run::DiskSnapshot{};
    run.disk->freeBytes = 8'388'608;
    run.disk->totalBytes = 16'777'216;
    run.disk->neededBytes = 2'700'000'000;
    run.disk->reserveBytes = 838'861;
    const auto text = metricsText({}, run, kNow);
    const auto samples = checkedSamples(text);
    BOOST_TEST(text.find("# TYPE confcap_disk_free_bytes gauge\n") != std::string::npos);
    BOOST_TEST(text.find("# TYPE confcap_disk_needed_bytes gauge\n") != std::string::npos);
    BOOST_TEST(find(samples, "confcap_disk_free_bytes", {})->value == "8388608");
    BOOST_TEST(find(samples, "confcap_disk_needed_bytes", {})->value == "2700000000");
    BOOST_TEST(find(samples, "confcap_disk_min_free_bytes", {})->value == "838861");
}

BOOST_AUTO_TEST_CASE(eachRoomsTapeIsItsSizeAndWhetherItIsWritten) {
    RunCounters run;
    confcap::run::TapeSnapshot writing;
    writing.room = "Saal \"1\"";
    writing.bytes = 1'500'000'000;
    writing.writing = true;
    confcap::run::TapeSnapshot stopped;
    stopped.room = "Saal 2";
    stopped.bytes = 42;
    stopped.error = "The room's tape stopped: No space left on device.";
    run.tapes = {writing, stopped};
    const auto text = metricsText({}, run, kNow);
    const auto samples = checkedSamples(text);
    BOOST_TEST(text.find("# TYPE confcap_tape_bytes gauge\n") != std::string::npos);
    BOOST_TEST(find(samples, "confcap_tape_bytes", {{"room", "Saal \"1\""}})->value ==
               "1500000000");
    BOOST_TEST(find(samples, "confcap_tape_writing", {{"room", "Saal \"1\""}})->value == "1");
    BOOST_TEST(find(samples, "confcap_tape_bytes", {{"room", "Saal 2"}})->value == "42");
    BOOST_TEST(find(samples, "confcap_tape_writing", {{"room", "Saal 2"}})->value == "0");
}

BOOST_AUTO_TEST_CASE(withoutARefresherOrHooksThoseSamplesAreLeftOut) {
    const auto text = metricsText({}, {}, kNow);
    const auto samples = checkedSamples(text);
    BOOST_TEST(text.find("confcap_schedule_") == std::string::npos);
    BOOST_TEST(text.find("confcap_disk_") == std::string::npos);
    // The hooks' family is there, without samples, until hooks run.
    BOOST_TEST(text.find("# TYPE confcap_hooks_total counter\n") != std::string::npos);
    BOOST_TEST(named(samples, "confcap_hooks_total").empty());
    BOOST_TEST(named(samples, "confcap_talks_finished").size() == 6U);
}

BOOST_AUTO_TEST_SUITE_END()
