#include "confcap/run/Scheduler.h"

#include <Poco/Clock.h>
#include <Poco/Util/TimerTaskAdapter.h>

#include "confcap/core/Error.h"

namespace confcap::run {

namespace {

Level levelOf(record::CaptureEvent::Kind kind) {
    using Kind = record::CaptureEvent::Kind;
    switch (kind) {
        case Kind::Failed:
        case Kind::Lost:
            return Level::Warning;
        case Kind::GaveUp:
            return Level::Error;
        case Kind::Reconnecting:
        case Kind::Stopped:
            return Level::Debug;
        default:
            return Level::Info;
    }
}

}  // namespace

Scheduler::Scheduler(const core::Clock& clock, CaptureRecorder& recorder, Reporter& board,
                     JobTable::Marker marker, Options options)
    : clock_(clock),
      recorder_(recorder),
      board_(board),
      options_(std::move(options)),
      table_(std::move(marker), [this](const JobEntry& entry, JobState from, JobState to) {
          const auto level = to == JobState::Failed ? Level::Error
                             : to == JobState::Retrying || to == JobState::Discarded
                                 ? Level::Warning
                                 : Level::Info;
          board_.publish(level, entry.mark,
                         std::string(toString(from)) + " -> " + toString(to) +
                             (entry.reason.empty() ? "" : ": " + entry.reason));
          board_.update(snapshot(entry));
          // An interrupted job is not over: the next run continues it.
          if (options_.journal != nullptr && isFinal(to) && to != JobState::Interrupted) {
              try {
                  options_.journal->record(entry.job.talk.key(), {to, entry.file, entry.reason});
              } catch (const core::OutputError& e) {
                  board_.publish(Level::Warning, entry.mark, e.what());
              }
          }
          changed_.notify_all();
      }) {}

Scheduler::~Scheduler() {
    stop("confcap stopped");
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
    return s;
}

void Scheduler::applyPlan(const plan::Plan& plan) {
    std::vector<Action> actions;
    {
        std::lock_guard lock(mutex_);
        // A talk an earlier run finished whose window has passed keeps that outcome; one whose
        // window is still open is recorded again (its earlier file stays).
        const auto now = clock_.now();
        for (const auto& job : plan.jobs) {
            const auto earlier =
                options_.journal != nullptr ? options_.journal->find(job.talk.key()) : std::nullopt;
            if (earlier && now >= TimePoint(job.until.time_since_epoch()) &&
                table_.find(job.talk.key()) == nullptr) {
                table_.restore(job, earlier->state, "in an earlier run: " + earlier->reason,
                               earlier->file);
            }
        }
        actions = table_.applyPlan(plan);
        for (const auto& entry : table_.entries()) {
            board_.update(snapshot(entry));
        }
    }
    carryOut(std::move(actions));
    if (!stopped_) {
        tick();
    }
}

void Scheduler::start() {
    tickTask_ = new Poco::Util::TimerTaskAdapter<Scheduler>(*this, &Scheduler::onTimer);
    timer_.scheduleAtFixedRate(tickTask_, 0, options_.tick.count());
}

void Scheduler::onTimer(Poco::Util::TimerTask&) {
    tick();
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
        actions = table_.tick(now);
    }
    carryOut(std::move(actions));
    std::lock_guard lock(mutex_);
    arm(now);
    publishProgress();
}

void Scheduler::arm(TimePoint now) {
    const auto next = table_.nextBoundary(now);
    if (next == armedFor_ || stopped_ || tickTask_.isNull()) {
        return;
    }
    if (!boundaryTask_.isNull()) {
        boundaryTask_->cancel();
    }
    armedFor_ = next;
    if (!next) {
        return;
    }
    const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(*next - now);
    boundaryTask_ = new Poco::Util::TimerTaskAdapter<Scheduler>(*this, &Scheduler::onTimer);
    Poco::Clock at;
    at += delay.count();
    timer_.schedule(boundaryTask_, at);
}

void Scheduler::carryOut(std::vector<Action> actions) {
    for (auto& action : actions) {
        const auto key = action.job.talk.key();
        switch (action.kind) {
            case Action::Kind::Start:
                try {
                    recorder_.start(action.job);
                    std::lock_guard lock(mutex_);
                    if (const auto part = recorder_.partFile(key)) {
                        board_.publish(Level::Debug, table_.find(key)->mark, "writing " + *part);
                    }
                } catch (const std::exception& e) {
                    std::lock_guard lock(mutex_);
                    table_.failedToStart(key, e.what());
                }
                break;
            case Action::Kind::Retarget: {
                recorder_.retarget(action.job);
                std::lock_guard lock(mutex_);
                board_.publish(Level::Info, table_.find(key)->mark,
                               "talk moved: recording until " + core::formatUtc(action.job.until));
                break;
            }
            case Action::Kind::Stop:
            case Action::Kind::Suspend:
                finishAsync(action);
                break;
        }
    }
}

