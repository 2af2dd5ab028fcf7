#include "confcap/app/ConfcapApp.h"

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionSet.h>

#include <malloc.h>

#include <cstring>
#include <iomanip>
#include <iostream>

#include "confcap/app/CaptureCommand.h"
#include "confcap/app/Conference.h"
#include "confcap/app/DemoCommand.h"
#include "confcap/app/ExitCode.h"
#include "confcap/app/ListCommand.h"
#include "confcap/app/MergeCommand.h"
#include "confcap/app/PlanCommand.h"
#include "confcap/app/RecordCommand.h"
#include "confcap/app/RecutCommand.h"
#include "confcap/app/SummaryCommand.h"
#include "confcap/core/Error.h"

namespace confcap::app {

namespace {

constexpr const char* kExitCodeHelp =
    "Exit codes: 0 done; 1 a selected talk produced no file; 64 bad option or value, a\n"
    "selection that picks no talk, or an unknown --conference; 65 malformed schedule or\n"
    "streaming API document; 66 schedule file missing; 69 URL unreachable or HTTP error\n"
    "(schedule or streaming API, nothing cached), the --recorder or --on-recorded program is\n"
    "not installed, or ffmpeg for --container mkv|mp4; 70 internal error; 73 output folder\n"
    "not writable; 74 a write failed (disk full, also when space came back); 78 bad config\n"
    "file; 130 stopped by a second Ctrl-C.\n";

constexpr const char* kCaptureHelp =
    "The file's name is FILE's name without its extension plus the stream's own extension:\n"
    "-o talk.mp4 on an MPEG-TS stream writes talk.ts (--container mp4 writes talk.mp4), with\n"
    "the sidecar talk.json beside it; a name that exists gets \" (2)\". Failures are retried "
    "until\n"
    "--for is over (a live playlist that ends is polled until it goes on); a stream that is a\n"
    "finished recording when first read ends the capture early, an HTTP error on the very\n"
    "first request at once. Ctrl-C ends it and keeps what was recorded.\n"
    "\n"
    "Exit codes: 0 recorded; 1 discarded (media below --min-duration); 64 bad option or\n"
    "value; 69 no data arrived (unreachable, HTTP error; no file is left), or the --recorder\n"
    "program or ffmpeg for --container mkv|mp4 is not installed; 73 output folder not\n"
    "writable; 74 a write failed (disk full, file size limit; writing goes on, and what was\n"
    "written is kept); 130 stopped by a second Ctrl-C.\n";

constexpr const char* kSummaryHelp =
    "Lists every talk once per folder that holds it (from the sidecars beside the recordings\n"
    "and DIR/.confcap/summary.json): folder, outcome, covered/scheduled seconds, gaps and the\n"
    "file; of a talk several folders hold, the copy covering most is marked best. --html FILE\n"
    "also writes the same talks as one self-contained page (as every record run does in\n"
    "OUT/.confcap/summary.html): the timeline of every room with each talk's media and gaps,\n"
    "then per talk its thumbnail, outcome, covered time, gaps by cause, health flags and a\n"
    "link to its file, relative to FILE, so the page opens from a file manager.\n"
    "\n"
    "Exit codes: 0 listed; 64 no folder given; 66 a folder does not exist; 73 the --html\n"
    "page cannot be written.\n";

constexpr const char* kMergeHelp =
    "Each DIR is the output folder of one host that recorded the same rooms (on shared\n"
    "storage or copied from each host). Talks are matched by the guid (else id) in their\n"
    "sidecars. HLS copies are cut by media sequence, so each copy's segments fill the others'\n"
    "gaps; segments missing from every copy stay a gap. Progressive MPEG-TS copies are cut\n"
    "by their packets' timestamps: another copy fills where one's timestamps jump. Copies cut\n"
    "in neither way (MP3, WebM, mkv/mp4, a mix) are not mixed: the copy covering the most is\n"
    "taken whole. A talk in one folder only is copied. Files go into --out under the same\n"
    "relative name, \" (2)\" when it is taken; nothing is replaced. The sidecar's \"replicas\"\n"
    "says which folder supplied which seconds. A damaged sidecar is skipped with a warning.\n"
    "\n"
    "Exit codes: 0 merged; 64 no folders, no --out, or --out is one of the folders; 66 a\n"
    "folder does not exist; 73 --out cannot be created or written.\n";

constexpr const char* kRecutHelp =
    "TALK is a recorded talk in --out: its id, guid, title or file name. While record runs\n"
    "(with --keep-tape, on by default) each room's stream is also written once to\n"
    "OUT/.confcap/tape; recut makes the talk's file again from it for the new window, e.g.\n"
    "--end +12m for a talk that ran 12 minutes over. What the tape does not hold of the new\n"
    "window is a gap (\"not on the tape\"). The file is replaced only while it is as confcap\n"
    "published it (the size and hash in its sidecar); the sidecar's \"cuts\" lists every\n"
    "cut (when, the old window and the new).\n"
    "\n"
    "Exit codes: 0 cut; 64 no or an unknown TALK, or a bad --start/--end; 66 the room has no\n"
    "tape of the new window; 73 the file was changed since, or the new one cannot be written.\n";

}  // namespace

int ConfcapApp::runMain(int argc, char** argv) {
    // confcap prints through iostreams only; unsynchronized they buffer instead of calling
    // fwrite for every piece of a large listing.
    std::ios::sync_with_stdio(false);
    // glibc gives threads their own malloc arenas and returns little of what they free: a record
    // run grew by 25 % an hour that way (bench/soak.sh) and stayed flat with one arena.
    // confcap's threads wait on the network, not on malloc.
    ::mallopt(M_ARENA_MAX, 1);
    std::optional<Command> command;
    std::string word = argc > 1 ? argv[1] : "";
    if (!word.empty() && word[0] != '-') {
        command = commandNamed(word);
        if (!command) {
            std::cerr << "confcap: '" << word
                      << "' is not a subcommand; use list, plan, record, capture, demo, "
                         "conferences, summary, merge or recut (confcap --help).\n";
            return kExitUsage;
        }
    }
    try {
        ConfcapApp app(command);
        try {
            app.init(argc, argv);
        } catch (const Poco::Util::OptionException& e) {
            std::cerr << "confcap: " << e.displayText() << ". Try 'confcap "
                      << (command ? std::string(subcommandName(*command)) + " " : "")
                      << "--help'.\n";
            return kExitUsage;
        }
        return app.run();
    } catch (const std::exception& e) {
        std::cerr << "confcap: " << e.what() << "\n";
        return exitCodeFor(e);
    }
}

ConfcapApp::ConfcapApp(std::optional<Command> command) : command_(command) {
    setUnixOptions(true);
}

void ConfcapApp::defineOptions(Poco::Util::OptionSet& options) {
    const unsigned mask = command_ ? static_cast<unsigned>(*command_) : 0U;
    for (const auto& spec : optionSpecs()) {
        const bool global =
            std::strcmp(spec.name, "help") == 0 || std::strcmp(spec.name, "version") == 0;
        if ((spec.commands & mask) == 0 && !global) {
            continue;
        }
        // -o is the one short option: `capture URL --for 1h -o talk.ts` reads like curl and ffmpeg.
        const char* shortName = std::strcmp(spec.name, "output") == 0 ? "o" : "";
        Poco::Util::Option option(spec.name, shortName, spec.help, false);
        option.repeatable(spec.repeatable);
        if (spec.argument != nullptr) {
            option.argument(spec.argument, true);
        }
        options.addOption(option);
    }
}

void ConfcapApp::handleOption(const std::string& name, const std::string& value) {
    Poco::Util::Application::handleOption(name, value);
    arguments_.add(name, value.empty() ? "true" : value);
    if (name == "help" || name == "version") {
        stopOptionsProcessing();
    }
}

int ConfcapApp::main(const std::vector<std::string>& args) {
    if (arguments_.flag("version")) {
        std::cout << "confcap " << CONFCAP_VERSION << "\n";
        return kExitOk;
    }
    if (arguments_.flag("help") || !command_) {
        printHelp();
        return command_ || arguments_.flag("help") ? kExitOk : kExitUsage;
    }
    // args[0] is the subcommand itself.
    for (std::size_t i = 1; i < args.size(); ++i) {
        arguments_.positional().push_back(args[i]);
    }
    try {
        if (const auto config = arguments_.value("config")) {
            arguments_.mergeConfigFile(*config, *command_);
        }
        switch (*command_) {
            case kList:
                return runList(arguments_, std::cout, std::cerr);
            case kPlan:
                return runPlan(arguments_, std::cout, std::cerr);
            case kRecord:
                return runRecord(arguments_, std::cout, std::cerr);
            case kCapture:
                return runCapture(arguments_, std::cout, std::cerr);
            case kDemo:
                return runDemo(arguments_, std::cout, std::cerr);
            case kConferences:
                return runConferences(arguments_, std::cout, std::cerr);
            case kSummary:
                return runSummary(arguments_, std::cout, std::cerr);
            case kMerge:
                return runMerge(arguments_, std::cout, std::cerr);
            case kRecut:
                return runRecut(arguments_, std::cout, std::cerr);
            default:
                throw core::UsageError(std::string("'") + subcommandName(*command_) +
                                       "' is not available in this version of confcap.");
        }
    } catch (const std::exception& e) {
        std::cerr << "confcap: " << e.what() << "\n";
        return exitCodeFor(e);
    }
}

void ConfcapApp::printHelp() const {
    auto& out = std::cout;
    if (!command_) {
        out << "confcap " << CONFCAP_VERSION
            << ": records conference talks from live streams, driven by the schedule.\n\n"
               "Usage: confcap COMMAND [OPTIONS]\n\nCommands:\n";
        for (Command c :
             {kList, kPlan, kRecord, kCapture, kDemo, kConferences, kSummary, kMerge, kRecut}) {
            out << "  " << std::left << std::setw(13) << subcommandName(c) << commandSummary(c)
                << "\n";
        }
        out << "\nRun 'confcap COMMAND --help' for a command's options.\n\n" << helpNotes(command_);
        return;
    }
    out << "Usage: confcap " << subcommandName(*command_) << usageArguments(*command_)
        << " [OPTIONS]\n"
        << commandSummary(*command_) << ".\n";
    std::string group;
    for (const auto& spec : optionSpecs()) {
        if ((spec.commands & *command_) == 0) {
            continue;
        }
        if (group != spec.group) {
            group = spec.group;
            out << "\n" << group << ":\n";
        }
        std::string left =
            std::string(std::strcmp(spec.name, "output") == 0 ? "  -o, --" : "  --") + spec.name;
        if (spec.argument != nullptr) {
            left += std::string(" ") + spec.argument;
        }
        out << std::left << std::setw(26) << left;
        if (left.size() >= 26) {
            out << "\n" << std::string(26, ' ');
        }
        out << spec.help << "\n";
    }
    out << "\n" << kDurationHelp << "\n" << helpNotes(command_);
}

const char* ConfcapApp::usageArguments(Command command) {
    return command == kCapture   ? " URL --for DURATION -o FILE"
           : command == kSummary ? " DIR..."
           : command == kMerge   ? " DIR1 DIR2 ... --out DIR"
           : command == kRecut   ? " TALK --out DIR"
                                 : "";
}

const char* ConfcapApp::helpNotes(std::optional<Command> command) {
    return command == kCapture   ? kCaptureHelp
           : command == kSummary ? kSummaryHelp
           : command == kMerge   ? kMergeHelp
           : command == kRecut   ? kRecutHelp
                                 : kExitCodeHelp;
}

}  // namespace confcap::app
