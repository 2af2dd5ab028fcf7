// What a room's connection delivers, on its way to the attached sinks: the stream's format and
// resume point, further tracks, chunks, lost stretches, variant switches and notices, each handed
// to every sink attached at that moment (capture::Fanout) outside the capture's lock.
#include "confcap/capture/RoomCapture.h"

#include <algorithm>
#include <set>

namespace confcap::capture {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

}  // namespace

Attachments RoomCapture::beginDelivery() {
    delivering_ = true;
    return sinks_;
}

void RoomCapture::endDelivery(const std::vector<std::string>& failures,
                              std::vector<CaptureEvent>& events) {
    {
        std::lock_guard lock(mutex_);
        delivering_ = false;
        for (const auto& failure : failures) {
            events.push_back(event(CaptureEvent::Kind::Notice, failure));
        }
    }
    wake_.notify_all();
    emit(events);
}

void RoomCapture::onConnected(const core::StreamFormat& format, const source::Resume& resume) {
    std::vector<CaptureEvent> events;
    Attachments sinks;
    std::optional<core::Gap> gap;
    bool reconnect = false;
    TimePoint gapEnd;
    {
        std::lock_guard lock(mutex_);
        const TimePoint t = now();
        gapEnd = t;
        reconnect = outage_.active();
        if (!reconnect && connected_) {
            events.push_back(event(
                CaptureEvent::Kind::Notice,
                resume.newTimeline ? "a new piece starts (the stream's timestamps start again)"
                                   : "a new piece starts (the stream's initialization changed)"));
        } else if (!reconnect) {
            events.push_back(
                event(CaptureEvent::Kind::Connected, "connected, receiving " + format.extension));
        } else {
            auto resumption = outage_.resumption(t, resume, connections_ > 0, lastMediaEnd_);
            auto e = event(CaptureEvent::Kind::Resumed, std::move(resumption.message));
            e.sequence = resume.sequence;
            gap = resumption.gap;
            gapEnd = resumption.gapEnd;
            e.gap = gap;
            events.push_back(std::move(e));
        }
        ++connections_;
        connected_ = true;
        outage_.connected(t);
        sinks = beginDelivery();
    }
    std::vector<std::string> failures;
    fanout_.connected(sinks, format, resume.newTimeline, reconnect, gap, gapEnd, failures);
    endDelivery(failures, events);
}

void RoomCapture::onBeginTrack(const core::TrackInfo& track, const core::StreamFormat& format) {
    Attachments sinks;
    {
        std::lock_guard lock(mutex_);
        sinks = beginDelivery();
    }
    std::vector<std::string> failures;
    fanout_.beginTrack(sinks, track, format, failures);
    std::vector<CaptureEvent> events;
    endDelivery(failures, events);
}

void RoomCapture::onWrite(const core::Chunk& chunk) {
    Attachments sinks;
    {
        const TimePoint t = now();
        std::lock_guard lock(mutex_);
        outage_.delivered(t);
        if (chunk.track == 0 && chunk.endsAt) {
            lastMediaEnd_ = lastMediaEnd_ ? std::max(*lastMediaEnd_, *chunk.endsAt) : *chunk.endsAt;
        }
        if (chunk.kind == core::ChunkKind::SegmentStart && chunk.mediaSeconds > 0) {
            longestSegment_ =
                std::max(longestSegment_,
                         milliseconds(std::llround(std::min(chunk.mediaSeconds, 60.0) * 1000)));
        }
        sinks = beginDelivery();
    }
    std::vector<std::string> failures;
    const auto reached = fanout_.write(sinks, chunk, failures);
    std::vector<CaptureEvent> events;
    if (chunk.endsAt && !reached.empty()) {
        // A sink leaving at its window's end may wait for this.
        std::lock_guard lock(mutex_);
        for (auto* a : reached) {
            auto& until = a->reached[chunk.track];
            until = std::max(until, *chunk.endsAt);
        }
    }
    endDelivery(failures, events);
}

void RoomCapture::onLost(const core::Gap& gap) {
    std::vector<CaptureEvent> events;
    Attachments sinks;
    {
        std::lock_guard lock(mutex_);
        auto e = event(CaptureEvent::Kind::Lost, gap.cause);
        e.gap = gap;
        e.sequence = gap.firstSequence;
        events.push_back(std::move(e));
        sinks = beginDelivery();
    }
    std::vector<std::string> failures;
    fanout_.lost(sinks, gap, failures);
    endDelivery(failures, events);
}

void RoomCapture::onVariantSwitched(const core::VariantSwitch& change) {
    Attachments sinks;
    {
        std::lock_guard lock(mutex_);
        sinks = beginDelivery();
    }
    std::vector<std::string> failures;
    fanout_.variantSwitched(sinks, change, failures);
    std::vector<CaptureEvent> events;
    endDelivery(failures, events);
}

void RoomCapture::onNotice(const std::string& message) {
    std::vector<CaptureEvent> events{event(CaptureEvent::Kind::Notice, message)};
    emit(events);
}

}  // namespace confcap::capture
