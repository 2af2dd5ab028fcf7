// The status server's worker lanes: the threads that compute answers the front cannot give at
// once, a queue with its own bounds per lane, and the finished answers waiting for the front.
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "HttpFront.h"

namespace confcap::status {

class FrontLanes {
public:
    /// Starts the workers: two on the status lane, one on the verify lane. `respond` runs on
    /// them (a throw answers 500); `wake` runs on a worker after each answer it adds to those
    /// takeDone() returns, and must not block.
    FrontLanes(std::function<Reply(const Request&)> respond, const HttpFront::Limits& limits,
               std::function<void()> wake);
    /// Stops and joins the workers.
    ~FrontLanes();
    FrontLanes(const FrontLanes&) = delete;
    FrontLanes& operator=(const FrontLanes&) = delete;

    /// Queues `request` of connection `id` on `lane`. False when that lane's queue is full (for
    /// the verify lane: in all, or from the request's address). Thread-safe.
    bool queue(Lane lane, std::uint64_t id, Request request);

    /// The answers finished since the last call, with their connection's id. Thread-safe.
    std::vector<std::pair<std::uint64_t, Reply>> takeDone();

    /// Workers take no further request; waits for those answering to finish. Idempotent; not
    /// from a worker.
    void stop();

private:
    struct Job {
        std::uint64_t id;
        Request request;
    };
    struct Pool {
        std::deque<Job> jobs;
        std::vector<std::thread> threads;
        std::condition_variable ready;
    };

    void work(Pool& pool);

    std::function<Reply(const Request&)> respond_;
    std::function<void()> wake_;
    std::size_t maxQueued_;
    std::size_t maxQueuedChecks_;
    std::size_t maxQueuedChecksPerAddress_;

    std::mutex mutex_;
    bool stopping_ = false;  // guarded by mutex_
    std::array<Pool, 2> pools_;
    std::vector<std::pair<std::uint64_t, Reply>> done_;  // guarded by mutex_
};

}  // namespace confcap::status
