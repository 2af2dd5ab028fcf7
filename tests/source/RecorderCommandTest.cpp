#include "confcap/source/RecorderCommand.h"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "confcap/core/Error.h"

BOOST_AUTO_TEST_SUITE(RecorderCommandTest)

namespace data = boost::unit_test::data;
using confcap::core::SourceError;
using confcap::core::UsageError;
using confcap::source::checkRecorderInstalled;
using confcap::source::fillCommand;
using confcap::source::recorderCommand;
using confcap::source::RecorderCommand;
using confcap::source::splitCommandLine;
using Words = std::vector<std::string>;

namespace {

struct SplitCase {
    std::string line;
    Words words;
};

std::ostream& operator<<(std::ostream& out, const SplitCase& c) {
    return out << c.line;
}

const SplitCase kSplitCases[] = {
    {"ffmpeg -i {url} {output}", {"ffmpeg", "-i", "{url}", "{output}"}},
    {"  a \t b\n c  ", {"a", "b", "c"}},
    {"a 'b c' \"d e\"", {"a", "b c", "d e"}},
    {"'$HOME' \"$HOME\" `x`", {"$HOME", "$HOME", "`x`"}},
    {R"(a\ b c\'d "e\"f" "g\h" 'i\j')", {"a b", "c'd", "e\"f", "g\\h", "i\\j"}},
    {"pre'fix'\"ed\" x", {"prefixed", "x"}},
    {"'' \"\" x", {"", "", "x"}},
    {"a;b | c && d > e", {"a;b", "|", "c", "&&", "d", ">", "e"}},
    {"", {}},
};

struct BadOptions {
    std::string recorder;
    std::string commandTemplate;
};

std::ostream& operator<<(std::ostream& out, const BadOptions& c) {
    return out << c.recorder << " / " << c.commandTemplate;
}

const BadOptions kBadOptions[] = {
    {"vlc", ""},
    {"native", "ffmpeg -i {url} {output}"},
    {"", "ffmpeg -i {url}"},
    {"", "ffmpeg {output}"},
    {"", "ffmpeg -i {url} -metadata title={title} {output}"},
    {"", "ffmpeg -i {url} -metadata title={Title2} {output}"},
    {"", "   "},
    {"", "ffmpeg -i '{url} {output}"},
};

}  // namespace

BOOST_DATA_TEST_CASE(command_lines_split_like_a_shell_without_expansion, data::make(kSplitCases),
                     c) {
    BOOST_TEST(splitCommandLine(c.line) == c.words, boost::test_tools::per_element());
}

BOOST_DATA_TEST_CASE(unbalanced_quotes_and_a_trailing_backslash_are_usage_errors,
                     data::make({"a 'b", "a \"b", "a b\\", "\"a\\\""}), line) {
    BOOST_CHECK_THROW(splitCommandLine(line), UsageError);
}

BOOST_AUTO_TEST_CASE(native_and_nothing_mean_no_command) {
    BOOST_TEST(!recorderCommand("", "").has_value());
    BOOST_TEST(!recorderCommand("native", "").has_value());
}

BOOST_DATA_TEST_CASE(built_in_recipes_write_the_stream_into_output,
                     data::make({"mplayer", "ffmpeg", "streamlink"}), name) {
    const auto command = recorderCommand(name, "");
    BOOST_REQUIRE(command.has_value());
    BOOST_TEST(command->name == name);
    BOOST_TEST(command->arguments.front() == name);
    const auto filled = fillCommand(*command, "http://x/a b.ts", "/out/pipe.ts");
    BOOST_TEST(std::count(filled.begin(), filled.end(), "http://x/a b.ts") == 1);
    BOOST_TEST(std::count(filled.begin(), filled.end(), "/out/pipe.ts") == 1);
}

BOOST_AUTO_TEST_CASE(the_ffmpeg_recipe_copies_into_mpegts_with_the_stream_timestamps) {
    const Words expected = {"ffmpeg",  "-nostdin", "-hide_banner", "-nostats", "-loglevel",
                            "warning", "-y",       "-i",           "U",        "-c",
                            "copy",    "-copyts",  "-muxdelay",    "0",        "-muxpreload",
                            "0",       "-f",       "mpegts",       "O"};
    BOOST_TEST(fillCommand(*recorderCommand("ffmpeg", ""), "U", "O") == expected,
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_template_is_named_after_its_program_or_the_recorder) {
    auto command = recorderCommand("", "/opt/bin/yt-dlp -o {output} {url}");
    BOOST_REQUIRE(command.has_value());
    BOOST_TEST(command->name == "yt-dlp");
    command = recorderCommand("ffmpeg", "ffmpeg -i {url} -c copy -f mpegts {output}");
    BOOST_REQUIRE(command.has_value());
    BOOST_TEST(command->name == "ffmpeg");
    BOOST_TEST(command->arguments.size() == 8u);
}

BOOST_AUTO_TEST_CASE(placeholders_fill_whole_arguments_once) {
    RecorderCommand command{"x", {"x", "--url={url}", "{output}", "{url}{output}", "{other}"}};
    const auto filled = fillCommand(command, "http://h/{output}?a=1&b=2;rm -rf /", "/o p");
    const Words expected = {"x", "--url=http://h/{output}?a=1&b=2;rm -rf /", "/o p",
                            "http://h/{output}?a=1&b=2;rm -rf //o p", "{other}"};
    BOOST_TEST(filled == expected, boost::test_tools::per_element());
}

BOOST_DATA_TEST_CASE(bad_recorder_options_are_usage_errors, data::make(kBadOptions), c) {
    BOOST_CHECK_THROW(recorderCommand(c.recorder, c.commandTemplate), UsageError);
}

BOOST_AUTO_TEST_CASE(literal_braces_are_not_placeholders) {
    const auto command = recorderCommand("", R"(curl -H '{"a":1}' -o {output} {url})");
    BOOST_REQUIRE(command.has_value());
    BOOST_TEST(command->arguments[2] == R"({"a":1})");
}

BOOST_AUTO_TEST_CASE(a_missing_program_is_a_permanent_source_error_naming_it) {
    BOOST_CHECK_EXCEPTION(
        checkRecorderInstalled(*recorderCommand("", "no-such-recorder-xyz -o {output} {url}")),
        SourceError, [](const SourceError& e) {
            const std::string what = e.what();
            return !e.transient() && what.find("'no-such-recorder-xyz'") != std::string::npos &&
                   what.find("not found on PATH") != std::string::npos;
        });
    BOOST_CHECK_EXCEPTION(checkRecorderInstalled(*recorderCommand("", "/usr/bin {output} {url}")),
                          SourceError, [](const SourceError& e) {
                              return std::string(e.what()).find("no executable file there") !=
                                     std::string::npos;
                          });
    BOOST_CHECK_NO_THROW(checkRecorderInstalled(*recorderCommand("", "sh -c : {output} {url}")));
}

BOOST_AUTO_TEST_SUITE_END()
