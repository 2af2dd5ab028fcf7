// The command line: which options each subcommand takes, their help, and the values given on the
// command line or in a --config file (command line wins).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace confcap::app {

/// The subcommands, as bits so an option can belong to several.
enum Command : unsigned {
    kList = 1U << 0,
    kPlan = 1U << 1,
    kRecord = 1U << 2,
    kCapture = 1U << 3,
    kDemo = 1U << 4,
    kConferences = 1U << 5,
    kSummary = 1U << 6,
    kMerge = 1U << 7,
    kRecut = 1U << 8,
    kAllCommands =
        kList | kPlan | kRecord | kCapture | kDemo | kConferences | kSummary | kMerge | kRecut,
};

struct OptionSpec {
    const char* name;      ///< long name without dashes
    const char* argument;  ///< the argument's placeholder, or nullptr for a flag
    const char* help;
    bool repeatable;
    unsigned commands;  ///< bitwise-or of Command
    const char* group;  ///< heading in --help
};

/// Every option confcap knows, in --help order.
const std::vector<OptionSpec>& optionSpecs();

/// The Command named `name` ("list", ...), or nullopt.
std::optional<Command> commandNamed(std::string_view name);

/// The name a user types for `command`: "list", "plan", ...
const char* subcommandName(Command command);

/// One-line description of a subcommand for --help.
const char* commandSummary(Command command);

/// The values of options, by long name. Flags hold "true".
class Arguments {
public:
    void add(const std::string& name, const std::string& value) { values_[name].push_back(value); }
    bool has(const std::string& name) const { return values_.count(name) != 0; }
    bool flag(const std::string& name) const { return has(name); }
    /// The last value given, or nullopt.
    std::optional<std::string> value(const std::string& name) const;
    /// Every value given, in order.
    std::vector<std::string> values(const std::string& name) const;
    /// Positional arguments after the subcommand.
    std::vector<std::string>& positional() { return positional_; }
    const std::vector<std::string>& positional() const { return positional_; }

    /// Adds the options of an INI file that the command line did not give. A key is an option's
    /// long name; a repeatable option may be given several times as `name`, `name.2`, `name.3`...
    /// Keys of options that `command` does not take are ignored, so one file serves plan and
    /// record. Throws core::ConfigError naming the file for an unreadable file or an unknown key.
    void mergeConfigFile(const std::string& path, Command command);

    /// A copy with the --config file read again: the values that came from the file are replaced
    /// by what it says now (SIGHUP). Throws core::ConfigError like mergeConfigFile.
    Arguments withConfigReloaded(Command command) const;

private:
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> fromConfig_;  ///< keys whose values came from the config file
    std::vector<std::string> positional_;
};

}  // namespace confcap::app
