// The one retry policy: after a classified failure, how long to wait before the next attempt
// (doubling, jittered, capped, never past a deadline), or not to retry at all. A pure value.
#pragma once

#include <chrono>
#include <optional>

#include "confcap/core/Error.h"

namespace confcap::core {

/// Exponential backoff with jitter, bounded by a deadline. Pure; safe to share between threads.
struct RetryPolicy {
    std::chrono::milliseconds initial{1000}, maximum{30000};
    double jitter = 0.2;  // ± fraction
    /// The wait before attempt `attempt` (1 = first retry) after a failure of `kind`, or nullopt
    /// when not to retry: errors that are not Transient, or when the wait would end at/after
    /// `deadline`.
    /// `retryAfter` (server's Retry-After) replaces the computed wait when longer, still capped
    /// by the deadline. `random01` in [0,1) supplies the jitter (pure: the caller draws it).
    std::optional<std::chrono::milliseconds> next(int attempt, ErrorKind kind,
                                                  std::chrono::system_clock::time_point now,
                                                  std::chrono::system_clock::time_point deadline,
                                                  std::optional<std::chrono::seconds> retryAfter,
                                                  double random01) const;
    /// The wait before reconnecting after a connection that delivered media dropped: none, so
    /// that a reset or closed connection costs a round trip rather than a backoff step; the
    /// server's `retryAfter` when it gave one. nullopt as next() for errors that are not
    /// Transient and at or past `deadline`. The backoff (next) takes over from the second
    /// failure in a row.
    std::optional<std::chrono::milliseconds> afterMedia(
        ErrorKind kind, std::chrono::system_clock::time_point now,
        std::chrono::system_clock::time_point deadline,
        std::optional<std::chrono::seconds> retryAfter) const;
};

}  // namespace confcap::core
