// `confcap record` against a real packager: ffmpeg's HLS muxer encoding live into a folder that a
// loopback web server serves, in the shapes conferences stream (plain MPEG-TS, fMP4, variants,
// audio in separate renditions) and the states real streams go through (not live yet when the
// talk begins, an encoder restarted, a packager that stops and goes on appending). Each result is
// checked with ffprobe: video and audio, spanning the window but for what was really lost.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "support/ChildProcess.h"
#include "support/LivePackager.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"

BOOST_AUTO_TEST_SUITE(LivePackagerTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::testing::ChildProcess;
using confcap::testing::FolderServer;
using confcap::testing::LivePackager;
using confcap::testing::PackagerSpec;
using confcap::testing::RunFolders;

namespace {

using SystemTime = std::chrono::system_clock::time_point;

// The talk's window: it begins this long after the run starts (a live stream then lists a few
// segments), and lasts this long; no padding.
constexpr auto kLeadIn = 6s;
constexpr int kWindow = 20;

/// What happens to the stream during the window.
enum class Event {
    None,
    LateStart,   ///< the packager starts 8 s into the window (the playlist answers 404 before)
    Restart,     ///< 8 s in, the packager dies and its files go; 3 s later a new one starts at 0
    AppendList,  ///< 8 s in, the packager stops (EXT-X-ENDLIST); 3 s later one appends to it
};

struct LiveRun {
    std::string error;
    std::optional<int> exitCode;
    std::string err;
    std::vector<std::string> files;  ///< under --out
    fs::path media;
    Poco::JSON::Object::Ptr sidecar;
    confcap::testing::StreamList streams;
    confcap::testing::Timeline timeline;
};

std::string entryOf(const PackagerSpec& spec) {
    return spec.variants || spec.audioRenditions > 0 ? "master.m3u8" : "live.m3u8";
}

LiveRun recordLive(PackagerSpec spec, Event event, std::vector<std::string> extra = {}) {
    LiveRun run;
    try {
        RunFolders folders;
        const auto hlsFolder = folders.root.path / "hls";
        fs::create_directories(hlsFolder);
        FolderServer server(hlsFolder);
        std::optional<LivePackager> packager;
        if (event != Event::LateStart) {
            packager.emplace(hlsFolder, spec);
        }
        const auto start =
            std::chrono::ceil<std::chrono::seconds>(std::chrono::system_clock::now() + kLeadIn);
        const std::vector<confcap::demo::FakeRoom> rooms = {{"Saal 1", {}}};
        const std::vector<confcap::demo::FakeTalk> talks = {{"00000000-0000-4000-8000-000000000042",
                                                             "Saal 1", "Live Talk", 0s,
                                                             std::chrono::seconds(kWindow)}};
        {
            std::ofstream schedule(folders.work / "schedule.xml");
            schedule << confcap::demo::FakeConference::scheduleXml(rooms, talks, start, 1);
        }
        std::vector<std::string> args = {"record",
                                         "--schedule",
                                         "schedule.xml",
                                         "--stream",
                                         "Saal 1=" + server.url(entryOf(spec)),
                                         "--out",
                                         "out",
                                         "--pad-before",
                                         "0s",
                                         "--pad-after",
                                         "0s",
                                         "--min-duration",
                                         "5s",
                                         "--refresh",
                                         "0",
                                         "--exit-when-done"};
        args.insert(args.end(), extra.begin(), extra.end());
        ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());
        std::this_thread::sleep_until(start + 8s);
        switch (event) {
            case Event::None:
                break;
            case Event::LateStart:
                packager.emplace(hlsFolder, spec);
                break;
            case Event::Restart:
                packager.reset();  // killed
                for (const auto& file : fs::directory_iterator(hlsFolder)) {
                    fs::remove(file.path());
                }
                std::this_thread::sleep_for(3s);
                packager.emplace(hlsFolder, spec);
                break;
            case Event::AppendList:
                packager->stop();
                packager.reset();
                std::this_thread::sleep_for(3s);
                spec.appendList = true;
                packager.emplace(hlsFolder, spec);
                break;
        }
        run.exitCode = confcap.wait(std::chrono::seconds(kWindow + 60));
        run.err = confcap.err();
        run.files = confcap::testing::filesUnder(folders.out);
        for (const auto& file : run.files) {
            if (file.ends_with(".json")) {
                run.sidecar = confcap::testing::readJsonFile(folders.out / file);
                run.media = folders.out / run.sidecar->getValue<std::string>("file");
            }
        }
        if (!run.media.empty()) {
            run.streams = confcap::testing::streamsOf(run.media);
            run.timeline = confcap::testing::timelineOf(run.media);
        }
    } catch (const std::exception& e) {
        run.error = e.what();
    }
    return run;
}

const LiveRun& scenario(const std::string& name) {
    static const confcap::testing::Scenarios<LiveRun> all({
        {"ts", [] { return recordLive({}, Event::None); }},
        {"fmp4", [] { return recordLive({"fmp4"}, Event::None); }},
        {"variants",
         [] {
             return recordLive({"ts", true}, Event::None);
         }},
        {"audio rendition",
         [] {
             return recordLive({"ts", false, 1}, Event::None);
         }},
        {"audio all",
         [] {
             return recordLive({"ts", false, 2}, Event::None, {"--audio", "all"});
         }},
        {"late start", [] { return recordLive({}, Event::LateStart); }},
        {"restart", [] { return recordLive({}, Event::Restart); }},
        {"append list", [] { return recordLive({}, Event::AppendList); }},
    });
    return all.get(name);
}

/// The run left one media file and its sidecar, recorded.
void requireOneRecording(const LiveRun& run) {
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(run.exitCode.has_value(), "confcap did not exit:\n" << run.err);
    BOOST_TEST(*run.exitCode == 0, run.err);
    BOOST_TEST_REQUIRE(run.files.size() == 2u, run.err);
    BOOST_TEST_REQUIRE(!run.sidecar.isNull());
    BOOST_TEST(run.sidecar->getValue<std::string>("outcome") == "recorded");
    BOOST_TEST_REQUIRE(run.timeline.ok);
    BOOST_TEST_MESSAGE(run.media.filename().string()
                       << ": media " << run.timeline.span() << " s of a " << kWindow
                       << " s window, covered " << run.sidecar->getValue<double>("coveredSeconds")
                       << " s, " << run.streams.video << " video and " << run.streams.audio
                       << " audio streams, " << run.sidecar->getArray("gaps")->size() << " gaps");
}

double gapSeconds(const LiveRun& run, const std::string& cause, std::size_t* count = nullptr) {
    double seconds = 0;
    std::size_t n = 0;
    const auto gaps = run.sidecar->getArray("gaps");
    for (std::size_t i = 0; i < gaps->size(); ++i) {
        const auto gap = gaps->getObject(static_cast<unsigned>(i));
        if (gap->getValue<std::string>("cause") == cause) {
            seconds += gap->getValue<double>("lengthSeconds");
            ++n;
        }
    }
    if (count != nullptr) {
        *count = n;
    }
    return seconds;
}

}  // namespace

