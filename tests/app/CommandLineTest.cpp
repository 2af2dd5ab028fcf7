#include "confcap/app/CommandLine.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "confcap/app/RunOptions.h"
#include "confcap/core/Error.h"
#include "support/MediaTestSupport.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(CommandLineTest)

using confcap::app::Arguments;
using confcap::app::kPlan;
using confcap::app::kRecord;

namespace {

struct MinFreeCase {
    const char* value;
    std::optional<std::uint64_t> bytes;
    std::optional<double> percent;
};

std::ostream& operator<<(std::ostream& out, const MinFreeCase& c) {
    return out << c.value;
}

const MinFreeCase kMinFree[] = {
    {"1G", 1024ULL * 1024 * 1024, std::nullopt},
    {"500M", 500ULL * 1024 * 1024, std::nullopt},
    {"64k", 64 * 1024, std::nullopt},
    {"2GiB", 2ULL * 1024 * 1024 * 1024, std::nullopt},
    {"0", 0, std::nullopt},
    {"5%", std::nullopt, 5.0},
    {"2.5%", std::nullopt, 2.5},
    {"0%", std::nullopt, 0.0},
    {"100%", std::nullopt, 100.0},
};

const char* const kBadMinFree[] = {"",    "%",    "1.5G", "5 %", "-1G",  "101%",
                                   "-2%", "five", "1X",   "5%%", "0x10%"};

}  // namespace

BOOST_DATA_TEST_CASE(minFreeIsASizeOrAShare, boost::unit_test::data::make(kMinFree), c) {
    const auto minFree = confcap::app::parseMinFree(c.value);
    BOOST_TEST((minFree.bytes == c.bytes));
    BOOST_TEST((minFree.percent == c.percent));
}

BOOST_DATA_TEST_CASE(aBadMinFreeIsOneSentence, boost::unit_test::data::make(kBadMinFree), value) {
    BOOST_CHECK_EXCEPTION(confcap::app::parseMinFree(value), confcap::core::UsageError,
                          [&](const confcap::core::UsageError& e) {
                              return std::string(e.what()) ==
                                     "--min-free '" + std::string(value) +
                                         "' is not a size; write it like 500M, 1G or 5% (of the "
                                         "file system).";
                          });
}

BOOST_AUTO_TEST_CASE(demoRefusesABadMinFreeBeforeItStarts) {
    confcap::testing::TempDir dir;
    const auto result = confcap::testing::runProcess(
        "/bin/sh", {"-c", "cd \"$1\" && exec timeout 30 \"$2\" demo --min-free 12Q", "sh",
                    dir.path.string(), CONFCAP_BINARY});
    BOOST_TEST(result.exitCode == 64, result.err);
    BOOST_TEST(result.err ==
               "confcap: --min-free '12Q' is not a size; write it like 500M, 1G or "
               "5% (of the file system).\n");
    BOOST_TEST(std::filesystem::is_empty(dir.path));
}

// A bad option demo passes on to record is refused in one sentence once the fake conference is
// up, and the demo's own threads end with it (it ended in std::terminate).
BOOST_AUTO_TEST_CASE(demoRefusesABadContainerInOneSentence) {
    confcap::testing::TempDir dir;
    const auto result = confcap::testing::runProcess(
        "/bin/sh", {"-c", "cd \"$1\" && exec timeout 60 \"$2\" demo --container xyz", "sh",
                    dir.path.string(), CONFCAP_BINARY});
    BOOST_TEST(result.exitCode == 64, result.err);
    BOOST_TEST(result.err.ends_with(
                   "\nconfcap: --container 'xyz' is not a container confcap writes; use ts, mkv "
                   "or mp4.\n"),
               result.err);
}

BOOST_AUTO_TEST_CASE(minFreeDefaultsToNeither) {
    Arguments arguments;
    const auto none = confcap::app::minFreeOption(arguments);
    BOOST_TEST((!none.bytes && !none.percent));
    arguments.add("min-free", "10%");
    BOOST_TEST((confcap::app::minFreeOption(arguments).percent == 10.0));
}

BOOST_AUTO_TEST_CASE(commandLineWinsAndReloadRereadsOnlyTheFile) {
    confcap::testing::TempDir dir;
    const auto ini = (dir.path / "confcap.ini").string();
    std::ofstream(ini) << "schedule = a.xml\nroom = Saal 1\nroom.2 = Saal 2\npad-after = 5m\n"
                          "status-port = 8080\n";
    Arguments arguments;
    arguments.add("config", ini);
    arguments.add("pad-after", "10m");
    arguments.mergeConfigFile(ini, kRecord);
    BOOST_TEST(arguments.values("room").size() == 2U);
    BOOST_TEST(*arguments.value("pad-after") == "10m");  // the command line wins
    BOOST_TEST(*arguments.value("status-port") == "8080");

    std::ofstream(ini) << "schedule = b.xml\nroom = Saal 3\n";
    const auto reloaded = arguments.withConfigReloaded(kRecord);
    BOOST_TEST(*reloaded.value("schedule") == "b.xml");
    BOOST_TEST(reloaded.values("room") == std::vector<std::string>{"Saal 3"});
    BOOST_TEST(*reloaded.value("pad-after") == "10m");
    BOOST_TEST(!reloaded.has("status-port"));  // gone from the file, gone from the run
}

BOOST_AUTO_TEST_CASE(keysOfOtherSubcommandsAreIgnoredUnknownOnesRefused) {
    confcap::testing::TempDir dir;
    const auto ini = (dir.path / "confcap.ini").string();
    std::ofstream(ini) << "schedule = a.xml\nstatus-port = 8080\n";
    Arguments plan;
    plan.mergeConfigFile(ini, kPlan);
    BOOST_TEST(!plan.has("status-port"));

    std::ofstream(ini) << "schedule = a.xml\nsped = fast\n";
    Arguments bad;
    BOOST_CHECK_THROW(bad.mergeConfigFile(ini, kPlan), confcap::core::ConfigError);
    BOOST_CHECK_THROW(bad.mergeConfigFile((dir.path / "missing.ini").string(), kPlan),
                      confcap::core::ConfigError);
}

// Found by fuzz/run.sh config: a key nested below name.N ended the program with "Not found"
// (exit 70) instead of naming the config file.
BOOST_AUTO_TEST_CASE(aKeyNestedBelowARepeatedOptionIsAConfigError) {
    confcap::testing::TempDir dir;
    const auto ini = (dir.path / "confcap.ini").string();
    std::ofstream(ini) << "schedule = a.xml\nroom = Saal 1\nroom.3 om.2 = Saal GLITCH\n";
    Arguments arguments;
    BOOST_CHECK_EXCEPTION(arguments.mergeConfigFile(ini, kRecord), confcap::core::ConfigError,
                          [&](const confcap::core::ConfigError& e) {
                              const std::string message = e.what();
                              return message.find(ini) != std::string::npos &&
                                     message.find("'room.3 om'") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_SUITE_END()
