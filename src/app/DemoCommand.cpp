#include "confcap/app/DemoCommand.h"

#include <pthread.h>

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <stop_token>
#include <thread>

#include "confcap/app/ExitCode.h"
#include "confcap/app/RecordCommand.h"
#include "confcap/app/RunOptions.h"
#include "confcap/demo/FakeConference.h"
#include "confcap/demo/MediaFixture.h"
#include "confcap/run/Recut.h"

namespace confcap::app {

namespace {

using demo::Fault;
using std::chrono::seconds;

std::vector<demo::FakeRoom> demoRooms(const demo::MediaClip& silent, const demo::MediaClip& still) {
    demo::StreamSpec hls{"saal1", demo::StreamKind::Hls};
    hls.window = 8;
    // A dropped connection that is refused for 4 s: shorter than the playlist window, so HLS
    // resumes at the next segment and loses nothing.
    hls.faults = {Fault::drop(38, 42)};
    demo::StreamSpec ts{"saal2", demo::StreamKind::Ts};
    // The connection drops at 52 s and the server answers 503 with Retry-After until 58 s: a
    // progressive stream cannot go back, so the talk has a gap of about 6 s (an "outage").
    ts.faults = {Fault::drop(52), Fault::httpStatus(52, 58, 503, 2)};
    demo::StreamSpec radio{"radio", demo::StreamKind::Mp3};
    // The connection stays open but sends nothing: the stall watchdog reconnects.
    radio.faults = {Fault::stall(30, 40)};
    // Trouble in the content, not the stream: the microphone is muted, the camera shows a still
    // picture. The health checks flag them.
    demo::StreamSpec muted{"saal3", demo::StreamKind::Hls};
    muted.clip = silent;
    demo::StreamSpec frozen{"saal4", demo::StreamKind::Ts};
    frozen.clip = still;
    return {
        {"Saal 1", hls}, {"Saal 2", ts}, {"Radio", radio}, {"Saal 3", muted}, {"Saal 4", frozen}};
}

std::vector<demo::FakeTalk> demoTalks() {
    return {
        {"00000000-0000-4000-8000-000000000001", "Saal 1", "Opening: Welcome to FakeCon",
         seconds(10), seconds(25)},
        {"00000000-0000-4000-8000-000000000002", "Saal 1", "Back to Back: Live HLS Without Loss",
         seconds(35), seconds(30)},
        {"00000000-0000-4000-8000-000000000003", "Saal 2", "Progressive Streams & Outages",
         seconds(30), seconds(35)},
        {"00000000-0000-4000-8000-000000000004", "Radio", "Audio Only: Über Radio-Streams",
         seconds(20), seconds(35)},
        {"00000000-0000-4000-8000-000000000006", "Saal 3", "The Muted Microphone", seconds(15),
         seconds(65)},
        {"00000000-0000-4000-8000-000000000007", "Saal 4", "A Camera Stuck on One Picture",
         seconds(20), seconds(60)},
        {"00000000-0000-4000-8000-000000000005", "Saal 2", "A Talk That Moves", seconds(75),
         seconds(20)},
    };
}

// The opening ran 8 s past its end: its file is cut again from Saal 1's tape, as a user would
// with `confcap recut`.
void recutOverrun(const std::filesystem::path& outDir, std::ostream& out, std::ostream& err) {
    out << "\nThe opening ran 8 s over. confcap recut \"Opening: Welcome to FakeCon\" --out "
        << outDir.string() << " --end +8s:\n";
    try {
        run::RecutRequest request;
        request.outDir = outDir;
        request.talk = "Opening: Welcome to FakeCon";
        request.end = run::boundaryEditFrom("+8s", "end");
        const auto cut = run::recutTalk(request);
        out << "  " << cut.file.lexically_relative(outDir).string() << " now holds "
            << static_cast<long>(cut.result.status.coveredSeconds)
            << " s, to the end of the overrun.\n";
    } catch (const std::exception& e) {
        err << "confcap demo: warning: the recut did not work: " << e.what() << "\n";
    }
}

}  // namespace

int runDemo(const Arguments& arguments, std::ostream& out, std::ostream& err) {
    // What the user can get wrong is refused before the fake conference starts.
    minFreeOption(arguments);
    const std::filesystem::path outDir = "demo-recordings";
    err << "confcap demo: making a test clip with ffmpeg, then starting a fake conference on "
           "loopback...\n";
    const auto media = outDir / ".confcap" / "media";
    const auto clip = demo::MediaFixture::ensure(media);
    const auto silent = demo::MediaFixture::ensure(media, demo::ClipContent::Silent);
    const auto still = demo::MediaFixture::ensure(media, demo::ClipContent::Still);
    // The fake conference's threads start before runRecord's SignalWatcher: they must not take
    // Ctrl-C, SIGTERM or SIGHUP either, or a signal ends the demo instead of stopping it cleanly.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    const auto start = std::chrono::system_clock::now();
    auto talks = demoTalks();
    demo::FakeConference conference(clip, demoRooms(silent, still), talks, start);

    // The schedule changes while the run goes on: the last talk moves 10 s earlier. The thread
    // is stopped and joined however the run ends (a bad option is refused by runRecord).
    std::jthread organizer([&conference, talks](std::stop_token stop) mutable {
        std::mutex mutex;
        std::condition_variable_any wake;
        std::unique_lock lock(mutex);
        if (wake.wait_for(lock, stop, seconds(12), [&stop] { return stop.stop_requested(); })) {
            return;
        }
        talks.back().start -= seconds(10);
        conference.setTalks(talks);
    });

    Arguments run = arguments;
    run.add("schedule", conference.scheduleUrl());
    for (const auto& stream : conference.streamOptions()) {
        run.add("stream", stream);
    }
    run.add("out", outDir.string());
    run.add("pad-before", "3s");
    run.add("pad-after", "4s");
    run.add("min-size", "32K");
    run.add("min-duration", "5s");
    run.add("refresh", "10s");
    run.add("stall-timeout", "4s");
    run.add("cache-dir", (outDir / ".confcap" / "cache").string());
    run.add("exit-when-done", "true");
    // The demo's talks last half a minute: trouble of 10 s is flagged.
    for (const char* threshold : {"silence-for", "black-for", "frozen-for"}) {
        if (!arguments.has(threshold)) {
            run.add(threshold, "10s");
        }
    }
    const int code = runRecord(run, out, err);
    organizer.request_stop();
    organizer.join();
    if (code == kExitOk && run.value("keep-tape").value_or("1") != "0") {
        recutOverrun(outDir, out, err);
    }
    out << "\nThe recordings are in " << std::filesystem::absolute(outDir).string()
        << "; each has a .json sidecar with its gaps.\n";
    return code;
}

}  // namespace confcap::app
