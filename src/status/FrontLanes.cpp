#include "FrontLanes.h"

#include <Poco/Net/HTTPResponse.h>

#include <algorithm>
#include <exception>
#include <optional>

namespace confcap::status {

FrontLanes::FrontLanes(std::function<Reply(const Request&)> respond,
                       const HttpFront::Limits& limits, std::function<void()> wake)
    : respond_(std::move(respond)),
      wake_(std::move(wake)),
      maxQueued_(limits.maxQueued),
      maxQueuedChecks_(limits.maxQueuedChecks),
      maxQueuedChecksPerAddress_(limits.maxQueuedChecksPerAddress) {
    const std::array<std::size_t, 2> workers{2, 1};
    for (std::size_t lane = 0; lane < pools_.size(); ++lane) {
        auto& pool = pools_[lane];
        for (std::size_t i = 0; i < workers[lane]; ++i) {
            pool.threads.emplace_back([this, &pool] { work(pool); });
        }
    }
}

FrontLanes::~FrontLanes() {
    stop();
}

void FrontLanes::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    for (auto& pool : pools_) {
        pool.ready.notify_all();
    }
    for (auto& pool : pools_) {
        for (auto& t : pool.threads) {
            if (t.joinable()) {
                t.join();
            }
        }
    }
}

bool FrontLanes::queue(Lane lane, std::uint64_t id, Request request) {
    auto& pool = pools_[lane == Lane::Status ? 0 : 1];
    {
        std::lock_guard lock(mutex_);
        if (lane == Lane::Status) {
            if (pool.jobs.size() >= maxQueued_) {
                return false;
            }
        } else {
            const auto fromPeer =
                std::count_if(pool.jobs.begin(), pool.jobs.end(),
                              [&](const Job& job) { return job.request.peer == request.peer; });
            if (pool.jobs.size() >= maxQueuedChecks_ ||
                static_cast<std::size_t>(fromPeer) >= maxQueuedChecksPerAddress_) {
                return false;
            }
        }
        pool.jobs.push_back(Job{id, std::move(request)});
    }
    pool.ready.notify_one();
    return true;
}

std::vector<std::pair<std::uint64_t, Reply>> FrontLanes::takeDone() {
    std::vector<std::pair<std::uint64_t, Reply>> replies;
    {
        std::lock_guard lock(mutex_);
        replies.swap(done_);
    }
    return replies;
}

void FrontLanes::work(Pool& pool) {
    for (;;) {
        std::optional<Job> job;
        {
            std::unique_lock lock(mutex_);
            pool.ready.wait(lock, [&] { return stopping_ || !pool.jobs.empty(); });
            if (stopping_) {
                return;
            }
            job.emplace(std::move(pool.jobs.front()));
            pool.jobs.pop_front();
        }
        Reply reply;
        try {
            reply = respond_(job->request);
        } catch (const std::exception&) {
            reply =
                textReply(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "Internal error.\n");
        }
        {
            std::lock_guard lock(mutex_);
            done_.emplace_back(job->id, std::move(reply));
        }
        wake_();
    }
}

}  // namespace confcap::status
