// Two back-to-back talks of a room, their padded windows overlapping by five segments of a real
// MPEG-TS stream, recorded onto a real XFS (whose files can share blocks): the later talk's file
// is lined up with the earlier one's, and when the earlier talk finishes its overlap is shared,
// so that the two files cost the disk the overlap once. Both still play on their own and hold
// exactly the stream's packets. Needs root for the mount; skipped with a message otherwise.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "confcap/sink/OverlapLedger.h"
#include "confcap/sink/TalkSink.h"
#include "support/FakeClock.h"
#include "support/MediaTestSupport.h"
#include "support/RunProcess.h"
#include "support/SharingDisk.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(OverlapSharingTest)

using namespace std::chrono_literals;
using confcap::sink::OverlapLedger;
using confcap::sink::TalkSink;
using confcap::testing::FakeClock;
using confcap::testing::SharingDisk;
using confcap::testing::TempDir;
using Time = std::chrono::system_clock::time_point;
namespace fs = std::filesystem;

namespace {

const Time kStart = Time(std::chrono::seconds(1'800'000'000));

// A real live-style stream cut into 2 s HLS segments by ffmpeg's own muxer: 30 s of a test
// picture (MPEG-2, 2 Mbit/s) with a tone (MP2).
std::vector<std::string> hlsSegments(const fs::path& folder) {
    const auto clip = folder / "clip.ts";
    const auto made =
        confcap::testing::runProcess("/usr/bin/ffmpeg", {"-hide_banner",
                                                         "-loglevel",
                                                         "error",
                                                         "-nostdin",
                                                         "-f",
                                                         "lavfi",
                                                         "-i",
                                                         "testsrc=size=640x360:rate=25",
                                                         "-f",
                                                         "lavfi",
                                                         "-i",
                                                         "sine=frequency=440:sample_rate=48000",
                                                         "-t",
                                                         "30",
                                                         "-c:v",
                                                         "mpeg2video",
                                                         "-b:v",
                                                         "2M",
                                                         "-g",
                                                         "50",
                                                         "-c:a",
                                                         "mp2",
                                                         "-f",
                                                         "hls",
                                                         "-hls_time",
                                                         "2",
                                                         "-hls_list_size",
                                                         "0",
                                                         "-hls_segment_filename",
                                                         (folder / "s%d.ts").string(),
                                                         (folder / "index.m3u8").string()});
    BOOST_REQUIRE_MESSAGE(made.exitCode == 0, made.err);
    std::vector<std::string> segments;
    for (int n = 0; fs::exists(folder / ("s" + std::to_string(n) + ".ts")); ++n) {
        segments.push_back(confcap::testing::readFile(folder / ("s" + std::to_string(n) + ".ts")));
    }
    return segments;
}

std::unique_ptr<TalkSink> talk(const fs::path& out, const std::string& title,
                               std::shared_ptr<OverlapLedger> ledger, FakeClock& clock) {
    confcap::sink::TalkSinkConfig config;
    config.outDir = out;
    config.relativeStem = "Saal 1/" + title;
    config.windowStart = kStart;
    config.windowEnd = kStart + 1h;
    config.talk.title = title;
    auto sink = std::make_unique<TalkSink>(config, clock);
    sink->shareOverlaps(std::move(ledger));
    sink->beginPiece({"ts", true}, false);
    return sink;
}

std::string joined(const std::vector<std::string>& segments, std::size_t from, std::size_t to) {
    std::string all;
    for (std::size_t n = from; n <= to; ++n) {
        all += segments[n];
    }
    return all;
}

}  // namespace

BOOST_AUTO_TEST_CASE(back_to_back_talks_keep_their_overlap_on_disk_once) {
    SharingDisk disk(320);
    if (!disk.mounted()) {
        BOOST_TEST_MESSAGE("skipped: " << disk.why());
        return;
    }
    TempDir media;
    const auto segments = hlsSegments(media.path);
    BOOST_REQUIRE_GE(segments.size(), 15u);
    const auto out = disk.path() / "out";
    fs::create_directories(out);
    const auto blockSize = confcap::sink::sharedBlockSize(out);
    BOOST_REQUIRE(blockSize.has_value());
    auto ledger = std::make_shared<OverlapLedger>(*blockSize);
    const auto usedBefore = disk.usedBytes();

    // "Early" holds segments 0-9, "Late" 5-14: both got segments 5-9 from the same buffers, the
    // earlier talk first, as the room's capture hands them on.
    FakeClock clock(kStart);
    auto early = talk(out, "Early", ledger, clock);
    auto late = talk(out, "Late", ledger, clock);
    for (std::size_t n = 0; n < 15; ++n) {
        const auto chunk =
            confcap::testing::segmentChunk(segments[n], static_cast<std::int64_t>(n), 2,
                                           kStart + std::chrono::seconds(2 * (n + 1)));
        clock.set(*chunk.endsAt);
        if (n <= 9) {
            early->write(chunk);
        }
        if (n >= 5) {
            late->write(chunk);
        }
    }
    const auto overlap = joined(segments, 5, 9).size();

    const auto first = early->finalize("window ended");
    BOOST_REQUIRE(first.outcome == confcap::core::Outcome::Recorded);
    BOOST_REQUIRE_EQUAL(first.files.size(), 1u);
    // All but the blocks at the overlap's edges, and those the talk's name was written into.
    BOOST_TEST(SharingDisk::sharedBytes(first.files.front()) >= overlap * 9 / 10);
    // The log and the sidecar say so.
    BOOST_TEST(std::any_of(first.notes.begin(), first.notes.end(), [](const std::string& note) {
        return note.find("kept on disk once with \"Late.ts\"") != std::string::npos;
    }));

    const auto second = late->finalize("window ended");
    BOOST_REQUIRE(second.outcome == confcap::core::Outcome::Recorded);
    BOOST_REQUIRE_EQUAL(second.files.size(), 1u);
    const auto earlyFile = first.files.front();
    const auto lateFile = second.files.front();

    // On disk, the two files cost about the overlap less than their sizes.
    const auto sizes = fs::file_size(earlyFile) + fs::file_size(lateFile);
    const auto used = disk.usedBytes() - usedBefore;
    BOOST_TEST_MESSAGE("files " << sizes << " bytes, on disk " << used << " bytes, overlap "
                                << overlap << " bytes");
    BOOST_TEST(used + overlap * 8 / 10 <= sizes);

    // Each file stands alone: it plays, with picture and sound, and holds exactly its segments'
    // packets (the later one after the null packets that line it up).
    using confcap::testing::withoutServiceTable;
    for (const auto& [file, from, to] :
         {std::tuple{earlyFile, 0u, 9u}, std::tuple{lateFile, 5u, 14u}}) {
        const auto probe = confcap::testing::probe(file);
        BOOST_TEST(probe.ok, file << ": " << probe.errors);
        BOOST_TEST(probe.streams == 2);
        BOOST_TEST(probe.span > 19.0);
        BOOST_TEST(withoutServiceTable(confcap::testing::readFile(file)) ==
                   withoutServiceTable(joined(segments, from, to)));
    }
    BOOST_TEST(fs::file_size(lateFile) > joined(segments, 5, 14).size());
}

BOOST_AUTO_TEST_CASE(null_packets_line_a_file_up_with_any_place_four_bytes_apart) {
    const OverlapLedger ledger(4096);
    for (const std::uint64_t at : {0u, 188u, 4000u, 1'000'000u}) {
        for (const std::uint64_t other : {0u, 4u, 188u, 4092u, 123'456u}) {
            const auto packets = ledger.paddingPackets(at, other);
            BOOST_REQUIRE(packets.has_value());
            BOOST_TEST(*packets < 1024u);
            BOOST_TEST((at + *packets * 188) % 4096 == other % 4096);
        }
    }
    BOOST_TEST(!ledger.paddingPackets(0, 2).has_value());
    const auto nulls = confcap::sink::nullPackets(3);
    BOOST_TEST(nulls.size() == 3u * 188);
    BOOST_TEST(confcap::testing::withoutServiceTable(nulls).empty());
}

BOOST_AUTO_TEST_SUITE_END()
