#include "confcap/app/ManPage.h"

#include <cstring>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/app/CommandLine.h"
#include "confcap/app/ConfcapApp.h"

namespace confcap::app {

namespace {

/// Every subcommand, in --help order.
std::vector<Command> commands() {
    std::vector<Command> all;
    for (unsigned bit = 1; bit != 0 && bit <= kAllCommands; bit <<= 1) {
        if ((bit & kAllCommands) != 0) {
            all.push_back(static_cast<Command>(bit));
        }
    }
    return all;
}

/// `text` as roff text: backslashes and hyphens escaped (a plain "-" may print as a typographic
/// hyphen, and options must print as typed), and a leading "." or "'" kept from being a request.
std::string roff(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\') {
            out += "\\e";
        } else if (c == '-') {
            out += "\\-";
        } else {
            out += c;
        }
    }
    if (!out.empty() && (out.front() == '.' || out.front() == '\'')) {
        out.insert(0, "\\&");
    }
    return out;
}

/// The paragraphs of a --help text, each on one line: --help breaks lines for a terminal, the
/// page's reader breaks them for theirs.
std::vector<std::string> paragraphs(std::string_view text) {
    std::vector<std::string> result;
    std::string current;
    std::istringstream lines{std::string(text)};
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) {
            if (!current.empty()) {
                result.push_back(current);
                current.clear();
            }
            continue;
        }
        current += (current.empty() ? "" : " ") + line;
    }
    if (!current.empty()) {
        result.push_back(current);
    }
    return result;
}

/// "--name ARG" in bold and italics; the one short option as --help shows it.
std::string optionLabel(const OptionSpec& spec) {
    std::string label = std::strcmp(spec.name, "output") == 0 ? "\\fB\\-o\\fR, " : "";
    label += "\\fB\\-\\-" + roff(spec.name) + "\\fR";
    if (spec.argument != nullptr) {
        label += " \\fI" + roff(spec.argument) + "\\fR";
    }
    return label;
}

/// The usage line of `command`: the words a user types in bold, the placeholders in italics.
std::string usageLine(Command command) {
    std::string line = "\\fBconfcap " + std::string(subcommandName(command)) + "\\fR";
    std::istringstream words{std::string(ConfcapApp::usageArguments(command))};
    for (std::string word; words >> word;) {
        if (word.front() == '-') {
            line += " \\fB" + roff(word) + "\\fR";
        } else if (word == "...") {
            line += " ...";
        } else {
            line += " \\fI" + roff(word) + "\\fR";
        }
    }
    return line + " [\\fIOPTIONS\\fR]";
}

enum class ValueKind { None, File, Folder, Words };

/// What an option's value is, read from its placeholder: a file (FILE, or SRC: a file or a URL),
/// a folder (DIR), one of the words of "hd|sd|audio|slides", or something to type.
ValueKind valueKind(const OptionSpec& spec) {
    const std::string_view argument = spec.argument == nullptr ? "" : spec.argument;
    if (argument == "FILE" || argument == "SRC") {
        return ValueKind::File;
    }
    if (argument == "DIR") {
        return ValueKind::Folder;
    }
    const bool words = argument.find('|') != std::string_view::npos &&
                       argument.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-|") ==
                           std::string_view::npos;
    return words ? ValueKind::Words : ValueKind::None;
}

/// The options of a kind as a case pattern: "--out|--cache-dir".
std::string pattern(ValueKind kind) {
    std::string result;
    for (const auto& spec : optionSpecs()) {
        if (spec.argument != nullptr && valueKind(spec) == kind) {
            result += (result.empty() ? "--" : "|--") + std::string(spec.name);
            if (std::strcmp(spec.name, "output") == 0) {
                result += "|-o";
            }
        }
    }
    return result;
}

void writeParagraphs(std::ostream& out, std::string_view text) {
    for (const auto& paragraph : paragraphs(text)) {
        out << ".PP\n" << roff(paragraph) << "\n";
    }
}

}  // namespace

