// The confcap program: parses the command line for one subcommand and runs it.
#pragma once

#include <Poco/Util/Application.h>

#include <string>

#include "confcap/app/CommandLine.h"

namespace confcap::app {

class ConfcapApp : public Poco::Util::Application {
public:
    /// Runs confcap with `argc`/`argv` as given to main(); returns the process exit code
    /// (see ExitCode.h). Prints errors as one sentence on stderr; never throws.
    static int runMain(int argc, char** argv);

    /// `command` is the subcommand, or nullopt when none was given (only --help/--version work).
    explicit ConfcapApp(std::optional<Command> command);

    /// What a command's usage line names before "[OPTIONS]", e.g. " URL --for DURATION -o FILE";
    /// "" for a command that takes only options.
    static const char* usageArguments(Command command);

    /// The text --help prints after the options: for capture, summary and merge their notes and
    /// exit codes, for the other commands and for no command the exit codes of every command.
    static const char* helpNotes(std::optional<Command> command);

    /// How --help says durations are written.
    static constexpr const char* kDurationHelp = "Durations are written like 90s, 5m or 1h30m.";

protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& args) override;

private:
    void printHelp() const;

    std::optional<Command> command_;
    Arguments arguments_;
};

}  // namespace confcap::app
