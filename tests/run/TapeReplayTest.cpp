// A room's tape written by sink::RoomTape and played back for a window by run::replayTape: the
// media of the window, with the gaps and reconnects the stream had, and what the tape does not
// hold as a gap of its own.
#include "confcap/run/TapeReplay.h"

#include <boost/test/unit_test.hpp>

#include <sys/statvfs.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "confcap/sink/RoomTape.h"
#include "support/FakeClock.h"
#include "support/MediaTestSupport.h"
#include "support/SmallDisk.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(TapeReplayTest)

using namespace std::chrono_literals;
using confcap::core::Chunk;
using confcap::core::ChunkKind;
using confcap::testing::FakeClock;
using confcap::testing::RecordingSink;
using Time = std::chrono::system_clock::time_point;

namespace {

const Time kStart = Time(std::chrono::seconds(1'800'000'000));
const confcap::core::StreamFormat kTs{"ts", true};

// One TS packet that says which it is.
std::string packet(int n) {
    std::string p(188, '\xff');
    p[0] = 0x47;
    const auto label = "n" + std::to_string(n);
    p.replace(4, label.size(), label);
    return p;
}

// HLS segment `n`: 2 s of media ending 2(n+1) s after kStart, written as it ends.
void writeSegment(confcap::sink::RoomTape& tape, FakeClock& clock, int n) {
    const auto bytes = packet(n);
    const auto chunk =
        confcap::testing::segmentChunk(bytes, n, 2, kStart + std::chrono::seconds(2 * (n + 1)));
    clock.set(*chunk.endsAt);
    tape.write(chunk);
}

std::string packets(int from, int to) {
    std::string all;
    for (int n = from; n <= to; ++n) {
        all += packet(n);
    }
    return all;
}

// A live HLS room: segments 0-9, an outage of 6 s (segments 10-12 lost), then 13-29 on a new
// connection.
void recordHlsRoom(const std::filesystem::path& folder) {
    FakeClock clock(kStart);
    confcap::sink::RoomTape tape(folder, clock);
    tape.beginPiece(kTs, false);
    for (int n = 0; n < 10; ++n) {
        writeSegment(tape, clock, n);
    }
    clock.set(kStart + 26s);
    confcap::core::Gap outage;
    outage.at = kStart + 20s;
    outage.length = 6s;
    outage.cause = confcap::core::gapcause::kOutage;
    outage.detail = "the server answered HTTP 503";
    tape.reconnected();
    tape.gap(outage);
    tape.beginPiece(kTs, false);
    for (int n = 13; n < 30; ++n) {
        writeSegment(tape, clock, n);
    }
    BOOST_TEST(tape.error().empty());
    BOOST_TEST(tape.bytes() == 27u * 188u);
}

}  // namespace

BOOST_AUTO_TEST_CASE(theWindowsSegmentsComeBackWithTheOutageBetweenThem) {
    confcap::testing::TempDir dir;
    const auto folder = dir.path / "tape" / "Saal 1";
    recordHlsRoom(folder);
    const auto tape = confcap::sink::readTape(folder);
    BOOST_TEST_REQUIRE(tape.size() == 2u);

    RecordingSink sink;
    confcap::run::ReplayClock clock;
    const auto replayed =
        confcap::run::replayTape(folder, tape, kStart + 10s, kStart + 40s, sink, clock);
    // Segments 5-9 and 13-20 overlap [10 s, 40 s].
    BOOST_TEST((sink.allBytes() == packets(5, 9) + packets(13, 20)));
    BOOST_TEST(replayed == 13u * 188u);
    BOOST_TEST_REQUIRE(sink.gaps().size() == 1u);
    BOOST_TEST(sink.gaps().front().cause == confcap::core::gapcause::kOutage);
    BOOST_TEST((sink.gaps().front().at == kStart + 20s));
    BOOST_TEST(sink.gaps().front().length.count() == 6000);
    BOOST_TEST(sink.reconnects() == 1);
    BOOST_TEST(!sink.wroteBeforeBegin());
}

BOOST_AUTO_TEST_CASE(whatTheTapeDoesNotHoldIsAGapOfItsOwn) {
    confcap::testing::TempDir dir;
    const auto folder = dir.path / "tape";
    recordHlsRoom(folder);
    RecordingSink sink;
    confcap::run::ReplayClock clock;
    confcap::run::replayTape(folder, confcap::sink::readTape(folder), kStart + 50s, kStart + 70s,
                             sink, clock);
    BOOST_TEST((sink.allBytes() == packets(25, 29)));
    const auto gaps = sink.gaps();
    BOOST_TEST_REQUIRE(gaps.size() == 1u);
    const auto& missing = gaps.front();
    BOOST_TEST(missing.cause == confcap::core::gapcause::kNotTaped);
    BOOST_TEST((missing.at == kStart + 60s));
    BOOST_TEST(missing.length.count() == 10000);
}

BOOST_AUTO_TEST_CASE(aProgressiveStreamIsCutByArrival) {
    confcap::testing::TempDir dir;
    const auto folder = dir.path / "tape";
    {
        FakeClock clock(kStart);
        confcap::sink::RoomTape tape(folder, clock);
        tape.beginPiece(kTs, false);
        for (int n = 0; n < 12; ++n) {
            clock.set(kStart + std::chrono::seconds(n));
            const auto bytes = packet(n);
            Chunk chunk;
            chunk.bytes = bytes;
            tape.write(chunk);
        }
    }
    RecordingSink sink;
    confcap::run::ReplayClock clock;
    confcap::run::replayTape(folder, confcap::sink::readTape(folder), kStart + 5s, kStart + 8s,
                             sink, clock);
    BOOST_TEST((sink.allBytes() == packets(5, 8)));
    BOOST_TEST(sink.gaps().empty());
}

BOOST_AUTO_TEST_CASE(aTapeThatCannotBeWrittenStopsWithoutDisturbingTheCapture) {
    confcap::testing::TempDir dir;
    const auto blocker = dir.path / "file";
    confcap::testing::writeFile(blocker, "not a folder");
    FakeClock clock(kStart);
    confcap::sink::RoomTape tape(blocker / "tape", clock);
    tape.beginPiece(kTs, false);
    const auto bytes = packet(1);
    Chunk chunk;
    chunk.bytes = bytes;
    tape.write(chunk);
    BOOST_TEST(tape.error().find("The room's tape stopped") != std::string::npos, tape.error());
    BOOST_TEST(tape.bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(aTapeStopsBeforeItTakesTheSpaceMinFreeKeeps) {
    confcap::testing::SmallDisk disk(16);
    BOOST_TEST_REQUIRE(disk.mounted(), disk.why());
    const auto freeNow = [&] {
        struct statvfs info {};
        ::statvfs(disk.path().c_str(), &info);
        return static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize;
    };
    const std::string megabyte(1024 * 1024, '\x47');
    const auto record = [&](confcap::sink::RoomTape& tape, FakeClock& clock) {
        tape.beginPiece(kTs, false);
        for (int n = 0; n < 20; ++n) {
            Chunk chunk;
            chunk.bytes = megabyte;
            chunk.kind = ChunkKind::SegmentStart;
            chunk.sequence = n;
            clock.set(kStart + std::chrono::seconds(n));
            tape.write(chunk);
        }
    };
    {
        // 8 MB kept free: the tape stops with a megabyte or two to spare, and says why.
        FakeClock clock(kStart);
        confcap::sink::RoomTape tape(disk.path() / "kept", clock, 8'000'000);
        record(tape, clock);
        BOOST_TEST(tape.error().find("--min-free keeps for the talks") != std::string::npos,
                   tape.error());
        BOOST_TEST(freeNow() >= 6'000'000u, freeNow());
        BOOST_TEST(tape.bytes() >= 5u * megabyte.size());
    }
    {
        // Without a reserve the disk fills, and the tape stops at the first write that fails.
        FakeClock clock(kStart);
        confcap::sink::RoomTape tape(disk.path() / "unkept", clock);
        record(tape, clock);
        BOOST_TEST(tape.error().find("cannot write") != std::string::npos, tape.error());
        BOOST_TEST(freeNow() < 1'100'000u, freeNow());
    }
}

BOOST_AUTO_TEST_CASE(oldPiecesAreDeletedAndNewOnesKept) {
    confcap::testing::TempDir dir;
    const auto tapes = dir.path / "tape";
    recordHlsRoom(tapes / "Saal 1");
    // The first piece's last write (the outage) was 26 s after kStart, the second's 60 s.
    const auto freed = confcap::sink::expireTapes(tapes, 1h, kStart + 1h + 30s);
    BOOST_TEST(freed == 10u * 188u);
    const auto left = confcap::sink::readTape(tapes / "Saal 1");
    BOOST_TEST_REQUIRE(left.size() == 1u);
    BOOST_TEST((left.front().first == kStart + 26s));
    BOOST_TEST(confcap::sink::expireTapes(tapes, 1h, kStart + 2h) == 17u * 188u);
    BOOST_TEST(confcap::sink::readTape(tapes / "Saal 1").empty());
}

BOOST_AUTO_TEST_CASE(aFullDiskTakesTheOldestPiecesButNotOneBeingWritten) {
    confcap::testing::TempDir dir;
    const auto tapes = dir.path / "tape";
    recordHlsRoom(tapes / "Saal 1");
    // Asked for one byte: the oldest piece goes whole.
    BOOST_TEST(confcap::sink::freeTapeSpace(tapes, 1, kStart + 10min, 1min) == 10u * 188u);
    // The second piece was written to 30 s ago: it is kept, whatever is asked.
    BOOST_TEST(confcap::sink::freeTapeSpace(tapes, 1'000'000, kStart + 90s, 1min) == 0u);
    BOOST_TEST(confcap::sink::readTape(tapes / "Saal 1").size() == 1u);
}

BOOST_AUTO_TEST_CASE(aLineCutOffWhenTheProcessDiedIsPassedOver) {
    confcap::testing::TempDir dir;
    const auto folder = dir.path / "tape";
    recordHlsRoom(folder);
    const auto tape = confcap::sink::readTape(folder);
    const auto index = tape.back().index;
    {
        std::ofstream append(index, std::ios::app);
        append << R"({"at":1800000100000,"chunk":"segment","track":0,"off)";
    }
    const auto again = confcap::sink::readTape(folder);
    BOOST_TEST_REQUIRE(again.size() == 2u);
    BOOST_TEST(again.back().events.size() == tape.back().events.size());
    BOOST_TEST(!confcap::sink::tapeEventFrom(R"({"at":1,"chunk":"segment","track":0,"off)"));
    // Times and lengths no tape holds (the clock could not) are not events either.
    BOOST_TEST(!confcap::sink::tapeEventFrom(R"({"at":99999999999999999,"reconnected":true})"));
    BOOST_TEST(!confcap::sink::tapeEventFrom(
        R"({"at":1,"chunk":"segment","track":0,"offset":0,"length":1,"seconds":1e300})"));
    BOOST_TEST(!confcap::sink::tapeEventFrom(R"({"at":1,"gap":"outage","from":1,"length":-5})"));
    BOOST_TEST(
        confcap::sink::tapeEventFrom(R"({"at":1796619870000,"reconnected":true})").has_value());
}

BOOST_AUTO_TEST_CASE(aTapeIsSummedUpFromEachIndexsFirstAndLastLines) {
    confcap::testing::TempDir dir;
    const auto folder = dir.path / "Saal 1";
    recordHlsRoom(folder);
    {
        // A third piece of a thousand segments: its index is longer than the tail that is read.
        FakeClock clock(kStart + 100s);
        confcap::sink::RoomTape tape(folder, clock);
        tape.beginPiece(kTs, false);
        for (int n = 50; n < 1050; ++n) {
            writeSegment(tape, clock, n);  // the last ends 2100 s after kStart
        }
    }
    const auto index = confcap::sink::readTape(folder).back().index;
    BOOST_TEST_REQUIRE(std::filesystem::file_size(index) > 64u * 1024u);
    std::ofstream(index, std::ios::app) << R"({"at":1800009999000,"chunk":"segment","tr)";
    const auto full = confcap::sink::readTape(folder);
    const auto bounds = confcap::sink::readTapeBounds(folder);
    BOOST_TEST_REQUIRE(bounds.size() == full.size());
    for (std::size_t i = 0; i < full.size(); ++i) {
        BOOST_TEST((bounds[i].index == full[i].index));
        BOOST_TEST((bounds[i].first == full[i].first));
        BOOST_TEST((bounds[i].last == full[i].last));
        BOOST_TEST(bounds[i].events.empty());
    }
    const auto holding = confcap::sink::tapeIn(folder);
    BOOST_TEST(holding.room == "Saal 1");
    BOOST_TEST(holding.pieces == 3u);
    BOOST_TEST(holding.bytes == 1027u * 188u);
    BOOST_TEST_REQUIRE(holding.spans.size() == 3u);
    BOOST_TEST((holding.spans[0].from == kStart));
    BOOST_TEST((holding.spans[0].until == kStart + 26s));  // the outage is its last line
    BOOST_TEST((holding.spans[1].from == kStart + 26s));
    BOOST_TEST((holding.spans[1].until == kStart + 60s));
    BOOST_TEST((holding.spans[2].until == kStart + 2100s));
    BOOST_TEST((holding.from == kStart));
    BOOST_TEST((holding.until == kStart + 2100s));
    const auto all = confcap::sink::tapesIn(dir.path);
    BOOST_TEST_REQUIRE(all.size() == 1u);
    BOOST_TEST(all.front().bytes == holding.bytes);
    BOOST_TEST(confcap::sink::tapeIn(dir.path / "nowhere").pieces == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
