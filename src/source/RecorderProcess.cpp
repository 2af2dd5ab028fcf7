#include "confcap/source/RecorderProcess.h"

#include <Poco/Exception.h>
#include <Poco/Process.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "confcap/core/Error.h"

namespace confcap::source {

RecorderProcess::RecorderProcess(const RecorderCommand& command, std::string_view url,
                                 const std::filesystem::path& output,
                                 const std::filesystem::path& home)
    : RecorderProcess(fillCommand(command, url, output.string()), command.name, home) {}

RecorderProcess::RecorderProcess(const std::vector<std::string>& arguments, std::string_view name,
                                 const std::filesystem::path& home) {
    Poco::Process::Args args(supervisorPrefix().begin() + 1, supervisorPrefix().end());
    args.insert(args.end(), arguments.begin(), arguments.end());
    Poco::Pipe input;
    Poco::Process::Env environment;
    if (!home.empty()) {
        // Whatever the program keeps for itself (mplayer's ~/.mplayer) stays in the output folder.
        std::error_code ec;
        std::filesystem::create_directories(home, ec);
        const auto folder = std::filesystem::absolute(home, ec).string();
        environment = {{"HOME", folder},
                       {"XDG_CONFIG_HOME", folder + "/.config"},
                       {"XDG_CACHE_HOME", folder + "/.cache"},
                       {"XDG_DATA_HOME", folder + "/.local/share"},
                       {"XDG_STATE_HOME", folder + "/.local/state"}};
    }
    try {
        const auto handle = Poco::Process::launch(supervisorPrefix().front(), args, std::string(),
                                                  &input, &output_, &output_, environment);
        pid_ = handle.id();
    } catch (const Poco::Exception& e) {
        throw core::SourceError("Cannot start " + std::string(name) + ": " + e.displayText(),
                                core::ErrorKind::Transient);
    }
    input.close(Poco::Pipe::CLOSE_WRITE);  // the program reads end-of-file, never the terminal
    const int fd = output_.readHandle();
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

RecorderProcess::~RecorderProcess() {
    if (!reaped_) {
        terminate(std::chrono::milliseconds(0), [] {});
    }
}

bool RecorderProcess::exited() const {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        return errno == ECHILD;
    }
    return info.si_pid == pid_;
}

void RecorderProcess::signalGroup(int signal) const noexcept {
    // Before setsid ran the program is not yet a group leader: signal it alone.
    if (::kill(-pid_, signal) != 0) {
        ::kill(pid_, signal);
    }
}

void RecorderProcess::terminate(std::chrono::milliseconds grace,
                                const std::function<void()>& drain) {
    if (reaped_) {
        return;
    }
    if (!exited()) {
        signalGroup(SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + grace;
        while (!exited() && std::chrono::steady_clock::now() < deadline) {
            drain();
        }
    }
    reap();
}

int RecorderProcess::reap() {
    if (reaped_) {
        return status_;
    }
    if (!exited()) {
        signalGroup(SIGKILL);
    }
    ::kill(-pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    status_ = status;
    return status_;
}

std::string exitText(int status) {
    if (WIFSIGNALED(status)) {
        const int signal = WTERMSIG(status);
        const char* name = ::sigabbrev_np(signal);
        return "was killed by signal " + std::to_string(signal) +
               (name != nullptr ? std::string(" (SIG") + name + ")" : std::string());
    }
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace confcap::source
