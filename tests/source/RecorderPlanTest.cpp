#include "confcap/source/RecorderPlan.h"

#include <sys/wait.h>

#include <csignal>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

BOOST_AUTO_TEST_SUITE(RecorderPlanTest)

namespace data = boost::unit_test::data;
using namespace confcap::source;
using namespace std::chrono_literals;
using confcap::media::kPesTicksPerSecond;

namespace {

// A TS packet that starts a PES packet of `stream` (0xE0 video, 0xC0 audio) with the PTS
// `ticks`.
std::string pesPacket(int stream, std::int64_t ticks) {
    std::string p(confcap::media::kTsPacketSize, '\xFF');
    p[0] = 0x47;
    p[1] = 0x41;
    p[2] = static_cast<char>(stream == 0xE0 ? 0x00 : 0x01);
    p[3] = 0x10;
    std::string pes = {'\0', '\0', '\1', static_cast<char>(stream), '\0', '\0', '\x80', '\x80', 5};
    pes += static_cast<char>(0x20 | (((ticks >> 30) & 7) << 1) | 1);
    pes += static_cast<char>((ticks >> 22) & 0xFF);
    pes += static_cast<char>((((ticks >> 15) & 0x7F) << 1) | 1);
    pes += static_cast<char>((ticks >> 7) & 0xFF);
    pes += static_cast<char>(((ticks & 0x7F) << 1) | 1);
    p.replace(4, pes.size(), pes);
    return p;
}

// A TS packet on `pid` that goes on with a PES packet begun before.
std::string continuation(int pid) {
    std::string p(confcap::media::kTsPacketSize, '\x55');
    p[0] = 0x47;
    p[1] = static_cast<char>((pid >> 8) & 0x1F);
    p[2] = static_cast<char>(pid & 0xFF);
    p[3] = 0x10;
    return p;
}

// What `trim` keeps of `bytes` fed in pieces of `piece` bytes.
std::string trimmed(OverlapTrim& trim, const std::string& bytes, std::size_t piece) {
    std::string kept;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        kept += trim.take(std::string_view(bytes).substr(at, piece));
    }
    return kept;
}

const std::string kTs = pesPacket(0xE0, 1000) + std::string(400, '\0');
const std::string kPlaylist = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n" + std::string(600, '#');

struct StartCase {
    const char* name;
    std::string sniffed;
    bool final;
    std::string endedStart;
    RunStart expected;
};

std::ostream& operator<<(std::ostream& out, const StartCase& c) {
    return out << c.name;
}

const StartCase kStarts[] = {
    {"nothing yet", "", false, "", RunStart::Gather},
    {"nothing at all from a program that is gone", "", true, "", RunStart::Gather},
    {"too few bytes to tell", kTs.substr(0, 100), false, "", RunStart::Gather},
    {"a few bytes from a program that is gone", "x", true, "", RunStart::Connect},
    {"enough media", kTs, false, "", RunStart::Connect},
    {"an HLS playlist", kPlaylist, false, "", RunStart::Playlist},
    {"the start of the ended run, so far", kTs, false, kTs + kTs, RunStart::Gather},
    {"all of the ended run's start", kTs + kTs, false, kTs + kTs, RunStart::Replay},
    {"part of it, and the program is gone", kTs, true, kTs + kTs, RunStart::Replay},
    {"other bytes than the ended run's", kTs, false, std::string(kTs.size(), 'y'),
     RunStart::Connect},
};

struct StepCase {
    const char* name;
    RunStart start;
    bool exited;
    std::chrono::steady_clock::duration quiet;
    RunStep expected;
};

std::ostream& operator<<(std::ostream& out, const StepCase& c) {
    return out << c.name;
}

