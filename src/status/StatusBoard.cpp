#include "confcap/status/StatusBoard.h"

#include <algorithm>
#include <tuple>

namespace confcap::status {

namespace {

bool windowOrder(const JobSnapshot& a, const JobSnapshot& b) {
    return std::tie(a.from, a.room, a.key) < std::tie(b.from, b.room, b.key);
}

}  // namespace

double coverage(const JobSnapshot& job, core::Instant now) noexcept {
    const auto end = isFinal(job.state) ? job.until : std::min(now, job.until);
    const auto elapsed = std::chrono::duration<double>(end - job.from).count();
    if (elapsed <= 0) {
        return 0;
    }
    return std::clamp(job.coveredSeconds / elapsed, 0.0, 1.0);
}

void StatusBoard::publish(Event event) {
    {
        std::lock_guard lock(mutex_);
        recent_.push_back(event);
        while (recent_.size() > kKeptEvents) {
            recent_.pop_front();
        }
    }
    for (const auto& listener : listeners_) {
        listener(event);
    }
}

void StatusBoard::update(JobSnapshot snapshot) {
    std::lock_guard lock(mutex_);
    if (const auto health = health_.find(snapshot.key); health != health_.end()) {
        snapshot.health = health->second;
    }
    std::erase_if(jobs_, [&](const JobSnapshot& job) { return job.key == snapshot.key; });
    const auto at = std::upper_bound(jobs_.begin(), jobs_.end(), snapshot, windowOrder);
    jobs_.insert(at, std::move(snapshot));
}

void StatusBoard::health(const std::string& key, run::TalkHealth health) {
    std::lock_guard lock(mutex_);
    for (auto& job : jobs_) {
        if (job.key == key) {
            job.health = health;
        }
    }
    health_[key] = std::move(health);
}

void StatusBoard::disk(DiskSnapshot snapshot) {
    std::lock_guard lock(mutex_);
    disk_ = snapshot;
}

std::optional<DiskSnapshot> StatusBoard::disk() const {
    std::lock_guard lock(mutex_);
    return disk_;
}

void StatusBoard::tapes(std::vector<run::TapeSnapshot> tapes) {
    std::lock_guard lock(mutex_);
    tapes_ = std::move(tapes);
}

std::vector<run::TapeSnapshot> StatusBoard::tapes() const {
    std::lock_guard lock(mutex_);
    return tapes_;
}

std::vector<JobSnapshot> StatusBoard::jobs() const {
    std::lock_guard lock(mutex_);
    return jobs_;
}

std::optional<JobSnapshot> StatusBoard::job(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(jobs_.begin(), jobs_.end(),
                                 [&](const JobSnapshot& job) { return job.key == key; });
    if (it == jobs_.end()) {
        return std::nullopt;
    }
    return *it;
}

std::vector<Event> StatusBoard::recentEvents(std::size_t count) const {
    std::lock_guard lock(mutex_);
    const auto n = std::min(count, recent_.size());
    return std::vector<Event>(recent_.end() - static_cast<std::ptrdiff_t>(n), recent_.end());
}

void StatusBoard::addListener(EventListener listener) {
    listeners_.push_back(std::move(listener));
}

}  // namespace confcap::status
