// `confcap record` through the real binary against a fake conference on loopback, one room with a
// moving picture and a tone, one whose microphone is muted: each recorded talk's sidecar gets its
// content health and its thumbnails beside the hook's state, and the summary flags the silence.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"

BOOST_AUTO_TEST_SUITE(RecordHealthTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::demo::StreamKind;
using confcap::testing::ChildProcess;
using confcap::testing::RunFolders;

BOOST_AUTO_TEST_CASE(eachTalkGetsItsHealthAndThumbnailsAndTheSilentOneIsFlagged) {
    RunFolders folders;
    const auto silent = confcap::demo::MediaFixture::ensure(
        fs::path(CONFCAP_BINARY).parent_path() / "test-media", confcap::demo::ClipContent::Silent);
    confcap::demo::StreamSpec muted{"muted", StreamKind::Ts};
    muted.clip = silent;
    const auto start =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
    FakeConference conference(
        confcap::testing::testClip(), {{"Saal 1", {"ts1", StreamKind::Ts}}, {"Saal 2", muted}},
        {{"00000000-0000-4000-8000-000000000301", "Saal 1", "Sound and Picture", 1s, 8s},
         {"00000000-0000-4000-8000-000000000302", "Saal 2", "Muted Microphone", 1s, 8s}},
        start);
    std::vector<std::string> args = {"record", "--schedule", conference.scheduleUrl()};
    for (const auto& stream : conference.streamOptions()) {
        args.insert(args.end(), {"--stream", stream});
    }
    args.insert(args.end(), {"--out", "out", "--pad-before", "1s", "--pad-after", "1s",
                             "--min-size", "32K", "--min-duration", "3s", "--refresh", "0",
                             "--exit-when-done", "--silence-for", "3s", "--on-recorded", "true"});
    ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());
    const auto code = confcap.wait(90s);
    BOOST_TEST_REQUIRE(code.has_value(), "confcap did not end:\n" << confcap.err());
    BOOST_TEST(*code == 0, confcap.err());

    const auto sidecars = confcap::testing::sidecarsUnder(folders.out);
    BOOST_TEST_REQUIRE(sidecars.size() == 2u, confcap.err());
    for (const auto& path : sidecars) {
        const auto sidecar = confcap::testing::readJsonFile(path);
        const auto title = sidecar->getObject("talk")->getValue<std::string>("title");
        BOOST_TEST_CONTEXT(title) {
            // The hook and the health check both amended the sidecar.
            BOOST_TEST(sidecar->getObject("onRecorded")->getValue<std::string>("state") == "ok");
            const auto health = sidecar->getObject("health");
            BOOST_TEST_REQUIRE(!health.isNull(), confcap.err());
            BOOST_TEST(health->getValue<double>("analysedSeconds") > 5.0);
            BOOST_TEST(health->getValue<bool>("video"));
            BOOST_TEST(health->getValue<bool>("audio"));
            const double silence = health->getObject("silence")->getValue<double>("seconds");
            BOOST_TEST((title == "Muted Microphone" ? silence > 5.0 : silence == 0.0));
            const auto thumbnails = sidecar->getObject("thumbnails");
            BOOST_TEST_REQUIRE(!thumbnails.isNull(), confcap.err());
            for (const auto* which : {"middle", "strip"}) {
                const auto picture = folders.out / thumbnails->getValue<std::string>(which);
                const auto probed = confcap::testing::runProcess(
                    "ffprobe", {"-v", "error", "-show_entries", "stream=codec_name", "-of",
                                "csv=p=0", picture.string()});
                BOOST_TEST(probed.out.starts_with("mjpeg"), which << ": " << picture);
            }
        }
    }
    const auto summary = confcap::testing::readJsonFile(folders.out / ".confcap/summary.json");
    std::map<std::string, std::string> flags;
    const auto talks = summary->getArray("talks");
    for (std::size_t i = 0; i < talks->size(); ++i) {
        const auto talk = talks->getObject(static_cast<unsigned>(i));
        const auto list = talk->getArray("health_flags");
        BOOST_TEST_REQUIRE(!list.isNull());
        flags[talk->getValue<std::string>("title")] =
            list->size() > 0 ? list->getElement<std::string>(0) : "";
    }
    BOOST_TEST(flags["Sound and Picture"] == "");
    BOOST_TEST(flags["Muted Microphone"].starts_with("silent "), flags["Muted Microphone"]);
    // The text summary shows the flag as well.
    BOOST_TEST(confcap.out().find(" - silent ") != std::string::npos, confcap.out());
}

BOOST_AUTO_TEST_SUITE_END()
