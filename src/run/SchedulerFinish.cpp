// How the Scheduler finishes its jobs: each stop or interruption on a task of its own, and each
// finalized talk reported, journaled and handed on (Options::onFinalized) by one path, whether
// this run recorded it or an earlier run left it.
#include "confcap/run/Scheduler.h"

#include <future>
#include <optional>
#include <string>
#include <utility>

#include "confcap/core/Error.h"
#include "confcap/run/JobProgress.h"

namespace confcap::run {

void Scheduler::finishAsync(const Action& action) {
    const auto key = action.job.talk.key();
    std::future<void> task;
    if (action.kind == Action::Kind::Interrupt) {
        task = std::async(std::launch::async, [this, key, reason = action.reason] {
            std::optional<sink::Interruption> interruption;
            try {
                interruption = recorder_.interrupt(key, reason);
            } catch (const std::exception& e) {
                later(
                    [this, e = std::string(e.what())] { reporter_.publish(Level::Error, {}, e); });
            }
            const auto part = recorder_.partFile(key);
            {
                std::lock_guard lock(mutex_);
                if (interruption) {
                    counters_[key] = interruption->result.status;
                }
                if (const auto* entry = table_.find(key); entry != nullptr && interruption) {
                    const auto mark = entry->mark;
                    auto s = snapshot(*entry);
                    s.file = interruption->result.files.empty()
                                 ? part.value_or(s.file)
                                 : interruption->result.files.front()
                                       .lexically_relative(recorder_.outDir())
                                       .generic_string();
                    s.reason = interruption->result.reason;
                    s.writeError = sink::writeFailureOf(interruption->result);
                    later([this, s]() mutable { reporter_.update(std::move(s)); });
                    for (const auto& note : interruption->result.notes) {
                        later([this, mark, note] { reporter_.publish(Level::Debug, mark, note); });
                    }
                    journalLater(
                        key, mark,
                        Journal::Entry{JobState::Interrupted, s.file, interruption->result.reason,
                                       interruption->continuation, interruption->published});
                }
                rates_.forget(key);
            }
            flush();
        });
    } else {
        task = std::async(std::launch::async,
                          [this, key, reason = action.reason, windowEnded = action.windowEnded] {
                              std::optional<sink::FinalizeResult> result;
                              std::string error;
                              try {
                                  result = recorder_.finish(key, reason, windowEnded);
                              } catch (const std::exception& e) {
                                  error = e.what();
                              }
                              finished(key, std::move(result), error);
                          });
    }
    std::lock_guard lock(mutex_);
    finishing_.remove_if([](const std::future<void>& f) {
        return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
    finishing_.push_back(std::move(task));
}

void Scheduler::finished(const std::string& key, std::optional<sink::FinalizeResult> result,
                         const std::string& error) {
    Mark mark;
    {
        std::lock_guard lock(mutex_);
        rates_.forget(key);
        if (!result) {
            table_.finished(key, JobState::Failed, error.empty() ? "it was never recorded" : error,
                            {});
        } else {
            std::string file;
            if (!result->files.empty()) {
                file = result->files.front().lexically_relative(recorder_.outDir()).string();
            }
            counters_[key] = result->status;
            table_.finished(key, stateOf(result->outcome), result->reason, file);
            results_[key] = *result;
            // The final counters, for the summary and the status page.
            if (const auto* entry = table_.find(key)) {
                mark = entry->mark;
                auto s = snapshot(*entry);
                addCounters(s, result->status);
                s.writeError = sink::writeFailureOf(*result);
                later([this, s]() mutable { reporter_.update(std::move(s)); });
            }
        }
    }
    flush();
    if (result && options_.onFinalized) {
        options_.onFinalized(key, mark, *result);
    }
}

void Scheduler::finishedEarlier(const plan::Job* job, const sink::FinalizeResult& result) {
    const auto key = job != nullptr ? job->talk.key() : result.relativeStem.generic_string();
    const auto mark = job != nullptr ? markOf_(*job) : Mark{};
    {
        std::lock_guard lock(mutex_);
        later([this, mark,
               level = result.outcome == core::Outcome::Failed ? Level::Warning : Level::Info,
               text = "finished the recording an earlier run left: " + result.reason] {
            reporter_.publish(level, mark, text);
        });
        if (job != nullptr) {
            journalLater(
                key, mark,
                Journal::Entry{
                    stateOf(result.outcome),
                    result.files.empty()
                        ? std::string()
                        : result.files.front().lexically_relative(recorder_.outDir()).string(),
                    result.reason});
        }
    }
    flush();
    if (options_.onFinalized) {
        options_.onFinalized(key, mark, result);
    }
}

}  // namespace confcap::run
