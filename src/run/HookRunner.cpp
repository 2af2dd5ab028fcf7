#include "confcap/run/HookRunner.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "confcap/core/Error.h"
#include "confcap/core/Format.h"
#include "confcap/core/Time.h"
#include "confcap/sink/Sidecar.h"
#include "confcap/source/RecorderProcess.h"

namespace confcap::run {

namespace {

using std::chrono::steady_clock;

/// A hook's output line in the log is cut at this length.
constexpr std::size_t kLineLimit = 1000;

/// Logs the whole lines of a hook's output in `partial` and takes them out of it; with `all` (the
/// output ended) the rest too, and a line longer than kLineLimit in any case.
void logOutput(Reporter& reporter, const Mark& mark, std::string& partial, bool all) {
    std::size_t at = 0;
    for (std::size_t end = partial.find('\n'); end != std::string::npos;
         end = partial.find('\n', at)) {
        auto line = partial.substr(at, std::min(end - at, kLineLimit));
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        reporter.publish(Level::Info, mark, "hook: " + line);
        at = end + 1;
    }
    partial.erase(0, at);
    if (all ? !partial.empty() : partial.size() > kLineLimit) {
        reporter.publish(Level::Info, mark,
                         "hook: " + partial.substr(0, std::min(partial.size(), kLineLimit)));
        partial.clear();
    }
}

/// The argument vector as a shell would read it back, for the log.
std::string commandText(const std::vector<std::string>& arguments) {
    std::string text;
    for (const auto& argument : arguments) {
        const bool plain =
            !argument.empty() &&
            argument.find_first_of(" \t\n'\"\\$`;&|<>()*?[]{}#~") == std::string::npos;
        std::string quoted = argument;
        if (!plain) {
            quoted = "'";
            for (const char c : argument) {
                quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
            }
            quoted += "'";
        }
        text += (text.empty() ? "" : " ") + quoted;
    }
    return text;
}

std::string nowUtc() {
    return core::formatUtc(
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

}  // namespace

HookRunner::HookRunner(Options options, Reporter& reporter)
    : options_(std::move(options)), reporter_(reporter) {
    const int jobs = std::max(1, options_.jobs);
    for (int i = 0; i < jobs; ++i) {
        workers_.emplace_back([this] { work(); });
    }
}

HookRunner::~HookRunner() {
    stop();
}

void HookRunner::submit(const std::string& key, const Mark& mark,
                        const sink::FinalizeResult& result) {
    submit(key, mark, hookValuesOf(result));
}

void HookRunner::submit(const std::string& key, const Mark& mark, const HookValues& values) {
    HookRecord hook;
    hook.key = key;
    hook.mark = mark;
    hook.values = values;
    hook.command = fillHook(options_.command, values);
    {
        std::lock_guard lock(mutex_);
        records_[key] = hook;
    }
    persist(hook);
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            return;  // it stays pending for the next run
        }
        queue_.push_back(std::move(hook));
    }
    changed_.notify_all();
}

std::size_t HookRunner::resumePending() {
    if (options_.journal == nullptr) {
        return 0;
    }
    std::size_t count = 0;
    for (const auto& hook : options_.journal->hooks()) {
        if (hook.state != HookState::Pending && hook.state != HookState::Interrupted) {
            continue;
        }
        reporter_.publish(Level::Info, hook.mark,
                          hook.state == HookState::Pending
                              ? "an earlier run did not run this talk's hook: running it now"
                              : "an earlier run stopped this talk's hook: running it again");
        submit(hook.key, hook.mark, hook.values);
        ++count;
    }
    return count;
}

bool HookRunner::busyWith(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = records_.find(key);
    return it != records_.end() && it->second.state == HookState::Pending;
}

bool HookRunner::waitIdle(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, wait, [this] { return queue_.empty() && running_ == 0; });
}

void HookRunner::stop() {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            stopping_ = true;
            stopDeadline_ = steady_clock::now() + options_.stopGrace;
        }
    }
    changed_.notify_all();
    for (auto& worker : workers_) {
        if (worker.joinable()) {
            worker.join();
        }
    }
}

HookCounts HookRunner::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

std::vector<HookRecord> HookRunner::records() const {
    std::lock_guard lock(mutex_);
    std::vector<HookRecord> records;
    for (const auto& [key, hook] : records_) {
        records.push_back(hook);
    }
    return records;
}

