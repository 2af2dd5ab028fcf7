// `confcap record` onto a real XFS (whose files can share blocks): a live HLS room with two 6 s
// talks back to back, each padded 3 s, so 6 s of the stream are in both talks' files. The
// overlap is on disk once, the first talk's sidecar says so, and each file still plays whole on
// its own beside the room's tape. Needs root for the mount; skipped with a message otherwise.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"
#include "support/RunProcess.h"
#include "support/SharingDisk.h"

BOOST_AUTO_TEST_SUITE(OverlapEndToEndTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::testing::ChildProcess;
using confcap::testing::RunFolders;
using confcap::testing::SharingDisk;

namespace {

struct Talk {
    Poco::JSON::Object::Ptr sidecar;
    fs::path media;
};

std::string notesOf(const Poco::JSON::Object::Ptr& sidecar) {
    std::string all;
    if (const auto notes = sidecar->getArray("notes")) {
        for (unsigned i = 0; i < notes->size(); ++i) {
            all += notes->getElement<std::string>(i) + "\n";
        }
    }
    return all;
}

}  // namespace

BOOST_AUTO_TEST_CASE(back_to_back_talks_share_their_overlap_on_a_file_system_that_can) {
    SharingDisk disk(320);
    if (!disk.mounted()) {
        BOOST_TEST_MESSAGE("skipped: " << disk.why());
        return;
    }
    RunFolders folders;
    const auto out = disk.path() / "out";
    confcap::demo::StreamSpec hls{"saal1", confcap::demo::StreamKind::Hls};
    hls.window = 8;
    const auto start =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
    FakeConference conference(
        confcap::testing::testClip(), {{"Saal 1", hls}},
        {{"00000000-0000-4000-8000-000000000071", "Saal 1", "Earlier Talk", 3s, 6s},
         {"00000000-0000-4000-8000-000000000072", "Saal 1", "Later Talk", 9s, 6s}},
        start);
    std::vector<std::string> selection = {
        "--schedule", conference.scheduleUrl(), "--pad-before", "3s", "--pad-after", "3s"};
    for (const auto& stream : conference.streamOptions()) {
        selection.insert(selection.end(), {"--stream", stream});
    }
    std::vector<std::string> args = {"record", "--out", out.string()};
    args.insert(args.end(), selection.begin(), selection.end());
    args.insert(args.end(), {"--min-size", "1K", "--min-duration", "5s", "--refresh", "0",
                             "--no-health", "--exit-when-done"});
    // Before the run, plan says what the windows have in common and that this disk keeps it
    // once; of a folder on ext4 it says that it would not.
    for (const auto& [folder, says] :
         {std::pair{out, std::string("this file system shares blocks, so that is on disk once")},
          std::pair{folders.work / "elsewhere",
                    std::string("a file system that shares blocks (XFS, btrfs) would keep it")}}) {
        std::vector<std::string> planArgs = {"plan", "--out", folder.string()};
        planArgs.insert(planArgs.end(), selection.begin(), selection.end());
        const auto plan = confcap::testing::runConfcap(planArgs, folders.env());
        BOOST_TEST(plan.exitCode == 0, plan.err);
        BOOST_TEST(plan.out.find("Back-to-back windows overlap for 6s") != std::string::npos,
                   plan.out);
        BOOST_TEST(plan.out.find(says) != std::string::npos, plan.out);
    }
    ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());
    const auto exitCode = confcap.wait(120s);
    BOOST_REQUIRE_MESSAGE(exitCode == 0, confcap.err());

    std::map<std::string, Talk> talks;
    for (const auto& file : confcap::testing::sidecarsUnder(out)) {
        Talk talk;
        talk.sidecar = confcap::testing::readJsonFile(file);
        talk.media = out / talk.sidecar->getValue<std::string>("file");
        talks[talk.sidecar->getObject("talk")->getValue<std::string>("title")] = talk;
    }
    BOOST_REQUIRE_EQUAL(talks.size(), 2u);
    const auto& earlier = talks.at("Earlier Talk");
    const auto& later = talks.at("Later Talk");

    // The first file's last 6 s (of 12) are kept once: its sidecar says so, and the blocks are
    // shared. The blocks holding the talk's name (rewritten in both files) are each file's own.
    const auto notes = notesOf(earlier.sidecar);
    BOOST_TEST(notes.find("kept on disk once with \"" + later.media.filename().string() + "\"") !=
                   std::string::npos,
               notes);
    const auto overlap = fs::file_size(earlier.media) * 6 / 12;
    BOOST_TEST_MESSAGE(SharingDisk::sharedBytes(earlier.media)
                       << " bytes of " << earlier.media.filename() << " shared, for an overlap of "
                       << "about " << overlap << " bytes");
    BOOST_TEST(SharingDisk::sharedBytes(earlier.media) >= overlap / 2,
               SharingDisk::sharedBytes(earlier.media) << " of about " << overlap << " bytes");

    // Each file plays on its own, picture and sound, over its whole window.
    for (const auto* talk : {&earlier, &later}) {
        const auto probe = confcap::testing::probe(talk->media);
        BOOST_TEST(probe.ok, talk->media << ": " << probe.errors);
        BOOST_TEST(probe.streams == 2);
        BOOST_TEST(probe.span > 9.0, talk->media << " spans " << probe.span << " s");
    }
}

BOOST_AUTO_TEST_SUITE_END()
