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

namespace {

/// The copy (and its unit) whose next unit after `last` comes soonest, when that is before
/// `before`; none (copies.size()) otherwise.
TimePick soonestAfter(const std::vector<std::vector<TsUnit>>& units, std::size_t current,
                      double last, double before) {
    TimePick fill{units.size(), 0};
    for (std::size_t c = 0; c < units.size(); ++c) {
        if (c == current) {
            continue;
        }
        const auto it = std::upper_bound(units[c].begin(), units[c].end(), last + 1e-6,
                                         [](double t, const TsUnit& u) { return t < u.at; });
        if (it != units[c].end() && it->at < before &&
            (fill.copy == units.size() || it->at < units[fill.copy][fill.unit].at)) {
            fill = {c, static_cast<std::size_t>(it - units[c].begin())};
        }
    }
    return fill;
}

}  // namespace

TimePlan planByTime(const std::vector<std::vector<TsUnit>>& units) {
    TimePlan plan;
    plan.secondsByCopy.assign(units.size(), 0.0);
    std::size_t current = units.size();
    for (std::size_t c = 0; c < units.size(); ++c) {
        if (!units[c].empty() &&
            (current == units.size() || units[c].front().at < units[current].front().at)) {
            current = c;
        }
    }
    if (current == units.size()) {
        return plan;
    }
    std::size_t i = 0;
    double last = units[current][0].at;
    plan.runs.push_back({current, last, last});
    while (true) {
        plan.picks.push_back({current, i});
        last = units[current][i].at;
        const bool more = i + 1 < units[current].size();
        const double next = more ? units[current][i + 1].at : 1e300;
        if (more && next > last && next - last <= kTimeHoleSeconds) {
            plan.secondsByCopy[current] += next - last;
            plan.runs.back().to = next;
            ++i;
            continue;
        }
        const auto fill = soonestAfter(units, current, last, next);
        if (fill.copy == units.size() && !more) {
            break;
        }
        const TimePick to = fill.copy != units.size() ? fill : TimePick{current, i + 1};
        const double resume = units[to.copy][to.unit].at;
        // The step into the other copy plays like any other: a frame's length.
        const double frame = i > 0 ? std::max(0.0, last - units[current][i - 1].at) : 0.0;
        if (resume - last > kTimeHoleSeconds) {
            plan.gaps.push_back({0, last + frame, resume});
        } else {
            plan.secondsByCopy[current] += resume - last;
            plan.runs.back().to = resume;
        }
        if (to.copy != current || resume - last > kTimeHoleSeconds) {
            plan.runs.push_back({to.copy, resume, resume});
        }
        current = to.copy;
        i = to.unit;
    }
    return plan;
}

ReplicaPlan planReplicas(const std::vector<CopyFacts>& copies) {
    ReplicaPlan plan;
    std::vector<std::size_t> cuttable;
    for (std::size_t c = 0; c < copies.size(); ++c) {
        if (!copies[c].segments.empty()) {
            cuttable.push_back(c);
        }
    }
    if (copies.size() > 1 && cuttable.size() > 1) {
        plan.method = MergeMethod::BySegment;
        std::vector<std::vector<SegmentMark>> lists;
        for (const auto c : cuttable) {
            lists.push_back(copies[c].segments);
        }
        plan.segments = planMerge(lists);
        for (auto& run : plan.segments.runs) {
            run.copy = cuttable[run.copy];
        }
        std::vector<double> byCopy(copies.size(), 0.0);
        for (std::size_t i = 0; i < cuttable.size(); ++i) {
            byCopy[cuttable[i]] = plan.segments.secondsByCopy[i];
        }
        plan.segments.secondsByCopy = byCopy;
        if (cuttable.size() < copies.size()) {
            plan.notes.push_back(std::to_string(copies.size() - cuttable.size()) +
                                 " copies could not be cut by HLS segment and were left out.");
        }
        return plan;
    }
    if (copies.size() > 1 && std::all_of(copies.begin(), copies.end(), [](const CopyFacts& copy) {
            return copy.progressiveTs;
        })) {
        plan.method = MergeMethod::ByTimestamp;
        plan.segments.secondsByCopy.assign(copies.size(), 0.0);
        return plan;
    }
    for (std::size_t c = 1; c < copies.size(); ++c) {
        if (copies[c].coveredSeconds > copies[plan.source].coveredSeconds) {
            plan.source = c;
        }
    }
    if (copies.size() > 1) {
        plan.notes.push_back(
            "The copies could not be cut by HLS segment; the one covering the most was taken "
            "whole.");
    }
    return plan;
}

}  // namespace confcap::sink
