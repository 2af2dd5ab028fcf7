#include "confcap/run/HealthChecker.h"

#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include <sys/stat.h>

#include <fstream>

#include "support/MediaTestSupport.h"
#include "support/RunFakes.h"

BOOST_AUTO_TEST_SUITE(HealthCheckerTest)

using confcap::run::HealthChecker;
using confcap::run::JobSnapshot;
using confcap::run::JobState;
using confcap::testing::NotingReporter;
using confcap::testing::runProcess;
using confcap::testing::TempDir;
namespace fs = std::filesystem;

namespace {

/// Makes `file` with ffmpeg from lavfi `picture` and `sound`, `seconds` long, key frames every
/// 2 s as a live stream has them.
void makeFile(const fs::path& file, const std::string& picture, const std::string& sound,
              int seconds) {
    const auto t = std::to_string(seconds);
    const auto result = runProcess("ffmpeg", {"-hide_banner",
                                              "-nostdin",
                                              "-loglevel",
                                              "error",
                                              "-y",
                                              "-f",
                                              "lavfi",
                                              "-i",
                                              picture + "=size=320x180:rate=25:duration=" + t,
                                              "-f",
                                              "lavfi",
                                              "-i",
                                              sound,
                                              "-t",
                                              t,
                                              "-c:v",
                                              "libx264",
                                              "-preset",
                                              "ultrafast",
                                              "-g",
                                              "50",
                                              "-c:a",
                                              "aac",
                                              "-threads",
                                              "1",
                                              file.string()});
    BOOST_REQUIRE_MESSAGE(result.exitCode == 0, "ffmpeg could not make " << file);
}

/// A published talk: the file, and a sidecar whose window starts at 10:00:00 UTC.
confcap::sink::FinalizeResult published(const fs::path& out, const std::string& stem,
                                        const fs::path& file) {
    confcap::sink::FinalizeResult result;
    result.outcome = confcap::core::Outcome::Recorded;
    result.files = {file};
    result.sidecar = out / (stem + ".json");
    result.relativeStem = stem;
    std::ofstream(result.sidecar) << R"({"window": {"start": "2026-12-27T10:00:00Z"}, "file": ")"
                                  << file.filename().string() << "\"}\n";
    return result;
}

Poco::JSON::Object::Ptr jsonOf(const fs::path& file) {
    std::ifstream in(file);
    return Poco::JSON::Parser().parse(in).extract<Poco::JSON::Object::Ptr>();
}

struct Checked {
    confcap::run::TalkHealth health;
    Poco::JSON::Object::Ptr sidecar;
};

Checked check(const TempDir& dir, const std::string& stem, const fs::path& file,
              confcap::health::Thresholds thresholds = {}) {
    NotingReporter reporter;
    JobSnapshot job;
    job.key = stem;
    job.state = JobState::Recorded;
    reporter.update(job);
    HealthChecker::Options options;
    options.ffmpeg = HealthChecker::ffmpegOnPath();
    options.outDir = dir.path;
    options.thresholds = thresholds;
    options.zone = date::locate_zone("Europe/Berlin");
    HealthChecker checker(options, reporter);
    checker.submit(stem, {"Saal 1", "11:00 " + stem}, published(dir.path, stem, file));
    BOOST_REQUIRE(checker.waitIdle(std::chrono::seconds(60)));
    return {reporter.healthOf(stem), jsonOf(dir.path / (stem + ".json"))};
}

}  // namespace