// A stall timeout of 20 s.
const StepCase kSteps[] = {
    {"writing", RunStart::Connect, false, 1s, RunStep::Go},
    {"gathering its first bytes", RunStart::Gather, false, 1s, RunStep::Go},
    {"a stream delivered again", RunStart::Replay, false, 1s, RunStep::Replay},
    {"a playlist", RunStart::Playlist, false, 1s, RunStep::Playlist},
    {"a replay wins over the exit", RunStart::Replay, true, 1s, RunStep::Replay},
    {"gone", RunStart::Connect, true, 1s, RunStep::Exited},
    {"gone and quiet", RunStart::Connect, true, 30s, RunStep::Exited},
    {"quiet just under the timeout", RunStart::Connect, false, 20s - 1ms, RunStep::Go},
    {"quiet for the timeout", RunStart::Connect, false, 20s, RunStep::Stalled},
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_restart_looks_for_its_place_only_in_a_live_hls_stream_it_wrote) {
    BOOST_TEST(seeksRestart(true, 90'000, "http://h/live.m3u8"));
    BOOST_TEST(!seeksRestart(false, 90'000, "http://h/live.m3u8"));
    BOOST_TEST(!seeksRestart(true, std::nullopt, "http://h/live.m3u8"));
    BOOST_TEST(!seeksRestart(true, 90'000, "http://h/live.ts"));
}

BOOST_DATA_TEST_CASE(what_the_first_bytes_of_a_run_say, data::make(kStarts), c) {
    BOOST_TEST((judgeStart(c.sniffed, c.final, c.endedStart) == c.expected));
}

BOOST_DATA_TEST_CASE(what_ends_a_run, data::make(kSteps), c) {
    BOOST_TEST((runStep(c.start, c.exited, c.quiet, 20s) == c.expected));
}

BOOST_AUTO_TEST_CASE(the_last_video_timestamp_is_where_a_restart_goes_on) {
    RecorderTicks ticks;
    ticks.beginRun();
    const std::string stream = pesPacket(0xC0, 500) + pesPacket(0xE0, 900) + pesPacket(0xC0, 950);
    ticks.feed(stream.substr(0, 100));  // a read that ends inside a packet
    ticks.feed(stream.substr(100));
    BOOST_TEST(*ticks.last() == 900);
    BOOST_TEST(ticks.sawVideo());
    BOOST_TEST(*ticks.runFirst() == 900);  // the first video one
    BOOST_TEST(ticks.runFirstIsVideo());

    ticks.beginRun();
    BOOST_TEST(!ticks.runFirst().has_value());
    BOOST_TEST(*ticks.last() == 900);  // outlives the run
    ticks.feed(pesPacket(0xC0, 2000));
    BOOST_TEST(*ticks.runFirst() == 2000);
    BOOST_TEST(!ticks.runFirstIsVideo());

    ticks.forget();
    BOOST_TEST(!ticks.last().has_value());
    BOOST_TEST(ticks.lastByPid().empty());
}

BOOST_AUTO_TEST_CASE(a_sound_only_stream_goes_on_after_its_last_timestamp) {
    RecorderTicks ticks;
    ticks.beginRun();
    ticks.feed(pesPacket(0xC0, 500) + pesPacket(0xC0, 700));
    BOOST_TEST(*ticks.last() == 700);
    BOOST_TEST(!ticks.sawVideo());
}

BOOST_AUTO_TEST_CASE(what_a_restart_writes_again_is_dropped_on_each_pid) {
    // Written before: video (PID 0x100) up to 900, audio (0x101) up to 950.
    RecorderTicks before;
    before.feed(pesPacket(0xE0, 900) + pesPacket(0xC0, 950));
    OverlapTrim trim(before.lastByPid());
    const std::string table = continuation(0);
    const std::string again = pesPacket(0xE0, 500) + continuation(0x100) + pesPacket(0xC0, 500) +
                              pesPacket(0xE0, 900) + continuation(0x100) + pesPacket(0xC0, 950);
    const std::string fresh =
        pesPacket(0xE0, 1000) + continuation(0x100) + pesPacket(0xC0, 1100) + continuation(0x101);
    const std::string kept = trimmed(trim, table + again + fresh, 100);
    BOOST_TEST(kept == table + fresh);
    BOOST_TEST(trim.done());
    BOOST_TEST(trim.dropped() == again.size());
    const std::string later = pesPacket(0xE0, 2000);
    BOOST_TEST(trim.take(later).data() == later.data());  // passed through, not copied
}

BOOST_AUTO_TEST_CASE(new_timestamps_after_an_encoder_restart_are_not_trimmed) {
    RecorderTicks before;
    before.feed(pesPacket(0xE0, 100 * kPesTicksPerSecond));
    OverlapTrim trim(before.lastByPid());
    // 90 s behind what was written: a new timeline, not the segment written last.
    const std::string restarted = pesPacket(0xE0, 10 * kPesTicksPerSecond) + continuation(0x100);
    BOOST_TEST(trimmed(trim, restarted, 188) == restarted);
    BOOST_TEST(trim.done());
}

BOOST_AUTO_TEST_CASE(a_restart_that_skipped_media_tells_a_gap) {
    const auto at = std::chrono::system_clock::time_point(1000s);
    BOOST_TEST(!skippedGap(10 * kPesTicksPerSecond, 10 * kPesTicksPerSecond + 3600, "ffmpeg", at)
                    .has_value());
    BOOST_TEST(!skippedGap(10 * kPesTicksPerSecond,
                           10 * kPesTicksPerSecond + kPesTicksPerSecond / 2, "ffmpeg", at)
                    .has_value());
    const auto gap = skippedGap(10 * kPesTicksPerSecond, 14 * kPesTicksPerSecond, "ffmpeg", at);
    BOOST_REQUIRE(gap.has_value());
    BOOST_TEST(gap->length.count() == 4000);
    BOOST_TEST(gap->cause == confcap::core::gapcause::kRolledOut);
    BOOST_TEST(gap->detail ==
               "ffmpeg began again 4.0 s after the media it had written: that much had left the "
               "playlist.");
    BOOST_TEST((gap->at == at));
}

BOOST_AUTO_TEST_CASE(only_a_clean_exit_keeps_the_start_of_its_run) {
    BOOST_TEST(endedStartAfter(0, "abc") == "abc");      // exit status 0
    BOOST_TEST(endedStartAfter(3 << 8, "abc").empty());  // exit status 3
    BOOST_TEST(endedStartAfter(SIGKILL, "abc").empty());
}

BOOST_AUTO_TEST_CASE(an_exit_and_a_stall_are_told_in_a_sentence) {
    BOOST_TEST(exitMessage("sh", 3 << 8, 3200ms, "bad thing") ==
               "sh exited with status 3 after 3.2 s: bad thing");
    BOOST_TEST(exitMessage("sh", 3 << 8, 3200ms, "") == "sh exited with status 3 after 3.2 s");
    BOOST_TEST(stallMessage("ffmpeg", 20s) ==
               "ffmpeg wrote nothing for 20.0 s (stall); stopped it");
}

BOOST_AUTO_TEST_SUITE_END()
