#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/StreamCopier.h>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/demo/FakeConference.h"
#include "confcap/demo/LoopbackServer.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"
#include "support/RunProcess.h"
#include "support/StatusPoll.h"

BOOST_AUTO_TEST_SUITE(RecordEndToEndTest)

namespace bdata = boost::unit_test::data;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::demo::FakeRoom;
using confcap::demo::FakeTalk;
using confcap::demo::Fault;
using confcap::demo::StreamKind;
using confcap::testing::ChildProcess;
using confcap::testing::RunFolders;
using confcap::testing::Timeline;

namespace {

using SystemTime = std::chrono::system_clock::time_point;

// Both sides of every talk are padded by this much.
constexpr int kPad = 3;
// A recording's media timeline may differ from its window by this much: an HLS capture that
// opens a connection begins a few segments behind the live edge, and segments are a second long.
constexpr double kSpanSlack = 3.5;
// Each recording's first byte arrives within this of its window's start.
constexpr double kStartLimit = 0.5;

FakeTalk talk(const std::string& id, const std::string& room, const std::string& title, int start,
              int duration) {
    return {"00000000-0000-4000-8000-0000000000" + id, room, title, std::chrono::seconds(start),
            std::chrono::seconds(duration)};
}

/// The conference: three rooms; talks count from the conference's start.
///   Saal 1 (live HLS): Opening [7,17), Back to Back [17,27) with a dropped connection at 21
///     (refused until 23), Moving Talk [38,46) that moves to [29,37) while the run goes on, so
///     it joins the capture of Back to Back.
///   Saal 2 (progressive MPEG-TS): First [7,17) and Second [17,27), back to back, no faults.
///   Saal 3 (progressive MPEG-TS): Outage [7,19) whose connection drops at 11 and is answered
///     503 (Retry-After 1) until 15; Cancelled [28,36), removed from the schedule before it
///     begins; Late Addition [26,36), added to the schedule while the run goes on.
std::vector<FakeRoom> rooms() {
    confcap::demo::StreamSpec hls{"saal1", StreamKind::Hls};
    hls.window = 8;
    return {{"Saal 1", hls},
            {"Saal 2", {"saal2", StreamKind::Ts}},
            {"Saal 3", {"saal3", StreamKind::Ts}}};
}

const std::vector<FakeTalk> kFirstTalks = {
    talk("01", "Saal 1", "Opening", 7, 10),
    talk("02", "Saal 1", "Back to Back HLS", 17, 10),
    talk("03", "Saal 1", "Moving Talk", 38, 8),
    talk("04", "Saal 2", "First Progressive", 7, 10),
    talk("05", "Saal 2", "Second Progressive", 17, 10),
    talk("06", "Saal 3", "Outage Talk", 7, 12),
    talk("07", "Saal 3", "Cancelled Talk", 28, 8),
};

const std::vector<FakeTalk> kFinalTalks = {
    talk("01", "Saal 1", "Opening", 7, 10),
    talk("02", "Saal 1", "Back to Back HLS", 17, 10),
    talk("03", "Saal 1", "Moving Talk", 29, 8),
    talk("04", "Saal 2", "First Progressive", 7, 10),
    talk("05", "Saal 2", "Second Progressive", 17, 10),
    talk("06", "Saal 3", "Outage Talk", 7, 12),
    talk("08", "Saal 3", "Late Addition", 26, 10),
};

/// One recorded talk as the run left it.
struct Recording {
    std::string file;  ///< relative to --out
    std::uint64_t size = 0;
    Poco::JSON::Object::Ptr sidecar;
    Timeline timeline;
    std::string serviceName;  ///< the MPEG-TS service name ffprobe reads, when the file is TS
    std::string nfo;          ///< the .nfo beside it
};

/// Everything the conference run left behind, read before its folders are removed.
struct ConferenceRun {
    std::string error;  ///< what went wrong in the scenario itself
    SystemTime start;   ///< the conference's start (whole seconds)
    std::optional<int> exitCode;
    std::string out, err;
    double seconds = 0;                    ///< how long confcap ran
    std::vector<std::string> workEntries;  ///< what is in the folder confcap ran in
    std::vector<std::string> outFiles;     ///< every file under --out but .confcap/
    std::vector<std::string> bookkeeping;  ///< files under --out/.confcap/
    std::vector<std::string> tmpEntries;
    std::vector<std::string> expectedFiles;  ///< `confcap plan --json` for the final schedule
    Poco::JSON::Object::Ptr summary;
    std::map<std::string, Recording> recordings;  ///< by title
    std::size_t saal2Requests = 0;
    std::vector<std::int64_t> saal1Segments;  ///< sequence numbers served, in order
    std::size_t saal1LowSegments = 0;
    double segmentSeconds = 0;  ///< the length of one HLS segment
    std::size_t scheduleFetches = 0;
    std::size_t fetchesBeforeChange = 0;
    /// Every state /api/status showed for each talk while the run went on, by title.
    std::map<std::string, std::set<std::string>> statusSeen;
    std::size_t statusPolls = 0;
    /// The first fetch of each talk's watch link while it recorded: status, type, first bytes.
    struct Watched {
        int status = 0;
        std::string contentType;
        std::string bytes;
        std::string url;
    };
    std::map<std::string, Watched> watched;
};

/// Polls the status API of a running confcap (its URL read from the log) until it exits.
void watchStatus(const ChildProcess& confcap, ConferenceRun& run) {
    const auto port = confcap::testing::statusPortOf(confcap);
    while (port != 0 && confcap.running()) {
        try {
            const auto jobs = confcap::testing::statusJobs(port);
            for (unsigned i = 0; i < jobs->size(); ++i) {
                const auto job = jobs->getObject(i);
                const auto title = job->getValue<std::string>("title");
                const auto state = job->getValue<std::string>("state");
                run.statusSeen[title].insert(state);
                // A talk that records can be watched: its link serves the growing file.
                if (state == "recording" && !job->isNull("url") && !run.watched.count(title)) {
                    const auto url = job->getValue<std::string>("url");
                    Poco::Net::HTTPClientSession watch("127.0.0.1", port);
                    Poco::Net::HTTPRequest get(Poco::Net::HTTPRequest::HTTP_GET, url);
                    get.set("Range", "bytes=0-375");
                    watch.sendRequest(get);
                    Poco::Net::HTTPResponse answer;
                    auto& data = watch.receiveResponse(answer);
                    ConferenceRun::Watched seen;
                    seen.status = answer.getStatus();
                    seen.contentType = answer.getContentType();
                    seen.url = url;
                    Poco::StreamCopier::copyToString(data, seen.bytes);
                    run.watched[title] = seen;
                }
            }
            ++run.statusPolls;
        } catch (const std::exception&) {
            // The server goes away as confcap exits.
        }
        std::this_thread::sleep_for(250ms);
    }
}

std::string utcAt(SystemTime start, int offset) {
    return confcap::core::formatUtc(std::chrono::floor<std::chrono::seconds>(start) +
                                    std::chrono::seconds(offset));
}

std::vector<std::string> commonOptions(const FakeConference& conference) {
    std::vector<std::string> args = {"--schedule", conference.scheduleUrl()};
    for (const auto& stream : conference.streamOptions()) {
        args.push_back("--stream");
        args.push_back(stream);
    }
    for (const auto& option :
         std::vector<std::string>{"--out", "out", "--pad-before", "3s", "--pad-after", "3s"}) {
        args.push_back(option);
    }
    return args;
}

ConferenceRun recordConference() {
    ConferenceRun run;
    try {
        RunFolders folders;
        const auto& clip = confcap::testing::testClip();
        run.start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
        FakeConference conference(clip, rooms(), kFirstTalks, run.start);
        // Fault times count from the stream server's start: find where the conference starts on
        // that clock.
        auto& streams = conference.streams();
        const double lead =
            streams.elapsed() +
            std::chrono::duration<double>(run.start - std::chrono::system_clock::now()).count();
        streams.addFault("saal1", Fault::drop(lead + 21, lead + 23));
        streams.addFault("saal3", Fault::drop(lead + 11));
        streams.addFault("saal3", Fault::httpStatus(lead + 11, lead + 15, 503, 1));

        auto args = commonOptions(conference);
        args.insert(args.begin(), "record");
        for (const auto& option : std::vector<std::string>{
                 "--min-size", "32K", "--min-duration", "5s", "--refresh", "2s", "--stall-timeout",
                 "4s", "--exit-when-done", "--status-port", "0", "--nfo"}) {
            args.push_back(option);
        }
        const auto launched = std::chrono::steady_clock::now();
        ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());
        std::thread watcher([&] { watchStatus(confcap, run); });

        // The organizers change the schedule once confcap has read it: a talk moves, one is
        // cancelled before it begins, one is added.
        while (conference.scheduleFetches() == 0 && confcap.running() &&
               std::chrono::steady_clock::now() - launched < 20s) {
            std::this_thread::sleep_for(20ms);
        }
        std::this_thread::sleep_until(run.start + 1s);
        run.fetchesBeforeChange = conference.scheduleFetches();
        conference.setTalks(kFinalTalks);

        run.exitCode = confcap.wait(150s);
        watcher.join();
        run.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - launched).count();
        run.out = confcap.out();
        run.err = confcap.err();
        run.scheduleFetches = conference.scheduleFetches();
        run.saal2Requests = streams.requests("saal2");
        for (const auto& segment : streams.served("saal1", "high")) {
            run.saal1Segments.push_back(segment.sequence);
        }
        run.saal1LowSegments = streams.served("saal1", "low").size();
        run.segmentSeconds = streams.segmentSeconds();

