// How an HLS follower fits its variant to the link: from what each segment of the followed
// variant took to fetch, it decides to stay, to step down to the next lower variant, or to step
// back up. Pure: fed with measurements and instants, it reads no clock and fetches nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace confcap::source {

/// What fetching one segment of the followed variant showed about the link.
struct SegmentFetch {
    std::chrono::milliseconds duration{0};   ///< the segment's media time (EXTINF)
    std::chrono::milliseconds fetchTime{0};  ///< from the request to the last byte
    std::uint64_t bytes = 0;
    /// How long until the next segment the follower needs leaves the playlist, estimated from its
    /// place in the playlist; unset when that segment is not listed yet (at the live edge).
    std::optional<std::chrono::milliseconds> untilRollout;
    std::chrono::steady_clock::time_point at;  ///< when the fetch ended
};

/// Which way to move.
enum class VariantStep {
    Stay,
    Down,  ///< to the next lower bandwidth
    Up,    ///< to the next higher bandwidth
};

/// What the fitter decided.
struct VariantDecision {
    VariantStep step = VariantStep::Stay;
    std::size_t to = 0;  ///< the rung of the ladder to follow from the next segment on
    std::string why;     ///< one sentence for the log and the sidecar; empty for Stay
};

/// The rules' figures.
struct FitterSettings {
    /// Fetches slower than their segment's duration, in a row, that make the follower step down.
    int slowInARow = 2;
    /// The link must carry this many times the higher variant's BANDWIDTH to step up.
    double headroom = 1.5;
    /// ...for this long without a break, and this long after the last move at least.
    std::chrono::seconds roomFor{60};
    std::chrono::seconds upHold{60};
    /// A step up that is followed by a step down within two holds doubles the hold, up to this.
    std::chrono::seconds maxUpHold{480};
};

/// Decides the variant of one follower on its own measurements. Each room's follower has its
/// own, so rooms that share an uplink each react to what they see; the hold after a move, the
/// headroom asked for a step up and the hold that doubles after a step up that did not last keep
/// two rooms from trading the link back and forth. Used on one thread.
///
/// Steps down (when not at the lowest rung) when two fetches in a row took longer than their
/// segments last, when the next segment needed is the first listed (it leaves the playlist with
/// the next update) and the follower did not gain on it since the fetch before, or when segments
/// rolled out before they were fetched. Steps up (when not
/// at the highest rung) only when every fetch for `roomFor` carried at least `headroom` times the
/// next higher BANDWIDTH, no fetch was slow, and `upHold` has passed since the last move.
class VariantFitter {
public:
    /// `ladder`: the BANDWIDTH (bit/s) of each rung, lowest first; `current`: the rung followed
    /// since `now`. Throws std::invalid_argument when `ladder` is empty or `current` is past it.
    VariantFitter(std::vector<std::int64_t> ladder, std::size_t current,
                  std::chrono::steady_clock::time_point now, FitterSettings settings = {});

    /// Takes in one fetched segment of the current rung and decides. Stay changes nothing else;
    /// a move is made only when moved() is called.
    VariantDecision observe(const SegmentFetch& fetch);
    /// Takes in `count` segments of the current rung that rolled out of the playlist unfetched.
    /// Before the first fetch on a rung they were lost while following the rung before, which
    /// was already stepped away from: that is no reason to step down again.
    VariantDecision lost(std::int64_t count);
    /// The follower now follows rung `to` (from `at` on): the measurements start afresh.
    void moved(std::size_t to, std::chrono::steady_clock::time_point at);
    /// The follower connects again after an outage: falling behind during it says nothing about
    /// the link, so the slow fetches in a row, the place in the playlist and the room for a step
    /// up start afresh. The rung and the hold stay.
    void reconnected() noexcept;

    std::size_t current() const noexcept { return current_; }
    /// How long after a move a step up must wait now (doubled by step ups that did not last).
    std::chrono::seconds upHold() const noexcept { return hold_; }

private:
    VariantDecision down(std::string why) const;

    std::vector<std::int64_t> ladder_;
    std::size_t current_;
    FitterSettings settings_;
    std::chrono::seconds hold_;
    std::chrono::steady_clock::time_point lastMove_;
    std::optional<std::chrono::steady_clock::time_point> lastUp_;
    int slow_ = 0;  // slow fetches in a row
    std::optional<std::chrono::milliseconds> previousUntilRollout_;
    int fetchedSinceMove_ = 0;
    // Since when every fetch had room for the next higher rung, and the least it carried.
    std::optional<std::chrono::steady_clock::time_point> roomSince_;
    double leastRoom_ = 0;
};

}  // namespace confcap::source
