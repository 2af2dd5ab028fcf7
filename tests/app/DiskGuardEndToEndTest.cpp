// `confcap record` onto a real small file system: an 8 MiB tmpfs that a ballast file fills past
// --min-free. The talk whose window opens waits for disk space, starts once the ballast is
// deleted, and its sidecar writes the wait down as a "disk full" gap. Needs root to mount;
// without it the case says so and checks nothing.
#include <sys/mount.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"

BOOST_AUTO_TEST_SUITE(DiskGuardEndToEndTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::demo::StreamKind;
using confcap::testing::ChildProcess;
using confcap::testing::RunFolders;

namespace {

/// A tmpfs of `size` mounted on `folder` for the life of the object; unmounted (lazily, so a
/// file still open does not keep it) in every case.
class SmallDisk {
public:
    SmallDisk(fs::path folder, const std::string& size) : folder_(std::move(folder)) {
        fs::create_directories(folder_);
        const std::string options = "size=" + size;
        if (::mount("tmpfs", folder_.c_str(), "tmpfs", 0, options.c_str()) == 0) {
            mounted_ = true;
        } else {
            error_ = std::strerror(errno);
        }
    }
    ~SmallDisk() {
        if (mounted_) {
            ::umount2(folder_.c_str(), MNT_DETACH);
        }
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;

    bool mounted() const { return mounted_; }
    const std::string& error() const { return error_; }

private:
    fs::path folder_;
    bool mounted_ = false;
    std::string error_;
};

void writeBallast(const fs::path& file, std::size_t bytes) {
    std::ofstream out(file, std::ios::binary);
    const std::string block(64 * 1024, 'x');
    for (std::size_t written = 0; written < bytes; written += block.size()) {
        out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(aTalkWaitsForDiskSpaceThenRecordsWithADiskFullGap) {
    RunFolders folders;
    SmallDisk disk(folders.out, "8m");
    if (!disk.mounted()) {
        BOOST_TEST_MESSAGE("skipped: cannot mount a tmpfs on " << folders.out.string() << " ("
                                                               << disk.error()
                                                               << "); this test needs root");
        return;
    }
    // 6 MiB of 8 are taken: about 2 MiB free, below --min-free 4M.
    const auto ballast = folders.out / "ballast";
    writeBallast(ballast, 6 * 1024 * 1024);

    // One talk [4,14) in a progressive room; with 2 s of padding its window is [2,16).
    const auto start =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
    FakeConference conference(
        confcap::testing::testClip(), {{"Saal 2", {"saal2", StreamKind::Ts}}},
        {{"00000000-0000-4000-8000-000000000031", "Saal 2", "Waits For Space", 4s, 10s}}, start);
    std::vector<std::string> args = {"record", "--schedule", conference.scheduleUrl()};
    for (const auto& stream : conference.streamOptions()) {
        args.insert(args.end(), {"--stream", stream});
    }
    args.insert(args.end(),
                {"--out", "out", "--pad-before", "2s", "--pad-after", "2s", "--min-free", "4M",
                 "--min-size", "1K", "--min-duration", "1s", "--refresh", "0", "--exit-when-done"});
    ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());

    // Space is freed once the talk is seen waiting for it.
    const bool waited = confcap::testing::waitFor(
        [&] {
            return confcap.err().find("waiting for disk space: its window has begun") !=
                       std::string::npos ||
                   !confcap.running();
        },
        30s);
    BOOST_TEST_REQUIRE(waited, confcap.err());
    BOOST_TEST_REQUIRE(confcap.running(), confcap.err());
    const auto freedAt = std::chrono::system_clock::now();
    fs::remove(ballast);

    const auto code = confcap.wait(45s);
    const auto err = confcap.err();
    BOOST_TEST_REQUIRE(code.has_value(), "confcap did not exit:\n" << err);
    BOOST_TEST(*code == 0, err);
    BOOST_TEST(err.find("is below --min-free 4.2 MB: a talk whose window opens waits for disk "
                        "space; talks under way go on") != std::string::npos,
               err);
    BOOST_TEST(err.find("free space is back above --min-free") != std::string::npos, err);
    BOOST_TEST(err.find("Waiting -> Recording: disk space is back, recording from now") !=
                   std::string::npos,
               err);

    const auto sidecars = confcap::testing::sidecarsUnder(folders.out);
    BOOST_TEST_REQUIRE(sidecars.size() == 1U, err);
    const auto sidecar = confcap::testing::readJsonFile(sidecars.front());
    const auto gaps = sidecar->getArray("gaps");
    BOOST_TEST_REQUIRE(gaps->size() >= 1U, err);
    const auto first = gaps->getObject(0);
    BOOST_TEST(first->getValue<std::string>("cause") == "disk full");
    // It waited from its window's start (2 s) until space was back, seen within 5 s of freeing.
    const double waitedFor = std::chrono::duration<double>(freedAt - (start + 2s)).count();
    const double length = first->getValue<double>("lengthSeconds");
    BOOST_TEST(length > 0);
    BOOST_TEST(length >= waitedFor - 1.5, "gap " << length << " s, freed after " << waitedFor);
    BOOST_TEST(length <= waitedFor + 6.5, "gap " << length << " s, freed after " << waitedFor);
    BOOST_TEST(first->getValue<double>("offsetSeconds") < 1.5);
    BOOST_TEST(sidecar->getValue<Poco::UInt64>("bytes") > 0U);
    BOOST_TEST_MESSAGE("waited " << length << " s for disk space, then recorded "
                                 << sidecar->getValue<Poco::UInt64>("bytes") << " bytes");
}

BOOST_AUTO_TEST_SUITE_END()
