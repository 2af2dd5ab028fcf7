#include "confcap/source/CommandSource.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "confcap/core/Error.h"
#include "confcap/demo/FakeStreamServer.h"
#include "support/MediaTestSupport.h"
#include "support/Processes.h"

BOOST_AUTO_TEST_SUITE(CommandSourceTest)

using confcap::demo::FakeStreamServer;
using confcap::demo::Fault;
using confcap::demo::StreamKind;
using confcap::demo::StreamSpec;
using confcap::source::CommandSource;
using confcap::source::recorderCommand;
using confcap::source::RecorderCommand;
using confcap::source::SourceOptions;
using confcap::testing::probe;
using confcap::testing::RecordingOutput;
using confcap::testing::Scenarios;
using confcap::testing::SourceDriver;
using confcap::testing::TempDir;
using confcap::testing::testClip;
using confcap::testing::writeFile;
using namespace std::chrono_literals;

namespace {

struct CommandRun {
    std::shared_ptr<FakeStreamServer> server;
    std::shared_ptr<RecordingOutput> out;
    std::optional<std::string> permanent;
    std::chrono::milliseconds stopTook{0};
    /// Runs that returned normally (the stream ended).
    int endings = 0;
    /// Processes that the program started (their pids written to "<pipe>.helper" files) and
    /// that still ran once the source stopped.
    std::size_t helpersLeft = 0;
    std::size_t helpers = 0;
    /// Files left in the pipe folder once the source stopped.
    std::size_t leftInPipeFolder = 0;
    /// Processes still mentioning the pipe folder once the source stopped.
    std::size_t strays = 0;
    std::string pipeFolder;
};

// Runs `command` against stream `spec` until server time `until`, restarting it like a capture
// does (0.3 s apart).
CommandRun runCommand(const RecorderCommand& command, StreamSpec spec, double until,
                      std::chrono::milliseconds stallTimeout = 1500ms,
                      std::chrono::milliseconds grace = 2000ms, bool playlistUrl = false) {
    CommandRun run;
    run.server = std::make_shared<FakeStreamServer>(testClip(), std::vector<StreamSpec>{spec});
    TempDir pipes;
    run.pipeFolder = pipes.path.string();
    SourceOptions options;
    options.stallTimeout = stallTimeout;
    options.terminateGrace = grace;
    options.pipeFolder = pipes.path;
    const std::string url =
        playlistUrl ? run.server->mediaPlaylistUrl(spec.name, "low") : run.server->url(spec.name);
    CommandSource source(url, command, options);
    run.out = std::make_shared<RecordingOutput>();
    {
        SourceDriver driver(source, *run.out);
        run.server->waitUntil(until);
        run.stopTook = driver.stop();
        run.permanent = driver.permanentError();
        run.endings = driver.endings();
    }
    for (const auto& entry : std::filesystem::directory_iterator(pipes.path)) {
        if (entry.path().extension() == ".helper") {
            ++run.helpers;
            const int pid = std::stoi(confcap::testing::readFile(entry.path()));
            const auto all = confcap::testing::processes();
            run.helpersLeft +=
                static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [&](const auto& p) {
                    return p.pid == pid && p.state != 'Z';
                }));
            std::filesystem::remove(entry.path());
        }
    }
    run.leftInPipeFolder = static_cast<std::size_t>(std::distance(
        std::filesystem::directory_iterator(pipes.path), std::filesystem::directory_iterator()));
    run.strays = confcap::testing::processesMentioning(pipes.path.string() + "/").size();
    return run;
}

RecorderCommand builtIn(const std::string& name) {
    return *recorderCommand(name, "");
}

RecorderCommand custom(const std::string& commandLine) {
    return *recorderCommand("", commandLine);
}

