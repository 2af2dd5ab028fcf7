// Runs a program to completion and captures what it printed; for tests that drive the binary.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace confcap::testing {

struct ProcessResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

/// Runs `program` with `args` (no shell), waits, and returns its exit code and output.
/// `env` entries are added to the environment. Throws Poco::Exception when it cannot start.
ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {});

/// Runs the confcap binary under test.
ProcessResult runConfcap(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {});

}  // namespace confcap::testing