BOOST_AUTO_TEST_CASE(mpeg_ts_segments_make_a_file_with_picture_and_sound_over_the_window) {
    const auto& run = scenario("ts");
    requireOneRecording(run);
    BOOST_TEST(run.media.extension() == ".ts");
    BOOST_TEST(run.streams.video == 1);
    BOOST_TEST(run.streams.audio == 1);
    BOOST_TEST(run.timeline.span() >= 0.8 * kWindow);
    BOOST_TEST(run.sidecar->getArray("gaps")->size() == 0u);
    BOOST_TEST(run.sidecar->getValue<bool>("coveredFromMedia"));
}

BOOST_AUTO_TEST_CASE(fmp4_segments_make_an_mp4_with_picture_and_sound_over_the_window) {
    const auto& run = scenario("fmp4");
    requireOneRecording(run);
    BOOST_TEST(run.media.extension() == ".mp4");
    BOOST_TEST(run.streams.video == 1);
    BOOST_TEST(run.streams.audio == 1);
    BOOST_TEST(run.timeline.span() >= 0.8 * kWindow);
    BOOST_TEST(run.sidecar->getValue<bool>("coveredFromMedia"));
}

BOOST_AUTO_TEST_CASE(a_master_with_two_variants_records_one_of_them_whole) {
    const auto& run = scenario("variants");
    requireOneRecording(run);
    BOOST_TEST(run.streams.video == 1);
    BOOST_TEST(run.streams.audio == 1);
    BOOST_TEST(run.timeline.span() >= 0.8 * kWindow);
    BOOST_TEST(run.err.find("stream_0.m3u8") != std::string::npos, run.err);
}

