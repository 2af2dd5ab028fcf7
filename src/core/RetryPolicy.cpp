#include "confcap/core/RetryPolicy.h"

#include <algorithm>
#include <cmath>

namespace confcap::core {

namespace {

using std::chrono::milliseconds;

/// initial * 2^(attempt-1), capped at `maximum`, without overflowing on large attempts.
double doubledMillis(milliseconds initial, milliseconds maximum, int attempt) {
    const double cap = static_cast<double>(std::max(maximum.count(), milliseconds::rep{0}));
    double wait = static_cast<double>(std::max(initial.count(), milliseconds::rep{0}));
    for (int i = 1; i < attempt && wait < cap; ++i) {
        wait *= 2.0;
    }
    return std::min(wait, cap);
}

}  // namespace

std::optional<milliseconds> RetryPolicy::next(int attempt, ErrorKind kind,
                                              std::chrono::system_clock::time_point now,
                                              std::chrono::system_clock::time_point deadline,
                                              std::optional<std::chrono::seconds> retryAfter,
                                              double random01) const {
    if (kind != ErrorKind::Transient || now >= deadline) {
        return std::nullopt;
    }
    const double base = doubledMillis(initial, maximum, std::max(attempt, 1));
    // random01 = 0.5 means no jitter; 0 and 1 the two extremes.
    const double spread = std::clamp(jitter, 0.0, 1.0);
    const double r = std::isfinite(random01) ? std::clamp(random01, 0.0, 1.0) : 0.5;
    double wait = base * (1.0 + spread * (2.0 * r - 1.0));
    // The cap bounds the jittered wait too, so `maximum` is a true upper bound.
    wait =
        std::clamp(wait, 0.0, static_cast<double>(std::max(maximum.count(), milliseconds::rep{0})));
    auto result = milliseconds(static_cast<milliseconds::rep>(std::llround(wait)));
    if (retryAfter && *retryAfter > result) {
        result = std::chrono::duration_cast<milliseconds>(*retryAfter);
    }
    if (now + result >= deadline) {
        return std::nullopt;
    }
    return result;
}

std::optional<milliseconds> RetryPolicy::afterMedia(
    ErrorKind kind, std::chrono::system_clock::time_point now,
    std::chrono::system_clock::time_point deadline,
    std::optional<std::chrono::seconds> retryAfter) const {
    if (kind != ErrorKind::Transient || now >= deadline) {
        return std::nullopt;
    }
    const auto wait =
        retryAfter ? std::chrono::duration_cast<milliseconds>(*retryAfter) : milliseconds(0);
    if (now + wait >= deadline) {
        return std::nullopt;
    }
    return wait;
}

}  // namespace confcap::core
