#include "confcap/sink/PieceMerger.h"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "support/MediaTestSupport.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(PieceMergerTest)

namespace fs = std::filesystem;
using confcap::core::StreamFormat;
using confcap::sink::PieceMerger;
using confcap::testing::makeClip;
using confcap::testing::readFile;
using confcap::testing::runProcess;
using confcap::testing::TempDir;

namespace {

/// ffprobe's value of one entry (e.g. "format=duration"), or "" when it cannot read the file.
std::string probe(const fs::path& file, const std::string& entry,
                  const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"-v", "error"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"-show_entries", entry, "-of", "csv=p=0", file.string()});
    const auto result = runProcess("/usr/bin/ffprobe", args);
    if (result.exitCode != 0) {
        return {};
    }
    auto out = result.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ',')) {
        out.pop_back();
    }
    return out;
}

double durationOf(const fs::path& file) {
    const auto text = probe(file, "format=duration");
    return text.empty() ? -1.0 : std::stod(text);
}

/// Real clips made once for the whole suite: ts of 2 s and 1 s, webm of 2 s and 1 s.
struct Clips {
    TempDir dir;
    fs::path tsA = dir.path / "a.ts";
    fs::path tsB = dir.path / "b.ts";
    fs::path webmA = dir.path / "it's piece 1.webm";  // a quote exercises the concat list
    fs::path webmB = dir.path / "piece 2.webm";
    Clips() {
        makeClip(tsA, 2);
        makeClip(tsB, 1);
        makeClip(webmA, 2);
        makeClip(webmB, 1);
    }
};

const Clips& clips() {
    static const Clips instance;
    return instance;
}

long packetsOf(const fs::path& file) {
    std::istringstream lines(probe(file, "stream=nb_read_packets", {"-count_packets"}));
    long total = 0;
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) {
            total += std::stol(line);
        }
    }
    return total;
}

}  // namespace

BOOST_AUTO_TEST_CASE(findsProgramsOnPath) {
    BOOST_TEST(!confcap::core::findOnPath("ffmpeg").empty());
    BOOST_TEST(confcap::core::findOnPath("confcap-no-such-program").empty());
    BOOST_TEST(PieceMerger().ffmpeg() == confcap::core::findOnPath("ffmpeg"));
}

BOOST_AUTO_TEST_CASE(tsPiecesAreByteAppended) {
    TempDir temp;
    const auto& a = clips().tsA;
    const auto& b = clips().tsB;
    const auto output = temp.path / "joined.ts";
    // Without ffmpeg: byte-appending needs none.
    const auto result = PieceMerger(fs::path()).merge({a, b}, {"ts", true}, output);
    BOOST_TEST(result.merged);
    BOOST_TEST(!result.note.empty());
    BOOST_TEST(readFile(output) == readFile(a) + readFile(b));
    const auto packets = packetsOf(a) + packetsOf(b);
    BOOST_TEST(packets > 50);
    BOOST_TEST(packetsOf(output) == packets);
}

BOOST_AUTO_TEST_CASE(neverOverwritesTheOutput) {
    TempDir temp;
    const auto a = temp.path / "a.mp3";
    std::ofstream(a) << "piece";
    const auto output = temp.path / "taken.mp3";
    std::ofstream(output) << "someone else's";
    BOOST_CHECK_THROW(PieceMerger().merge({a}, {"mp3", true}, output), confcap::core::OutputError);
    BOOST_TEST(readFile(output) == "someone else's");
}

BOOST_AUTO_TEST_CASE(missingPieceIsAnOutputErrorAndLeavesNoOutput) {
    TempDir temp;
    const auto output = temp.path / "joined.ts";
    BOOST_CHECK_THROW(PieceMerger().merge({temp.path / "gone.ts"}, {"ts", true}, output),
                      confcap::core::OutputError);
    BOOST_TEST(!fs::exists(output));
}

BOOST_AUTO_TEST_CASE(webmPiecesAreJoinedByFfmpegWithTheSummedDuration) {
    TempDir temp;
    const auto& a = clips().webmA;
    const auto& b = clips().webmB;
    const auto output = temp.path / "joined.webm.merge.part";
    const auto result = PieceMerger().merge({a, b}, {"webm", false}, output);
    BOOST_TEST(result.merged, result.note);
    const double expected = durationOf(a) + durationOf(b);
    BOOST_TEST(expected > 2.5);
    BOOST_TEST(std::abs(durationOf(output) - expected) <= 0.5);
    BOOST_TEST(probe(output, "format=format_name").find("webm") != std::string::npos);
    BOOST_TEST(!fs::exists(temp.path / "joined.webm.merge.part.concat.txt"));
    BOOST_TEST(fs::exists(a));
    BOOST_TEST(fs::exists(b));
}

BOOST_AUTO_TEST_CASE(withoutFfmpegContainersAreNotMerged) {
    TempDir temp;
    const auto a = temp.path / "a.webm";
    const auto b = temp.path / "b.webm";
    std::ofstream(a) << "a";
    std::ofstream(b) << "b";
    const auto output = temp.path / "joined.webm";
    const auto result = PieceMerger(fs::path()).merge({a, b}, {"webm", false}, output);
    BOOST_TEST(!result.merged);
    BOOST_TEST(result.note.find("ffmpeg is not on PATH") != std::string::npos);
    BOOST_TEST(!fs::exists(output));
    BOOST_TEST(readFile(a) == "a");
}

BOOST_AUTO_TEST_CASE(ffmpegFailureIsReportedAndLeavesNoOutput) {
    TempDir temp;
    const auto a = temp.path / "a.webm";
    const auto b = temp.path / "b.webm";
    std::ofstream(a) << "not a webm file";
    std::ofstream(b) << "nor this";
    const auto output = temp.path / "joined.webm";
    const auto result = PieceMerger().merge({a, b}, {"webm", false}, output);
    BOOST_TEST(!result.merged);
    BOOST_TEST(result.note.find("ffmpeg could not join the 2 webm pieces") != std::string::npos,
               result.note);
    BOOST_TEST(!fs::exists(output));
    BOOST_TEST(!fs::exists(temp.path / "joined.webm.concat.txt"));
}

BOOST_AUTO_TEST_SUITE_END()