void HookRunner::work() {
    for (;;) {
        HookRecord hook;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) {
                return;  // what waits stays pending
            }
            hook = std::move(queue_.front());
            queue_.pop_front();
            ++running_;
        }
        try {
            runOne(hook);
        } catch (const std::exception& e) {
            moveHook(hook, HookState::Failed, e.what());
        }
        persist(hook);
        const auto took = core::formatSpan(std::chrono::seconds(std::lround(hook.seconds)));
        switch (hook.state) {
            case HookState::Ok:
                reporter_.publish(Level::Info, hook.mark, "hook ok after " + took);
                break;
            case HookState::TimedOut:
                reporter_.publish(
                    Level::Warning, hook.mark,
                    "hook timed out after " + took + " and was stopped (" + hook.exit + ")");
                break;
            case HookState::Interrupted:
                reporter_.publish(Level::Warning, hook.mark,
                                  "hook interrupted after " + took +
                                      " as confcap stops; the next run with the same --out runs "
                                      "it again");
                break;
            default:
                reporter_.publish(Level::Warning, hook.mark,
                                  "hook failed after " + took + ": " + hook.exit);
                break;
        }
        {
            std::lock_guard lock(mutex_);
            --running_;
            records_[hook.key] = hook;
            switch (hook.state) {
                case HookState::Ok:
                    ++counts_.ok;
                    break;
                case HookState::TimedOut:
                    ++counts_.timedOut;
                    break;
                case HookState::Interrupted:
                    ++counts_.interrupted;
                    break;
                case HookState::Failed:
                    ++counts_.failed;
                    break;
                case HookState::Pending:
                    break;
            }
        }
        changed_.notify_all();
    }
}

void HookRunner::runOne(HookRecord& hook) {
    reporter_.publish(Level::Info, hook.mark, "hook started: " + commandText(hook.command));
    const auto began = steady_clock::now();
    const auto deadline = began + options_.timeout;
    std::string partial;
    const auto emit = [&](bool all) { logOutput(reporter_, hook.mark, partial, all); };
    bool timedOut = false;
    bool interrupted = false;
    HookState end = HookState::Failed;
    std::string exit;
    try {
        source::RecorderProcess process(hook.command, options_.command.name, {});
        bool ended = false;  // the pipe reached its end: nothing more to read
        const auto drain = [&](int waitMs) {
            if (ended) {
                std::this_thread::sleep_for(std::chrono::milliseconds(waitMs));
                return;
            }
            pollfd ready{process.outputFd(), POLLIN, 0};
            ::poll(&ready, 1, waitMs);
            char buffer[4096];
            for (;;) {
                const auto n = ::read(process.outputFd(), buffer, sizeof buffer);
                if (n > 0) {
                    partial.append(buffer, static_cast<std::size_t>(n));
                    continue;
                }
                ended = n == 0;
                break;
            }
            emit(false);
        };
        while (!process.exited()) {
            drain(100);
            const auto now = steady_clock::now();
            if (now >= deadline) {
                timedOut = true;
                break;
            }
            std::lock_guard lock(mutex_);
            if (stopping_ && now >= stopDeadline_) {
                interrupted = true;
                break;
            }
        }
        if (timedOut || interrupted) {
            process.terminate(options_.killGrace, [&] { drain(20); });
        }
        const int status = process.reap();
        drain(0);
        exit = source::exitText(status);
        end = interrupted                                     ? HookState::Interrupted
              : timedOut                                      ? HookState::TimedOut
              : WIFEXITED(status) && WEXITSTATUS(status) == 0 ? HookState::Ok
                                                              : HookState::Failed;
    } catch (const std::exception& e) {
        // The program could not start (no such program, out of file descriptors or memory):
        // this hook failed, the run and the other hooks go on.
        end = HookState::Failed;
        exit = e.what();
    }
    emit(true);
    hook.seconds = std::chrono::duration<double>(steady_clock::now() - began).count();
    hook.finished = nowUtc();
    moveHook(hook, end, std::move(exit));
}

void HookRunner::persist(const HookRecord& hook) {
    if (options_.journal != nullptr) {
        try {
            options_.journal->recordHook(hook);
        } catch (const std::exception& e) {
            reporter_.publish(Level::Warning, hook.mark, e.what());
        }
    }
    if (!hook.values.sidecar.empty()) {
        try {
            writeHookToSidecar(hook.values.sidecar, hook);
        } catch (const std::exception& e) {
            reporter_.publish(Level::Warning, hook.mark, e.what());
        }
    }
}

void writeHookToSidecar(const std::filesystem::path& sidecar, const HookRecord& hook) {
    Poco::JSON::Object::Ptr onRecorded = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    Poco::JSON::Array::Ptr command = new Poco::JSON::Array;
    for (const auto& argument : hook.command) {
        command->add(argument);
    }
    onRecorded->set("command", command);
    onRecorded->set("state", std::string(toString(hook.state)));
    if (hook.state != HookState::Pending) {
        onRecorded->set("exit", hook.exit);
        onRecorded->set("seconds", std::round(hook.seconds * 1000.0) / 1000.0);
        onRecorded->set("finished", hook.finished);
    }
    try {
        sink::amendSidecar(sidecar, {{"onRecorded", onRecorded}});
    } catch (const core::OutputError& e) {
        throw core::OutputError(std::string(e.what()) + " The hook's state is not noted in it.");
    }
}

}  // namespace confcap::run
