// A started external recorder program: the leader of a process group of its own, its stdout and
// stderr in one pipe confcap reads; stopped by signalling its whole group, and always reaped.
// Also: what became of a program that exited, as words for messages.
#pragma once

#include <Poco/Pipe.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/source/RecorderCommand.h"

namespace confcap::source {

/// One run of a recorder program. Never left unreaped: the destructor stops one still running
/// (SIGKILL to its group) and reaps it. Used on one thread.
class RecorderProcess {
public:
    /// Starts `command` with {url} set to `url` and {output} to `output` through
    /// supervisorPrefix() (never through a shell), with stdin at end of file and stdout and
    /// stderr into outputFd(); HOME and the XDG folders in `home` (made when missing) unless it
    /// is empty. Throws core::SourceError (Transient) when the program cannot be started.
    RecorderProcess(const RecorderCommand& command, std::string_view url,
                    const std::filesystem::path& output, const std::filesystem::path& home);
    /// Starts `arguments` (arguments[0] the program, looked up on PATH unless it holds a '/') as
    /// they are, the same way; `name` is what an error calls the program.
    RecorderProcess(const std::vector<std::string>& arguments, std::string_view name,
                    const std::filesystem::path& home);
    ~RecorderProcess();
    RecorderProcess(const RecorderProcess&) = delete;
    RecorderProcess& operator=(const RecorderProcess&) = delete;

    /// The read end of the program's stdout and stderr, non-blocking (a helper the program left
    /// behind may hold it open).
    int outputFd() const noexcept { return output_.readHandle(); }

    /// True once the program has exited; it stays a zombie (holding its group id) until reap().
    bool exited() const;
    /// SIGTERM to the group, SIGKILL after `grace`; `drain` is called meanwhile to keep the pipes
    /// flowing, so that a program blocked in a write can see its signal. Then reaps. Does nothing
    /// once reaped.
    void terminate(std::chrono::milliseconds grace, const std::function<void()>& drain);
    /// Kills what is left of the group (a helper the program started), then returns the exit
    /// status as waitpid(2) gives it. Blocks until the program has exited.
    int reap();

private:
    void signalGroup(int signal) const noexcept;

    Poco::Pipe output_;
    int pid_ = -1;
    bool reaped_ = false;
    int status_ = 0;
};

/// What became of a program, from its waitpid(2) `status`, for messages: "exited with status 4",
/// "was killed by signal 9 (SIGKILL)". Pure.
std::string exitText(int status);

}  // namespace confcap::source