BOOST_AUTO_TEST_CASE(audio_in_a_separate_rendition_is_in_the_file) {
    const auto& run = scenario("audio rendition");
    requireOneRecording(run);
    BOOST_TEST(run.streams.video == 1);
    BOOST_TEST_REQUIRE(run.streams.audio == 1);
    BOOST_TEST(run.streams.audioLanguages[0] == "deu");
    BOOST_TEST(run.timeline.span() >= 0.8 * kWindow);
    BOOST_TEST(run.sidecar->getArray("audioRenditions")->size() == 1u);
}

BOOST_AUTO_TEST_CASE(audio_all_keeps_every_rendition_a_translation_too) {
    const auto& run = scenario("audio all");
    requireOneRecording(run);
    BOOST_TEST(run.streams.video == 1);
    BOOST_TEST_REQUIRE(run.streams.audio == 2);
    BOOST_TEST(run.streams.audioLanguages == (std::vector<std::string>{"deu", "eng"}),
               boost::test_tools::per_element());
    BOOST_TEST(run.timeline.span() >= 0.8 * kWindow);
}

BOOST_AUTO_TEST_CASE(a_stream_not_live_yet_is_recorded_from_when_it_appears) {
    const auto& run = scenario("late start");
    requireOneRecording(run);
    BOOST_TEST(run.streams.video == 1);
    BOOST_TEST(run.streams.audio == 1);
    std::size_t gaps = 0;
    const double missing = gapSeconds(run, "not live yet", &gaps);
    BOOST_TEST(gaps == 1u);
    BOOST_TEST(run.sidecar->getArray("gaps")->size() == 1u);
    // The packager started 8 s into the window: its media begins there.
    BOOST_TEST(missing >= 7.0);
    BOOST_TEST(missing <= 10.0);
    BOOST_TEST(run.timeline.span() >= 0.8 * (kWindow - missing));
    BOOST_TEST(run.err.find("giving up") == std::string::npos, run.err);
    // The pre-flight at the start saw the stream missing, and said so without stopping.
    BOOST_TEST(run.err.find("stream check: not live yet (HTTP 404)") != std::string::npos, run.err);
}

BOOST_AUTO_TEST_CASE(a_restarted_encoder_is_recorded_across_the_restart) {
    const auto& run = scenario("restart");
    requireOneRecording(run);
    BOOST_TEST(run.streams.video == 1);
    BOOST_TEST(run.streams.audio == 1);
    std::size_t gaps = 0;
    const double lost = gapSeconds(run, "stream restarted", &gaps);
    BOOST_TEST(gaps == 1u);
    BOOST_TEST(run.sidecar->getArray("gaps")->size() == 1u);
    // Down for 3 s, then a new packager needs its first segment.
    BOOST_TEST(lost >= 2.5);
    BOOST_TEST(lost <= 10.0);
    // One timeline in the file: the new encoder's timestamps follow the old ones.
    BOOST_TEST(run.timeline.span() >= 0.8 * (kWindow - lost));
    BOOST_TEST(run.timeline.largestJump < 1.0);
    BOOST_TEST(run.err.find("started again") != std::string::npos, run.err);
}

BOOST_AUTO_TEST_CASE(a_packager_that_stops_and_appends_again_is_recorded_across_the_pause) {
    const auto& run = scenario("append list");
    requireOneRecording(run);
    BOOST_TEST(run.streams.video == 1);
    BOOST_TEST(run.streams.audio == 1);
    std::size_t gaps = 0;
    const double paused = gapSeconds(run, "stream paused", &gaps);
    BOOST_TEST(gaps == 1u);
    BOOST_TEST(paused >= 2.5);
    BOOST_TEST(paused <= 10.0);
    BOOST_TEST(run.timeline.span() >= 0.8 * (kWindow - paused));
    BOOST_TEST(run.timeline.largestJump < 1.0);
}

BOOST_AUTO_TEST_SUITE_END()
