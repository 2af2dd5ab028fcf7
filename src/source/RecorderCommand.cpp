#include "confcap/source/RecorderCommand.h"

#include <Poco/Exception.h>
#include <Poco/Pipe.h>
#include <Poco/Process.h>

#include <algorithm>
#include <cctype>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/source/Source.h"

namespace confcap::source {

namespace {

struct Recipe {
    const char* name;
    const char* commandLine;
    const char* package;
};

// Each writes the stream unchanged into {output}, a named pipe, and prints only warnings and
// errors. mplayer: no LIRC socket, no keyboard. ffmpeg: no stdin, no progress line, -y because
// the pipe exists. streamlink picks the best quality and writes into an existing pipe as it is.
constexpr Recipe kRecipes[] = {
    {"mplayer",
     "mplayer -really-quiet -nolirc -noconsolecontrols -dumpstream -dumpfile {output} {url}",
     "mplayer"},
    {"ffmpeg",
     "ffmpeg -nostdin -hide_banner -nostats -loglevel warning -y -i {url} -c copy -copyts "
     "-muxdelay 0 -muxpreload 0 -f mpegts {output}",
     "ffmpeg"},
    {"streamlink", "streamlink --loglevel warning -o {output} {url} best", "streamlink"},
};

const Recipe* recipeFor(std::string_view name) {
    for (const auto& recipe : kRecipes) {
        if (name == recipe.name) {
            return &recipe;
        }
    }
    return nullptr;
}

std::string knownNames() {
    std::string names = "native";
    for (const auto& recipe : kRecipes) {
        names += std::string(", ") + recipe.name;
    }
    return names;
}

// Every {name} in the arguments, checked against the two placeholders there are.
void checkPlaceholders(const std::vector<std::string>& arguments, std::string_view text) {
    bool url = false;
    bool output = false;
    for (const auto& argument : arguments) {
        for (std::size_t open = argument.find('{'); open != std::string::npos;
             open = argument.find('{', open + 1)) {
            const std::size_t close = argument.find('}', open);
            if (close == std::string::npos) {
                break;
            }
            const std::string_view field(argument.data() + open + 1, close - open - 1);
            const bool name = !field.empty() && std::all_of(field.begin(), field.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_';
            });
            if (!name) {
                continue;  // literal braces, such as JSON in an argument
            }
            if (field == "url") {
                url = true;
            } else if (field == "output") {
                output = true;
            } else {
                throw core::UsageError("--recorder-command '" + std::string(text) + "' holds {" +
                                       std::string(field) +
                                       "}; the placeholders are {url} and {output}.");
            }
        }
    }
    if (!url || !output) {
        throw core::UsageError("--recorder-command '" + std::string(text) + "' needs both {url} " +
                               "(the stream) and {output} (where the program writes it).");
    }
}

}  // namespace

std::optional<RecorderCommand> recorderCommand(std::string_view recorder,
                                               std::string_view commandTemplate) {
    const bool native = recorder.empty() || recorder == "native";
    const Recipe* recipe = native ? nullptr : recipeFor(recorder);
    if (!native && recipe == nullptr) {
        throw core::UsageError("--recorder '" + std::string(recorder) +
                               "' is not a recorder; choose one of " + knownNames() + ".");
    }
    if (commandTemplate.empty()) {
        if (native) {
            return std::nullopt;
        }
        return RecorderCommand{recipe->name, splitCommandLine(recipe->commandLine),
                               std::string_view(recipe->name) != "mplayer"};
    }
    if (recorder == "native") {
        throw core::UsageError(
            "--recorder-command runs an external program; it cannot go with --recorder native.");
    }
    RecorderCommand command;
    command.arguments = splitCommandLine(commandTemplate);
    if (command.arguments.empty()) {
        throw core::UsageError("--recorder-command is empty; give a program and its arguments.");
    }
    checkPlaceholders(command.arguments, commandTemplate);
    if (recipe != nullptr) {
        command.name = recipe->name;
    } else {
        const std::string& program = command.arguments.front();
        command.name = program.substr(program.rfind('/') + 1);
    }
    command.recordsHls =
        command.name != "mplayer" &&
        command.arguments.front().substr(command.arguments.front().rfind('/') + 1) != "mplayer";
    return command;
}

bool nativeInstead(const std::optional<RecorderCommand>& recorder, std::string_view url) {
    return recorder && !recorder->recordsHls && isHlsUrl(url);
}

