#include "support/RunProcess.h"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <future>
#include <sstream>

namespace confcap::testing {

ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env) {
    Poco::Pipe outPipe;
    Poco::Pipe errPipe;
    Poco::Process::Env environment(env.begin(), env.end());
    auto handle =
        Poco::Process::launch(program, args, ".", nullptr, &outPipe, &errPipe, environment);
    Poco::PipeInputStream outStream(outPipe);
    Poco::PipeInputStream errStream(errPipe);
    // Read stderr on another thread so neither pipe can fill up and block the child.
    auto err = std::async(std::launch::async, [&] {
        std::string text;
        Poco::StreamCopier::copyToString(errStream, text);
        return text;
    });
    ProcessResult result;
    Poco::StreamCopier::copyToString(outStream, result.out);
    result.err = err.get();
    result.exitCode = handle.wait();
    return result;
}

ProcessResult runConfcap(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env) {
    return runProcess(CONFCAP_BINARY, args, env);
}

}  // namespace confcap::testing