        run.workEntries = confcap::testing::entriesOf(folders.work);
        run.outFiles = confcap::testing::filesUnder(folders.out);
        run.bookkeeping = confcap::testing::filesUnder(folders.out / ".confcap", false);
        run.tmpEntries = confcap::testing::entriesOf(folders.tmp);
        const auto summaryPath = folders.out / ".confcap" / "summary.json";
        if (fs::exists(summaryPath)) {
            run.summary = confcap::testing::readJsonFile(summaryPath);
        }
        for (const auto& file : run.outFiles) {
            if (!file.ends_with(".json")) {
                continue;
            }
            const auto sidecar = confcap::testing::readJsonFile(folders.out / file);
            const auto talkInfo = sidecar->getObject("talk");
            if (talkInfo.isNull()) {
                continue;
            }
            Recording recording;
            recording.sidecar = sidecar;
            recording.file = sidecar->optValue<std::string>("file", "");
            recording.size = fs::file_size(folders.out / recording.file);
            recording.timeline = confcap::testing::timelineOf(folders.out / recording.file);
            recording.nfo = confcap::testing::readFile(
                (folders.out / recording.file).replace_extension(".nfo"));
            if (recording.file.ends_with(".ts")) {
                recording.serviceName =
                    confcap::testing::runProcess(
                        "/usr/bin/ffprobe",
                        {"-v", "error", "-show_entries", "program_tags=service_name", "-of",
                         "csv=p=0", (folders.out / recording.file).string()})
                        .out;
                while (!recording.serviceName.empty() && (recording.serviceName.back() == '\n' ||
                                                          recording.serviceName.back() == ',')) {
                    recording.serviceName.pop_back();
                }
            }
            run.recordings[talkInfo->getValue<std::string>("title")] = recording;
        }

