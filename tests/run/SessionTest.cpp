#include "confcap/run/Session.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "confcap/sink/TalkSink.h"
#include "support/FakeClock.h"
#include "support/JobStatePrinting.h"
#include "support/MediaTestSupport.h"
#include "support/RunFakes.h"

BOOST_AUTO_TEST_SUITE(SessionTest)

using confcap::run::JobSnapshot;
using confcap::run::JobState;
using confcap::run::Session;
using confcap::run::SessionEnd;
using confcap::testing::NotingReporter;
using confcap::testing::readFile;
using confcap::testing::TempDir;
using namespace std::chrono_literals;

namespace {

const auto kWindowStart = std::chrono::sys_days(std::chrono::year(2026) / 12 / 27) + 10h + 30min;

JobSnapshot jobIn(JobState state, std::string writeError = {}) {
    JobSnapshot job;
    job.state = state;
    job.writeError = std::move(writeError);
    return job;
}

struct EndCase {
    std::vector<JobSnapshot> jobs;
    SessionEnd end;
};

std::ostream& operator<<(std::ostream& out, const EndCase& c) {
    return out << c.jobs.size() << " jobs";
}

const EndCase kEnds[] = {
    {{}, {}},
    {{jobIn(JobState::Recorded), jobIn(JobState::Skipped)}, {}},
    {{jobIn(JobState::Failed), jobIn(JobState::Discarded), jobIn(JobState::Failed)}, {0, "", 2, 1}},
    {{jobIn(JobState::Recorded, "disk full"), jobIn(JobState::Discarded, "file too large")},
     {2, "file too large", 0, 1}},
    // A job the run left unfinished ends as cancelled: neither failed nor discarded.
    {{jobIn(JobState::Waiting), jobIn(JobState::Recording), jobIn(JobState::Interrupted)}, {}},
};

/// The parts of a talk a run left in `outDir`, recorded from 10:30 and never finalized.
void leaveParts(const std::filesystem::path& outDir, const confcap::plan::Job& job,
                const confcap::core::Clock& clock) {
    confcap::sink::TalkSinkConfig config;
    config.outDir = outDir;
    config.relativeStem = job.fileStem;
    config.windowStart = std::chrono::system_clock::time_point(job.from.time_since_epoch());
    config.windowEnd = std::chrono::system_clock::time_point(job.until.time_since_epoch());
    config.streamUrl = job.stream;
    config.talk.id = job.talk.id;
    config.talk.title = job.talk.title;
    confcap::sink::TalkSink sink(config, clock);
    sink.beginPiece({"ts", true}, false);
    const auto& clip = confcap::testing::testClip();
    for (std::size_t i = 0; i < clip.tsSegments.size(); ++i) {
        const auto bytes = readFile(clip.tsSegments[i]);
        confcap::core::Chunk chunk;
        chunk.bytes = bytes;
        chunk.mediaSeconds = clip.segmentSeconds[i];
        chunk.kind = confcap::core::ChunkKind::SegmentStart;
        sink.write(chunk);
    }
}  // destroyed without finalize, as when the process stops

}  // namespace

BOOST_DATA_TEST_CASE(theEndOfARunIsCountedFromItsJobs, boost::unit_test::data::make(kEnds), c) {
    BOOST_TEST((confcap::run::sessionEndOf(c.jobs) == c.end));
}

BOOST_AUTO_TEST_CASE(aTalkAnEarlierRunLeftIsJournaledAndHookedLikeOneFinishedNow) {
    TempDir dir;
    std::filesystem::create_directories(dir.path / ".confcap");
    confcap::plan::Job job;
    job.talk.id = "1234";
    job.talk.title = "Opening";
    job.talk.room = "Saal 1";
    job.talk.start = std::chrono::floor<std::chrono::seconds>(kWindowStart);
    job.talk.duration = 45min;
    job.from = job.talk.start;
    job.until = job.talk.start + job.talk.duration;
    job.stream = "http://127.0.0.1:1/saal1.m3u8";
    job.fileStem = "Saal 1/10:30 Opening";
    confcap::testing::FakeClock clock(kWindowStart + 10s);
    leaveParts(dir.path, job, clock);
    clock.set(kWindowStart + 2h);  // its window has passed

    const auto args = dir.path / "hook-args.txt";
    const auto hook = dir.path / "hook.sh";
    std::ofstream(hook) << "#!/bin/sh\nprintf '%s %s\\n' \"$1\" \"$2\" > '" << args.string()
                        << "'\n";
    ::chmod(hook.c_str(), 0755);
    Session::Options options;
    options.recorder.outDir = dir.path;
    options.journal = true;
    options.finishLeftovers = true;
    options.hooks.emplace();
    options.hooks->command = confcap::run::hookTemplate(hook.string() + " {outcome} {title}");
    options.marker = [](const confcap::plan::Job& j) {
        return confcap::run::Mark{j.talk.room, "10:30 " + j.talk.title};
    };
    NotingReporter reporter;
    confcap::plan::Plan plan;
    plan.jobs.push_back(job);
    {
        Session session(options, clock, reporter);
        session.start(plan);
        BOOST_TEST(session.done());
        session.finish("the test ended");  // waits for the hook
    }
    BOOST_TEST(reporter.said("10:30 Opening: finished the recording an earlier run left: "));
    const auto key = job.talk.key();
    const auto entry = confcap::run::Journal(dir.path / ".confcap" / "journal.json").find(key);
    BOOST_REQUIRE(entry.has_value());
    BOOST_TEST(entry->state == JobState::Recorded);
    BOOST_TEST(entry->file == "Saal 1/10:30 Opening.ts");
    // The job of the plan keeps that outcome, and the hook ran for the talk.
    BOOST_TEST(reporter.state(key) == JobState::Recorded);
    BOOST_TEST(reporter.job(key).reason.rfind("in an earlier run: ", 0) == 0u);
    BOOST_TEST(readFile(args) == "recorded Opening\n");
}

BOOST_AUTO_TEST_CASE(anInterruptEndsTheWaitForTheRunsEnd) {
    TempDir dir;
    confcap::testing::FakeClock clock(kWindowStart);
    Session::Options options;
    options.recorder.outDir = dir.path;
    NotingReporter reporter;
    Session session(options, clock, reporter);
    session.start({});
    BOOST_TEST(!session.waitForEnd(false, 1ms, std::chrono::steady_clock::now() + 20ms));
    BOOST_TEST(session.waitForEnd(true, 1ms));  // nothing to record: done at once
    session.interrupt();
    BOOST_TEST(session.interrupted());
    BOOST_TEST(session.waitForEnd(false, 1ms));
}

BOOST_AUTO_TEST_SUITE_END()