const CommandRun& scenario(const std::string& name) {
    static const Scenarios<CommandRun> all({
        {"mplayer",
         [] {
             // Dropped at 3 s (refused until 4 s), stalled from 6 s to 10 s; the run goes on long
             // enough for a restart on a loaded machine.
             return runCommand(
                 builtIn("mplayer"),
                 {"tv", StreamKind::Ts, 0, 0, false, {Fault::drop(3.0, 4.0), Fault::stall(6, 10)}},
                 14.0);
         }},
        {"ffmpeg",
         [] {
             // ffmpeg reads five seconds of a live stream before it writes (its default
             // analyzeduration): the stall timeout must be longer.
             return runCommand(
                 builtIn("ffmpeg"),
                 {"tv", StreamKind::Ts, 0, 0, false, {Fault::drop(2.5, 3.0), Fault::stall(10, 17)}},
                 26.0, 7000ms);
         }},
        {"streamlink",
         [] {
             // An outage longer than the playlist window: streamlink's own retries give up or
             // stall, and it is restarted.
             return runCommand(builtIn("streamlink"),
                               {"room", StreamKind::Hls, 4, 0, false, {Fault::stall(5, 12)}}, 20.0,
                               3000ms, 2000ms, true);
         }},
        {"ended",
         [] {
             // The playlist has ended: ffmpeg records it and exits 0; run again, it would start
             // over from the first segment.
             return runCommand(builtIn("ffmpeg"),
                               {"room", StreamKind::Hls, 4, 0, false, {Fault::endList(0, 60)}}, 8.0,
                               5000ms, 2000ms, true);
         }},
        {"playlist",
         [] {
             return runCommand(builtIn("mplayer"), {"room", StreamKind::Hls, 4, 0, false, {}}, 3.0,
                               1500ms, 2000ms, true);
         }},
        {"chatty",
         [] {
             return runCommand(
                 custom("sh -c 'echo starting; i=0; while [ $i -lt 30 ]; do i=$((i+1)); "
                        "echo line $i; done; echo \"bad thing\" >&2; "
                        "echo \"Last message repeated 2 times\" >&2; printf x > \"$1\"; exit 3' "
                        "sh {output} {url}"),
                 // The program is done in a few milliseconds; the window leaves a loaded machine
                 // time to start it and see it end.
                 {"tv", StreamKind::Ts, 0, 0, false, {}}, 3.0);
         }},
        {"stubborn",
         [] {
             // Ignores SIGTERM and leaves a helper behind in its process group: both must go.
             return runCommand(
                 custom("sh -c 'trap \"\" TERM; sleep 300 & echo $! > \"$1.helper\"; "
                        "while :; do head -c 1880 /dev/zero; sleep 0.2; done > \"$1\"' "
                        "sh {output} {url}"),
                 {"tv", StreamKind::Ts, 0, 0, false, {}}, 1.5, 20s, 700ms);
         }},
    });
    return all.get(name);
}

bool anyContains(const std::vector<std::string>& lines, const std::string& text) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
        return line.find(text) != std::string::npos;
    });
}

// The run's failures and notices, for the test log.
void report(const CommandRun& run) {
    for (const auto& line : run.out->failures()) {
        BOOST_TEST_MESSAGE("failure: " << line);
    }
    for (const auto& line : run.out->notices()) {
        BOOST_TEST_MESSAGE("notice: " << line);
    }
    for (const auto& piece : run.out->pieces()) {
        BOOST_TEST_MESSAGE("piece of " << piece.bytes.size() << " bytes");
    }
}

void checkNothingLeft(const CommandRun& run) {
    BOOST_TEST(run.leftInPipeFolder == 0u);
    BOOST_TEST(run.strays == 0u);
}

// A recorder's pieces joined: one playable MPEG-TS with video and audio.
void checkPlayable(const CommandRun& run, const std::string& name, double minimumSpan) {
    TempDir dir;
    const auto p = probe(writeFile(dir.path / (name + ".ts"), run.out->allBytes()));
    BOOST_TEST(p.ok);
    BOOST_TEST(p.streams == 2);
    BOOST_TEST(p.span >= minimumSpan);
}

}  // namespace

BOOST_AUTO_TEST_CASE(mplayer_is_restarted_after_a_drop_and_a_stall) {
    const CommandRun& run = scenario("mplayer");
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE_GE(pieces.size(), 3u);
    for (const auto& piece : pieces) {
        BOOST_TEST(piece.format.extension == "ts");
        BOOST_TEST(piece.bytes[0] == 0x47);
    }
    BOOST_TEST(pieces.front().resume.first);
    BOOST_TEST(!pieces.back().resume.first);
    const auto failures = run.out->failures();
    BOOST_TEST(anyContains(failures, "mplayer exited with status"));
    BOOST_TEST(anyContains(failures, "mplayer wrote nothing for"));
    BOOST_TEST(!run.permanent.has_value());
    checkPlayable(run, "mplayer", 5.0);
    checkNothingLeft(run);
}

BOOST_AUTO_TEST_CASE(ffmpeg_is_restarted_after_a_drop_and_a_stall) {
    const CommandRun& run = scenario("ffmpeg");
    report(run);
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE_GE(pieces.size(), 3u);
    BOOST_TEST(pieces.front().format.extension == "ts");
    BOOST_TEST(anyContains(run.out->failures(), "ffmpeg wrote nothing for"));
    checkPlayable(run, "ffmpeg", 5.0);
    checkNothingLeft(run);
}

BOOST_AUTO_TEST_CASE(streamlink_records_hls_and_is_restarted_after_a_stall) {
    const CommandRun& run = scenario("streamlink");
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE_GE(pieces.size(), 2u);
    BOOST_TEST(pieces.front().format.extension == "ts");
    BOOST_TEST(!run.out->failures().empty());
    checkPlayable(run, "streamlink", 6.0);
    checkNothingLeft(run);
}