std::string recorderFor(const std::optional<RecorderCommand>& recorder, std::string_view url) {
    if (!recorder) {
        return "native";
    }
    if (nativeInstead(recorder, url)) {
        return "native (" + recorder->name + " cannot record HLS)";
    }
    return recorder->name;
}

std::vector<std::string> splitCommandLine(std::string_view line) {
    std::vector<std::string> words;
    std::string word;
    bool inWord = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (inWord) {
                words.push_back(std::move(word));
                word.clear();
                inWord = false;
            }
            continue;
        }
        inWord = true;
        if (c == '\\') {
            if (i + 1 == line.size()) {
                throw core::UsageError("The command '" + std::string(line) +
                                       "' ends in a backslash.");
            }
            word += line[++i];
        } else if (c == '\'') {
            const std::size_t close = line.find('\'', i + 1);
            if (close == std::string_view::npos) {
                throw core::UsageError("The command '" + std::string(line) +
                                       "' has a ' without its closing '.");
            }
            word.append(line.substr(i + 1, close - i - 1));
            i = close;
        } else if (c == '"') {
            std::size_t j = i + 1;
            for (; j < line.size() && line[j] != '"'; ++j) {
                if (line[j] == '\\' && j + 1 < line.size() &&
                    std::string_view("\"\\$`").find(line[j + 1]) != std::string_view::npos) {
                    ++j;
                }
                word += line[j];
            }
            if (j == line.size()) {
                throw core::UsageError("The command '" + std::string(line) +
                                       "' has a \" without its closing \".");
            }
            i = j;
        } else {
            word += c;
        }
    }
    if (inWord) {
        words.push_back(std::move(word));
    }
    return words;
}

std::vector<std::string> fillCommand(const RecorderCommand& command, std::string_view url,
                                     std::string_view output) {
    // One pass per argument, so that a URL holding "{output}" is not filled a second time.
    std::vector<std::string> filled;
    filled.reserve(command.arguments.size());
    for (const auto& argument : command.arguments) {
        std::string text;
        std::size_t at = 0;
        while (at < argument.size()) {
            if (argument.compare(at, 5, "{url}") == 0) {
                text.append(url);
                at += 5;
            } else if (argument.compare(at, 8, "{output}") == 0) {
                text.append(output);
                at += 8;
            } else {
                text += argument[at++];
            }
        }
        filled.push_back(std::move(text));
    }
    return filled;
}

const std::vector<std::string>& supervisorPrefix() {
    static const std::vector<std::string> prefix = {
        "setsid", "env", "--default-signal", "setpriv", "--pdeathsig", "KILL", "--"};
    return prefix;
}

void checkRecorderInstalled(const RecorderCommand& command) {
    const std::string& program = command.arguments.front();
    if (core::findOnPath(program).empty()) {
        const Recipe* recipe = recipeFor(command.name);
        const bool builtIn = recipe != nullptr && program == recipe->name;
        throw core::SourceError(
            "The recorder program '" + program + "' is not installed (" +
                (program.find('/') != std::string::npos ? "no executable file there"
                                                        : "not found on PATH") +
                (builtIn ? "); install it (Debian: apt-get install " +
                               std::string(recipe->package) + ") or choose another --recorder."
                         : "); check --recorder-command."),
            core::ErrorKind::Permanent);
    }
    checkSupervisorInstalled("External recorders");
}

void checkSupervisorInstalled(std::string_view what) {
    for (const char* helper : {"setsid", "env", "setpriv"}) {
        if (core::findOnPath(helper).empty()) {
            throw core::SourceError(std::string(what) + " need '" + helper +
                                        "' (util-linux, coreutils) to supervise them, and it is "
                                        "not on PATH.",
                                    core::ErrorKind::Permanent);
        }
    }
    // Older systems have the programs without the options used (env --default-signal needs
    // coreutils 8.31, setpriv --pdeathsig util-linux 2.33): try the chain once.
    static const int chainWorks = [] {
        try {
            Poco::Process::Args args(supervisorPrefix().begin() + 1, supervisorPrefix().end());
            args.push_back("true");
            Poco::Pipe output;
            auto handle =
                Poco::Process::launch(supervisorPrefix().front(), args, nullptr, &output, &output);
            return handle.wait();
        } catch (const Poco::Exception&) {
            return -1;
        }
    }();
    if (chainWorks != 0) {
        throw core::SourceError(
            std::string(what) +
                " need 'env --default-signal' (coreutils 8.31 or later) and "
                "'setpriv --pdeathsig' (util-linux 2.33 or later), and this system's do not work.",
            core::ErrorKind::Permanent);
    }
}

}  // namespace confcap::source
