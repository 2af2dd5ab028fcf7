// `confcap capture` of a live stream whose best variant does not fit the uplink: ffmpeg's own HLS
// muxer encodes three variants live (720p at 2.2 Mbit/s, 360p at 660 kbit/s, 180p at
// 170 kbit/s) and a loopback web server sends them through a 1.2 Mbit/s line. Two captures run
// side by side, each through a line of its own: one left to fit the variant to the line, one
// pinned to the best with --variant. ffprobe and the sidecars tell what each got.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <sstream>
#include <string>
#include <vector>

#include "support/LivePackager.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(VariantFitTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::testing::FolderServer;
using confcap::testing::LivePackager;
using confcap::testing::PackagerSpec;
using confcap::testing::ProcessResult;

namespace {

constexpr double kLine = 1.2e6 / 8;  // bytes per second
constexpr int kSeconds = 45;
constexpr double kFrameRate = 25;

/// Seconds of video in a file: its video packets at the packager's frame rate.
double videoSeconds(const fs::path& file) {
    const auto result = confcap::testing::runProcess(
        "ffprobe", {"-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time",
                    "-of", "csv=p=0", file.string()});
    std::istringstream lines(result.out);
    int packets = 0;
    for (std::string line; std::getline(lines, line);) {
        packets += !line.empty() && line != "N/A" ? 1 : 0;
    }
    return packets / kFrameRate;
}

struct Capture {
    ProcessResult process;
    fs::path file;
    Poco::JSON::Object::Ptr sidecar;
    double video = 0;
    confcap::testing::StreamList streams;
};

Capture capture(const std::string& url, const fs::path& folder, std::vector<std::string> extra) {
    Capture c;
    std::vector<std::string> args = {"capture", url,
                                     "--for",   std::to_string(kSeconds) + "s",
                                     "-o",      (folder / "talk.ts").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    c.process = confcap::testing::runConfcap(args);
    c.file = folder / "talk.ts";
    if (fs::exists(folder / "talk.json")) {
        c.sidecar = confcap::testing::readJsonFile(folder / "talk.json");
    }
    if (fs::exists(c.file)) {
        c.video = videoSeconds(c.file);
        c.streams = confcap::testing::streamsOf(c.file);
    }
    return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_thin_line_steps_down_and_keeps_the_talk_whole_a_pinned_variant_stays) {
    confcap::testing::TempDir root;
    const auto hls = root.path / "hls";
    PackagerSpec spec;
    spec.ladder = true;
    LivePackager packager(hls, spec);
    FolderServer fittingLine(hls, kLine);
    FolderServer pinnedLine(hls, kLine);
    // The packager lists its first segments after a few seconds (a process boundary: poll).
    BOOST_REQUIRE_MESSAGE(confcap::testing::waitFor(
                              [&] {
                                  return fs::exists(hls / "master.m3u8") &&
                                         fs::exists(hls / "stream_0.m3u8") &&
                                         fs::exists(hls / "stream_2.m3u8");
                              },
                              30s),
                          "the packager did not start: " << packager.errors());

    fs::create_directories(root.path / "fit");
    fs::create_directories(root.path / "pinned");
    auto fitting = std::async(std::launch::async, [&] {
        return capture(fittingLine.url("master.m3u8"), root.path / "fit", {});
    });
    auto pinned = std::async(std::launch::async, [&] {
        return capture(pinnedLine.url("master.m3u8"), root.path / "pinned", {"--variant", "720p"});
    });
    const Capture fit = fitting.get();
    const Capture best = pinned.get();

    BOOST_TEST_MESSAGE("fitted: " << fit.video << " s of video; pinned: " << best.video << " s");
    BOOST_TEST_REQUIRE(fit.process.exitCode == 0, fit.process.err);
    BOOST_TEST_REQUIRE(fit.sidecar);
    // One playable file with video over most of the window, and its sound.
    BOOST_TEST(fit.streams.video == 1);
    BOOST_TEST(fit.streams.audio == 1);
    BOOST_TEST(fit.video >= 0.8 * kSeconds);
    BOOST_TEST(fit.sidecar->getValue<int>("pieces") == 1);
    // It stepped down from 720p, said so in the log, and never back up to 720p (no room for it).
    const auto moves = fit.sidecar->getArray("variants");
    BOOST_TEST_REQUIRE(moves, "no \"variants\" in the sidecar");
    BOOST_TEST_REQUIRE(moves->size() >= 1u);
    const auto first = moves->getObject(0);
    BOOST_TEST(first->getObject("from")->getValue<std::string>("resolution") == "1280x720");
    BOOST_TEST(first->getObject("from")->getValue<std::int64_t>("bandwidth") > 2'000'000);
    BOOST_TEST(first->getObject("to")->getValue<std::int64_t>("bandwidth") < 1'000'000);
    BOOST_TEST(!first->getValue<std::string>("why").empty());
    for (std::size_t i = 0; i < moves->size(); ++i) {
        BOOST_TEST(moves->getObject(static_cast<unsigned>(i))
                       ->getObject("to")
                       ->getValue<std::string>("resolution") != "1280x720");
    }
    BOOST_TEST(fit.process.err.find("Stepping down from the variant 1280x720") != std::string::npos,
               fit.process.err);

    // Pinned to the best, it never moves, and the line cannot carry it: it loses most of it.
    BOOST_TEST_REQUIRE(best.sidecar);
    BOOST_TEST(!best.sidecar->has("variants"));
    BOOST_TEST(best.process.err.find("Stepping") == std::string::npos, best.process.err);
    BOOST_TEST(best.video < fit.video);
}

BOOST_AUTO_TEST_SUITE_END()