BOOST_AUTO_TEST_CASE(a_finished_stream_is_not_recorded_twice) {
    const CommandRun& run = scenario("ended");
    report(run);
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE_EQUAL(pieces.size(), 1u);
    BOOST_TEST(run.endings >= 1);
    BOOST_TEST(anyContains(run.out->notices(), "ffmpeg began the stream again from its start"));
    TempDir dir;
    const auto p = probe(writeFile(dir.path / "ended.ts", run.out->allBytes()));
    BOOST_TEST(p.ok);
    BOOST_TEST(p.span == 4.0, boost::test_tools::tolerance(1.0));
    checkNothingLeft(run);
}

BOOST_AUTO_TEST_CASE(a_recorder_that_writes_the_playlist_hands_the_stream_to_the_native_engine) {
    const CommandRun& run = scenario("playlist");
    BOOST_TEST(!run.permanent.has_value());
    const auto notices = run.out->notices();
    BOOST_TEST(std::any_of(notices.begin(), notices.end(), [](const std::string& n) {
        return n.find("wrote an HLS playlist") != std::string::npos &&
               n.find("native engine") != std::string::npos;
    }));
    // The native engine recorded the HLS stream: whole segments, one playable piece.
    const auto pieces = run.out->pieces();
    BOOST_REQUIRE(!pieces.empty());
    BOOST_TEST(pieces.front().segments >= 2);
    checkPlayable(run, "native", 2.0);
    checkNothingLeft(run);
}

BOOST_AUTO_TEST_CASE(output_lines_are_notices_and_the_exit_names_the_last_one) {
    const CommandRun& run = scenario("chatty");
    const auto notices = run.out->notices();
    BOOST_TEST(anyContains(notices, "sh: starting"));
    // The first run's 33 lines: the first 20 are logged, the rest counted when it ends.
    const auto held =
        std::find(notices.begin(), notices.end(), "sh: 13 more lines were not logged");
    BOOST_REQUIRE((held != notices.end()));
    BOOST_TEST(std::count_if(notices.begin(), held, [](const std::string& n) {
                   return n.starts_with("sh: line ");
               }) == 19);
    // ffmpeg's repeat counter is not why a program ended: the line before it is.
    const auto failures = run.out->failures();
    BOOST_REQUIRE(!failures.empty());
    BOOST_TEST(failures.front().find("sh exited with status 3 after") != std::string::npos);
    BOOST_TEST(failures.front().find(": bad thing") != std::string::npos);
    // A one-byte piece is still a piece; the sink's thresholds discard it later.
    BOOST_REQUIRE(!run.out->pieces().empty());
    BOOST_TEST(run.out->pieces().front().bytes == "x");
    checkNothingLeft(run);
}

BOOST_AUTO_TEST_CASE(stop_kills_a_program_that_ignores_sigterm_and_its_helpers) {
    const CommandRun& run = scenario("stubborn");
    // SIGTERM is ignored: SIGKILL follows after the 0.7 s grace.
    BOOST_TEST(run.stopTook.count() >= 600);
    BOOST_TEST(run.stopTook.count() < 10000);
    BOOST_TEST(run.out->failures().empty());
    BOOST_TEST(!run.out->pieces().empty());
    BOOST_TEST(run.helpers == 1u);
    BOOST_TEST(run.helpersLeft == 0u);
    checkNothingLeft(run);
}

BOOST_AUTO_TEST_CASE(no_child_is_left_unreaped) {
    for (const auto& name :
         {"mplayer", "ffmpeg", "streamlink", "ended", "playlist", "chatty", "stubborn"}) {
        scenario(name);
    }
    const auto children = confcap::testing::childrenOf(::getpid());
    for (const auto& child : children) {
        BOOST_TEST_MESSAGE("child " << child.pid << " " << child.state << " " << child.commandLine);
    }
    BOOST_TEST(children.empty());
}

BOOST_AUTO_TEST_CASE(a_pipe_folder_that_cannot_be_made_is_a_permanent_error) {
    TempDir temp;
    const auto file = writeFile(temp.path / "file", "a regular file");
    SourceOptions options;
    options.pipeFolder = file / "out";
    CommandSource source("http://127.0.0.1:9/x.ts", builtIn("ffmpeg"), options);
    RecordingOutput out;
    BOOST_CHECK_EXCEPTION(
        source.run(out), confcap::core::SourceError, [](const confcap::core::SourceError& e) {
            return !e.transient() && std::string(e.what()).find("named pipe") != std::string::npos;
        });
}

BOOST_AUTO_TEST_CASE(a_pipe_folder_made_for_a_run_goes_when_nothing_else_went_in) {
    TempDir temp;
    SourceOptions options;
    options.pipeFolder = temp.path / "a" / "b";
    CommandSource source("http://127.0.0.1:9/x.ts", custom("sh -c 'exit 4' sh {output} {url}"),
                         options);
    RecordingOutput out;
    BOOST_CHECK_EXCEPTION(
        source.run(out), confcap::core::SourceError, [](const confcap::core::SourceError& e) {
            return e.transient() && std::string(e.what()).find("sh exited with status 4") == 0;
        });
    BOOST_TEST(!std::filesystem::exists(temp.path / "a"));
}

BOOST_AUTO_TEST_SUITE_END()