        // What confcap says the final schedule's files are.
        auto planArgs = commonOptions(conference);
        planArgs.insert(planArgs.begin(), "plan");
        planArgs.push_back("--json");
        const auto plan = confcap::testing::runProcess(CONFCAP_BINARY, planArgs, folders.env());
        if (plan.exitCode != 0) {
            throw std::runtime_error("confcap plan failed: " + plan.err);
        }
        const auto jobs =
            Poco::JSON::Parser().parse(plan.out).extract<Poco::JSON::Object::Ptr>()->getArray(
                "jobs");
        for (std::size_t i = 0; i < jobs->size(); ++i) {
            const auto file =
                jobs->getObject(static_cast<unsigned>(i))->getValue<std::string>("file");
            run.expectedFiles.push_back(file);
            run.expectedFiles.push_back(fs::path(file).replace_extension(".json").generic_string());
            run.expectedFiles.push_back(fs::path(file).replace_extension(".nfo").generic_string());
        }
        std::sort(run.expectedFiles.begin(), run.expectedFiles.end());
    } catch (const std::exception& e) {
        run.error = e.what();
    }
    return run;
}

/// What a run whose disk fills up left.
struct DiskFullRun {
    std::string error;
    bool realDisk = false;  ///< a full file system (else a file size limit stood in for it)
    std::optional<int> exitCode;
    std::string out, err;
    std::vector<std::string> files;  ///< every file left under --out but .confcap/
    Timeline timeline;               ///< of the media file kept
};

