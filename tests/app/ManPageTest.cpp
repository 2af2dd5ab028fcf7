#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(ManPageTest)

// The man page and the bash completion the build writes (src/docs.cpp), read the way a user
// meets them: the page rendered by man, the completion run by bash. What they say is compared
// with what `confcap --help` and `confcap COMMAND --help` print.
namespace {

using confcap::testing::runConfcap;
using confcap::testing::runProcess;

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::string trimmed(const std::string& line) {
    const auto first = line.find_first_not_of(' ');
    return first == std::string::npos ? "" : line.substr(first);
}

std::string joined(const std::set<std::string>& words) {
    std::string text;
    for (const auto& word : words) {
        text += (text.empty() ? "" : " ") + word;
    }
    return text;
}

/// The subcommands `confcap --help` lists.
std::vector<std::string> helpCommands() {
    const auto help = runConfcap({"--help"});
    BOOST_REQUIRE_EQUAL(help.exitCode, 0);
    std::vector<std::string> commands;
    bool inside = false;
    for (const auto& line : linesOf(help.out)) {
        if (line == "Commands:") {
            inside = true;
        } else if (line.empty()) {
            inside = inside && commands.empty();
        } else if (inside) {
            commands.push_back(trimmed(line).substr(0, trimmed(line).find(' ')));
        }
    }
    BOOST_REQUIRE_GE(commands.size(), 8U);
    return commands;
}

struct CommandHelp {
    std::string usage;              ///< "confcap capture URL --for DURATION -o FILE [OPTIONS]"
    std::set<std::string> options;  ///< "--for", "--output", "-o", ...
};

/// What `confcap COMMAND --help` says: its usage line and its options.
CommandHelp commandHelp(const std::string& command) {
    const auto help = runConfcap({command, "--help"});
    BOOST_REQUIRE_EQUAL(help.exitCode, 0);
    CommandHelp result;
    const std::regex option(R"(^  (-o, )?(--[a-z0-9-]+)\b.*)");
    for (const auto& line : linesOf(help.out)) {
        std::smatch match;
        if (line.rfind("Usage: ", 0) == 0) {
            result.usage = line.substr(7);
        } else if (std::regex_match(line, match, option)) {
            result.options.insert(match[2]);
            if (match[1].matched) {
                result.options.insert("-o");
            }
        }
    }
    BOOST_REQUIRE(!result.usage.empty());
    return result;
}

/// The options named in `text`: "--name" and "-o".
std::set<std::string> optionsIn(const std::string& text) {
    std::set<std::string> options;
    const std::regex option(R"((^|[ (,])(--[a-z0-9-]+|-o)\b)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), option);
         it != std::sregex_iterator(); ++it) {
        options.insert((*it)[2]);
    }
    return options;
}

/// The page as `man -l` shows it, `width` columns wide; requires that man says nothing on stderr
/// with its warnings on.
std::vector<std::string> renderedPage(int width) {
    const auto page = runProcess("man", {"--warnings", "-l", CONFCAP_MAN_PAGE},
                                 {{"MANWIDTH", std::to_string(width)},
                                  {"LC_ALL", "C.UTF-8"},
                                  {"MANPAGER", "cat"},
                                  {"PAGER", "cat"}});
    BOOST_REQUIRE_MESSAGE(page.exitCode == 0, "man -l failed: " << page.err);
    BOOST_TEST(page.err == "", "man --warnings complains: " << page.err);
    return linesOf(page.out);
}

/// The lines of the section `name` ("COMMANDS") of a rendered page.
std::vector<std::string> section(const std::vector<std::string>& page, const std::string& name) {
    std::vector<std::string> lines;
    bool inside = false;
    for (const auto& line : page) {
        if (!line.empty() && line.front() != ' ') {
            inside = line == name;
        } else if (inside) {
            lines.push_back(line);
        }
    }
    BOOST_REQUIRE_MESSAGE(!lines.empty(), "the page has no section " << name);
    return lines;
}

/// What the completion offers for `words`, the last being the word under the cursor.
std::set<std::string> completions(const std::vector<std::string>& words) {
    std::string script = "source \"$1\" || exit 1; COMP_WORDS=(";
    for (const auto& word : words) {
        script += "'" + word + "' ";
    }
    script += "); COMP_CWORD=" + std::to_string(words.size() - 1) +
              "; _confcap 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"";
    const auto run = runProcess("/bin/bash", {"-c", script, "bash", CONFCAP_BASH_COMPLETION});
    BOOST_REQUIRE_MESSAGE(run.exitCode == 0, "bash: " << run.err);
    std::set<std::string> offered;
    for (const auto& line : linesOf(run.out)) {
        if (!line.empty()) {
            offered.insert(line);
        }
    }
    return offered;
}

}  // namespace

