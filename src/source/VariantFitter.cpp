#include "confcap/source/VariantFitter.h"

#include <algorithm>
#include <stdexcept>

#include "confcap/core/Format.h"

namespace confcap::source {

namespace {

using std::chrono::milliseconds;

double secondsOf(milliseconds d) {
    return static_cast<double>(d.count()) / 1000.0;
}

// What a fetch carried, in bit/s; a fetch too quick to time carried as much as wanted.
double carried(const SegmentFetch& fetch) {
    if (fetch.fetchTime.count() <= 0) {
        return 1e18;
    }
    return static_cast<double>(fetch.bytes) * 8.0 / secondsOf(fetch.fetchTime);
}

}  // namespace

VariantFitter::VariantFitter(std::vector<std::int64_t> ladder, std::size_t current,
                             std::chrono::steady_clock::time_point now, FitterSettings settings)
    : ladder_(std::move(ladder)),
      current_(current),
      settings_(settings),
      hold_(settings.upHold),
      lastMove_(now) {
    if (ladder_.empty() || current_ >= ladder_.size()) {
        throw std::invalid_argument("VariantFitter needs a rung of a ladder that is not empty");
    }
}

VariantDecision VariantFitter::down(std::string why) const {
    return {VariantStep::Down, current_ - 1, std::move(why)};
}

VariantDecision VariantFitter::observe(const SegmentFetch& fetch) {
    ++fetchedSinceMove_;
    slow_ = fetch.fetchTime > fetch.duration ? slow_ + 1 : 0;
    // Near the front of the playlist is behind only while it does not catch up: right after a
    // step down the follower is still near the front, but gaining.
    const bool losingGround = fetch.untilRollout && previousUntilRollout_ &&
                              *fetch.untilRollout <= *previousUntilRollout_;
    previousUntilRollout_ = fetch.untilRollout;
    if (lastUp_ && fetch.at - *lastUp_ >= 2 * hold_) {
        hold_ = settings_.upHold;  // the last step up held
        lastUp_.reset();
    }
    if (current_ > 0) {
        if (slow_ >= settings_.slowInARow) {
            return down("fetching took longer than playing, " + std::to_string(slow_) +
                        " segments in a row (the last " +
                        core::formatSeconds(secondsOf(fetch.fetchTime)) + " for " +
                        core::formatSeconds(secondsOf(fetch.duration)) + ")");
        }
        if (losingGround && *fetch.untilRollout < fetch.duration) {
            return down(
                "the next segment was about to leave the playlist (in " +
                core::formatSeconds(secondsOf(std::max(milliseconds(0), *fetch.untilRollout))) +
                ")");
        }
    }
    if (current_ + 1 >= ladder_.size()) {
        return {VariantStep::Stay, current_, {}};
    }
    const double wanted = settings_.headroom * static_cast<double>(ladder_[current_ + 1]);
    const double rate = carried(fetch);
    if (rate < wanted || slow_ > 0) {
        roomSince_.reset();
        return {VariantStep::Stay, current_, {}};
    }
    if (!roomSince_) {
        roomSince_ = fetch.at - fetch.fetchTime;
        leastRoom_ = rate;
    }
    leastRoom_ = std::min(leastRoom_, rate);
    if (fetch.at - *roomSince_ >= settings_.roomFor && fetch.at - lastMove_ >= hold_) {
        return {
            VariantStep::Up, current_ + 1,
            "the link carried at least " + core::formatRate(leastRoom_) + " for " +
                core::formatSeconds(std::chrono::duration<double>(fetch.at - *roomSince_).count()) +
                ", " + core::formatRate(wanted) + " being room for the variant above"};
    }
    return {VariantStep::Stay, current_, {}};
}

VariantDecision VariantFitter::lost(std::int64_t count) {
    roomSince_.reset();
    if (current_ == 0 || count <= 0 || fetchedSinceMove_ == 0) {
        return {VariantStep::Stay, current_, {}};
    }
    return down(count == 1
                    ? "1 segment rolled out of the playlist before it could be fetched"
                    : std::to_string(count) +
                          " segments rolled out of the playlist before they could be fetched");
}

void VariantFitter::moved(std::size_t to, std::chrono::steady_clock::time_point at) {
    if (to >= ladder_.size() || to == current_) {
        return;
    }
    if (to < current_ && lastUp_ && at - *lastUp_ < 2 * hold_) {
        hold_ = std::min(hold_ * 2, settings_.maxUpHold);  // the step up did not last
    }
    if (to > current_) {
        lastUp_ = at;
    } else {
        lastUp_.reset();
    }
    current_ = to;
    lastMove_ = at;
    fetchedSinceMove_ = 0;
    slow_ = 0;
    previousUntilRollout_.reset();
    roomSince_.reset();
}

void VariantFitter::reconnected() noexcept {
    slow_ = 0;
    previousUntilRollout_.reset();
    roomSince_.reset();
}

}  // namespace confcap::source
