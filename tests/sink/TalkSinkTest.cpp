#include "confcap/sink/TalkSink.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "confcap/core/Clock.h"
#include "confcap/core/Error.h"
#include "confcap/core/Time.h"
#include "confcap/sink/PartSet.h"
#include "confcap/sink/Recovery.h"
#include "support/FakeClock.h"
#include "support/MediaTestSupport.h"
#include "support/RunProcess.h"
#include "support/SmallDisk.h"

namespace confcap::sink {

std::ostream& operator<<(std::ostream& out, SinkState state) {
    return out << "SinkState " << static_cast<int>(state);
}

}  // namespace confcap::sink

BOOST_AUTO_TEST_SUITE(TalkSinkTest)

namespace fs = std::filesystem;
using confcap::testing::makeClip;
using confcap::testing::readFile;
using confcap::testing::TempDir;
using namespace std::chrono_literals;
using confcap::core::Gap;
using confcap::core::Outcome;
using confcap::core::StreamFormat;
using confcap::sink::FinalizeResult;
using confcap::sink::PieceMerger;
using confcap::sink::SinkState;
using confcap::sink::TalkSink;
using confcap::sink::TalkSinkConfig;
using confcap::testing::FakeClock;
using confcap::testing::runProcess;
using confcap::testing::SmallDisk;

namespace {

/// A main-track chunk of `bytes`: an HLS segment of `mediaSeconds` when that is given.
confcap::core::Chunk chunkOf(std::string_view bytes, double mediaSeconds) {
    confcap::core::Chunk chunk;
    chunk.bytes = bytes;
    chunk.mediaSeconds = mediaSeconds;
    chunk.kind =
        mediaSeconds > 0 ? confcap::core::ChunkKind::SegmentStart : confcap::core::ChunkKind::Media;
    return chunk;
}

const StreamFormat kTs{"ts", true};
const StreamFormat kWebm{"webm", false};

/// Every regular file under `dir`, relative and sorted.
std::vector<std::string> filesUnder(const fs::path& dir) {
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) {
            files.push_back(entry.path().lexically_relative(dir).generic_string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

Poco::JSON::Object::Ptr readJson(const fs::path& path) {
    Poco::JSON::Parser parser;
    return parser.parse(readFile(path)).extract<Poco::JSON::Object::Ptr>();
}

/// Real clips made once for the whole suite, read into memory as a source would deliver them.
struct Clips {
    TempDir dir;
    std::string tsA, tsB, webmA, webmB;
    Clips() {
        makeClip(dir.path / "a.ts", 2);
        makeClip(dir.path / "b.ts", 1);
        makeClip(dir.path / "a.webm", 2);
        makeClip(dir.path / "b.webm", 1);
        tsA = readFile(dir.path / "a.ts");
        tsB = readFile(dir.path / "b.ts");
        webmA = readFile(dir.path / "a.webm");
        webmB = readFile(dir.path / "b.webm");
    }
};

const Clips& clips() {
    static const Clips instance;
    return instance;
}

std::string probe(const fs::path& file, const std::string& entry) {
    const auto result = runProcess("/usr/bin/ffprobe", {"-v", "error", "-show_entries", entry,
                                                        "-of", "csv=p=0", file.string()});
    BOOST_TEST_REQUIRE(result.exitCode == 0, "ffprobe failed on " << file << ": " << result.err);
    auto out = result.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == ',')) {
        out.pop_back();
    }
    return out;
}

double durationOf(const fs::path& file) {
    return std::stod(probe(file, "format=duration"));
}

const auto kWindowStart =
    std::chrono::system_clock::time_point(date::sys_days{date::year{2024} / 12 / 27} + 10h + 25min);

/// The talk "10:30 Opening" in Saal 1, window 10:25-11:10 UTC.
TalkSinkConfig configIn(const fs::path& outDir) {
    TalkSinkConfig config;
    config.outDir = outDir;
    // The stem the default pattern "{date}/{room}/{time} {title}" gives this talk.
    config.relativeStem = "2024-12-27/Saal 1/10:30 Opening";
    config.windowStart = kWindowStart;
    config.windowEnd = kWindowStart + 45min;
    config.streamUrl = "http://127.0.0.1:8080/saal1.m3u8";
    config.talk.id = "1234";
    config.talk.title = "Opening";
    config.talk.persons = {"Alice", "Bob"};
    return config;
}

/// Feeds `bytes` in chunks of `chunk` bytes, each worth `mediaSeconds`, a second apart.
void feed(TalkSink& sink, FakeClock& clock, std::string_view bytes, std::size_t chunk,
          double mediaSeconds = 0) {
    for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
        clock.advance(1s);
        sink.write(chunkOf(bytes.substr(pos, chunk), mediaSeconds));
    }
}

/// Records the talk of configIn(`outDir`) as `record` says, in a process that then dies
/// mid-recording, as a kill -9 leaves it: no finalize, no destructor.
void recordAndDie(const fs::path& outDir,
                  const std::function<void(TalkSink&, FakeClock&)>& record) {
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        FakeClock clock(kWindowStart);
        auto* sink = new TalkSink(configIn(outDir), clock);
        sink->beginPiece(kTs, false);
        record(*sink, clock);
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    BOOST_REQUIRE(WIFEXITED(status));
}

}  // namespace