BOOST_AUTO_TEST_CASE(everyCommandHasItsUsageAndOptionsOnThePage) {
    const auto page = renderedPage(1000);
    const auto synopsis = section(page, "SYNOPSIS");
    const auto commands = section(page, "COMMANDS");
    for (const auto& command : helpCommands()) {
        BOOST_TEST_CONTEXT("confcap " << command) {
            const auto help = commandHelp(command);
            bool inSynopsis = false;
            for (const auto& line : synopsis) {
                inSynopsis = inSynopsis || trimmed(line) == help.usage;
            }
            BOOST_TEST(inSynopsis, "the synopsis lacks " << help.usage);
            // The command's heading, then the paragraph that lists its options.
            std::string listed;
            for (std::size_t i = 0; i < commands.size(); ++i) {
                if (trimmed(commands[i]) != help.usage) {
                    continue;
                }
                for (std::size_t j = i + 1; j < commands.size() && listed.empty(); ++j) {
                    if (trimmed(commands[j]).rfind("Options:", 0) == 0) {
                        listed = trimmed(commands[j]);
                    }
                }
            }
            BOOST_TEST(joined(optionsIn(listed)) == joined(help.options));
        }
    }
}

BOOST_AUTO_TEST_CASE(everyOptionOfHelpIsDescribedWithTheCommandsThatTakeIt) {
    const auto options = section(renderedPage(1000), "OPTIONS");
    // Each entry: its option, then the line naming the commands that take it.
    std::map<std::string, std::string> takenBy;
    std::string current;
    for (const auto& line : options) {
        const auto text = trimmed(line);
        if (text.rfind("-", 0) == 0) {
            const auto label = optionsIn(text.substr(0, text.find(' ', text.find("--"))));
            BOOST_REQUIRE(!label.empty());
            current = *label.begin() == "-o" ? "--output" : *label.begin();
            takenBy[current] = "";
        } else if (!current.empty() &&
                   (text.rfind("Commands:", 0) == 0 || text == "Every command.")) {
            takenBy[current] = text;
        }
    }
    for (const auto& command : helpCommands()) {
        for (const auto& option : commandHelp(command).options) {
            if (option == "-o") {
                continue;
            }
            BOOST_TEST_CONTEXT("confcap " << command << " " << option) {
                BOOST_TEST_REQUIRE(takenBy.count(option) == 1U,
                                   "the OPTIONS section does not describe it");
                const auto& commands = takenBy[option];
                const std::regex word("\\b" + command + "\\b");
                BOOST_TEST((commands == "Every command." || std::regex_search(commands, word)),
                           "its entry says " << commands);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(thePageRendersCleanlyForATerminalAndNamesTheVersion) {
    const auto page = renderedPage(80);
    const auto version = runConfcap({"--version"});
    BOOST_REQUIRE_EQUAL(version.exitCode, 0);
    const auto name = trimmed(version.out.substr(0, version.out.find('\n')));  // "confcap 0.1.0"
    BOOST_TEST(page.back().rfind(name, 0) == 0, "the footer says " << page.back());
    for (const auto& line : page) {
        BOOST_TEST(line.size() <= 80U, "too wide: " << line);
    }
    BOOST_TEST(section(page, "EXIT STATUS").size() > 3U);
}

BOOST_AUTO_TEST_CASE(bashCompletesEachCommandsOptionsAsHelpListsThem) {
    std::set<std::string> commands;
    for (const auto& command : helpCommands()) {
        commands.insert(command);
        BOOST_TEST_CONTEXT("confcap " << command << " --") {
            auto options = commandHelp(command).options;
            options.erase("-o");  // "--" does not complete to -o
            BOOST_TEST(joined(completions({"confcap", command, "--"})) == joined(options));
        }
    }
    commands.insert({"--help", "--version"});
    BOOST_TEST(joined(completions({"confcap", ""})) == joined(commands));
    BOOST_TEST(joined(completions({"confcap", "rec"})) == "record recut");
    BOOST_TEST(joined(completions({"confcap", "reco"})) == "record");
    BOOST_TEST(joined(completions({"confcap", "record", "--sta"})) ==
               "--stall-timeout --status-auth --status-bind --status-port --status-tls-cert "
               "--status-tls-key");
    BOOST_TEST(joined(completions({"confcap", "list", "--sta"})) == "");
}

BOOST_AUTO_TEST_CASE(bashCompletesValuesFilesAndFolders) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("confcap-completion-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "album");
    std::ofstream(dir / "agenda.xml") << "<schedule/>";
    const std::string prefix = (dir / "a").string();
    BOOST_TEST(joined(completions({"confcap", "record", "--container", "m"})) == "mkv mp4");
    BOOST_TEST(joined(completions({"confcap", "plan", "--stream-kind", ""})) ==
               "audio hd sd slides");
    BOOST_TEST(joined(completions({"confcap", "list", "--schedule", prefix})) ==
               (dir / "agenda.xml").string() + " " + (dir / "album").string());
    BOOST_TEST(joined(completions({"confcap", "record", "--out", prefix})) ==
               (dir / "album").string());
    BOOST_TEST(joined(completions({"confcap", "summary", prefix})) == (dir / "album").string());
    // A value confcap cannot guess is not completed with options or files.
    BOOST_TEST(joined(completions({"confcap", "record", "--pad-before", ""})) == "");
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
