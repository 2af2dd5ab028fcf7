// A talk's MPEG-TS part named in its service description as it is written: what PartSet keeps of
// that through failed writes and renamings, that the room's tape still shares such a file, that
// a talk sharing blocks with a later one leaves the bytes as the stream sent them (the kernel
// compares them), and that publishing then takes the naming instead of reading the file again.
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/sink/FileCheck.h"
#include "confcap/sink/OverlapLedger.h"
#include "confcap/sink/PartSet.h"
#include "confcap/sink/RoomTape.h"
#include "confcap/sink/TalkSink.h"
#include "confcap/sink/TsServiceTags.h"
#include "support/FakeClock.h"
#include "support/MediaTestSupport.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(NamedAsWrittenTest)

namespace fs = std::filesystem;
using confcap::sink::Container;
using confcap::sink::PartSet;
using confcap::sink::TalkSink;
using confcap::sink::TsService;
using confcap::testing::FakeClock;
using confcap::testing::readFile;
using confcap::testing::TempDir;
using namespace std::chrono_literals;

namespace {

const auto kWindowStart = std::chrono::system_clock::time_point(std::chrono::hours(482'000));
const TsService kNames{"Ein Vortrag über Äpfel", "38C3"};

/// The test clip's MPEG-TS segments, each beginning with its service description (SDT).
const std::vector<std::string>& segments() {
    static const auto all = [] {
        std::vector<std::string> bytes;
        for (const auto& file : confcap::testing::testClip().tsSegments) {
            bytes.push_back(readFile(file));
        }
        return bytes;
    }();
    return all;
}

std::string stream() {
    std::string all;
    for (const auto& segment : segments()) {
        all += segment;
    }
    return all;
}

/// `bytes` named afterwards, as publishing names a file no one named as it was written.
std::pair<std::string, confcap::sink::NamedInPlace> namedAfterwards(const fs::path& folder,
                                                                    const std::string& bytes) {
    const auto file = confcap::testing::writeFile(folder / "afterwards.ts", bytes);
    const auto named = confcap::sink::nameServiceInPlace(file, kNames);
    return {readFile(file), named};
}

confcap::sink::TalkSinkConfig configIn(const fs::path& outDir) {
    confcap::sink::TalkSinkConfig config;
    config.outDir = outDir;
    config.relativeStem = "talk";
    config.windowStart = kWindowStart;
    config.windowEnd = kWindowStart + 45min;
    config.streamUrl = "http://127.0.0.1:8080/saal1.m3u8";
    config.talk.title = kNames.name;
    config.talk.conference = kNames.provider;
    config.container = Container::AsRecorded;
    return config;
}

/// Writes the clip's segments to `sink` as HLS segments, a second apart.
void writeSegments(TalkSink& sink, FakeClock& clock) {
    sink.beginPiece({"ts", true}, false);
    const auto& seconds = confcap::testing::testClip().segmentSeconds;
    for (std::size_t i = 0; i < segments().size(); ++i) {
        clock.advance(1s);
        sink.write(confcap::testing::segmentChunk(segments()[i], static_cast<std::int64_t>(i),
                                                  seconds.at(i), clock.now()));
    }
}

/// The bytes this process has read through read() and the like so far (/proc/self/io).
std::uint64_t bytesRead() {
    std::ifstream io("/proc/self/io");
    std::string key;
    std::uint64_t value = 0;
    while (io >> key >> value) {
        if (key == "rchar:") {
            return value;
        }
    }
    BOOST_FAIL("no rchar in /proc/self/io");
    return 0;
}

/// Holds the process's file size limit at `bytes` (SIGXFSZ ignored, so a write past it fails
/// with EFBIG) while it lives.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        ::getrlimit(RLIMIT_FSIZE, &old_);
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        ::sigaction(SIGXFSZ, &ignore, &oldAction_);
        rlimit limit = old_;
        limit.rlim_cur = bytes;
        BOOST_REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &old_);
        ::sigaction(SIGXFSZ, &oldAction_, nullptr);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

private:
    rlimit old_{};
    struct sigaction oldAction_ {};
};

}  // namespace

