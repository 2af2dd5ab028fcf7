// A program running in the background while a test watches it: its output is collected as it
// comes, it can be signalled (SIGINT, kill -9) and waited for with a time limit.
#pragma once

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace confcap::testing {

/// A child process with its stdout and stderr collected on threads of their own.
/// The destructor kills it (SIGKILL) when it still runs. Thread-safe accessors.
class ChildProcess {
public:
    /// Starts `program` with `args` (no shell) in `folder`; `env` entries are added to the
    /// environment. Throws Poco::Exception when it cannot start.
    ChildProcess(const std::string& program, const std::vector<std::string>& args,
                 const std::filesystem::path& folder,
                 const std::map<std::string, std::string>& env = {}) {
        Poco::Process::Env environment(env.begin(), env.end());
        handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
            program, args, folder.string(), nullptr, &outPipe_, &errPipe_, environment));
        pid_ = handle_->id();
        outReader_ = std::thread([this] { collect(outPipe_, out_); });
        errReader_ = std::thread([this] { collect(errPipe_, err_); });
        // Poco 1.11's ProcessHandle has no timed wait: one thread waits and reports the code.
        exit_ = std::async(std::launch::async, [this] { return handle_->wait(); }).share();
    }
    ~ChildProcess() {
        if (exit_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            ::kill(pid_, SIGKILL);
        }
        exit_.wait();
        joinReaders();
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    int pid() const noexcept { return pid_; }
    /// Sends `sig` when the process has not ended yet.
    void signal(int sig) const {
        if (exit_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            ::kill(pid_, sig);
        }
    }
    /// Waits up to `limit` for the process to end: its exit code (256 + the signal number when a
    /// signal ended it), or nullopt when it still runs. Once it ended, its output is complete.
    std::optional<int> wait(std::chrono::milliseconds limit) {
        if (exit_.wait_for(limit) != std::future_status::ready) {
            return std::nullopt;
        }
        joinReaders();
        return exit_.get();
    }
    bool running() const {
        return exit_.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
    }
    /// What it printed so far.
    std::string out() const {
        std::lock_guard lock(mutex_);
        return out_;
    }
    std::string err() const {
        std::lock_guard lock(mutex_);
        return err_;
    }

private:
    void joinReaders() {
        std::lock_guard lock(joinMutex_);
        if (outReader_.joinable()) {
            outReader_.join();
        }
        if (errReader_.joinable()) {
            errReader_.join();
        }
    }
    void collect(Poco::Pipe& pipe, std::string& into) {
        char buffer[4096];
        for (;;) {
            const int n = pipe.readBytes(buffer, sizeof buffer);
            if (n <= 0) {
                break;
            }
            std::lock_guard lock(mutex_);
            into.append(buffer, static_cast<std::size_t>(n));
        }
        pipe.close(Poco::Pipe::CLOSE_READ);
    }

    Poco::Pipe outPipe_;
    Poco::Pipe errPipe_;
    std::unique_ptr<Poco::ProcessHandle> handle_;
    int pid_ = -1;
    mutable std::mutex mutex_;
    std::string out_;
    std::string err_;
    std::mutex joinMutex_;
    std::thread outReader_;
    std::thread errReader_;
    std::shared_future<int> exit_;
};

}  // namespace confcap::testing
