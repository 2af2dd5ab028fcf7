#include "confcap/run/JobTable.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <utility>

namespace confcap::run {

namespace {

bool isCapturing(JobState state) {
    return state == JobState::Recording || state == JobState::Retrying;
}

TimePoint toTimePoint(core::Instant t) {
    return TimePoint(t.time_since_epoch());
}

}  // namespace

bool transitionAllowed(JobState from, JobState to) noexcept {
    using core::Outcome;
    const auto doneAs = [to](std::initializer_list<Outcome> outcomes) {
        return to.outcome() &&
               std::find(outcomes.begin(), outcomes.end(), *to.outcome()) != outcomes.end();
    };
    switch (from.phase()) {
        case JobPhase::Waiting:
            return to == JobState::Recording || doneAs({Outcome::Failed, Outcome::Cancelled});
        case JobPhase::Recording:
            return to == JobState::Retrying || to == JobState::Finalizing ||
                   doneAs({Outcome::Failed, Outcome::Interrupted});
        case JobPhase::Retrying:
            return to == JobState::Recording || to == JobState::Finalizing ||
                   doneAs({Outcome::Failed, Outcome::Interrupted});
        case JobPhase::Finalizing:
            return doneAs(
                {Outcome::Recorded, Outcome::Discarded, Outcome::Failed, Outcome::Cancelled});
        case JobPhase::Done:
            // A refresh gave a skipped talk's room a stream; every other outcome is the last word.
            return from == JobState::Skipped && to == JobState::Waiting;
    }
    return false;
}

JobTable::JobTable(Marker marker, TransitionListener listener)
    : marker_(std::move(marker)), listener_(std::move(listener)) {}

void JobTable::transition(JobEntry& entry, JobState to, std::string reason) {
    const JobState from = entry.state;
    if (!transitionAllowed(from, to)) {
        throw std::logic_error(std::string("job state cannot move from ") + toString(from) +
                               " to " + toString(to));
    }
    entry.state = to;
    entry.reason = std::move(reason);
    if (listener_) {
        listener_(entry, from, to);
    }
}

JobEntry* JobTable::findMutable(const std::string& key) {
    const auto it = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const JobEntry& e) { return e.job.talk.key() == key; });
    return it == entries_.end() ? nullptr : &*it;
}

const JobEntry* JobTable::find(const std::string& key) const {
    return const_cast<JobTable*>(this)->findMutable(key);
}

std::vector<Action> JobTable::applyPlan(const plan::Plan& plan) {
    std::vector<Action> actions;
    std::map<std::string, const plan::Job*> planned;
    for (const auto& job : plan.jobs) {
        planned.emplace(job.talk.key(), &job);
    }
    // Jobs that left the plan: cancelled (a job that already ended keeps its outcome).
    for (auto& entry : entries_) {
        if (planned.count(entry.job.talk.key()) != 0) {
            continue;
        }
        if (entry.state == JobState::Waiting) {
            transition(entry, JobState::Cancelled, "removed from the schedule before it began");
        } else if (isCapturing(entry.state)) {
            entry.cancelled = true;
            actions.push_back({Action::Kind::Stop, entry.job, "talk removed from the schedule"});
            transition(entry, JobState::Finalizing, "removed from the schedule while recording");
        }
    }
    for (const auto& job : plan.jobs) {
        JobEntry* entry = findMutable(job.talk.key());
        if (entry == nullptr) {
            entries_.push_back(
                {job, marker_(job), JobState::Waiting, "waiting for its window", {}});
            continue;
        }
        if (entry->state == JobState::Skipped) {
            entry->job = job;
            entry->mark = marker_(job);
            transition(*entry, JobState::Waiting, "waiting for its window");
        } else if (entry->state == JobState::Waiting) {
            entry->job = job;  // moved, renamed or restreamed before it began: just follow
            entry->mark = marker_(job);
        } else if (isCapturing(entry->state) &&
                   (entry->job.from != job.from || entry->job.until != job.until)) {
            // Moved while recording: the window follows; the file and stream stay.
            entry->job.from = job.from;
            entry->job.until = job.until;
            entry->job.talk.start = job.talk.start;
            entry->job.talk.duration = job.talk.duration;
            actions.push_back({Action::Kind::Retarget, entry->job, "talk moved in the schedule"});
        }
    }
    for (const auto& skipped : plan.skipped) {
        if (findMutable(skipped.talk.key()) == nullptr) {
            plan::Job job;
            job.talk = skipped.talk;
            job.from = skipped.talk.start;
            job.until = skipped.talk.end();
            entries_.push_back({job, marker_(job), JobState::Skipped, skipped.reason, {}});
        }
    }
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const JobEntry& a, const JobEntry& b) { return a.job.from < b.job.from; });
    return actions;
}

