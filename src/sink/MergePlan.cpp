#include "confcap/sink/MergePlan.h"

#include <algorithm>
#include <map>
#include <optional>

namespace confcap::sink {

MergePlan planMerge(const std::vector<std::vector<SegmentMark>>& copies) {
    MergePlan plan;
    plan.secondsByCopy.assign(copies.size(), 0.0);
    // sequence → (copy → seconds)
    std::map<std::int64_t, std::map<std::size_t, double>> held;
    std::vector<double> lengths;
    for (std::size_t c = 0; c < copies.size(); ++c) {
        for (const auto& mark : copies[c]) {
            if (held[mark.sequence].emplace(c, mark.seconds).second) {
                lengths.push_back(mark.seconds);
            }
        }
    }
    if (held.empty()) {
        return plan;
    }
    std::sort(lengths.begin(), lengths.end());
    const double median = lengths[lengths.size() / 2];
    std::optional<std::size_t> previous;
    std::optional<std::int64_t> expected;
    for (const auto& [sequence, holders] : held) {
        if (expected && sequence > *expected) {
            plan.gaps.push_back(
                {*expected, sequence - 1, static_cast<double>(sequence - *expected) * median});
            previous.reset();
        }
        const std::size_t copy =
            previous && holders.count(*previous) > 0 ? *previous : holders.begin()->first;
        const double seconds = holders.at(copy);
        if (previous && *previous == copy && !plan.runs.empty()) {
            plan.runs.back().lastSequence = sequence;
            plan.runs.back().seconds += seconds;
        } else {
            plan.runs.push_back({copy, sequence, sequence, seconds});
        }
        plan.secondsByCopy[copy] += seconds;
        previous = copy;
        expected = sequence + 1;
    }
    return plan;
}

}  // namespace confcap::sink