/// One talk [3,13) in a progressive room, recorded onto a 256 KiB file system (a tmpfs mounted in
/// a user and mount namespace of its own, what is left copied out when confcap ends) that is
/// full after about two seconds; where namespaces are not allowed, under a file size limit.
DiskFullRun recordOntoAFullDisk() {
    DiskFullRun run;
    try {
        RunFolders folders;
        const auto start =
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
        FakeConference conference(confcap::testing::testClip(),
                                  {{"Saal 2", {"saal2", StreamKind::Ts}}},
                                  {talk("21", "Saal 2", "Disk Full", 3, 10)}, start);
        auto args = commonOptions(conference);
        args.insert(args.begin(), {CONFCAP_BINARY, "record"});
        for (const auto& option :
             std::vector<std::string>{"--min-size", "1K", "--min-duration", "1s", "--refresh", "0",
                                      "--exit-when-done"}) {
            args.push_back(option);
        }
        const auto kept = folders.root.path / "kept";
        fs::create_directories(kept);
        fs::create_directories(folders.out);
        run.realDisk = confcap::testing::runProcess(
                           "/usr/bin/unshare", {"--user", "--map-root-user", "--mount", "true"})
                           .exitCode == 0;
        std::vector<std::string> command;
        if (run.realDisk) {
            command = {"--user",
                       "--map-root-user",
                       "--mount",
                       "sh",
                       "-c",
                       "mount -t tmpfs -o size=256k tmpfs \"$1\" || exit 99; out=$1; kept=$2; "
                       "shift 2; \"$@\"; code=$?; cp -a \"$out\"/. \"$kept\"/; exit $code",
                       "sh",
                       folders.out.string(),
                       kept.string()};
        } else {
            command = {"--fsize=262144"};
        }
        command.insert(command.end(), args.begin(), args.end());
        ChildProcess confcap(run.realDisk ? "/usr/bin/unshare" : "/usr/bin/prlimit", command,
                             folders.work, folders.env());
        run.exitCode = confcap.wait(60s);
        run.out = confcap.out();
        run.err = confcap.err();
        const auto left = run.realDisk ? kept : folders.out;
        run.files = confcap::testing::filesUnder(left);
        for (const auto& file : run.files) {
            if (file.ends_with(".ts")) {
                run.timeline = confcap::testing::timelineOf(left / file);
            }
        }
    } catch (const std::exception& e) {
        run.error = e.what();
    }
    return run;
}

/// The conference is recorded once; the test cases below check different sides of that run.
const ConferenceRun& conferenceRun() {
    static const ConferenceRun run = recordConference();
    return run;
}

const Recording* recordingOf(const ConferenceRun& run, const std::string& title) {
    const auto it = run.recordings.find(title);
    return it == run.recordings.end() ? nullptr : &it->second;
}

Poco::JSON::Object::Ptr summaryEntry(const ConferenceRun& run, const std::string& title) {
    const auto talks = run.summary->getArray("talks");
    for (std::size_t i = 0; i < talks->size(); ++i) {
        const auto entry = talks->getObject(static_cast<unsigned>(i));
        if (entry->getValue<std::string>("title") == title) {
            return entry;
        }
    }
    return nullptr;
}

std::string windowText(const Poco::JSON::Object::Ptr& sidecar) {
    const auto window = sidecar->getObject("window");
    return window->getValue<std::string>("start") + " - " + window->getValue<std::string>("end");
}

/// A schedule file whose one talk begins in an hour, for the runs that must fail before waiting.
fs::path laterSchedule(const fs::path& folder) {
    const auto file = folder / "schedule.xml";
    std::ofstream(file) << FakeConference::scheduleXml(
        rooms(), {talk("01", "Saal 1", "Much Later", 3600, 600)}, std::chrono::system_clock::now(),
        1);
    return file;
}

/// A bad invocation, the exit code it must end with and words its error must contain.
struct BadInput {
    std::string name;
    std::vector<std::string> args;  ///< after "record --schedule FILE --out OUT"; see expand()
    int exitCode;
    std::vector<std::string> mentions;
};

std::ostream& operator<<(std::ostream& out, const BadInput& input) {
    return out << input.name;
}

const std::vector<BadInput> kBadInputs = {
    {"a --stream for a room the schedule lacks",
     {"--stream", "Saal 9=@STREAM"},
     64,
     {"Saal 9", "Saal 1"}},
    {"a --stream without '='", {"--stream", "Saal 1 @STREAM"}, 64, {"--stream", "="}},
    {"a --min-free that is not a size",
     {"--stream", "Saal 1=@STREAM", "--min-free", "5x"},
     64,
     {"--min-free '5x' is not a size", "500M", "5%"}},
    {"a --stream without a URL",
     {"--stream", "Saal 1=ftp://example.org/s1"},
     64,
     {"--stream", "http"}},
    {"a --config that does not exist",
     {"--stream", "Saal 1=@STREAM", "--config", "@ROOT/missing.ini"},
     78,
     {"missing.ini"}},
    {"a --config that is a folder",
     {"--stream", "Saal 1=@STREAM", "--config", "@ROOT"},
     78,
     {"config file"}},
    {"an --out below a regular file",
     {"--stream", "Saal 1=@STREAM", "--out", "@ROOT/file/out"},
     73,
     {"file/out"}},
};

