#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <memory>
#include <sstream>

#include "confcap/app/CaptureCommand.h"
#include "confcap/core/Error.h"
#include "confcap/demo/FakeStreamServer.h"
#include "confcap/sink/FileCheck.h"
#include "support/MediaTestSupport.h"
#include "support/RefusingPort.h"

BOOST_AUTO_TEST_SUITE(CaptureCommandTest)

namespace bdata = boost::unit_test::data;
namespace fs = std::filesystem;
using confcap::app::CaptureProgress;
using confcap::app::captureTarget;
using confcap::app::progressLine;
using confcap::demo::FakeStreamServer;
using confcap::demo::Fault;
using confcap::demo::StreamKind;
using confcap::demo::StreamSpec;
using confcap::testing::Probe;
using confcap::testing::Scenarios;
using confcap::testing::TempDir;
using confcap::testing::testClip;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

/// How a capture process is started.
struct Launch {
    std::vector<std::string> args;
    /// RLIMIT_FSIZE for the child, in bytes; none when 0.
    rlim_t fileSizeLimit = 0;
    /// Sends SIGINT this long after the start; never when 0.
    milliseconds interruptAfter{0};
};

/// What a capture left behind.
struct CaptureRun {
    int exitCode = -1;
    std::string out;
    std::string err;
    milliseconds took{0};
    std::shared_ptr<TempDir> dir;  ///< holds the recording folder "out"
    std::vector<fs::path> files;   ///< every file under the recording folder, sorted
    std::shared_ptr<FakeStreamServer> server;
};

