#include "confcap/capture/Outage.h"

#include <algorithm>

#include "confcap/core/Format.h"

namespace confcap::capture {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// A failure that repeats is told in full at most this often.
constexpr auto kRepeatInterval = std::chrono::seconds(60);

std::string secondsText(Outage::TimePoint::duration d) {
    return core::formatSeconds(std::chrono::duration<double>(d).count());
}

}  // namespace

void Outage::reset(TimePoint t) {
    *this = Outage();
    lastData_ = t;
}

void Outage::connected(TimePoint t) {
    active_ = false;
    reportedCause_.clear();
    lastData_ = t;
}

Outage::Report Outage::fail(TimePoint t, const std::string& message, const std::string& cause,
                            const std::string& category) {
    if (!active_) {
        attempts_ = 0;
    }
    active_ = true;
    sentence_ = message;
    category_ = category;
    ++attempts_;
    Report report{message, attempts_, false, lastData_};
    if (cause == reportedCause_ && t - reportedAt_ < kRepeatInterval) {
        report.repeat = true;
        return report;
    }
    if (cause == reportedCause_ && attempts_ > 1) {
        report.message = "still failing after " + secondsText(t - lastData_) + " (" +
                         std::to_string(attempts_) + " attempts): " + message;
    }
    reportedCause_ = cause;
    reportedAt_ = t;
    return report;
}

std::string Outage::gapCause(bool everConnected) const {
    return everConnected ? category_ : std::string(core::gapcause::kNotLiveYet);
}

std::optional<core::Gap> Outage::gapUntil(TimePoint t, TimePoint attachedAt,
                                          bool everConnected) const {
    if (!active_) {
        return std::nullopt;
    }
    core::Gap gap;
    gap.at = std::max(lastData_, attachedAt);
    gap.length = duration_cast<milliseconds>(t - gap.at);
    gap.cause = gapCause(everConnected);
    gap.detail = sentence_;
    if (gap.length.count() <= 0) {
        return std::nullopt;
    }
    return gap;
}

Outage::Resumption Outage::resumption(TimePoint t, const source::Resume& resume, bool everConnected,
                                      std::optional<TimePoint> lastMediaEnd) const {
    Resumption result;
    result.gapEnd = t;
    const bool paused = category_ == core::gapcause::kPaused;
    const bool away = resume.newTimeline || paused;
    const std::string cause = !everConnected       ? gapCause(everConnected)
                              : paused             ? core::gapcause::kPaused
                              : resume.newTimeline ? core::gapcause::kRestarted
                                                   : gapCause(everConnected);
    if (resume.sequence && !resume.first && !away) {
        const std::string at = "resumed at segment " + std::to_string(*resume.sequence);
        if (resume.lostFirst && resume.lostLast) {
            result.gap = core::Gap{lastData_, resume.lostLength, cause,
                                   sentence_, resume.lostFirst,  resume.lostLast};
            const auto count = *resume.lostLast - *resume.lostFirst + 1;
            result.message = at + ", lost " + std::to_string(count) + " segments (" +
                             std::to_string(*resume.lostFirst) + "-" +
                             std::to_string(*resume.lostLast) + ", about " +
                             secondsText(resume.lostLength) + ")";
        } else {
            result.message = at + ", nothing lost";
        }
        return result;
    }
    // From the end of the media last received (HLS: its segment's wall-clock end) to the start
    // of the media now coming, as far as the stream tells them.
    const TimePoint from = lastMediaEnd.value_or(lastData_);
    result.gapEnd = std::min(resume.mediaStart.value_or(t), t);
    result.gap = core::Gap{from,         duration_cast<milliseconds>(result.gapEnd - from),
                           cause,        sentence_,
                           std::nullopt, std::nullopt};
    result.message = "resumed after " + secondsText(t - lastData_) + " without data" +
                     (resume.newTimeline ? " (the stream started again)" : "");
    return result;
}

}  // namespace confcap::capture