std::string expand(std::string text, const std::string& stream, const fs::path& root) {
    for (const auto& [field, value] : std::vector<std::pair<std::string, std::string>>{
             {"@STREAM", stream}, {"@ROOT", root.string()}}) {
        if (const auto at = text.find(field); at != std::string::npos) {
            text.replace(at, field.size(), value);
        }
    }
    return text;
}

}  // namespace

BOOST_DATA_TEST_CASE(badInputFailsAtOnceWithOneSentence, bdata::make(kBadInputs), input) {
    RunFolders folders;
    std::ofstream(folders.root.path / "file") << "a regular file\n";
    confcap::demo::LoopbackServer streams(
        [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            response.send();
        });
    std::vector<std::string> args = {"record", "--schedule",
                                     laterSchedule(folders.root.path).string()};
    bool outGiven = false;
    for (const auto& arg : input.args) {
        args.push_back(expand(arg, streams.url("/live/saal1.ts"), folders.root.path));
        outGiven = outGiven || arg == "--out";
    }
    if (!outGiven) {
        args.push_back("--out");
        args.push_back("out");
    }
    const auto began = std::chrono::steady_clock::now();
    ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());
    const auto code = confcap.wait(20s);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    BOOST_TEST_REQUIRE(code.has_value(), "confcap still runs: it waits instead of failing");
    BOOST_TEST(*code == input.exitCode, confcap.err());
    BOOST_TEST(seconds < 5.0);
    const auto err = confcap.err();
    // One sentence on one line, naming what is wrong.
    BOOST_TEST(std::count(err.begin(), err.end(), '\n') == 1, err);
    BOOST_TEST(err.starts_with("confcap: "), err);
    BOOST_TEST(err.ends_with(".\n"), err);
    for (const auto& word : input.mentions) {
        BOOST_TEST(err.find(expand(word, "", folders.root.path)) != std::string::npos,
                   word << " missing in: " << err);
    }
    BOOST_TEST(confcap.out().empty(), confcap.out());
    // Nothing was made: no output folder, nothing in the working folder.
    BOOST_TEST(confcap::testing::entriesOf(folders.work).empty());
}

BOOST_AUTO_TEST_CASE(exitsZeroWithExactlyTheFinalFiles) {
    const auto& run = conferenceRun();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_MESSAGE("confcap ran " << run.seconds << " s");
    BOOST_TEST_REQUIRE(run.exitCode.has_value(), "confcap did not exit:\n" << run.err);
    BOOST_TEST(*run.exitCode == 0, run.err);
    // One media file, one sidecar and one .nfo per recorded talk, where `plan` says, and
    // nothing else: no .part, no manifest, no merge leftovers.
    BOOST_TEST(run.expectedFiles.size() == 21u);
    BOOST_TEST(run.outFiles == run.expectedFiles, boost::test_tools::per_element());
    // Beside the recordings only the bookkeeping folder; nothing in the working or temp folder.
    BOOST_TEST(run.workEntries == std::vector<std::string>{"out"},
               boost::test_tools::per_element());
    BOOST_TEST(run.tmpEntries.empty());
    BOOST_TEST(std::count(run.bookkeeping.begin(), run.bookkeeping.end(), "summary.json") == 1);
    for (const auto& file : run.bookkeeping) {
        BOOST_TEST(!file.ends_with(".part"), file);
        BOOST_TEST(file.find(".tmp") == std::string::npos, file);
    }
    BOOST_TEST(run.out.find("Summary: 7 recorded, 1 cancelled (8 talks") != std::string::npos,
               run.out);
}

BOOST_AUTO_TEST_CASE(everyRecordingNamesItsTalkInTheFileAndItsNfo) {
    const auto& run = conferenceRun();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST(run.recordings.size() == 7u);
    for (const auto& [title, recording] : run.recordings) {
        // MPEG-TS carries the talk's name as its service name; other containers their tags.
        if (recording.file.ends_with(".ts")) {
            BOOST_TEST(recording.serviceName == title,
                       recording.file << ": " << recording.serviceName);
        }
        BOOST_TEST(recording.sidecar->getObject("container")->getValue<bool>("tagged"),
                   recording.file);
        pugi::xml_document nfo;
        BOOST_TEST_REQUIRE(static_cast<bool>(nfo.load_string(recording.nfo.c_str())),
                           recording.file << ": the .nfo is not XML");
        const auto movie = nfo.child("movie");
        BOOST_TEST(std::string(movie.child_value("title")) == title);
        BOOST_TEST(!std::string(movie.child_value("premiered")).empty(), recording.file);
        BOOST_TEST(std::string(movie.child_value("studio")) ==
                       recording.sidecar->getObject("talk")->getValue<std::string>("conference"),
                   recording.file);
    }
}

