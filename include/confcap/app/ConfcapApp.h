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
