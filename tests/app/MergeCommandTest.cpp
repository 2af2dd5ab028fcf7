// `confcap merge`'s errors and help, without recording anything.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/MediaTestSupport.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(MergeCommandTest)

namespace fs = std::filesystem;
using confcap::testing::runConfcap;
using confcap::testing::TempDir;

BOOST_AUTO_TEST_CASE(errorsHaveTheirExitCodes) {
    TempDir temp;
    fs::create_directories(temp.path / "a");
    BOOST_TEST(runConfcap({"merge", "--out", (temp.path / "o").string()}).exitCode == 64);
    BOOST_TEST(runConfcap({"merge", (temp.path / "a").string()}).exitCode == 64);
    const auto missing =
        runConfcap({"merge", (temp.path / "a").string(), (temp.path / "nope").string(), "--out",
                    (temp.path / "o").string()});
    BOOST_TEST(missing.exitCode == 66);
    BOOST_TEST(missing.err.find("does not exist") != std::string::npos, missing.err);
    fs::create_directories(temp.path / "ro");
    ::chmod((temp.path / "ro").c_str(), 0555);
    if (::access((temp.path / "ro").c_str(), W_OK) != 0) {  // root may write anyway
        BOOST_TEST(runConfcap({"merge", (temp.path / "a").string(), "--out",
                               (temp.path / "ro" / "out").string()})
                       .exitCode == 73);
    }
    // A damaged sidecar is skipped with a warning.
    {
        std::ofstream damaged(temp.path / "a" / "broken.json");
        damaged << "{\"talk\": {";
    }
    const auto warned =
        runConfcap({"merge", (temp.path / "a").string(), "--out", (temp.path / "o").string()});
    BOOST_TEST(warned.exitCode == 0);
    BOOST_TEST(warned.err.find("warning: Skipped") != std::string::npos, warned.err);
    const auto help = runConfcap({"merge", "--help"});
    BOOST_TEST(help.out.find("confcap merge DIR1 DIR2 ... --out DIR") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