std::string readAll(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The regular files under `folder`, sorted; none when it does not exist.
std::vector<fs::path> filesUnder(const fs::path& folder) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file()) {
            files.push_back(it->path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

/// Runs `confcap capture` with `launch` (its output in files under `dir`) and waits for it, at
/// most a minute.
CaptureRun runCapture(const Launch& launch, std::shared_ptr<TempDir> dir) {
    CaptureRun run;
    run.dir = std::move(dir);
    const auto outFile = run.dir->path / "stdout.txt";
    const auto errFile = run.dir->path / "stderr.txt";
    std::vector<std::string> args{CONFCAP_BINARY, "capture"};
    args.insert(args.end(), launch.args.begin(), launch.args.end());
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec. SIGXFSZ keeps its default action
        // (end the process): confcap must ignore it itself to report the limit.
        const int out = ::open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(out, STDOUT_FILENO);
        ::dup2(err, STDERR_FILENO);
        if (launch.fileSizeLimit > 0) {
            const rlimit limit{launch.fileSizeLimit, launch.fileSizeLimit};
            ::setrlimit(RLIMIT_FSIZE, &limit);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    bool interrupted = false;
    for (;;) {
        const auto elapsed = std::chrono::steady_clock::now() - start;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            break;
        }
        if (!interrupted && launch.interruptAfter.count() > 0 && elapsed >= launch.interruptAfter) {
            ::kill(pid, SIGINT);
            interrupted = true;
        }
        if (elapsed > seconds(60)) {
            ::kill(pid, SIGKILL);
        }
        std::this_thread::sleep_for(milliseconds(20));
    }
    run.took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.out = readAll(outFile);
    run.err = readAll(errFile);
    run.files = filesUnder(run.dir->path / "out");
    return run;
}

std::shared_ptr<FakeStreamServer> serve(StreamSpec spec) {
    return std::make_shared<FakeStreamServer>(testClip(), std::vector<StreamSpec>{std::move(spec)});
}

/// A capture of stream `spec` into "<dir>/out/talk.mp4" with `extra` options; --min-size is 1K
/// unless `extra` sets it.
CaptureRun capture(StreamSpec spec, const std::string& length, std::vector<std::string> extra = {},
                   rlim_t fileSizeLimit = 0, milliseconds interruptAfter = milliseconds(0)) {
    auto server = serve(spec);
    auto dir = std::make_shared<TempDir>();
    Launch launch;
    launch.args = {server->url(spec.name), "--for", length, "-o",
                   (dir->path / "out" / "talk.mp4").string()};
    if (std::find(extra.begin(), extra.end(), "--min-size") == extra.end()) {
        extra.insert(extra.end(), {"--min-size", "1K"});
    }
    if (std::find(extra.begin(), extra.end(), "--min-duration") == extra.end()) {
        extra.insert(extra.end(), {"--min-duration", "1s"});
    }
    launch.args.insert(launch.args.end(), extra.begin(), extra.end());
    launch.fileSizeLimit = fileSizeLimit;
    launch.interruptAfter = interruptAfter;
    auto run = runCapture(launch, std::move(dir));
    run.server = std::move(server);
    return run;
}

/// A port nothing listens on: bound once by the system, then closed.
/// A capture of `url` that is not expected to get anything; `files` holds the output folder
/// when it was created.
CaptureRun unreachable(const std::string& url, const std::string& length) {
    auto dir = std::make_shared<TempDir>();
    Launch launch;
    launch.args = {url, "--for", length, "-o", (dir->path / "out" / "talk.ts").string()};
    const bool existed = fs::exists(dir->path / "out");
    auto run = runCapture(launch, dir);
    if (!existed && fs::exists(dir->path / "out")) {
        run.files.push_back(dir->path / "out");
    }
    return run;
}

const CaptureRun& scenario(const std::string& name) {
    static const Scenarios<CaptureRun> all({
        {"hls",
         [] {
             return capture({"room", StreamKind::Hls, 6, 0, false, {}}, "6s");
         }},
        {"ts",
         [] {
             return capture({"tv", StreamKind::Ts, 0, 0, false, {}}, "5s");
         }},
        {"closed port",
         [] {
             const confcap::testing::RefusingPort port;
             return unreachable("http://127.0.0.1:" + std::to_string(port.port()) + "/live.ts",
                                "3s");
         }},
        {"404",
         [] {
             auto server = serve({"tv", StreamKind::Ts, 0, 0, false, {}});
             auto run = unreachable(server->url("tv") + ".missing", "60s");
             run.server = server;
             return run;
         }},
        {"file size limit",
         [] {
             return capture({"tv", StreamKind::Ts, 0, 0, false, {}}, "30s", {}, 60 * 1024);
         }},
        {"ctrl-c",
         [] {
             return capture({"tv", StreamKind::Ts, 0, 0, false, {}}, "60s", {}, 0,
                            milliseconds(3000));
         }},
        {"ts mplayer",
         [] {
             return capture({"tv", StreamKind::Ts, 0, 0, false, {}}, "5s",
                            {"--recorder", "mplayer"});
         }},
        {"hls pauses",
         [] {
             return capture({"room", StreamKind::Hls, 6, 0, false, {Fault::endList(3.0, 7.0)}},
                            "12s");
         }},
        {"hls finished",
         [] {
             return capture({"room", StreamKind::Hls, 6, 0, false, {Fault::endList(0.0, 1e9)}},
                            "30s");
         }},
        {"too short",
         [] {
             return capture({"tv", StreamKind::Ts, 0, 0, false, {}}, "2s",
                            {"--min-duration", "1m"});
         }},
        {"small but long enough",
         [] {
             return capture({"radio", StreamKind::Mp3, 0, 0, false, {}}, "4s",
                            {"--min-size", "100M", "--min-duration", "2s"});
         }},
    });
    return all.get(name);
}

std::size_t lineCount(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

Poco::JSON::Object::Ptr sidecar(const fs::path& file) {
    return Poco::JSON::Parser().parse(readAll(file)).extract<Poco::JSON::Object::Ptr>();
}

/// Checks a successful capture: talk.ts and talk.json, nothing else; returns ffprobe's view.
Probe requireRecorded(const CaptureRun& run) {
    BOOST_TEST_REQUIRE(run.exitCode == 0, run.err);
    BOOST_TEST(run.out.find("Recorded ") == 0, run.out);
    BOOST_REQUIRE_EQUAL(run.files.size(), 2U);
    BOOST_TEST(run.files[0].filename() == "talk.json");
    BOOST_TEST(run.files[1].filename() == "talk.ts");
    const auto json = sidecar(run.files[0]);
    BOOST_TEST(json->getValue<std::string>("file") == "talk.ts");
    BOOST_TEST(json->getValue<std::string>("outcome") == "recorded");
    // The talk is named in the file's service description, and the sidecar's check is of the
    // file as it was left (both made as the file was written).
    const auto service = confcap::testing::runProcess(
        "/usr/bin/ffprobe", {"-v", "error", "-show_entries", "program_tags=service_name", "-of",
                             "csv=p=0", run.files[1].string()});
    BOOST_TEST(service.out.find("talk") == 0u, service.out << service.err);
    const auto check = json->getObject("fileCheck");
    const auto actual = confcap::sink::fileCheckOf(run.files[1]);
    BOOST_TEST_REQUIRE((check && actual));
    BOOST_TEST(check->getValue<std::uint64_t>("bytes") == actual->bytes);
    BOOST_TEST(check->getValue<std::string>("xxh128") == actual->digest);
    return confcap::testing::probe(run.files[1]);
}

}  // namespace

BOOST_DATA_TEST_CASE(targetKeepsTheStemAndFolder,
                     bdata::make({"talk.mp4", "talk", "out/day 1/talk.ts", "/tmp/a.b.ts",
                                  ".hidden"}) ^
                         bdata::make({".", ".", "out/day 1", "/tmp", "."}) ^
                         bdata::make({"talk", "talk", "talk", "a.b", ".hidden"}),
                     file, folder, stem) {
    const auto target = captureTarget(file);
    BOOST_TEST(target.folder == fs::path(folder));
    BOOST_TEST(target.stem == fs::path(stem));
}

BOOST_DATA_TEST_CASE(targetRejectsFolders, bdata::make({"", "out/", ".", "..", "out/.."}), file) {
    BOOST_CHECK_THROW(captureTarget(file), confcap::core::UsageError);
}

BOOST_AUTO_TEST_CASE(progressLineShowsTimeBytesRateReconnectsAndGaps) {
    CaptureProgress p;
    p.elapsed = seconds(83);
    p.total = seconds(3600);
    p.bytes = 12'300'000;
    p.bitsPerSecond = 4'100'000;
    p.reconnects = 2;
    p.gaps = 1;
    p.gapSeconds = 3.2;
    p.receiving = true;
    BOOST_TEST(progressLine(p) ==
               "recording 0:01:23 / 1:00:00  12.3 MB  4.1 Mb/s  2 reconnects  1 gap (3.2 s)");
    p.total = seconds(300);
    p.reconnects = 1;
    p.gaps = 0;
    BOOST_TEST(progressLine(p) == "recording 1:23 / 5:00  12.3 MB  4.1 Mb/s  1 reconnect");
    p.receiving = false;
    p.problem = "Could not connect to http://x/: connection refused.";
    BOOST_TEST(progressLine(p) ==
               "waiting for the stream 1:23 / 5:00  12.3 MB  1 reconnect  "
               "could not connect to http://x/: connection refused");
}

// Each row is the arguments after "capture", separated by spaces.
BOOST_DATA_TEST_CASE(badOptionsExit64,
                     bdata::make({
                         "--for 5s -o x.ts",
                         "http://127.0.0.1:1/x.ts -o x.ts",
                         "http://127.0.0.1:1/x.ts --for soon -o x.ts",
                         "http://127.0.0.1:1/x.ts --for 0s -o x.ts",
                         "http://127.0.0.1:1/x.ts --for 5s",
                         "http://127.0.0.1:1/x.ts --for 5s -o out/",
                         "ftp://127.0.0.1/x.ts --for 5s -o x.ts",
                         "http://127.0.0.1:1/a.ts http://127.0.0.1:1/b.ts --for 5s -o x.ts",
                         "http://127.0.0.1:1/x.ts --for 5s -o x.ts --min-size lots",
                     }),
                     line) {
    std::vector<std::string> args{"capture"};
    std::istringstream words(line);
    for (std::string word; words >> word;) {
        args.push_back(word);
    }
    const auto r = confcap::testing::runConfcap(args);
    BOOST_TEST(r.exitCode == 64, r.err);
    BOOST_TEST(lineCount(r.err) == 1U, r.err);
    BOOST_TEST(r.err.rfind("confcap: ", 0) == 0U, r.err);
}

BOOST_AUTO_TEST_CASE(helpExplainsTheFileName) {
    const auto r = confcap::testing::runConfcap({"capture", "--help"});
    BOOST_TEST(r.exitCode == 0);
    BOOST_TEST(r.out.find("confcap capture URL --for DURATION -o FILE") != std::string::npos);
    BOOST_TEST(r.out.find("-o talk.mp4 on an MPEG-TS stream writes talk.ts") != std::string::npos);
    BOOST_TEST(r.out.find("69 no data arrived") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(hlsCaptureIsPlayableAndAsLongAsAsked) {
    const auto& run = scenario("hls");
    const auto p = requireRecorded(run);
    BOOST_TEST(p.ok, p.errors);
    BOOST_TEST(p.streams == 2);
    // Six seconds of live edge plus the three segments a live stream starts with.
    BOOST_TEST(p.span > 5.5);
    BOOST_TEST(p.span < 10.5);
    const auto covered = sidecar(run.files[0])->getValue<double>("coveredSeconds");
    BOOST_TEST(std::abs(covered - p.span) < 1.5);
}

BOOST_AUTO_TEST_CASE(progressiveCaptureIsPlayableAndAsLongAsAsked) {
    const auto& run = scenario("ts");
    const auto p = requireRecorded(run);
    BOOST_TEST(p.ok, p.errors);
    BOOST_TEST(p.streams == 2);
    BOOST_TEST(p.span > 3.5);
    BOOST_TEST(p.span < 6.5);
    BOOST_TEST(run.took < milliseconds(30000));
}

BOOST_AUTO_TEST_CASE(anExternalRecorderCapturesThroughAPipeItLeavesNoTraceOf) {
    const auto& run = scenario("ts mplayer");
    const auto p = requireRecorded(run);
    BOOST_TEST(p.ok, p.errors);
    BOOST_TEST(p.streams == 2);
    BOOST_TEST(p.span > 3.0);
    BOOST_TEST(p.span < 6.5);
    // The named pipe mplayer wrote into was beside the file, and is gone.
    std::vector<std::string> entries;
    for (const auto& entry : fs::directory_iterator(run.dir->path / "out")) {
        entries.push_back(entry.path().filename().string());
    }
    std::sort(entries.begin(), entries.end());
    BOOST_TEST(entries == (std::vector<std::string>{"talk.json", "talk.ts"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(aUrlThatNeverAnswersExits69WithOneSentenceAndNoFile) {
    const auto& run = scenario("closed port");
    BOOST_TEST(run.exitCode == 69, run.err);
    BOOST_TEST(lineCount(run.err) == 1U, run.err);
    BOOST_TEST(run.err.rfind("confcap: Nothing was recorded: ", 0) == 0U, run.err);
    BOOST_TEST(run.err.find("connection refused") != std::string::npos, run.err);
    BOOST_TEST(run.out.empty());
    BOOST_TEST(run.files.empty(), "the output folder was created");
    // A refused connection may be a stream that has not begun: it is retried (the first retry
    // waits about a second) while --for lasts.
    BOOST_TEST(run.took > milliseconds(700));
}

BOOST_AUTO_TEST_CASE(notFoundExits69AtOnce) {
    const auto& run = scenario("404");
    BOOST_TEST(run.exitCode == 69, run.err);
    BOOST_TEST(lineCount(run.err) == 1U, run.err);
    BOOST_TEST(run.err.find("HTTP 404") != std::string::npos, run.err);
    BOOST_TEST(run.err.find(".missing") != std::string::npos, run.err);
    BOOST_TEST(run.files.empty(), "the output folder was created");
    BOOST_TEST(run.took < milliseconds(30000));  // --for 60s
}

BOOST_AUTO_TEST_CASE(aFileSizeLimitGoesOnInFurtherFilesAndExits74) {
    const auto& run = scenario("file size limit");
    BOOST_TEST(run.exitCode == 74, run.err);
    // Each file stops at the limit (60 kB) and the capture goes on in the next one for all of
    // --for: numbered files beside one sidecar, each of them playable, no part left over.
    BOOST_TEST_REQUIRE(run.files.size() >= 4U, run.err);
    BOOST_TEST(run.files[0].filename() == "talk.json");
    for (std::size_t i = 1; i < run.files.size(); ++i) {
        const auto name = run.files[i].filename().string();
        BOOST_TEST((name.starts_with("talk.part") && name.ends_with(".ts")), name);
        BOOST_TEST(fs::file_size(run.files[i]) <= 60U * 1024, name);
        BOOST_TEST(confcap::testing::probe(run.files[i]).ok, name);
    }
    // One error sentence, after the log's "connected" line, naming the limit and the files.
    const auto error = run.err.find("confcap: ");
    BOOST_TEST_REQUIRE(error != std::string::npos, run.err);
    BOOST_TEST(run.err.find("confcap: ", error + 1) == std::string::npos, run.err);
    BOOST_TEST(run.err.find('\n', error) == run.err.size() - 1, run.err);
    BOOST_TEST(run.err.find("file size limit was reached", error) != std::string::npos, run.err);
    BOOST_TEST(run.err.find("What was written is kept: " + run.files[1].string(), error) !=
                   std::string::npos,
               run.err);
    const auto json = sidecar(run.files[0]);
    BOOST_TEST(json->getArray("gaps")->size() == 0U);
    BOOST_TEST(json->getValue<bool>("merged") == false);
    // It ran for --for (30 s): writing did not end the capture.
    BOOST_TEST(run.took > milliseconds(25000));
}

BOOST_AUTO_TEST_CASE(ctrlCFinalizesWhatWasWrittenAndExits0) {
    const auto& run = scenario("ctrl-c");
    const auto p = requireRecorded(run);
    BOOST_TEST(p.ok, p.errors);
    BOOST_TEST(p.span > 1.5);
    BOOST_TEST(run.took < milliseconds(30000));  // --for 60s
    BOOST_TEST(sidecar(run.files[0])->getValue<std::string>("finalizedBecause") ==
               "the capture was stopped");
}

BOOST_AUTO_TEST_CASE(aLiveStreamThatPausesIsFollowedUntilForEnds) {
    const auto& run = scenario("hls pauses");
    const auto p = requireRecorded(run);
    BOOST_TEST(p.ok, p.errors);
    // Recorded before and after the 4 s pause, and until --for ended.
    BOOST_TEST(run.took > milliseconds(11500));
    const auto json = sidecar(run.files[0]);
    BOOST_TEST(json->getValue<std::string>("finalizedBecause") == "the capture time ended");
    const auto gaps = json->getArray("gaps");
    BOOST_REQUIRE(gaps->size() == 1U);
    BOOST_TEST(gaps->getObject(0)->getValue<std::string>("cause") == "stream paused");
    BOOST_TEST(gaps->getObject(0)->getValue<double>("lengthSeconds") > 2.0);
    BOOST_TEST(json->getValue<double>("coveredSeconds") > 6.0);
}

BOOST_AUTO_TEST_CASE(aStreamThatHadEndedWhenFirstReadEndsTheCapture) {
    const auto& run = scenario("hls finished");
    const auto p = requireRecorded(run);
    BOOST_TEST(p.ok, p.errors);
    BOOST_TEST(run.took < milliseconds(25000));  // --for 30s
    BOOST_TEST(sidecar(run.files[0])->getValue<std::string>("finalizedBecause") ==
               "the stream ended");
}

BOOST_AUTO_TEST_CASE(aTooShortRecordingIsDiscardedWithExit1) {
    const auto& run = scenario("too short");
    BOOST_TEST(run.exitCode == 1, run.err);
    BOOST_TEST(run.err.find("Discarded") != std::string::npos, run.err);
    BOOST_TEST(run.err.find("--min-duration 1m") != std::string::npos, run.err);
    BOOST_TEST(run.files.empty());
}

BOOST_AUTO_TEST_CASE(mediaThatCoversMinDurationIsKeptHoweverSmall) {
    // A few seconds of 64 kbit/s MP3 are far below --min-size 100M, but their frames cover
    // --min-duration: an audio slot is small, not broken.
    const auto& run = scenario("small but long enough");
    BOOST_TEST(run.exitCode == 0, run.err);
    BOOST_REQUIRE_EQUAL(run.files.size(), 2U);
    BOOST_TEST(run.files[1].extension() == ".mp3");
    const auto json = sidecar(run.files[0]);
    BOOST_TEST(json->getValue<bool>("coveredFromMedia"));
    BOOST_TEST(json->getValue<double>("coveredSeconds") > 2.0);
    BOOST_TEST(json->getValue<std::uint64_t>("bytes") < 100U * 1000 * 1000);
}

BOOST_AUTO_TEST_SUITE_END()