BOOST_AUTO_TEST_CASE(tinyDumpIsDiscarded) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    auto config = configIn(temp.path);
    config.minBytes = 1'000'000;
    TalkSink sink(config, clock);
    sink.beginPiece(kTs, false);
    feed(sink, clock, std::string(12'000, 'x'), 4000);
    BOOST_TEST(filesUnder(temp.path).size() == 3u);  // the part, its list and its log
    const auto result = sink.finalize("window ended");
    BOOST_TEST(result.outcome == confcap::core::Outcome::Discarded);
    BOOST_TEST(result.reason ==
               "discarded: 12.0 kB that could not be read as media is below --min-size 1.0 MB");
    BOOST_TEST(result.files.empty());
    BOOST_TEST(filesUnder(temp.path).empty());
    BOOST_TEST(sink.status().state == SinkState::Finalized);
}

BOOST_AUTO_TEST_CASE(shortRecordingIsDiscardedByDuration) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    auto config = configIn(temp.path);
    config.minDuration = 5min;
    TalkSink sink(config, clock);
    sink.beginPiece(kTs, false);
    feed(sink, clock, std::string(30'000, 'x'), 10'000, 2.0);
    const auto result = sink.finalize("window ended");
    BOOST_TEST(result.outcome == confcap::core::Outcome::Discarded);
    BOOST_TEST(result.reason == "discarded: 6s of stream is below --min-duration 5m");
    BOOST_TEST(filesUnder(temp.path).empty());
}

BOOST_AUTO_TEST_CASE(noDataIsAFailureAndLeavesNothing) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    TalkSink sink(configIn(temp.path), clock);
    sink.beginPiece(kTs, false);
    const auto result = sink.finalize("window ended");
    BOOST_TEST(result.outcome == confcap::core::Outcome::Failed);
    BOOST_TEST(result.reason == "failed: no stream data arrived");
    BOOST_TEST(filesUnder(temp.path).empty());
}

BOOST_AUTO_TEST_CASE(recordsTheFileAndItsSidecar) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    TalkSink sink(configIn(temp.path), clock);
    BOOST_TEST(!sink.continued());
    BOOST_TEST(sink.status().state == SinkState::Waiting);
    BOOST_CHECK_THROW(sink.write(chunkOf("early", 0)), std::logic_error);
    sink.beginPiece(kTs, false);
    const auto& data = clips().tsA;
    const auto half = data.size() / 2;
    feed(sink, clock, std::string_view(data).substr(0, half), 1024, 0.5);
    Gap gap;
    gap.at = clock.now();
    gap.length = 12'500ms;
    gap.cause = "HTTP 503";
    gap.firstSequence = 41;
    gap.lastSequence = 42;
    sink.gap(gap);
    sink.reconnected();
    sink.beginPiece(kTs, false);  // concat-safe: appends to the same part
    clock.advance(12s);
    feed(sink, clock, std::string_view(data).substr(half), 1024, 0.5);
    const auto status = sink.status();
    BOOST_TEST(status.state == SinkState::Recording);
    BOOST_TEST(status.bytes == data.size());
    BOOST_TEST(status.pieces == 1);
    BOOST_TEST(status.reconnects == 1);
    BOOST_TEST(status.gaps.size() == 1u);

    const auto result = sink.finalize("window ended");
    BOOST_TEST(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    const auto dir = temp.path / "2024-12-27" / "Saal 1";
    BOOST_TEST(
        filesUnder(temp.path) == (std::vector<std::string>{"2024-12-27/Saal 1/10:30 Opening.json",
                                                           "2024-12-27/Saal 1/10:30 Opening.ts"}),
        boost::test_tools::per_element());
    BOOST_REQUIRE(result.files.size() == 1u);
    BOOST_TEST(result.files[0] == dir / "10:30 Opening.ts");
    BOOST_TEST(result.sidecar == dir / "10:30 Opening.json");
    BOOST_TEST(readFile(result.files[0]) == data);
    BOOST_TEST(!probe(result.files[0], "format=format_name").empty());

    const auto json = readJson(result.sidecar);
    BOOST_TEST(json->getObject("talk")->getValue<std::string>("title") == "Opening");
    BOOST_TEST(json->getObject("talk")->getArray("persons")->size() == 2u);
    BOOST_TEST(json->getValue<std::string>("stream") == "http://127.0.0.1:8080/saal1.m3u8");
    BOOST_TEST(json->getObject("window")->getValue<std::string>("start") == "2024-12-27T10:25:00Z");
    BOOST_TEST(json->getObject("window")->getValue<std::string>("end") == "2024-12-27T11:10:00Z");
    BOOST_TEST(json->getValue<std::string>("file") == "2024-12-27/Saal 1/10:30 Opening.ts");
    BOOST_TEST(json->getValue<std::uint64_t>("bytes") == data.size());
    BOOST_TEST(json->getValue<double>("scheduledSeconds") == 2700.0);
    // Covered time is read from the media's timestamps (the 2 s clip), whatever the chunks
    // claimed.
    BOOST_TEST(json->getValue<double>("coveredSeconds") == 2.0, boost::test_tools::tolerance(0.05));
    BOOST_TEST(json->getValue<bool>("coveredFromMedia"));
    BOOST_TEST(json->getValue<int>("reconnects") == 1);
    BOOST_TEST(json->getValue<int>("pieces") == 1);
    BOOST_TEST(json->getValue<std::string>("outcome") == "recorded");
    BOOST_TEST(json->getValue<std::string>("reason") == result.reason);
    BOOST_TEST(json->getValue<std::string>("finalizedBecause") == "window ended");
    const auto gaps = json->getArray("gaps");
    BOOST_REQUIRE(gaps->size() == 1u);
    const auto g = gaps->getObject(0);
    BOOST_TEST(g->getValue<double>("offsetSeconds") == static_cast<double>((half + 1023) / 1024));
    BOOST_TEST(g->getValue<double>("lengthSeconds") == 12.5);
    BOOST_TEST(g->getValue<std::string>("cause") == "HTTP 503");
    BOOST_TEST(g->getValue<std::int64_t>("firstSequence") == 41);
    BOOST_TEST(g->getValue<std::int64_t>("lastSequence") == 42);
    BOOST_TEST(result.reason.starts_with("recorded: "));
    BOOST_TEST(result.reason.find("with 1 gap") != std::string::npos);

    // A second finalize returns the first result and touches nothing.
    BOOST_TEST(sink.finalize("again").sidecar == result.sidecar);
    BOOST_CHECK_THROW(sink.write(chunkOf("late", 0)), std::logic_error);
}