BOOST_AUTO_TEST_CASE(aSilenceInTheMiddleIsFoundWhereItIs) {
    TempDir dir;
    const auto file = dir.path / "muted.ts";
    makeFile(file, "testsrc2",
             "sine=frequency=440:duration=100,volume=enable='between(t,30,70)':volume=0", 100);
    const auto [health, sidecar] = check(dir, "muted", file);
    BOOST_REQUIRE(health.content.has_value());
    const auto& silence = health.content->silence;
    BOOST_REQUIRE(silence.longest.has_value());
    BOOST_TEST(silence.longest->offsetSeconds == 30.0, boost::test_tools::tolerance(2.0 / 30));
    BOOST_TEST(silence.longest->seconds == 40.0, boost::test_tools::tolerance(2.0 / 40));
    BOOST_TEST(!health.content->black.longest.has_value());
    BOOST_TEST(!health.content->frozen.longest.has_value());
    // The window starts at 11:00 in Berlin; the file's first media then.
    BOOST_TEST(health.flags == std::vector<std::string>{"silent 40 s from 11:00"},
               boost::test_tools::per_element());
    // The sidecar has the health and the thumbnails, which are JPEG pictures.
    BOOST_REQUIRE(sidecar->has("health"));
    BOOST_TEST(sidecar->getObject("health")->getObject("silence")->getValue<double>("seconds") >
               38.0);
    BOOST_TEST(sidecar->getValue<std::string>("file") == "muted.ts");
    const auto thumbnails = sidecar->getObject("thumbnails");
    BOOST_REQUIRE(!thumbnails.isNull());
    BOOST_TEST(thumbnails->getValue<std::string>("middle") == ".confcap/thumbs/muted.jpg");
    BOOST_TEST(thumbnails->getValue<std::string>("strip") == ".confcap/thumbs/muted-strip.jpg");
    for (const auto* name : {"middle", "strip"}) {
        const auto picture = runProcess(
            "ffprobe", {"-v", "error", "-show_entries", "stream=codec_name,width,height", "-of",
                        "csv=p=0", (dir.path / thumbnails->getValue<std::string>(name)).string()});
        BOOST_TEST_INFO(name);
        BOOST_TEST(picture.exitCode == 0);
        BOOST_TEST(picture.out.starts_with("mjpeg,"));
    }
    const auto strip =
        runProcess("ffprobe", {"-v", "error", "-show_entries", "stream=width,height", "-of",
                               "csv=p=0", (dir.path / ".confcap/thumbs/muted-strip.jpg").string()});
    BOOST_TEST(strip.out.starts_with("1704,160"));  // six frames of 284x160 side by side
}

BOOST_AUTO_TEST_CASE(aStillPictureIsFrozenAndANormalFileHasNoFlags) {
    TempDir dir;
    const auto still = dir.path / "still.ts";
    makeFile(still, "smptebars", "sine=frequency=440", 45);
    const auto stuck = check(dir, "still", still).health;
    BOOST_REQUIRE(stuck.content.has_value());
    BOOST_TEST(stuck.content->frozen.seconds > 40.0);
    BOOST_TEST(!stuck.content->silence.longest.has_value());
    BOOST_REQUIRE(stuck.flags.size() == 1u);
    BOOST_TEST(stuck.flags.front().starts_with("frozen picture "));

    const auto normal = dir.path / "normal.ts";
    makeFile(normal, "testsrc2", "sine=frequency=440", 45);
    const auto fine = check(dir, "normal", normal).health;
    BOOST_REQUIRE(fine.content.has_value());
    BOOST_TEST(fine.flags.empty());
    BOOST_TEST(fine.content->loudnessLufs.value_or(0) < -10.0);
    BOOST_TEST(fine.content->hasVideo);
    BOOST_TEST(fine.content->hasAudio);
}

BOOST_AUTO_TEST_CASE(withoutFfmpegNothingIsCheckedAndOneLineSaysSo) {
    TempDir dir;
    NotingReporter reporter;
    HealthChecker::Options options;
    options.outDir = dir.path;
    options.recordingJobs = [&reporter] { return reporter.jobs(); };
    HealthChecker checker(options, reporter);
    checker.submit("talk", {"Saal 1", "11:00 Talk"},
                   published(dir.path, "talk", dir.path / "talk.ts"));
    BOOST_TEST(checker.waitIdle(std::chrono::milliseconds(0)));
    const auto messages = reporter.messages();
    BOOST_REQUIRE(messages.size() == 1u);
    BOOST_TEST(messages.front().find(": ffmpeg is not on PATH") != std::string::npos,
               messages.front());
    BOOST_TEST(!jsonOf(dir.path / "talk.json")->has("health"));
}

BOOST_AUTO_TEST_CASE(aStopEndsAnAnalysisAtOnce) {
    TempDir dir;
    // A file that never ends: ffmpeg waits on it until it is stopped.
    const auto endless = dir.path / "endless.ts";
    BOOST_REQUIRE(::mkfifo(endless.c_str(), 0600) == 0);
    NotingReporter reporter;
    HealthChecker::Options options;
    options.ffmpeg = HealthChecker::ffmpegOnPath();
    options.outDir = dir.path;
    HealthChecker checker(options, reporter);
    checker.submit("endless", {"Saal 1", "11:00 Endless"}, published(dir.path, "endless", endless));
    BOOST_TEST(!checker.waitIdle(std::chrono::milliseconds(500)));
    const auto began = std::chrono::steady_clock::now();
    checker.stop();
    BOOST_TEST((std::chrono::steady_clock::now() - began < std::chrono::seconds(3)));
    BOOST_TEST(!jsonOf(dir.path / "endless.json")->has("health"));
}

BOOST_AUTO_TEST_SUITE_END()