BOOST_AUTO_TEST_CASE(everyFileCoversItsFinalWindow) {
    const auto& run = conferenceRun();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(run.recordings.size() == 7u);
    // Every talk of the final schedule, as (start, end) from the conference's start.
    std::map<std::string, std::pair<int, int>> talks;
    for (const auto& t : kFinalTalks) {
        talks[t.title] = {static_cast<int>(t.start.count()),
                          static_cast<int>((t.start + t.duration).count())};
    }
    for (const auto& [title, times] : talks) {
        BOOST_TEST_CONTEXT(title) {
            const auto* recording = recordingOf(run, title);
            BOOST_TEST_REQUIRE(recording != nullptr);
            const auto& sidecar = recording->sidecar;
            // The window is the final schedule's, padding included.
            BOOST_TEST(windowText(sidecar) == utcAt(run.start, times.first - kPad) + " - " +
                                                  utcAt(run.start, times.second + kPad));
            const double window = times.second - times.first + 2 * kPad;
            BOOST_TEST(sidecar->getValue<double>("scheduledSeconds") == window);
            BOOST_TEST(sidecar->getValue<std::string>("outcome") == "recorded");
            BOOST_TEST(sidecar->getValue<std::string>("finalizedBecause") == "window ended");
            BOOST_TEST(sidecar->getValue<std::uint64_t>("bytes") == recording->size);
            // ffprobe reads audio and video over the whole window.
            const auto& timeline = recording->timeline;
            BOOST_TEST_REQUIRE(timeline.ok);
            BOOST_TEST(timeline.streams == 2);
            BOOST_TEST_MESSAGE(title << ": window " << window << " s, media " << timeline.span()
                                     << " s, covered "
                                     << sidecar->getValue<double>("coveredSeconds") << " s");
            BOOST_TEST(std::abs(timeline.span() - window) <= kSpanSlack,
                       "media " << timeline.span() << " s for a " << window << " s window");
            double lost = 0;
            const auto gaps = sidecar->getArray("gaps");
            for (std::size_t i = 0; i < gaps->size(); ++i) {
                lost +=
                    gaps->getObject(static_cast<unsigned>(i))->getValue<double>("lengthSeconds");
            }
            BOOST_TEST(std::abs(sidecar->getValue<double>("coveredSeconds") + lost - window) <=
                       kSpanSlack);
        }
    }
}

