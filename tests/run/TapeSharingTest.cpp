// A room's tape beside a talk's sink, fed as the room's capture feeds them (the talk first, the
// tape last): the tape refers to the bytes the talk wrote instead of writing them again, keeps
// them when the talk's file is gone, and writes only what no talk wrote itself.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "confcap/run/TapeReplay.h"
#include "confcap/sink/RoomTape.h"
#include "confcap/sink/TalkSink.h"
#include "support/FakeClock.h"
#include "support/MediaTestSupport.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(TapeSharingTest)

using namespace std::chrono_literals;
using confcap::core::Chunk;
using confcap::core::ChunkKind;
using confcap::sink::RoomTape;
using confcap::sink::TalkSink;
using confcap::testing::FakeClock;
using confcap::testing::RecordingSink;
using confcap::testing::TempDir;
using Time = std::chrono::system_clock::time_point;
namespace fs = std::filesystem;

namespace {

const Time kStart = Time(std::chrono::seconds(1'800'000'000));
const confcap::core::StreamFormat kTs{"ts", true};

// HLS segment `n`: ten TS packets that say which segment they are.
std::string segment(int n) {
    std::string bytes;
    for (int p = 0; p < 10; ++p) {
        std::string packet(188, '\xff');
        packet[0] = 0x47;
        const auto label = "s" + std::to_string(n) + "p" + std::to_string(p);
        packet.replace(4, label.size(), label);
        bytes += packet;
    }
    return bytes;
}

std::string segments(int from, int to) {
    std::string all;
    for (int n = from; n <= to; ++n) {
        all += segment(n);
    }
    return all;
}

// A talk in the room, its window [kStart, kStart + 60 s], sharing its writes with `tape`.
std::unique_ptr<TalkSink> talkFor(const fs::path& out, RoomTape& tape, FakeClock& clock) {
    confcap::sink::TalkSinkConfig config;
    config.outDir = out;
    config.relativeStem = "Saal 1/Talk";
    config.windowStart = kStart;
    config.windowEnd = kStart + 60s;
    auto talk = std::make_unique<TalkSink>(config, clock);
    talk->shareWrites([&tape](const Chunk& chunk, const fs::path& file, std::uint64_t offset) {
        tape.shared(chunk, file, offset);
    });
    talk->beginPiece(kTs, false);
    return talk;
}

// Segment `n` (2 s of media, ending 2(n+1) s after kStart) delivered to `talk` when there is
// one, then to the tape, as the capture delivers it.
void deliver(int n, TalkSink* talk, RoomTape& tape, FakeClock& clock) {
    const auto bytes = segment(n);
    const auto chunk =
        confcap::testing::segmentChunk(bytes, n, 2, kStart + std::chrono::seconds(2 * (n + 1)));
    clock.set(*chunk.endsAt);
    if (talk != nullptr) {
        talk->write(chunk);
    }
    tape.write(chunk);
}

// The files in `folder` whose names hold `part`.
std::vector<fs::path> filesWith(const fs::path& folder, const std::string& part) {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.path().filename().string().find(part) != std::string::npos) {
            found.push_back(entry.path());
        }
    }
    return found;
}

// A room whose tape has begun a piece, in a folder of its own.
struct Room {
    Room() { tape.beginPiece(kTs, false); }
    TempDir dir;
    fs::path folder = dir.path / "tape";
    FakeClock clock{kStart};
    RoomTape tape{folder, clock};
};

std::string replayed(const fs::path& folder, Time from, Time until) {
    RecordingSink sink;
    confcap::run::ReplayClock clock;
    confcap::run::replayTape(folder, confcap::sink::readTape(folder), from, until, sink, clock);
    return sink.allBytes();
}

}  // namespace

BOOST_AUTO_TEST_CASE(whatATalkWroteIsKeptByTheTapeWithoutBeingWrittenAgain) {
    TempDir dir;
    const auto folder = dir.path / ".confcap" / "tape" / "Saal 1";
    FakeClock clock(kStart);
    RoomTape tape(folder, clock);
    tape.beginPiece(kTs, false);
    auto talk = talkFor(dir.path, tape, clock);
    for (int n = 0; n < 10; ++n) {
        deliver(n, talk.get(), tape, clock);
    }
    BOOST_TEST(tape.error().empty());
    BOOST_TEST(tape.bytes() == 0u);
    BOOST_TEST(tape.sharedBytes() == 10u * 1880u);
    // One name more for the talk's file, and no file of the tape's own.
    const auto links = filesWith(folder, "-t0-s");
    BOOST_TEST_REQUIRE(links.size() == 1u);
    BOOST_TEST(fs::hard_link_count(links.front()) == 2u);
    BOOST_TEST(filesWith(folder, "-t0.ts").empty());
    BOOST_TEST(confcap::sink::tapeIn(folder).bytes == 0u);  // it costs no disk of its own

    // The talk's file goes (deleted, or replaced by a new cut): the tape still holds it all.
    talk.reset();
    const auto part = dir.path / "Saal 1" / "Talk.ts.part";
    BOOST_TEST_REQUIRE(fs::file_size(part) == 10u * 1880u);
    fs::remove(part);
    BOOST_TEST(confcap::sink::tapeIn(folder).bytes == 10u * 1880u);
    BOOST_TEST((replayed(folder, kStart, kStart + 20s) == segments(0, 9)));
}

BOOST_FIXTURE_TEST_CASE(whatNoTalkWroteTheTapeWritesItself, Room) {
    for (int n = 0; n < 4; ++n) {
        deliver(n, nullptr, tape, clock);  // before the talk
    }
    auto talk = talkFor(dir.path, tape, clock);
    for (int n = 4; n < 8; ++n) {
        deliver(n, talk.get(), tape, clock);
    }
    talk.reset();
    for (int n = 8; n < 12; ++n) {
        deliver(n, nullptr, tape, clock);  // the talk ended; the tape's bridge goes on
    }
    BOOST_TEST(tape.bytes() == 8u * 1880u);
    BOOST_TEST(tape.sharedBytes() == 4u * 1880u);
    BOOST_TEST((replayed(folder, kStart, kStart + 24s) == segments(0, 11)));
    BOOST_TEST((replayed(folder, kStart + 7s, kStart + 17s) == segments(3, 8)));
}

BOOST_FIXTURE_TEST_CASE(anOfferIsTakenOnlyForTheChunkItWasMadeFor, Room) {
    auto talk = talkFor(dir.path, tape, clock);
    // One buffer read into again: the talk writes a chunk the tape does not get (it joins
    // later), and the buffer then holds the next chunk, of the same size and without a
    // sequence number.
    std::string buffer = segment(1);
    Chunk chunk;
    chunk.bytes = buffer;
    chunk.kind = ChunkKind::SegmentStart;
    chunk.mediaSeconds = 2;
    chunk.endsAt = kStart + 2s;
    talk->write(chunk);
    const auto next = segment(2);
    std::copy(next.begin(), next.end(), buffer.begin());
    chunk.endsAt = kStart + 4s;
    clock.set(kStart + 4s);
    tape.write(chunk);
    BOOST_TEST(tape.sharedBytes() == 0u);
    BOOST_TEST(tape.bytes() == 1880u);
    BOOST_TEST((replayed(folder, kStart, kStart + 5s) == next));
}

BOOST_AUTO_TEST_SUITE_END()
