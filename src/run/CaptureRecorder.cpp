#include "confcap/run/CaptureRecorder.h"

namespace confcap::run {

struct CaptureRecorder::Capture {
    std::unique_ptr<record::RoomCapture> capture;
    mutable std::mutex mutex;
    std::vector<std::string> keys;  ///< jobs attached, for marking events

    std::vector<std::string> attachedKeys() const {
        std::lock_guard lock(mutex);
        return keys;
    }
};

CaptureRecorder::CaptureRecorder(Options options, EventHandler onEvent)
    : options_(std::move(options)), onEvent_(std::move(onEvent)) {}

CaptureRecorder::~CaptureRecorder() {
    std::map<std::string, std::shared_ptr<Capture>> captures;
    {
        std::lock_guard lock(mutex_);
        captures.swap(captures_);
    }
    for (auto& [key, capture] : captures) {
        capture->capture->stop();
    }
}

void CaptureRecorder::start(const plan::Job& job, const std::string& talkMetadataJson) {
    const auto key = job.talk.key();
    record::TalkSinkConfig config;
    config.outDir = options_.outDir;
    config.relativeStem = job.fileStem;
    config.windowStart = std::chrono::system_clock::time_point(job.from.time_since_epoch());
    config.windowEnd = std::chrono::system_clock::time_point(job.until.time_since_epoch());
    config.minBytes = options_.minBytes;
    config.minDuration = options_.minDuration;
    config.streamUrl = job.stream;
    config.talkMetadataJson = talkMetadataJson;
    const core::Clock& clock = options_.clock != nullptr ? *options_.clock : systemClock_;
    auto sink = std::make_unique<record::TalkSink>(std::move(config), clock);

    const auto captureKey = job.talk.room + "\n" + job.stream;
    std::shared_ptr<Capture> capture;
    {
        std::lock_guard lock(mutex_);
        auto& slot = captures_[captureKey];
        if (!slot) {
            slot = std::make_shared<Capture>();
            record::RoomCapture::Options captureOptions;
            captureOptions.retry = options_.retry;
            captureOptions.clock = options_.clock;
            std::weak_ptr<Capture> weak = slot;
            auto handler = [this, weak](const record::CaptureEvent& event) {
                if (const auto self = weak.lock(); self && onEvent_) {
                    onEvent_(event, self->attachedKeys());
                }
            };
            if (options_.sourceFactory) {
                auto factory = [f = options_.sourceFactory, url = job.stream] { return f(url); };
                slot->capture = std::make_unique<record::RoomCapture>(
                    job.talk.room, std::move(factory), captureOptions, std::move(handler));
            } else {
                slot->capture = std::make_unique<record::RoomCapture>(
                    job.talk.room, job.stream, options_.source, captureOptions, std::move(handler));
            }
        }
        capture = slot;
        {
            std::lock_guard keysLock(capture->mutex);
            capture->keys.push_back(key);
        }
        // Attached under the lock finish() decides a capture's end under, so a talk starting
        // as the room's previous one ends never joins a capture that is being closed.
        capture->capture->attach(
            *sink, std::chrono::system_clock::time_point(job.until.time_since_epoch()));
        recordings_[key] = Recording{captureKey, std::move(sink)};
    }
}

void CaptureRecorder::retarget(const plan::Job& job) {
    std::lock_guard lock(mutex_);
    const auto it = recordings_.find(job.talk.key());
    if (it == recordings_.end()) {
        return;
    }
    const auto capture = captures_.find(it->second.captureKey);
    if (capture != captures_.end()) {
        capture->second->capture->setWindowEnd(
            *it->second.sink, std::chrono::system_clock::time_point(job.until.time_since_epoch()));
    }
}

std::optional<record::FinalizeResult> CaptureRecorder::finish(const std::string& key,
                                                              std::string_view reason) {
    Recording recording;
    std::shared_ptr<Capture> capture;
    {
        std::lock_guard lock(mutex_);
        const auto it = recordings_.find(key);
        if (it == recordings_.end()) {
            return std::nullopt;
        }
        recording = std::move(it->second);
        recordings_.erase(it);
        const auto c = captures_.find(recording.captureKey);
        if (c != captures_.end()) {
            capture = c->second;
        }
    }
    if (capture) {
        capture->capture->detach(*recording.sink);
        {
            std::lock_guard lock(capture->mutex);
            std::erase(capture->keys, key);
        }
        // The last talk of a room closes its capture; the next one opens a fresh connection.
        // Whether it was the last is decided under the lock start() attaches under, and the
        // capture's thread is joined here: its event handler may hold a reference, and the last
        // reference must not be dropped on that thread.
        bool closing = false;
        {
            std::lock_guard lock(mutex_);
            const auto c = captures_.find(recording.captureKey);
            if (c != captures_.end() && c->second == capture &&
                capture->capture->sinkCount() == 0) {
                captures_.erase(c);
                closing = true;
            }
        }
        if (closing) {
            capture->capture->stop();
        }
    }
    return recording.sink->finalize(reason);
}

std::optional<record::SinkStatus> CaptureRecorder::progress(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = recordings_.find(key);
    if (it == recordings_.end()) {
        return std::nullopt;
    }
    return it->second.sink->status();
}

std::optional<std::string> CaptureRecorder::partFile(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = recordings_.find(key);
    if (it == recordings_.end()) {
        return std::nullopt;
    }
    return it->second.sink->relativeStem().string();
}

}  // namespace confcap::run
