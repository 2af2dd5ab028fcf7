#include "confcap/run/Scheduler.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "confcap/core/Error.h"
#include "confcap/core/Format.h"
#include "confcap/core/Media.h"
#include "confcap/core/Text.h"
#include "confcap/core/Time.h"
#include "confcap/run/JobProgress.h"

namespace confcap::run {

Scheduler::Scheduler(const core::Clock& clock, core::Timer& timer, Recorder& recorder,
                     Reporter& reporter, JobTable::Marker marker, Options options)
    : clock_(clock),
      timer_(timer),
      recorder_(recorder),
      reporter_(reporter),
      options_(std::move(options)),
      table_(std::move(marker),
             [this](const JobEntry& entry, JobState from, JobState to) {
                 // Called by the table with mutex_ held: what it tells goes out after.
                 const auto level = to == JobState::Failed ? Level::Error
                                    : to == JobState::Retrying || to == JobState::Discarded
                                        ? Level::Warning
                                        : Level::Info;
                 later([this, mark = entry.mark, level,
                        text = std::string(toString(from)) + " -> " + toString(to) +
                               (entry.reason.empty() ? "" : ": " + entry.reason),
                        s = snapshot(entry)]() mutable {
                     reporter_.publish(level, mark, text, Topic::Job);
                     reporter_.update(std::move(s));
                 });
                 // An interrupted job is not over: the next run continues it.
                 if (isFinal(to) && to != JobState::Interrupted) {
                     journalLater(entry.job.talk.key(), entry.mark,
                                  Journal::Entry{to, entry.file, entry.reason});
                 }
             }),
      markOf_(table_.marker()) {}

Scheduler::~Scheduler() {
    stop("confcap stopped");
}

void Scheduler::later(std::function<void()> work) {
    pending_.push_back(std::move(work));
}

void Scheduler::journalLater(const std::string& key, const Mark& mark, Journal::Entry entry) {
    if (options_.journal == nullptr) {
        return;
    }
    later([this, key, mark, entry = std::move(entry)]() mutable {
        try {
            options_.journal->record(key, std::move(entry));
        } catch (const core::OutputError& e) {
            reporter_.publish(Level::Warning, mark, e.what());
        }
    });
}

void Scheduler::flush() {
    std::lock_guard order(flushMutex_);
    std::vector<std::function<void()>> work;
    {
        std::lock_guard lock(mutex_);
        work.swap(pending_);
    }
    for (auto& w : work) {
        w();
    }
}

JobSnapshot Scheduler::snapshot(const JobEntry& entry) const {
    JobSnapshot s;
    s.key = entry.job.talk.key();
    s.mark = entry.mark;
    s.title = entry.job.talk.title;
    s.room = entry.job.talk.room;
    s.talkStart = entry.job.talk.start;
    s.talkEnd = entry.job.talk.end();
    s.from = entry.job.from;
    s.until = entry.job.until;
    s.state = entry.state;
    s.reason = entry.reason;
    s.file = entry.file;
    // A state change keeps the counters last read, so they do not drop to zero in between.
    if (const auto it = counters_.find(s.key); it != counters_.end()) {
        addCounters(s, it->second);
    }
    return s;
}

void Scheduler::applyPlan(const plan::Plan& plan) {
    std::vector<Action> actions;
    // The journal is read before the lock is taken: it may read a file.
    std::map<std::string, Journal::Entry> earlier;
    if (options_.journal != nullptr) {
        for (const auto& job : plan.jobs) {
            if (const auto entry = options_.journal->find(job.talk.key())) {
                earlier.emplace(job.talk.key(), *entry);
            }
        }
    }
    {
        std::lock_guard lock(mutex_);
        // A talk an earlier run finished whose window has passed keeps that outcome; one whose
        // window is still open is recorded again (its earlier file stays).
        const auto now = clock_.now();
        for (const auto& job : plan.jobs) {
            const auto it = earlier.find(job.talk.key());
            if (it != earlier.end() && now >= TimePoint(job.until.time_since_epoch()) &&
                table_.find(job.talk.key()) == nullptr) {
                table_.restore(job, it->second.state, "in an earlier run: " + it->second.reason,
                               it->second.file);
            }
        }
        actions = table_.applyPlan(plan);
        for (const auto& entry : table_.entries()) {
            later([this, s = snapshot(entry)]() mutable { reporter_.update(std::move(s)); });
        }
    }
    flush();
    carryOut(std::move(actions));
    tick();
}

void Scheduler::start() {
    {
        std::lock_guard lock(mutex_);
        started_ = true;
    }
    tick();
    timer_.every(options_.tick, [this] { tick(); });
}

bool Scheduler::startsHeld(TimePoint now) {
    if (options_.diskGuard == nullptr) {
        return false;
    }
    DiskQuestion question;
    {
        std::lock_guard lock(mutex_);
        question = diskQuestionOf(table_.entries(), rates_);
    }
    return options_.diskGuard->check(now, question.rest, question.measured, question.someoneWaits);
}

void Scheduler::tick() {
    std::vector<Action> actions;
    TimePoint now;
    {
        std::lock_guard lock(mutex_);
        if (stopped_) {
            return;
        }
        now = clock_.now();
    }
    const bool held = startsHeld(now);
    {
        std::lock_guard lock(mutex_);
        if (stopped_) {
            return;
        }
        actions = table_.tick(now, held);
    }
    flush();
    carryOut(std::move(actions));
    {
        std::lock_guard lock(mutex_);
        arm(now);
    }
    reportProgress();
}

void Scheduler::arm(TimePoint now) {
    const auto next = table_.nextBoundary(now);
    if (next == armedFor_ || stopped_ || !started_) {
        return;
    }
    armedFor_ = next;
    if (next) {
        timer_.once(std::chrono::ceil<std::chrono::milliseconds>(*next - now), [this] { tick(); });
    }
}

void Scheduler::carryOut(std::vector<Action> actions) {
    for (auto& action : actions) {
        const auto key = action.job.talk.key();
        switch (action.kind) {
            case Action::Kind::Hold: {
                std::optional<JobSnapshot> snapshot;
                {
                    std::lock_guard lock(mutex_);
                    if (const auto* entry = table_.find(key)) {
                        snapshot = this->snapshot(*entry);
                    }
                }
                reporter_.publish(Level::Warning, markOf_(action.job),
                                  "waiting for disk space: its window has begun, but free space "
                                  "is below --min-free; it starts as soon as there is room");
                if (snapshot) {
                    reporter_.update(std::move(*snapshot));
                }
                break;
            }
            case Action::Kind::Start:
                reopen(action.job);
                try {
                    std::optional<core::Gap> waited;
                    if (action.heldSince) {
                        const auto reserve = options_.diskGuard != nullptr
                                                 ? options_.diskGuard->reserve()
                                                 : std::uint64_t{0};
                        waited = core::Gap{*action.heldSince,
                                           std::chrono::duration_cast<std::chrono::milliseconds>(
                                               clock_.now() - *action.heldSince),
                                           core::gapcause::kDiskFull,
                                           "Free space was below --min-free (" +
                                               core::formatBytes(reserve) +
                                               "): the talk waited for disk space.",
                                           std::nullopt,
                                           std::nullopt};
                    }
                    recorder_.start(action.job, waited);
                    if (const auto part = recorder_.partFile(key)) {
                        reporter_.publish(Level::Debug, markOf_(action.job), "writing " + *part);
                    }
                } catch (const std::exception& e) {
                    {
                        std::lock_guard lock(mutex_);
                        table_.failedToStart(key, e.what());
                    }
                    flush();
                }
                break;
            case Action::Kind::Retarget: {
                recorder_.retarget(action.job);
                reporter_.publish(
                    Level::Info, markOf_(action.job),
                    "talk moved: recording until " + core::formatUtc(action.job.until));
                break;
            }
            case Action::Kind::Stop:
            case Action::Kind::Interrupt:
                finishAsync(action);
                break;
        }
    }
}

void Scheduler::reopen(const plan::Job& job) {
    if (options_.journal == nullptr) {
        return;
    }
    const auto earlier = options_.journal->find(job.talk.key());
    if (!earlier || earlier->state != JobState::Interrupted || earlier->continuation.empty()) {
        return;
    }
    const auto reopened = sink::reopenPublished(recorder_.outDir(), job.fileStem,
                                                earlier->continuation, earlier->published);
    if (!reopened.message.empty()) {
        reporter_.publish(
            reopened.state == sink::Reopening::State::Changed ? Level::Warning : Level::Info,
            markOf_(job), reopened.message);
    }
}

void Scheduler::reportProgress() {
    std::vector<JobSnapshot> running;
    std::set<std::string> endOnWriteFailure;
    TimePoint now;
    {
        std::lock_guard lock(mutex_);
        now = clock_.now();
        for (const auto& entry : table_.entries()) {
            if (entry.state == JobState::Recording || entry.state == JobState::Retrying) {
                running.push_back(snapshot(entry));
                if (entry.job.ending.onWriteFailure) {
                    endOnWriteFailure.insert(entry.job.talk.key());
                }
            }
        }
    }
    std::vector<Action> ends;
    for (auto& s : running) {
        const auto progress = recorder_.progress(s.key);
        if (progress && progress->state == sink::SinkState::WriteFailed &&
            endOnWriteFailure.count(s.key) > 0) {
            std::lock_guard lock(mutex_);
            if (auto end = table_.end(s.key, "writing failed")) {
                ends.push_back(std::move(*end));
            }
        }
        if (const auto part = recorder_.partFile(s.key)) {
            s.file = *part;
        }
        if (progress) {
            addProgress(s, *progress, options_.clockText);
            std::lock_guard lock(mutex_);
            if (const auto told = diskFullTold(counters_[s.key], *progress)) {
                later([this, mark = s.mark, told = *told] {
                    reporter_.publish(told.first, mark, told.second, Topic::Stream);
                });
            }
            counters_[s.key] = *progress;
            if (const auto rate = rates_.note(s.key, s.bytes, now)) {
                s.bitsPerSecond = *rate;
            }
        }
        reporter_.update(std::move(s));
    }
    reporter_.tapes(recorder_.tapes());
    flush();
    carryOut(std::move(ends));
}

void Scheduler::captureEvent(const capture::CaptureEvent& event,
                             const std::vector<std::string>& keys) {
    using Kind = capture::CaptureEvent::Kind;
    std::vector<Action> ends;
    {
        std::lock_guard lock(mutex_);
        Mark mark{event.room, {}};
        for (const auto& key : keys) {
            if (const auto* entry = table_.find(key)) {
                mark = entry->mark;  // the most recently started talk of the room
            }
        }
        // A failure that goes on is told once a minute; the status shows it all along.
        later(
            [this, level = event.repeat ? Level::Debug : eventLevel(event.kind), mark,
             message = event.message] { reporter_.publish(level, mark, message, Topic::Stream); });
        for (const auto& key : keys) {
            if (event.kind == Kind::Failed) {
                table_.streamState(key, false,
                                   "waiting for the stream: " + event.cause + " since " +
                                       clockTextOr(options_.clockText, event.since));
            } else if (event.kind == Kind::Connected || event.kind == Kind::Resumed) {
                table_.streamState(key, true, event.message);
            } else if (event.kind == Kind::GaveUp) {
                // Nothing more will come for it: it is finished now, not at its window's end.
                if (auto end = table_.end(key, "the stream failed: " + core::clause(event.cause))) {
                    ends.push_back(std::move(*end));
                }
            } else if (event.kind == Kind::Ended) {
                const auto* entry = table_.find(key);
                if (entry != nullptr && entry->job.ending.atStreamEnd) {
                    if (auto end = table_.end(key, "the stream ended")) {
                        ends.push_back(std::move(*end));
                    }
                }
            }
        }
    }
    flush();
    carryOut(std::move(ends));
}

void Scheduler::stop(const std::string& reason) {
    std::vector<Action> actions;
    {
        std::lock_guard lock(mutex_);
        if (!stopped_) {
            stopped_ = true;
            actions = table_.stopAll(reason, options_.keepOpenOnStop);
        }
    }
    timer_.cancel();
    flush();
    for (auto& action : actions) {
        finishAsync(action);
    }
    std::list<std::future<void>> finishing;
    {
        std::lock_guard lock(mutex_);
        finishing.swap(finishing_);
    }
    for (auto& task : finishing) {
        task.wait();
    }
    flush();
}

bool Scheduler::done() const {
    std::lock_guard lock(mutex_);
    return table_.done();
}

std::optional<sink::FinalizeResult> Scheduler::result(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = results_.find(key);
    return it == results_.end() ? std::nullopt : std::optional(it->second);
}

std::vector<JobEntry> Scheduler::entries() const {
    std::lock_guard lock(mutex_);
    return table_.entries();
}

}  // namespace confcap::run