BOOST_AUTO_TEST_CASE(summaryListsEveryTalkWithItsOutcome) {
    const auto& run = conferenceRun();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(!run.summary.isNull());
    const auto talks = run.summary->getArray("talks");
    BOOST_TEST(talks->size() == 8u);
    const auto counts = run.summary->getObject("counts");
    BOOST_TEST(counts->getValue<int>("recorded") == 7);
    BOOST_TEST(counts->getValue<int>("cancelled") == 1);
    BOOST_TEST(counts->getValue<int>("failed") == 0);
    BOOST_TEST(counts->getValue<int>("discarded") == 0);
    for (const auto& [title, recording] : run.recordings) {
        BOOST_TEST_CONTEXT(title) {
            const auto entry = summaryEntry(run, title);
            BOOST_TEST_REQUIRE(!entry.isNull());
            BOOST_TEST(entry->getValue<std::string>("outcome") == "recorded");
            BOOST_TEST(entry->getValue<std::string>("reason").starts_with("recorded: "));
            BOOST_TEST(entry->getValue<std::string>("file") == recording.file);
            BOOST_TEST(entry->getValue<std::string>("from") + " - " +
                           entry->getValue<std::string>("until") ==
                       windowText(recording.sidecar));
            BOOST_TEST(entry->getValue<std::uint64_t>("bytes") ==
                       recording.sidecar->getValue<std::uint64_t>("bytes"));
        }
    }
    const auto cancelled = summaryEntry(run, "Cancelled Talk");
    BOOST_TEST_REQUIRE(!cancelled.isNull());
    BOOST_TEST(cancelled->getValue<std::string>("outcome") == "cancelled");
    BOOST_TEST(cancelled->getValue<std::string>("reason") ==
               "removed from the schedule before it began");
    BOOST_TEST(cancelled->getValue<std::string>("file").empty());
    BOOST_TEST(summaryEntry(run, "Outage Talk")->getValue<std::string>("reason").find("1 gap") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(scheduleChangesArePickedUpWhileRunning) {
    const auto& run = conferenceRun();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    // Read at the start, then re-read every --refresh (conditional GETs included).
    BOOST_TEST(run.fetchesBeforeChange >= 1u);
    BOOST_TEST(run.scheduleFetches >= run.fetchesBeforeChange + 10);
    BOOST_TEST(
        run.err.find("the schedule changed: 1 added, 1 changed, 1 cancelled") != std::string::npos,
        run.err);
    // The moved talk was recorded over its new window (checked above) under its new time.
    const auto* moved = recordingOf(run, "Moving Talk");
    BOOST_TEST_REQUIRE(moved != nullptr);
    const auto talkInfo = moved->sidecar->getObject("talk");
    BOOST_TEST(talkInfo->getValue<std::string>("start") == utcAt(run.start, 29));
    BOOST_TEST(recordingOf(run, "Cancelled Talk") == nullptr);
    BOOST_TEST(recordingOf(run, "Late Addition") != nullptr);
}

BOOST_AUTO_TEST_CASE(backToBackTalksShareOneConnectionAndKeepTheirPadding) {
    const auto& run = conferenceRun();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    // Saal 2's two talks came over one progressive connection; the other request is the stream
    // check at record's start.
    BOOST_TEST(run.saal2Requests == 2u);
    BOOST_TEST(run.err.find("stream check: live (progressive ts)") != std::string::npos, run.err);
    // Saal 1's capture ran on through three talks and a dropped connection: every segment of
    // the chosen variant was fetched once, none was skipped.
    BOOST_TEST_REQUIRE(!run.saal1Segments.empty());
    BOOST_TEST(run.saal1LowSegments == 0u);
    for (std::size_t i = 1; i < run.saal1Segments.size(); ++i) {
        BOOST_TEST(run.saal1Segments[i] == run.saal1Segments[i - 1] + 1,
                   "segment " << i << " of " << run.saal1Segments.size());
    }
    // Both talks of each pair hold the shared padding: the first runs on after the second
    // began by both paddings (the same media in both files).
    for (const auto& [first, second] : std::vector<std::pair<std::string, std::string>>{
             {"Opening", "Back to Back HLS"}, {"First Progressive", "Second Progressive"}}) {
        BOOST_TEST_CONTEXT(first << " / " << second) {
            const auto* a = recordingOf(run, first);
            const auto* b = recordingOf(run, second);
            BOOST_TEST_REQUIRE((a != nullptr && b != nullptr));
            const double overlap = a->timeline.last - b->timeline.first;
            BOOST_TEST_MESSAGE(first << " / " << second << ": shared media " << overlap
                                     << " s (both paddings: " << 2 * kPad << " s)");
            BOOST_TEST(overlap >= 2 * kPad - 1.5);
            BOOST_TEST(overlap <= 2 * kPad + 1.5);
        }
    }
}

BOOST_AUTO_TEST_CASE(faultsAreBridgedAndMeasured) {
    const auto& run = conferenceRun();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    // The HLS drop: reconnected and resumed at the next segment, nothing lost.
    const auto* hls = recordingOf(run, "Back to Back HLS");
    BOOST_TEST_REQUIRE(hls != nullptr);
    BOOST_TEST(hls->sidecar->getValue<int>("reconnects") >= 1);
    BOOST_TEST(hls->sidecar->getArray("gaps")->size() == 0u);
    BOOST_TEST(hls->timeline.largestJump < 0.5);
    // The progressive drop and 503 window: one gap of about four seconds, named, in one file.
    const auto* outage = recordingOf(run, "Outage Talk");
    BOOST_TEST_REQUIRE(outage != nullptr);
    BOOST_TEST(outage->sidecar->getValue<int>("reconnects") >= 1);
    const auto gaps = outage->sidecar->getArray("gaps");
    BOOST_TEST_REQUIRE(gaps->size() == 1u);
    const auto gap = gaps->getObject(0);
    const double length = gap->getValue<double>("lengthSeconds");
    const double offset = gap->getValue<double>("offsetSeconds");
    BOOST_TEST_MESSAGE("Outage Talk: gap of "
                       << length << " s at " << offset
                       << " s into the window: " << gap->getValue<std::string>("cause"));
    // Refused for 4 s; the reconnects wait 1 s, 2 s, 4 s (each +-20%) and honour Retry-After.
    BOOST_TEST(length >= 4.0);
    BOOST_TEST(length <= 9.0);
    BOOST_TEST(std::abs(offset - (11 - 7 + kPad)) <= 1.0);
    BOOST_TEST(std::abs(outage->timeline.largestJump - length) <= 1.5);
    BOOST_TEST(outage->sidecar->getValue<int>("pieces") == 1);
    // The other talks saw no fault.
    for (const auto* title : {"Opening", "First Progressive", "Second Progressive"}) {
        BOOST_TEST(recordingOf(run, title)->sidecar->getValue<int>("reconnects") == 0, title);
    }
}

BOOST_AUTO_TEST_CASE(everyCaptureStartsWithinHalfASecond) {
    const auto& run = conferenceRun();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(run.recordings.size() == 7u);
    // A talk that joins a running HLS capture gets its first bytes with the next segment the
    // capture fetches (whose media began before the window did: see the shared padding above),
    // so its bytes may come up to a segment later. Every other capture opens its connection,
    // or joins a progressive stream, at the window's start.
    const std::set<std::string> hlsJoiners = {"Back to Back HLS", "Moving Talk"};
    for (const auto& [title, recording] : run.recordings) {
        BOOST_TEST_CONTEXT(title) {
            BOOST_TEST_REQUIRE(recording.sidecar->has("firstDataOffsetSeconds"));
            const double offset = recording.sidecar->getValue<double>("firstDataOffsetSeconds");
            const bool joiner = hlsJoiners.count(title) != 0;
            BOOST_TEST_MESSAGE("start offset "
                               << title << ": " << offset << " s"
                               << (joiner ? " (joined a running HLS capture)" : ""));
            BOOST_TEST(offset >= 0.0);
            BOOST_TEST(offset <= (joiner ? run.segmentSeconds + kStartLimit : kStartLimit));
        }
    }
}

BOOST_AUTO_TEST_CASE(statusApiFollowsTheJobsWhileTheyRun) {
    const auto& run = conferenceRun();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST(run.statusPolls > 20U);
    // A talk is seen waiting, then recording, and (before the run ends) recorded.
    for (const auto* title : {"Back to Back HLS", "Second Progressive", "Late Addition"}) {
        const auto seen = run.statusSeen.find(title);
        BOOST_REQUIRE_MESSAGE(seen != run.statusSeen.end(), title << " never appeared");
        BOOST_TEST(seen->second.count("waiting") == 1U, title);
        BOOST_TEST(seen->second.count("recording") == 1U, title);
        BOOST_TEST(seen->second.count("recorded") == 1U, title);
    }
    // The outage shows: the stream of Saal 3 was down while its talk recorded.
    BOOST_TEST(run.statusSeen.at("Outage Talk").count("retrying") == 1U);
    BOOST_TEST(run.statusSeen.at("Cancelled Talk").count("cancelled") == 1U);
}

BOOST_AUTO_TEST_CASE(aFullDiskKeepsWhatWasWrittenAndExits74) {
    const auto run = recordOntoAFullDisk();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_MESSAGE((run.realDisk ? "a full tmpfs" : "a file size limit")
                       << "; left " << run.files.size() << " files");
    BOOST_TEST_REQUIRE(run.exitCode.has_value(), "confcap did not exit:\n" << run.err);
    BOOST_TEST(*run.exitCode == 74, run.err);
    // One sentence says what happened, once.
    const auto sentence = run.err.find("confcap: Writing failed for 1 talk (");
    BOOST_TEST(sentence != std::string::npos, run.err);
    BOOST_TEST(run.err.find(run.realDisk ? "the disk is full" : "the file size limit was reached",
                            sentence) != std::string::npos,
               run.err);
    BOOST_TEST(run.err.find("what was written is kept, and each sidecar lists what was lost.") !=
                   std::string::npos,
               run.err);
    // What was written is the final file, and it plays.
    std::size_t media = 0;
    for (const auto& file : run.files) {
        BOOST_TEST(!file.ends_with(".part"), file);
        media += file.ends_with(".ts") ? 1u : 0u;
    }
    BOOST_TEST(media == 1u);
    BOOST_TEST(run.timeline.ok);
    BOOST_TEST(run.timeline.span() >= 1.0);
}

BOOST_AUTO_TEST_CASE(theWatchLinkOfARecordingTalkServesTheGrowingFile) {
    const auto& run = conferenceRun();
    BOOST_TEST_REQUIRE(run.error.empty(), run.error);
    BOOST_TEST_REQUIRE(!run.watched.empty());
    for (const auto& [title, seen] : run.watched) {
        BOOST_TEST_CONTEXT(title << " at " << seen.url) {
            // The part being written, with byte ranges, as a player asks for it.
            BOOST_TEST(seen.status == 206);
            BOOST_TEST(seen.contentType == "video/mp2t");
            BOOST_TEST_REQUIRE(seen.bytes.size() == 376u);
            BOOST_TEST(seen.bytes[0] == '\x47');
            BOOST_TEST(seen.bytes[188] == '\x47');
            BOOST_TEST(seen.url.ends_with(".ts.part"));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