BOOST_AUTO_TEST_CASE(coveredTimeIsWallTimeWithDataWhenTheSourceGivesNone) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    TalkSink sink(configIn(temp.path), clock);
    sink.beginPiece(kTs, false);
    feed(sink, clock, std::string(10'000, 'x'), 1000);  // 10 writes, 1 s apart: 9 s covered
    sink.gap({clock.now(), 30s, "stall", "", std::nullopt, std::nullopt});
    clock.advance(30s);
    feed(sink, clock, std::string(5'000, 'x'), 1000);  // 4 s more; the stall is not covered
    BOOST_TEST(sink.status().coveredSeconds == 13.0);
    sink.finalize("window ended");
}

BOOST_AUTO_TEST_CASE(collisionGetsANumberAndNothingIsOverwritten) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    const auto dir = temp.path / "2024-12-27" / "Saal 1";
    fs::create_directories(dir);
    std::ofstream(dir / "10:30 Opening.ts") << "earlier recording";
    std::ofstream(dir / "10:30 Opening (2).json") << "someone's sidecar";
    std::vector<FinalizeResult> results;
    for (int i = 0; i < 2; ++i) {
        TalkSink sink(configIn(temp.path), clock);
        sink.beginPiece(kTs, false);
        feed(sink, clock, std::string(2000, static_cast<char>('a' + i)), 1000);
        results.push_back(sink.finalize("window ended"));
    }
    BOOST_TEST(readFile(dir / "10:30 Opening.ts") == "earlier recording");
    BOOST_TEST(readFile(dir / "10:30 Opening (2).json") == "someone's sidecar");
    BOOST_TEST(results[0].files.at(0) == dir / "10:30 Opening (3).ts");
    BOOST_TEST(results[0].sidecar == dir / "10:30 Opening (3).json");
    BOOST_TEST(results[1].files.at(0) == dir / "10:30 Opening (4).ts");
    BOOST_TEST(readFile(dir / "10:30 Opening (3).ts") == std::string(2000, 'a'));
    BOOST_TEST(readFile(dir / "10:30 Opening (4).ts") == std::string(2000, 'b'));
    BOOST_TEST(readJson(results[1].sidecar)->getValue<std::string>("file") ==
               "2024-12-27/Saal 1/10:30 Opening (4).ts");
    BOOST_TEST(filesUnder(temp.path).size() == 6u);
}

BOOST_AUTO_TEST_CASE(webmPiecesAreMergedIntoOnePlayableFile) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    TalkSink sink(configIn(temp.path), clock);
    sink.beginPiece(kWebm, false);
    feed(sink, clock, clips().webmA, 4096);
    sink.reconnected();
    sink.beginPiece(kWebm, false);  // a new connection's WebM needs its own file
    feed(sink, clock, clips().webmB, 4096);
    BOOST_TEST(sink.status().pieces == 2);
    const auto dir = temp.path / "2024-12-27" / "Saal 1";
    BOOST_TEST(fs::exists(dir / "10:30 Opening.webm.part"));
    BOOST_TEST(fs::exists(dir / "10:30 Opening.webm.part2"));
    const auto result = sink.finalize("window ended");
    BOOST_TEST(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    BOOST_REQUIRE(result.files.size() == 1u);
    BOOST_TEST(result.files[0] == dir / "10:30 Opening.webm");
    BOOST_TEST(std::abs(durationOf(result.files[0]) - 3.0) <= 0.5);
    const auto json = readJson(result.sidecar);
    BOOST_TEST(json->getValue<int>("pieces") == 2);
    BOOST_TEST(json->getValue<bool>("merged"));
    BOOST_TEST(
        filesUnder(temp.path) == (std::vector<std::string>{"2024-12-27/Saal 1/10:30 Opening.json",
                                                           "2024-12-27/Saal 1/10:30 Opening.webm"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(aTinyPieceBetweenTwoIsLeftOutOfTheMerge) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    TalkSink sink(configIn(temp.path), clock);
    sink.beginPiece(kWebm, false);
    feed(sink, clock, clips().webmA, 4096);
    // A run that wrote a header and died: on its own it is not a playable WebM.
    sink.reconnected();
    sink.beginPiece(kWebm, false);
    sink.write(chunkOf(std::string_view(clips().webmB).substr(0, 600), 0));
    sink.reconnected();
    sink.beginPiece(kWebm, false);
    feed(sink, clock, clips().webmB, 4096);
    BOOST_TEST(sink.status().pieces == 3);
    const auto result = sink.finalize("window ended");
    BOOST_TEST(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    BOOST_REQUIRE(result.files.size() == 1u);
    BOOST_TEST(std::abs(durationOf(result.files[0]) - 3.0) <= 0.5);
    BOOST_TEST(std::any_of(result.notes.begin(), result.notes.end(), [](const std::string& note) {
        return note.find("1 piece under 16.4 kB left out") != std::string::npos;
    }));
    BOOST_TEST(filesUnder(temp.path).size() == 2u);
}

BOOST_AUTO_TEST_CASE(withoutFfmpegPiecesAreKeptNumbered) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    TalkSink sink(configIn(temp.path), clock, PieceMerger(fs::path()));
    sink.beginPiece(kWebm, false);
    feed(sink, clock, clips().webmA, 65536);
    sink.beginPiece(kWebm, false);
    feed(sink, clock, clips().webmB, 65536);
    const auto result = sink.finalize("window ended");
    BOOST_TEST(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    const auto dir = temp.path / "2024-12-27" / "Saal 1";
    BOOST_TEST(result.files == (std::vector<fs::path>{dir / "10:30 Opening.part1.webm",
                                                      dir / "10:30 Opening.part2.webm"}),
               boost::test_tools::per_element());
    BOOST_TEST(readFile(result.files[0]) == clips().webmA);
    BOOST_TEST(readFile(result.files[1]) == clips().webmB);
    const auto json = readJson(result.sidecar);
    BOOST_TEST(!json->getValue<bool>("merged"));
    BOOST_TEST(json->getArray("files")->size() == 2u);
    BOOST_TEST(json->getArray("notes")->getElement<std::string>(0).find("ffmpeg is not on PATH") !=
               std::string::npos);
    BOOST_TEST(result.reason.find("kept as 2 separate files") != std::string::npos);
    BOOST_TEST(filesUnder(temp.path).size() == 3u);
}

BOOST_AUTO_TEST_CASE(aFileSizeLimitGoesOnInFurtherPiecesAndAChunkOverItIsAGap) {
    TempDir temp;
    constexpr rlim_t kLimit = 100 * 1024;
    const std::string data = [] {
        std::string s;
        for (int i = 0; s.size() < 640 * 1024; ++i) {
            s += std::to_string(i) + ",";
        }
        return s;
    }();
    int pipeFds[2];
    BOOST_REQUIRE(::pipe(pipeFds) == 0);
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        // The child lives under a file size limit and reports back through the pipe.
        ::close(pipeFds[0]);
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{kLimit, kLimit};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        std::ostringstream report;
        // 64 kB chunks fit a new file; 128 kB chunks are over the limit on their own.
        for (const std::size_t chunkSize : {std::size_t{64 * 1024}, std::size_t{128 * 1024}}) {
            auto config = configIn(temp.path);
            config.relativeStem += chunkSize == 64 * 1024 ? " pieces" : " over";
            FakeClock clock(kWindowStart);
            TalkSink sink(config, clock);
            sink.beginPiece(kTs, false);
            int errors = 0;
            for (std::size_t pos = 0; pos < data.size(); pos += chunkSize) {
                clock.advance(1s);
                try {
                    sink.write(chunkOf(std::string_view(data).substr(pos, chunkSize), 0));
                } catch (const confcap::core::OutputError&) {
                    ++errors;
                }
            }
            const auto status = sink.status();
            const auto result = sink.finalize("window ended");
            const auto& gaps = result.status.gaps;
            std::string kept;
            for (const auto& file : result.files) {
                kept += readFile(file);
            }
            report << errors << '\n'
                   << status.writeFailure << '\n'
                   << static_cast<int>(status.state) << '\n'
                   << result.status.droppedBytes << '\n'
                   << static_cast<int>(result.outcome) << '\n'
                   << result.reason << '\n'
                   << result.files.size() << '\n'
                   << (kept == data ? "all kept" : std::to_string(kept.size()) + " bytes kept")
                   << '\n'
                   << gaps.size() << '\n'
                   << (gaps.empty() ? "-" : gaps[0].cause) << '\n';
        }
        const auto text = report.str();
        [[maybe_unused]] auto n = ::write(pipeFds[1], text.data(), text.size());
        ::_exit(0);
    }
    ::close(pipeFds[1]);
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipeFds[0], buffer, sizeof buffer)) > 0;) {
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(pipeFds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    BOOST_REQUIRE(WIFEXITED(status));
    BOOST_REQUIRE(WEXITSTATUS(status) == 0);
    BOOST_TEST_MESSAGE(text);
    std::istringstream lines(text);
    auto next = [&] {
        std::string line;
        std::getline(lines, line);
        return line;
    };
    // Each file stops at the limit and the next piece goes on: every byte is kept, in pieces
    // that cannot be joined into one file under the limit. The failed write is told (exit 74).
    BOOST_TEST(next() == "0");
    auto message = next();
    BOOST_TEST(message.find("The file size limit was reached: could not write") == 0u, message);
    BOOST_TEST(message.find("10:30 Opening pieces.ts.part\"") != std::string::npos, message);
    BOOST_TEST(next() == std::to_string(static_cast<int>(SinkState::Recording)));
    BOOST_TEST(next() == "0");
    BOOST_TEST(next() == std::to_string(static_cast<int>(confcap::core::Outcome::Recorded)));
    const auto reason = next();
    BOOST_TEST(reason.find("separate files") != std::string::npos, reason);
    BOOST_TEST(std::stoi(next()) >= 2);
    BOOST_TEST(next() == "all kept");
    BOOST_TEST(next() == "0");
    next();
    // A chunk over the limit by itself cannot be written anywhere: held, retried, and at the
    // end the whole window is one "disk full" gap; nothing was written, so the talk failed.
    BOOST_TEST(next() == "0");
    message = next();
    BOOST_TEST(message.find("The file size limit was reached") == 0u, message);
    BOOST_TEST(next() == std::to_string(static_cast<int>(SinkState::DiskFull)));
    BOOST_TEST(next() == std::to_string(data.size()));
    BOOST_TEST(next() == std::to_string(static_cast<int>(confcap::core::Outcome::Failed)));
    BOOST_TEST(next().starts_with("failed: nothing was written (the file size limit was reached"));
    BOOST_TEST(next() == "0");
    next();
    BOOST_TEST(next() == "1");
    BOOST_TEST(next() == "disk full");
}

BOOST_AUTO_TEST_CASE(aDiskThatFillsAndFreesLosesOnlyWhatDidNotFitInMemory) {
    SmallDisk disk(2);
    if (!disk.mounted()) {
        BOOST_TEST_MESSAGE("skipped: " << disk.why());
        return;
    }
    // HLS segments of 100 kB and 2 s; the sink holds at most 250 kB while the disk is full.
    std::vector<std::string> segments;
    for (int n = 0; n < 8; ++n) {
        segments.push_back(std::string(100 * 1000, static_cast<char>('a' + n)));
    }
    const auto segment = [&](int n) {
        auto chunk = chunkOf(segments[static_cast<std::size_t>(n)], 2.0);
        chunk.sequence = 100 + n;
        return chunk;
    };
    auto config = configIn(disk.path());
    config.holdBytes = 250 * 1000;
    FakeClock clock(kWindowStart);
    TalkSink sink(config, clock);
    sink.beginPiece(kTs, false);
    sink.write(segment(0));
    BOOST_TEST_REQUIRE(disk.fill() > 0u);
    for (int n = 1; n <= 5; ++n) {
        clock.advance(2s);
        BOOST_CHECK_NO_THROW(sink.write(segment(n)));
    }
    auto status = sink.status();
    BOOST_TEST(status.state == SinkState::DiskFull);
    BOOST_TEST(status.diskFullSince.has_value());
    BOOST_TEST(status.writeFailure.find("The disk is full: could not write") == 0u,
               status.writeFailure);
    // Space comes back: the held segments 104 and 105 go in before 106; 101-103 are a gap.
    disk.free();
    clock.advance(2s);
    sink.write(segment(6));
    status = sink.status();
    BOOST_TEST(status.state == SinkState::Recording);
    BOOST_TEST(!status.diskFullSince.has_value());
    BOOST_TEST(status.diskFullTime.count() == 10000);
    BOOST_TEST(status.diskFullEpisodes == 1);
    clock.advance(2s);
    sink.write(segment(7));
    const auto result = sink.finalize("window ended");
    BOOST_TEST_REQUIRE(result.outcome == Outcome::Recorded, result.reason);
    BOOST_TEST_REQUIRE(result.files.size() == 1u);
    BOOST_TEST(readFile(result.files[0]) ==
               segments[0] + segments[4] + segments[5] + segments[6] + segments[7]);
    BOOST_TEST_REQUIRE(result.status.gaps.size() == 1u);
    const auto& gap = result.status.gaps[0];
    BOOST_TEST(gap.cause == "disk full");
    BOOST_TEST(gap.length.count() == 6000);
    BOOST_TEST((gap.at == kWindowStart + 2s));
    BOOST_TEST(gap.firstSequence.value_or(0) == 101);
    BOOST_TEST(gap.lastSequence.value_or(0) == 103);
    BOOST_TEST(gap.detail.find("The disk is full") == 0u, gap.detail);
    // Writing went on, so the write failure is told but did not stop the recording.
    BOOST_TEST(result.writeError.empty());
    BOOST_TEST(confcap::sink::writeFailureOf(result) == status.writeFailure);
    const auto json = readJson(result.sidecar);
    BOOST_TEST(json->getObject("diskFull")->getValue<double>("seconds") == 10.0);
    const auto gaps = json->getArray("gaps");
    BOOST_TEST_REQUIRE(gaps->size() == 1u);
    BOOST_TEST(gaps->getObject(0)->getValue<std::string>("cause") == "disk full");
    bool told = false;
    for (const auto& note : result.notes) {
        told = told || note.find("The disk was full for 10s") == 0u;
    }
    BOOST_TEST(told);
}

BOOST_AUTO_TEST_CASE(aShortFullDiskLosesNothing) {
    SmallDisk disk(2);
    if (!disk.mounted()) {
        BOOST_TEST_MESSAGE("skipped: " << disk.why());
        return;
    }
    FakeClock clock(kWindowStart);
    TalkSink sink(configIn(disk.path()), clock);
    sink.beginPiece(kTs, false);
    const auto& ts = clips().tsA;
    const std::size_t third = ts.size() / 3 / 188 * 188;
    sink.write(chunkOf(std::string_view(ts).substr(0, third), 0));
    BOOST_TEST_REQUIRE(disk.fill() > 0u);
    clock.advance(1s);
    sink.write(chunkOf(std::string_view(ts).substr(third, third), 0));
    BOOST_TEST(sink.status().state == SinkState::DiskFull);
    disk.free();
    clock.advance(1s);
    sink.write(chunkOf(std::string_view(ts).substr(2 * third), 0));
    const auto result = sink.finalize("window ended");
    BOOST_TEST_REQUIRE(result.outcome == Outcome::Recorded, result.reason);
    BOOST_TEST(readFile(result.files[0]) == ts);
    BOOST_TEST(result.status.gaps.empty());
    BOOST_TEST(result.status.droppedBytes == 0u);
    BOOST_TEST(std::abs(durationOf(result.files[0]) - 2.0) < 0.2);
}

BOOST_AUTO_TEST_CASE(recoverLeftoversFinalizesAbandonedParts) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    {
        TalkSink sink(configIn(temp.path), clock);
        sink.beginPiece(kTs, false);
        feed(sink, clock, clips().tsA, 8192, 0.2);
    }  // destroyed without finalize, as when the process stops
    const auto dir = temp.path / "2024-12-27" / "Saal 1";
    BOOST_TEST(filesUnder(temp.path) ==
                   (std::vector<std::string>{"2024-12-27/Saal 1/10:30 Opening.part.json",
                                             "2024-12-27/Saal 1/10:30 Opening.ts.part"}),
               boost::test_tools::per_element());
    // A talk in another room is still being recorded: its parts must be left alone.
    auto other = configIn(temp.path);
    other.relativeStem = "2024-12-27/Saal 2/10:30 Live";
    TalkSink live(other, clock);
    live.beginPiece(kTs, false);
    live.write(chunkOf("live data", 0));

    const auto results = confcap::sink::recoverLeftovers(temp.path);
    BOOST_REQUIRE(results.size() == 1u);
    BOOST_TEST(results[0].outcome == confcap::core::Outcome::Recorded, results[0].reason);
    BOOST_TEST(results[0].relativeStem == "2024-12-27/Saal 1/10:30 Opening");
    BOOST_TEST(results[0].files.at(0) == dir / "10:30 Opening.ts");
    BOOST_TEST(readFile(dir / "10:30 Opening.ts") == clips().tsA);
    const auto json = readJson(dir / "10:30 Opening.json");
    BOOST_TEST(json->getValue<std::string>("finalizedBecause") == "recovered after a restart");
    BOOST_TEST(json->getObject("talk")->getValue<std::string>("id") == "1234");
    BOOST_TEST(json->getValue<std::string>("stream") == "http://127.0.0.1:8080/saal1.m3u8");
    BOOST_TEST(json->getValue<double>("coveredSeconds") > 0.0);
    BOOST_TEST(fs::exists(temp.path / "2024-12-27/Saal 2/10:30 Live.ts.part"));
    BOOST_TEST(confcap::sink::recoverLeftovers(temp.path).empty());

    BOOST_TEST(live.finalize("window ended").outcome == confcap::core::Outcome::Recorded);
    BOOST_TEST(filesUnder(temp.path).size() == 4u);
}

BOOST_AUTO_TEST_CASE(recoverLeftoversFinalizesPartsOfACrashedProcess) {
    TempDir temp;
    const auto& data = clips().tsA;  // made here, not in the child that never cleans up
    recordAndDie(temp.path,
                 [&](TalkSink& sink, FakeClock& clock) { feed(sink, clock, data, 4096, 0.1); });
    const auto results = confcap::sink::recoverLeftovers(temp.path);
    BOOST_REQUIRE(results.size() == 1u);
    BOOST_TEST(results[0].outcome == confcap::core::Outcome::Recorded, results[0].reason);
    BOOST_TEST(readFile(results[0].files.at(0)) == data);
    BOOST_TEST(readJson(results[0].sidecar)->getValue<std::uint64_t>("bytes") == data.size());
    BOOST_TEST(filesUnder(temp.path).size() == 2u);
}

BOOST_AUTO_TEST_CASE(aKilledProcessLeavesEverySegmentItWroteToTheNextRun) {
    // The part list is written whole only now and then; the writes after it are in the part log.
    TempDir temp;
    const std::string_view data = clips().tsA;
    constexpr std::size_t kSegmentBytes = 188 * 40;
    const std::size_t count = data.size() / kSegmentBytes;
    BOOST_REQUIRE(count >= 5u);
    recordAndDie(temp.path, [&](TalkSink& sink, FakeClock& clock) {
        for (std::size_t i = 0; i < count; ++i) {
            clock.advance(2s);
            const auto uri = "seg" + std::to_string(500 + i) + ".ts";
            auto chunk = chunkOf(data.substr(i * kSegmentBytes, kSegmentBytes), 2.0);
            chunk.sequence = static_cast<std::int64_t>(500 + i);
            chunk.uri = uri;
            sink.write(chunk);
        }
    });

    const fs::path stem = "2024-12-27/Saal 1/10:30 Opening";
    const auto saved =
        confcap::sink::partListFrom(readFile(confcap::sink::PartSet::listPathFor(temp.path, stem)));
    BOOST_REQUIRE(saved.has_value());
    BOOST_TEST(saved->pieces.back().tracks.front().segments.size() < count);
    {
        const confcap::sink::PartSet parts(temp.path, stem);
        const auto& list = parts.list();
        BOOST_REQUIRE(list.pieces.size() == 1u);
        const auto& segments = list.pieces[0].tracks.at(0).segments;
        BOOST_TEST_REQUIRE(segments.size() == count);
        for (std::size_t i = 0; i < count; ++i) {
            BOOST_TEST(segments[i].sequence == static_cast<std::int64_t>(500 + i));
            BOOST_TEST(segments[i].offset == i * kSegmentBytes);
        }
        BOOST_TEST_REQUIRE(list.resume.size() == 1u);
        BOOST_TEST(list.resume[0].nextSequence == static_cast<std::int64_t>(500 + count));
        BOOST_TEST(list.resume[0].lastUri == "seg" + std::to_string(500 + count - 1) + ".ts");
        BOOST_TEST((list.lastData == kWindowStart + 2s * count));
        // Measured from the clip's timestamps, further than when the list was saved.
        BOOST_TEST(list.progress.measured);
        BOOST_TEST(list.progress.coveredSeconds > saved->progress.coveredSeconds);
    }
    const auto results = confcap::sink::recoverLeftovers(temp.path);
    BOOST_REQUIRE(results.size() == 1u);
    BOOST_TEST(results[0].outcome == Outcome::Recorded, results[0].reason);
    BOOST_TEST(readFile(results[0].files.at(0)) == data.substr(0, count * kSegmentBytes));
    BOOST_TEST(filesUnder(temp.path).size() == 2u);  // the file and its sidecar
}

BOOST_AUTO_TEST_CASE(piecesOfDifferentFormatsAreKeptApart) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    TalkSink sink(configIn(temp.path), clock);
    sink.beginPiece(kTs, false);
    feed(sink, clock, std::string(3000, 't'), 1000);
    sink.beginPiece({"mp3", true}, false);
    feed(sink, clock, std::string(2000, 'm'), 1000);
    const auto result = sink.finalize("window ended");
    BOOST_TEST(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    const auto dir = temp.path / "2024-12-27" / "Saal 1";
    BOOST_TEST(result.files == (std::vector<fs::path>{dir / "10:30 Opening.part1.ts",
                                                      dir / "10:30 Opening.part2.mp3"}),
               boost::test_tools::per_element());
    BOOST_TEST(readFile(result.files.at(1)) == std::string(2000, 'm'));
    BOOST_TEST(result.notes.at(0).find("different formats (ts, mp3)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unwritableFolderIsOneOutputErrorAndAFailure) {
    TempDir temp;
    std::ofstream(temp.path / "2024-12-27") << "a file where the folder should be";
    FakeClock clock(kWindowStart);
    TalkSink sink(configIn(temp.path), clock);
    BOOST_CHECK_THROW(sink.beginPiece(kTs, false), confcap::core::OutputError);
    BOOST_TEST(sink.status().state == SinkState::WriteFailed);
    sink.write(chunkOf("dropped", 0));
    sink.beginPiece(kTs, false);
    BOOST_TEST(sink.status().droppedBytes == 7u);
    const auto result = sink.finalize("window ended");
    BOOST_TEST(result.outcome == confcap::core::Outcome::Failed);
    BOOST_TEST(result.reason.find("failed: nothing was written (could not create the folder") == 0u,
               result.reason);
    BOOST_TEST(filesUnder(temp.path) == std::vector<std::string>{"2024-12-27"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(aContinuedSinkAddsANewPieceThatIsByteAppended) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    {
        TalkSink sink(configIn(temp.path), clock);
        sink.beginPiece(kTs, false);
        feed(sink, clock, clips().tsA, 8192);
        sink.reconnected();
    }
    clock.advance(40s);  // the restart takes 40 s
    TalkSink sink(configIn(temp.path), clock);
    BOOST_TEST(sink.continued());
    BOOST_TEST(sink.status().bytes == clips().tsA.size());
    BOOST_TEST(sink.status().reconnects == 1);
    // The earlier run's parts are held: recovery leaves them alone.
    BOOST_TEST(confcap::sink::recoverLeftovers(temp.path).empty());
    BOOST_CHECK_THROW(TalkSink(configIn(temp.path), clock), confcap::core::OutputError);
    sink.beginPiece(kTs, false);
    clock.advance(1s);
    sink.write(chunkOf(clips().tsB, 1.0));
    BOOST_TEST(sink.status().pieces == 2);
    const auto result = sink.finalize("window ended");
    BOOST_TEST(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    BOOST_REQUIRE(result.files.size() == 1u);
    BOOST_TEST(readFile(result.files[0]) == clips().tsA + clips().tsB);
    BOOST_TEST(!probe(result.files[0], "format=format_name").empty());
    const auto json = readJson(result.sidecar);
    BOOST_TEST(json->getValue<int>("pieces") == 2);
    const auto gaps = json->getArray("gaps");
    BOOST_REQUIRE(gaps->size() == 1u);
    BOOST_TEST(gaps->getObject(0)->getValue<std::string>("cause") == "confcap was not running");
    BOOST_TEST(gaps->getObject(0)->getValue<double>("lengthSeconds") == 41.0);
    BOOST_TEST(filesUnder(temp.path).size() == 2u);
}

BOOST_AUTO_TEST_CASE(statusIsSafeFromAnotherThread) {
    TempDir temp;
    TalkSink sink(configIn(temp.path));
    sink.beginPiece(kTs, false);
    std::atomic<bool> done = false;
    std::uint64_t lastSeen = 0;
    bool monotonic = true;
    std::thread reader([&] {
        while (!done) {
            const auto bytes = sink.status().bytes;
            monotonic = monotonic && bytes >= lastSeen;
            lastSeen = bytes;
        }
    });
    const std::string chunk(1024, 'x');
    for (int i = 0; i < 2000; ++i) {
        sink.write(chunkOf(chunk, 0.01));
    }
    done = true;
    reader.join();
    BOOST_TEST(monotonic);
    BOOST_TEST(sink.status().bytes == 2000u * 1024u);
    sink.finalize("window ended");
}

BOOST_AUTO_TEST_CASE(rejectsStemsThatLeaveTheOutputFolder) {
    TempDir temp;
    for (const char* stem : {"../escape", "/abs/x", "", "a/./b"}) {
        auto config = configIn(temp.path);
        config.relativeStem = stem;
        BOOST_CHECK_THROW(TalkSink{config}, std::invalid_argument);
    }
}

BOOST_AUTO_TEST_CASE(audioRenditionsAreMuxedIntoTheFile) {
    // A video-only variant and two audio renditions, as an HLS master with EXT-X-MEDIA has them.
    TempDir media;
    auto encode = [&](const std::string& name, std::vector<std::string> options) {
        std::vector<std::string> args = {
            "-hide_banner", "-loglevel", "error", "-nostdin",
            "-f",           "lavfi",     "-i",    "testsrc=size=160x90:rate=25",
            "-f",           "lavfi",     "-i",    "sine=frequency=440",
            "-t",           "3"};
        args.insert(args.end(), options.begin(), options.end());
        args.push_back((media.path / name).string());
        BOOST_TEST_REQUIRE(runProcess("/usr/bin/ffmpeg", args).exitCode == 0);
        return readFile(media.path / name);
    };
    const auto video = encode("video.ts", {"-an", "-c:v", "mpeg2video", "-f", "mpegts"});
    const auto german = encode("deu.ts", {"-vn", "-c:a", "mp2", "-f", "mpegts"});
    const auto english = encode("eng.ts", {"-vn", "-c:a", "mp2", "-f", "mpegts"});

    TempDir temp;
    FakeClock clock(kWindowStart);
    auto config = configIn(temp.path);
    config.minDuration = 1s;
    TalkSink sink(config, clock);
    sink.beginPiece(kTs, false);
    sink.beginTrack({1, "Native", "deu"}, kTs);
    sink.beginTrack({2, "Translated", "eng"}, kTs);
    auto write = [&](int track, const std::string& bytes) {
        confcap::core::Chunk chunk;
        chunk.bytes = bytes;
        chunk.track = track;
        chunk.kind = confcap::core::ChunkKind::SegmentStart;
        sink.write(chunk);
    };
    write(0, video);
    write(1, german);
    write(2, english);
    const auto result = sink.finalize("window ended");
    BOOST_TEST(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    BOOST_REQUIRE_EQUAL(result.files.size(), 1u);
    // ffprobe lists a TS file's streams twice (in the program, without tags, and alone): keep
    // the fuller line of each stream.
    std::map<std::string, std::string> streams;
    std::istringstream lines(
        probe(result.files[0], "stream=index,codec_type:stream_tags=language"));
    for (std::string line; std::getline(lines, line);) {
        while (!line.empty() && line.back() == ',') {
            line.pop_back();
        }
        auto& known = streams[line.substr(0, line.find(','))];
        if (line.size() > known.size()) {
            known = line;
        }
    }
    streams.erase("");
    std::vector<std::string> found;
    for (const auto& [index, line] : streams) {
        found.push_back(line);
    }
    BOOST_TEST(found == (std::vector<std::string>{"0,video", "1,audio,deu", "2,audio,eng"}),
               boost::test_tools::per_element());
    BOOST_TEST(std::abs(durationOf(result.files[0]) - 3.0) <= 0.3);
    const auto json = readJson(result.sidecar);
    BOOST_TEST(json->getArray("audioRenditions")->size() == 2u);
    BOOST_TEST(filesUnder(temp.path).size() == 2u);
}

BOOST_AUTO_TEST_CASE(aSuspendedRecordingIsContinuedIntoTheSameFile) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    auto segment = [&](TalkSink& sink, const std::string& bytes, std::int64_t sequence) {
        confcap::core::Chunk chunk;
        chunk.bytes = bytes;
        chunk.kind = confcap::core::ChunkKind::SegmentStart;
        chunk.mediaSeconds = 2.0;
        chunk.sequence = sequence;
        const std::string uri = "http://h/" + std::to_string(sequence) + ".ts";
        chunk.uri = uri;
        sink.write(chunk);
    };
    for (const std::int64_t resumedAt : {std::int64_t{8}, std::int64_t{10}}) {
        BOOST_TEST_CONTEXT("resumed at segment " << resumedAt) {
            auto config = configIn(temp.path);
            config.relativeStem += " " + std::to_string(resumedAt);
            {
                TalkSink first(config, clock);
                first.beginPiece(kTs, false);
                segment(first, clips().tsA, 7);
                first.suspend();
            }
            BOOST_TEST(
                fs::exists(confcap::sink::PartSet::listPathFor(temp.path, config.relativeStem)));
            clock.advance(30s);
            TalkSink second(config, clock);
            BOOST_TEST(second.continued());
            const auto points = second.resumePoints();
            BOOST_REQUIRE_EQUAL(points.size(), 1u);
            BOOST_TEST(points[0].nextSequence == 8);
            BOOST_TEST(points[0].lastUri == "http://h/7.ts");
            second.beginPiece(kTs, false);
            segment(second, clips().tsB, resumedAt);
            const auto result = second.finalize("window ended");
            BOOST_TEST(result.outcome == confcap::core::Outcome::Recorded, result.reason);
            BOOST_REQUIRE_EQUAL(result.files.size(), 1u);
            BOOST_TEST(result.files[0].filename().string() ==
                       "10:30 Opening " + std::to_string(resumedAt) + ".ts");
            BOOST_TEST(readFile(result.files[0]) == clips().tsA + clips().tsB);
            // Each piece's segments survive the restart and reach the sidecar with their
            // offsets and the size of their piece's file.
            const auto sidecar = readJson(result.sidecar);
            const auto segments = sidecar->getArray("segments");
            BOOST_REQUIRE(segments);
            BOOST_REQUIRE_EQUAL(segments->size(), 2u);
            const auto first = segments->getObject(0);
            BOOST_TEST(first->getValue<int>("piece") == 1);
            BOOST_TEST(first->getValue<int>("track") == 0);
            BOOST_TEST(first->getValue<std::uint64_t>("bytes") == clips().tsA.size());
            const auto marks = confcap::sink::segmentsFrom(*first->getArray("list"));
            BOOST_REQUIRE_EQUAL(marks.size(), 1u);
            BOOST_TEST(marks[0].sequence == 7);
            BOOST_TEST(marks[0].offset == 0u);
            BOOST_TEST(marks[0].seconds == 2.0);
            const auto later =
                confcap::sink::segmentsFrom(*segments->getObject(1)->getArray("list"));
            BOOST_REQUIRE_EQUAL(later.size(), 1u);
            BOOST_TEST(later[0].sequence == resumedAt);
            if (resumedAt == 8) {
                // The stream still listed the next segment: nothing was lost.
                BOOST_TEST(result.status.gaps.empty());
            } else {
                BOOST_REQUIRE_EQUAL(result.status.gaps.size(), 1u);
                const auto& gap = result.status.gaps[0];
                BOOST_TEST(gap.cause == "confcap was not running");
                BOOST_TEST(gap.firstSequence.value_or(-1) == 8);
                BOOST_TEST(gap.lastSequence.value_or(-1) == 9);
                BOOST_TEST(gap.length.count() == 4000);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(aMoveToAnotherVariantStaysInThePieceAndReachesTheSidecar) {
    TempDir temp;
    FakeClock clock(kWindowStart + 1min);
    const auto config = configIn(temp.path);
    confcap::core::VariantSwitch change;
    change.at = kWindowStart + 90s;
    change.from = {1280, 720, 2'195'600};
    change.to = {640, 360, 642'400};
    change.why = "fetching took longer than playing";
    {
        TalkSink first(config, clock);
        first.beginPiece(kTs, false);
        first.write(chunkOf(clips().tsA, 2.0));
        first.variantSwitched(change);
        first.write(chunkOf(clips().tsB, 1.0));
        const auto status = first.status();
        BOOST_TEST(status.pieces == 1);
        BOOST_REQUIRE_EQUAL(status.variants.size(), 1u);
        BOOST_TEST(status.variants[0].offset.count() == 90'000);
        first.suspend();
    }
    // The part list keeps it for the run that continues the recording.
    TalkSink second(config, clock);
    BOOST_REQUIRE_EQUAL(second.status().variants.size(), 1u);
    second.beginPiece(kTs, false);
    second.write(chunkOf(clips().tsB, 1.0));
    const auto result = second.finalize("window ended");
    BOOST_TEST(result.outcome == Outcome::Recorded, result.reason);
    const auto variants = readJson(result.sidecar)->getArray("variants");
    BOOST_REQUIRE(variants);
    BOOST_REQUIRE_EQUAL(variants->size(), 1u);
    const auto move = variants->getObject(0);
    BOOST_TEST(move->getValue<std::string>("at") == "2024-12-27T10:26:30Z");
    BOOST_TEST(move->getObject("from")->getValue<std::string>("resolution") == "1280x720");
    BOOST_TEST(move->getObject("to")->getValue<std::int64_t>("bandwidth") == 642'400);
    BOOST_TEST(move->getValue<std::string>("why") == "fetching took longer than playing");
}

BOOST_AUTO_TEST_SUITE_END()
