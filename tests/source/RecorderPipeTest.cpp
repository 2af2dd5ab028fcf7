#include "confcap/source/RecorderPipe.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <filesystem>
#include <ostream>
#include <string>

#include "confcap/core/Error.h"
#include "support/MediaTestSupport.h"

BOOST_AUTO_TEST_SUITE(RecorderPipeTest)

namespace data = boost::unit_test::data;
using confcap::source::RecorderPipe;
using confcap::testing::TempDir;
using confcap::testing::writeFile;

namespace {

struct StaleCase {
    std::string name;  ///< "{self}" stands for this process's id
    bool fifo;         ///< a named pipe, else a regular file
    bool removed;
};

std::ostream& operator<<(std::ostream& out, const StaleCase& c) {
    return out << c.name << (c.fifo ? " (pipe)" : " (file)");
}

const StaleCase kStaleCases[] = {
    {".recorder-999999999-1.ts", true, true},  // above any pid_max: its process has gone
    {".recorder-{self}-1.ts", true, false},
    {".recorder-1-3.ts", true, false},  // init always runs
    {".recorder-999999999-2.ts", false, false},
    {"talk.ts", true, false},
    {"recorder-999999999-1.ts", true, false},
};

std::string named(std::string name) {
    if (const auto at = name.find("{self}"); at != std::string::npos) {
        name.replace(at, 6, std::to_string(::getpid()));
    }
    return name;
}

}  // namespace

BOOST_DATA_TEST_CASE(only_the_pipes_of_processes_that_are_gone_are_stale, data::make(kStaleCases),
                     c) {
    TempDir folder;
    const auto path = folder.path / named(c.name);
    if (c.fifo) {
        BOOST_REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    } else {
        writeFile(path, "not a pipe");
    }
    BOOST_TEST(RecorderPipe::removeStale(folder.path) == (c.removed ? 1u : 0u));
    BOOST_TEST(std::filesystem::exists(std::filesystem::symlink_status(path)) == !c.removed);
}

BOOST_AUTO_TEST_CASE(a_missing_folder_has_no_stale_pipes) {
    TempDir folder;
    BOOST_TEST(RecorderPipe::removeStale(folder.path / "missing") == 0u);
}

BOOST_AUTO_TEST_CASE(a_pipe_names_its_process_and_goes_with_the_folders_made_for_it) {
    TempDir temp;
    std::filesystem::path path;
    {
        RecorderPipe pipe(temp.path / "a" / "b");
        path = pipe.path();
        BOOST_TEST(path.parent_path() == temp.path / "a" / "b");
        const std::string name = path.filename().string();
        const std::string prefix = ".recorder-" + std::to_string(::getpid()) + "-";
        BOOST_TEST(name.starts_with(prefix));
        BOOST_TEST(name.ends_with(".ts"));
        BOOST_TEST(std::filesystem::is_fifo(path));
        BOOST_TEST(pipe.fd() >= 0);
    }
    BOOST_TEST(!std::filesystem::exists(std::filesystem::symlink_status(path)));
    BOOST_TEST(!std::filesystem::exists(temp.path / "a"));
    BOOST_TEST(std::filesystem::exists(temp.path));
}

BOOST_AUTO_TEST_CASE(a_folder_that_holds_something_else_stays) {
    TempDir temp;
    {
        RecorderPipe pipe(temp.path / "a" / "b");
        writeFile(temp.path / "a" / "talk.ts", "media");
    }
    BOOST_TEST(std::filesystem::exists(temp.path / "a" / "talk.ts"));
    BOOST_TEST(!std::filesystem::exists(temp.path / "a" / "b"));
}

BOOST_AUTO_TEST_CASE(two_pipes_of_one_process_have_their_own_names) {
    TempDir temp;
    RecorderPipe first(temp.path);
    RecorderPipe second(temp.path);
    BOOST_TEST(first.path() != second.path());
}

BOOST_AUTO_TEST_CASE(without_a_folder_the_pipe_is_in_the_current_one_named_absolutely) {
    TempDir temp;
    const auto before = std::filesystem::current_path();
    std::filesystem::current_path(temp.path);
    {
        RecorderPipe pipe{std::filesystem::path()};
        BOOST_TEST(pipe.path().is_absolute());
        BOOST_TEST(std::filesystem::equivalent(pipe.path().parent_path(), temp.path));
    }
    std::filesystem::current_path(before);
    BOOST_TEST(std::filesystem::is_empty(temp.path));
}

BOOST_AUTO_TEST_CASE(it_reads_what_the_program_writes_without_blocking) {
    TempDir temp;
    RecorderPipe pipe(temp.path);
    char buffer[16];
    BOOST_TEST(::read(pipe.fd(), buffer, sizeof buffer) == 0);  // no writer yet
    const int writer = ::open(pipe.path().c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    BOOST_REQUIRE(writer >= 0);
    BOOST_TEST(::read(pipe.fd(), buffer, sizeof buffer) == -1);
    BOOST_TEST(errno == EAGAIN);
    BOOST_REQUIRE(::write(writer, "media", 5) == 5);
    BOOST_TEST(::read(pipe.fd(), buffer, sizeof buffer) == 5);
    BOOST_TEST(std::string(buffer, 5) == "media");
    ::close(writer);
    BOOST_TEST(::read(pipe.fd(), buffer, sizeof buffer) == 0);
    pipe.close();
    BOOST_TEST(pipe.fd() == -1);
    BOOST_TEST(std::filesystem::is_fifo(pipe.path()));
}

BOOST_AUTO_TEST_CASE(a_folder_that_cannot_hold_a_pipe_is_a_permanent_error) {
    TempDir temp;
    const auto file = writeFile(temp.path / "file", "not a folder");
    BOOST_CHECK_EXCEPTION(RecorderPipe{file / "pipes"}, confcap::core::SourceError,
                          [](const confcap::core::SourceError& e) {
                              return !e.transient() &&
                                     std::string(e.what()).find("Cannot make the named pipe") == 0;
                          });
    BOOST_TEST(std::filesystem::is_regular_file(file));
}

BOOST_AUTO_TEST_SUITE_END()