BOOST_AUTO_TEST_CASE(aWriteCutShortIsUndoneAndTheNamingGoesOn) {
    TempDir temp;
    const auto input = stream();
    BOOST_TEST_REQUIRE(input.size() > 200'000u);
    PartSet parts(temp.path, "talk");
    parts.nameServiceAsWritten(kNames);
    parts.openPiece({"ts", true}, false);
    const auto file = parts.pathOf(parts.list().pieces.back().tracks.front());
    std::size_t written = 0;
    BOOST_TEST_REQUIRE(parts.append(0, std::string_view(input).substr(0, 100'000), written) == 0);
    {
        // The limit lets half of the next chunk in: the write fails and is undone.
        const FileSizeLimit limit(150'000);
        const auto error =
            parts.append(0, std::string_view(input).substr(100'000, 100'000), written);
        BOOST_TEST(error == EFBIG);
        BOOST_TEST(written == 0u);
    }
    BOOST_TEST(fs::file_size(file) == 100'000u);
    // The chunk again, whole, and the rest.
    BOOST_TEST_REQUIRE(parts.append(0, std::string_view(input).substr(100'000), written) == 0);
    parts.closeFiles();
    const auto named = parts.namedAsWritten(file, kNames);
    BOOST_TEST_REQUIRE(named.has_value());
    const auto [expected, afterwards] = namedAfterwards(temp.path, input);
    BOOST_TEST(named->sections == afterwards.sections);
    BOOST_TEST(named->sections > 0u);
    BOOST_TEST((named->check == afterwards.check));
    BOOST_TEST(readFile(file) == expected);
}

BOOST_AUTO_TEST_CASE(otherNamesStopTheNamingOfTheOpenFile) {
    TempDir temp;
    const auto input = stream();
    PartSet parts(temp.path, "talk");
    parts.nameServiceAsWritten(kNames);
    parts.openPiece({"ts", true}, false);
    const auto file = parts.pathOf(parts.list().pieces.back().tracks.front());
    std::size_t written = 0;
    BOOST_TEST_REQUIRE(parts.append(0, input, written) == 0);
    const TsService other{"Ein anderer Titel", "38C3"};
    parts.nameServiceAsWritten(other);
    parts.closeFiles();
    // Named partly under the first names: neither is trusted, publishing names it afresh.
    BOOST_TEST(!parts.namedAsWritten(file, kNames));
    BOOST_TEST(!parts.namedAsWritten(file, other));
}

BOOST_AUTO_TEST_CASE(aTalkWhoseBlocksALaterTalkSharesKeepsTheStreamsBytesUntilPublished) {
    const auto input = stream();
    for (const bool sharing : {false, true}) {
        BOOST_TEST_CONTEXT("sharing blocks " << sharing) {
            TempDir temp;
            FakeClock clock(kWindowStart);
            TalkSink sink(configIn(temp.path), clock);
            if (sharing) {
                sink.shareOverlaps(std::make_shared<confcap::sink::OverlapLedger>(4096));
            }
            writeSegments(sink, clock);
            const auto part = readFile(temp.path / sink.currentFile());
            BOOST_TEST_REQUIRE(part.size() == input.size());
            // Alone, the talk is named while it records; sharing blocks, its bytes stay the
            // stream's, which the kernel compares.
            BOOST_TEST((part == input) == sharing);
            const auto result = sink.finalize("window ended");
            BOOST_TEST_REQUIRE(result.outcome == confcap::core::Outcome::Recorded, result.reason);
            const auto [expected, afterwards] = namedAfterwards(temp.path, input);
            BOOST_TEST(readFile(result.files.at(0)) == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(theRoomsTapeSharesATalkFileNamedAsItIsWritten) {
    // Each segment begins with the service description, which the talk renames as it writes:
    // the tape still takes the talk's bytes instead of writing its own.
    TempDir temp;
    const auto folder = temp.path / ".confcap" / "tape" / "Saal 1";
    FakeClock clock(kWindowStart);
    confcap::sink::RoomTape tape(folder, clock);
    tape.beginPiece({"ts", true}, false);
    TalkSink sink(configIn(temp.path), clock);
    sink.shareWrites([&tape](const confcap::core::Chunk& chunk, const fs::path& file,
                             std::uint64_t offset) { tape.shared(chunk, file, offset); });
    sink.beginPiece({"ts", true}, false);
    const auto& seconds = confcap::testing::testClip().segmentSeconds;
    for (std::size_t i = 0; i < segments().size(); ++i) {
        clock.advance(1s);
        const auto chunk = confcap::testing::segmentChunk(
            segments()[i], static_cast<std::int64_t>(i), seconds.at(i), clock.now());
        sink.write(chunk);
        tape.write(chunk);
    }
    const auto input = stream();
    BOOST_TEST(readFile(temp.path / sink.currentFile()) != input);  // named as written
    BOOST_TEST(tape.error().empty());
    BOOST_TEST(tape.bytes() == 0u);
    BOOST_TEST(tape.sharedBytes() == input.size());
    const auto result = sink.finalize("window ended");
    BOOST_TEST_REQUIRE(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    BOOST_TEST(fs::hard_link_count(result.files.at(0)) == 2u);
}

BOOST_AUTO_TEST_CASE(publishingDoesNotReadAFileNamedAsWritten) {
    TempDir temp;
    FakeClock clock(kWindowStart);
    TalkSink sink(configIn(temp.path), clock);
    writeSegments(sink, clock);
    const auto before = bytesRead();
    const auto result = sink.finalize("window ended");
    const auto read = bytesRead() - before;
    BOOST_TEST_REQUIRE(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    const auto size = fs::file_size(result.files.at(0));
    BOOST_TEST(read < size / 2, read << " bytes read while publishing a file of " << size);
    const auto actual = confcap::sink::fileCheckOf(result.files.at(0));
    const auto sidecar = readFile(result.sidecar);
    BOOST_TEST_REQUIRE(actual.has_value());
    BOOST_TEST(sidecar.find("\"xxh128\": \"" + actual->digest + "\"") != std::string::npos,
               sidecar);
}

BOOST_AUTO_TEST_CASE(mpegTsPiecesPlacedApartAreEachNamed) {
    // Without ffmpeg an MPEG-TS piece and a WebM piece cannot be joined: they are placed apart,
    // and the MPEG-TS one is named as a whole file would be.
    TempDir temp;
    FakeClock clock(kWindowStart);
    TalkSink sink(configIn(temp.path), clock, confcap::sink::PieceMerger(fs::path()));
    writeSegments(sink, clock);
    sink.beginPiece({"webm", false}, true);
    const auto webm = readFile(confcap::testing::testClip().webm);
    confcap::core::Chunk chunk;
    chunk.bytes = webm;
    chunk.mediaSeconds = 2;
    chunk.kind = confcap::core::ChunkKind::Media;
    clock.advance(1s);
    sink.write(chunk);
    const auto result = sink.finalize("window ended");
    BOOST_TEST_REQUIRE(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    BOOST_TEST_REQUIRE(result.files.size() == 2u);
    BOOST_TEST(result.files[0].extension() == ".ts");
    const auto [expected, afterwards] = namedAfterwards(temp.path, stream());
    BOOST_TEST(readFile(result.files[0]) == expected);
    BOOST_TEST(readFile(result.files[1]) == webm);
    const auto probe = confcap::testing::runProcess(
        "/usr/bin/ffprobe", {"-v", "error", "-show_entries", "program_tags=service_name", "-of",
                             "csv=p=0", result.files[0].string()});
    BOOST_TEST(probe.out.find(kNames.name) != std::string::npos, probe.out);
}

BOOST_AUTO_TEST_SUITE_END()