void Scheduler::finishAsync(const Action& action) {
    const auto key = action.job.talk.key();
    const auto reason = action.reason;
    if (action.kind == Action::Kind::Suspend) {
        auto task = std::async(std::launch::async, [this, key] {
            const auto counters = recorder_.suspend(key);
            std::lock_guard lock(mutex_);
            if (const auto* entry = table_.find(key); entry != nullptr && counters) {
                auto s = snapshot(*entry);
                s.bytes = counters->bytes;
                s.coveredSeconds = counters->coveredSeconds;
                s.gaps = static_cast<int>(counters->gaps.size());
                for (const auto& gap : counters->gaps) {
                    s.gapSeconds += std::chrono::duration<double>(gap.length).count();
                }
                s.reconnects = counters->reconnects;
                s.file = recorder_.partFile(key).value_or(s.file);
                board_.update(std::move(s));
            }
            lastBytes_.erase(key);
        });
        std::lock_guard lock(mutex_);
        finishing_.push_back(std::move(task));
        return;
    }
    auto task =
        std::async(std::launch::async, [this, key, reason, windowEnded = action.windowEnded] {
            std::optional<record::FinalizeResult> result;
            std::string error;
            try {
                result = recorder_.finish(key, reason, windowEnded);
            } catch (const std::exception& e) {
                error = e.what();
            }
            std::lock_guard lock(mutex_);
            if (!result) {
                table_.finished(key, JobState::Failed,
                                error.empty() ? "it was never recorded" : error, {});
                return;
            }
            std::string file;
            if (!result->files.empty()) {
                file = result->files.front().lexically_relative(recorder_.outDir()).string();
            }
            table_.finished(key, stateOf(result->outcome), result->reason, file);
            // The final counters, for the summary and the status page.
            if (const auto* entry = table_.find(key)) {
                auto s = snapshot(*entry);
                const auto& counters = result->status;
                s.bytes = counters.bytes;
                s.coveredSeconds = counters.coveredSeconds;
                s.gaps = static_cast<int>(counters.gaps.size());
                for (const auto& gap : counters.gaps) {
                    s.gapSeconds += std::chrono::duration<double>(gap.length).count();
                }
                s.reconnects = counters.reconnects;
                s.writeError = result->writeError;
                board_.update(std::move(s));
            }
            lastBytes_.erase(key);
        });
    std::lock_guard lock(mutex_);
    finishing_.remove_if([](const std::future<void>& f) {
        return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
    finishing_.push_back(std::move(task));
}

void Scheduler::publishProgress() {
    const auto now = clock_.now();
    for (const auto& entry : table_.entries()) {
        if (entry.state != JobState::Recording && entry.state != JobState::Retrying) {
            continue;
        }
        auto s = snapshot(entry);
        if (const auto progress = recorder_.progress(s.key)) {
            s.bytes = progress->bytes;
            s.coveredSeconds = progress->coveredSeconds;
            s.gaps = static_cast<int>(progress->gaps.size());
            for (const auto& gap : progress->gaps) {
                s.gapSeconds += std::chrono::duration<double>(gap.length).count();
            }
            s.reconnects = progress->reconnects;
            auto& [bytes, at] = lastBytes_[s.key];
            const double seconds = std::chrono::duration<double>(now - at).count();
            if (at != TimePoint{} && seconds > 0) {
                s.bitsPerSecond = static_cast<double>(s.bytes - bytes) * 8 / seconds;
            }
            bytes = s.bytes;
            at = now;
        }
        if (const auto part = recorder_.partFile(s.key)) {
            s.file = *part;
        }
        board_.update(std::move(s));
    }
}

void Scheduler::captureEvent(const record::CaptureEvent& event,
                             const std::vector<std::string>& keys) {
    using Kind = record::CaptureEvent::Kind;
    std::lock_guard lock(mutex_);
    Mark mark{event.room, {}};
    for (const auto& key : keys) {
        if (const auto* entry = table_.find(key)) {
            mark = entry->mark;  // the most recently started talk of the room
        }
    }
    // A failure that goes on is told once a minute; the status shows it all along.
    board_.publish(event.repeat ? Level::Debug : levelOf(event.kind), mark, event.message);
    for (const auto& key : keys) {
        if (event.kind == Kind::Failed) {
            const auto since =
                options_.clockText
                    ? options_.clockText(event.since)
                    : core::formatUtc(std::chrono::floor<std::chrono::seconds>(event.since));
            table_.streamState(key, false,
                               "waiting for the stream: " + event.cause + " since " + since);
        } else if (event.kind == Kind::Connected || event.kind == Kind::Resumed) {
            table_.streamState(key, true, event.message);
        }
    }
}

void Scheduler::stop(const std::string& reason) {
    std::vector<Action> actions;
    {
        std::lock_guard lock(mutex_);
        if (!stopped_) {
            stopped_ = true;
            actions = table_.stopAll(reason);
        }
    }
    timer_.cancel(true);
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
    changed_.notify_all();
}

bool Scheduler::waitUntilDone() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopped_ || table_.done(); });
    return table_.done();
}

bool Scheduler::waitUntilDone(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return stopped_ || table_.done(); });
    return table_.done();
}

bool Scheduler::done() const {
    std::lock_guard lock(mutex_);
    return table_.done();
}

std::vector<JobEntry> Scheduler::entries() const {
    std::lock_guard lock(mutex_);
    return table_.entries();
}

}  // namespace confcap::run