void writeManPage(std::ostream& out) {
    const auto& specs = optionSpecs();
    out << ".\\\" confcap(1), written by the build from the option table that --help prints.\n"
        << ".TH CONFCAP 1 \"\" \"confcap " << CONFCAP_VERSION << "\" \"User Commands\"\n"
        << ".nh\n.ad l\n"
        << ".SH NAME\n"
        << "confcap \\- record conference talks from live streams, driven by the schedule\n"
        << ".SH SYNOPSIS\n";
    for (const Command command : commands()) {
        out << usageLine(command) << "\n.br\n";
    }
    out << "\\fBconfcap\\fR [\\fICOMMAND\\fR] \\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR\n"
        << ".SH DESCRIPTION\n"
        << "confcap records conference talks from live streams, unattended, driven by the "
           "conference's own schedule (frab, pretalx, Pentabarf and FOSDEM, the c3voc hub, EMF "
           "Camp). It records each selected talk from a little before it begins to a little "
           "after it ends, follows the schedule's changes, tries a failing stream again until "
           "the talk's time is over, and leaves one file per talk with a JSON sidecar that "
           "names every gap.\n"
        << ".PP\n"
        << "\\fBconfcap demo\\fR records a fake conference on loopback, end to end.\n"
        << ".SH COMMANDS\n";
    for (const Command command : commands()) {
        out << ".SS " << usageLine(command) << "\n"
            << roff(commandSummary(command)) << ".\n"
            << ".PP\nOptions:";
        const char* separator = " ";
        for (const auto& spec : specs) {
            if ((spec.commands & command) != 0) {
                out << separator << "\\fB\\-\\-" << roff(spec.name) << "\\fR"
                    << (std::strcmp(spec.name, "output") == 0 ? " (\\fB\\-o\\fR)" : "");
                separator = ", ";
            }
        }
        out << ".\n";
        const std::string_view notes = ConfcapApp::helpNotes(command);
        if (notes != ConfcapApp::helpNotes(std::nullopt)) {
            writeParagraphs(out, notes);
        }
    }
    out << ".SH OPTIONS\n"
        << roff(ConfcapApp::kDurationHelp)
        << " In a \\fB\\-\\-config\\fR file an option is a key with its long name, as in "
           "\\fBroom = Saal 1\\fR; the command line wins.\n";
    std::string group;
    for (const auto& spec : specs) {
        if (group != spec.group) {
            group = spec.group;
            out << ".SS " << roff(group) << "\n";
        }
        out << ".TP\n" << optionLabel(spec) << "\n" << roff(spec.help) << ".\n.br\n";
        if (spec.commands == kAllCommands) {
            out << "Every command.\n";
            continue;
        }
        out << "Commands:";
        const char* separator = " ";
        for (const Command command : commands()) {
            if ((spec.commands & command) != 0) {
                out << separator << "\\fB" << subcommandName(command) << "\\fR";
                separator = ", ";
            }
        }
        out << ".\n";
    }
    out << ".SH EXIT STATUS\n";
    writeParagraphs(out, ConfcapApp::helpNotes(std::nullopt));
    out << ".PP\nEvery error is one sentence on standard error naming the file, URL or option "
           "at fault.\n"
        << ".SH FILES\n"
        << ".TP\n/etc/confcap/confcap.ini\n"
        << "The configuration the systemd unit \\fBconfcap@.service\\fR reads. Its instance name "
           "is the shard, \\fIK\\fR\\-of\\-\\fIN\\fR: \\fBsystemctl enable \\-\\-now "
           "confcap@1\\-of\\-1\\fR records every room into /var/lib/confcap/1\\-of\\-1.\n"
        << ".TP\n\\fIOUT\\fR/.confcap/summary.html\n"
        << "The summary of a \\fBrecord\\fR run as one page.\n"
        << ".SH EXAMPLES\n"
        << ".nf\n"
        << "confcap demo\n"
        << "confcap conferences\n"
        << "confcap record \\-\\-conference 38c3 \\-\\-out ~/congress "
           "\\-\\-status\\-port 8080\n"
        << "confcap capture https://example.org/live.m3u8 \\-\\-for 1h \\-o talk.ts\n"
        << ".fi\n"
        << ".SH SEE ALSO\n"
        << "\\fBffmpeg\\fR(1), \\fBstreamlink\\fR(1), \\fBmplayer\\fR(1), "
           "\\fBsystemd.service\\fR(5)\n";
}

void writeBashCompletion(std::ostream& out) {
    out << "# bash completion for confcap(1), written by the build from the option table that\n"
           "# --help prints.\n"
           "_confcap() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
           "    COMPREPLY=()\n"
           "    if ((COMP_CWORD == 1)); then\n"
           "        mapfile -t COMPREPLY < <(compgen -W '";
    for (const Command command : commands()) {
        out << subcommandName(command) << " ";
    }
    out << "--help --version' -- \"$cur\")\n"
           "        return\n"
           "    fi\n"
           "    local options folders=\n"
           "    case ${COMP_WORDS[1]} in\n";
    for (const Command command : commands()) {
        out << "        " << subcommandName(command) << ") options='";
        const char* separator = "";
        for (const auto& spec : optionSpecs()) {
            if ((spec.commands & command) != 0) {
                out << separator << "--" << spec.name;
                if (std::strcmp(spec.name, "output") == 0) {
                    out << " -o";
                }
                separator = " ";
            }
        }
        out << "'";
        // The arguments that are folders, as the usage line names them (DIR...).
        if (std::string_view(ConfcapApp::usageArguments(command)).find("DIR") !=
            std::string_view::npos) {
            out << " folders=1";
        }
        out << " ;;\n";
    }
    out << "        *) return ;;\n"
           "    esac\n"
           "    case $prev in\n";
    if (const auto files = pattern(ValueKind::File); !files.empty()) {
        out << "        " << files << ")\n"
            << "            compopt -o filenames 2>/dev/null\n"
               "            mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
               "            return ;;\n";
    }
    if (const auto dirs = pattern(ValueKind::Folder); !dirs.empty()) {
        out << "        " << dirs << ")\n"
            << "            compopt -o filenames 2>/dev/null\n"
               "            mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n"
               "            return ;;\n";
    }
    for (const auto& spec : optionSpecs()) {
        if (valueKind(spec) == ValueKind::Words) {
            std::string words = spec.argument;
            for (auto& c : words) {
                c = c == '|' ? ' ' : c;
            }
            out << "        --" << spec.name << ")\n"
                << "            mapfile -t COMPREPLY < <(compgen -W '" << words
                << "' -- \"$cur\")\n"
                   "            return ;;\n";
        }
    }
    if (const auto other = pattern(ValueKind::None); !other.empty()) {
        out << "        " << other << ") return ;;\n";
    }
    out << "    esac\n"
           "    if [[ $cur == -* ]]; then\n"
           "        mapfile -t COMPREPLY < <(compgen -W \"$options\" -- \"$cur\")\n"
           "    elif [[ -n $folders ]]; then\n"
           "        compopt -o filenames 2>/dev/null\n"
           "        mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n"
           "    fi\n"
           "}\n"
           "complete -F _confcap confcap\n";
}

}  // namespace confcap::app