void JobTable::restore(const plan::Job& job, JobState state, std::string reason, std::string file) {
    if (findMutable(job.talk.key()) == nullptr) {
        entries_.push_back({job, marker_(job), state, std::move(reason), std::move(file)});
    }
}

std::vector<Action> JobTable::tick(TimePoint now, bool holdStarts) {
    std::vector<Action> actions;
    for (auto& entry : entries_) {
        const auto from = toTimePoint(entry.job.from);
        const auto until = toTimePoint(entry.job.until);
        if (entry.state == JobState::Waiting && now >= until) {
            transition(entry, JobState::Failed,
                       entry.heldSince ? "its window passed while it waited for disk space"
                                       : "its window passed while confcap was not running");
        } else if (entry.state == JobState::Waiting && now < from && entry.heldSince) {
            // Moved later while it waited (or the clock went back): it waits for its window.
            entry.heldSince.reset();
            entry.reason = "waiting for its window";
        } else if (entry.state == JobState::Waiting && now >= from && holdStarts) {
            if (!entry.heldSince) {
                entry.heldSince = now;
                entry.reason = kWaitingForDiskSpace;
                actions.push_back({Action::Kind::Hold, entry.job, entry.reason});
            }
        } else if (entry.state == JobState::Waiting && now >= from) {
            Action start{Action::Kind::Start, entry.job, {}};
            start.heldSince = std::exchange(entry.heldSince, std::nullopt);
            actions.push_back(start);
            transition(entry, JobState::Recording,
                       start.heldSince ? "disk space is back, recording from now"
                       : now - from > std::chrono::seconds(2) ? "started late, recording from now"
                                                              : "window began");
        } else if (isCapturing(entry.state) && now >= until) {
            const std::string reason = entry.job.ending.windowEnded.empty()
                                           ? std::string("window ended")
                                           : entry.job.ending.windowEnded;
            actions.push_back({Action::Kind::Stop, entry.job, reason, true});
            transition(entry, JobState::Finalizing, reason);
        }
    }
    return actions;
}

std::optional<Action> JobTable::end(const std::string& key, const std::string& reason) {
    JobEntry* entry = findMutable(key);
    if (entry == nullptr || !isCapturing(entry->state)) {
        return std::nullopt;
    }
    Action action{Action::Kind::Stop, entry->job, reason};
    transition(*entry, JobState::Finalizing, reason);
    return action;
}

std::vector<Action> JobTable::stopAll(const std::string& reason, bool keepOpen) {
    std::vector<Action> actions;
    for (auto& entry : entries_) {
        if (isCapturing(entry.state) && !keepOpen) {
            actions.push_back({Action::Kind::Stop, entry.job, reason});
            transition(entry, JobState::Finalizing, reason);
        } else if (isCapturing(entry.state)) {
            actions.push_back({Action::Kind::Interrupt, entry.job, reason});
            transition(entry, JobState::Interrupted,
                       reason +
                           " inside its window: what it recorded is published as it is, and the "
                           "next run with the same --out continues it into the same file");
        }
    }
    return actions;
}

void JobTable::streamState(const std::string& key, bool flowing, const std::string& reason) {
    JobEntry* entry = findMutable(key);
    if (entry == nullptr) {
        return;
    }
    if (flowing && entry->state == JobState::Retrying) {
        transition(*entry, JobState::Recording, reason);
    } else if (!flowing && entry->state == JobState::Recording) {
        transition(*entry, JobState::Retrying, reason);
    }
}

void JobTable::finished(const std::string& key, JobState outcome, std::string reason,
                        std::string file) {
    JobEntry* entry = findMutable(key);
    if (entry == nullptr || entry->state != JobState::Finalizing) {
        return;
    }
    entry->file = std::move(file);
    transition(*entry, entry->cancelled ? JobState::Cancelled : outcome, std::move(reason));
}

void JobTable::failedToStart(const std::string& key, std::string reason) {
    JobEntry* entry = findMutable(key);
    if (entry != nullptr && isCapturing(entry->state)) {
        transition(*entry, JobState::Failed, std::move(reason));
    }
}

std::optional<TimePoint> JobTable::nextBoundary(TimePoint now) const {
    std::optional<TimePoint> next;
    const auto consider = [&](TimePoint t) {
        if (t > now && (!next || t < *next)) {
            next = t;
        }
    };
    for (const auto& entry : entries_) {
        if (entry.state == JobState::Waiting) {
            consider(toTimePoint(entry.job.from));
        }
        if (entry.state == JobState::Waiting || isCapturing(entry.state)) {
            consider(toTimePoint(entry.job.until));
        }
    }
    return next;
}

bool JobTable::done() const {
    return std::none_of(entries_.begin(), entries_.end(), [](const JobEntry& e) {
        return e.state == JobState::Waiting || isCapturing(e.state) ||
               e.state == JobState::Finalizing;
    });
}

}  // namespace confcap::run
