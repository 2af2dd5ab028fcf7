#include "confcap/record/RoomCapture.h"

#include <algorithm>
#include <cstdio>

namespace confcap::record {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

constexpr std::string_view kMatroskaCluster = "\x1F\x43\xB6\x75";
// A WebM/Matroska header longer than this is not kept for sinks that join mid-stream.
constexpr std::size_t kHeaderLimit = 1024 * 1024;
constexpr std::size_t kTsPacket = 188;

std::string secondsText(milliseconds d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(d.count()) / 1000.0);
    return text;
}

bool isMatroska(const StreamFormat& format) {
    return format.extension == "webm" || format.extension == "mkv";
}

// Where in a chunk a sink joining mid-piece can begin, or npos when it must wait for a later one.
std::size_t joinOffset(const StreamFormat& format, std::string_view bytes, ChunkKind kind) {
    if (kind != ChunkKind::Media) {
        return 0;
    }
    if (format.extension == "ts") {
        const std::size_t limit = std::min(bytes.size(), kTsPacket);
        for (std::size_t i = 0; i < limit; ++i) {
            if (bytes[i] == 0x47 &&
                (i + kTsPacket >= bytes.size() || bytes[i + kTsPacket] == 0x47)) {
                return i;
            }
        }
        return std::string_view::npos;
    }
    if (isMatroska(format)) {
        return bytes.find(kMatroskaCluster);
    }
    return 0;
}

}  // namespace

struct RoomCapture::Attached {
    MediaSink* sink = nullptr;
    TimePoint windowEnd;
    TimePoint attachedAt;
    bool active = false;  // gets the current piece
    bool begun = false;   // had a beginPiece
    bool broken = false;  // threw; gets nothing more
};

class RoomCapture::Output final : public SourceOutput {
public:
    explicit Output(RoomCapture& capture) : capture_(capture) {}
    void connected(const StreamFormat& format, const Resume& resume) override {
        capture_.onConnected(format, resume);
    }
    void write(std::string_view bytes, double mediaSeconds, ChunkKind kind) override {
        capture_.onWrite(bytes, mediaSeconds, kind);
    }
    void lost(const Gap& gap) override { capture_.onLost(gap); }
    void notice(const std::string& message) override { capture_.onNotice(message); }

private:
    RoomCapture& capture_;
};

RoomCapture::RoomCapture(std::string room, std::string url, SourceOptions sourceOptions,
                         Options options, EventHandler onEvent)
    : RoomCapture(
          std::move(room),
          [url = std::move(url), sourceOptions = std::move(sourceOptions)] {
              return makeSource(url, sourceOptions);
          },
          options, std::move(onEvent)) {}

RoomCapture::RoomCapture(std::string room, SourceFactory factory, Options options,
                         EventHandler onEvent)
    : room_(std::move(room)),
      factory_(std::move(factory)),
      options_(options),
      onEvent_(std::move(onEvent)) {}

RoomCapture::~RoomCapture() {
    stop();
}

TimePoint RoomCapture::now() const {
    return options_.clock != nullptr ? options_.clock->now() : systemClock_.now();
}

CaptureEvent RoomCapture::event(CaptureEvent::Kind kind, std::string message) const {
    CaptureEvent e;
    e.kind = kind;
    e.room = room_;
    e.at = now();
    e.message = std::move(message);
    return e;
}

void RoomCapture::emit(std::vector<CaptureEvent>& events) {
    for (const auto& e : events) {
        if (onEvent_) {
            try {
                onEvent_(e);
            } catch (...) {
                // A failing log line must not end the capture.
            }
        }
    }
    events.clear();
}

bool RoomCapture::setWindowEnd(MediaSink& sink, TimePoint windowEnd) {
    std::lock_guard lock(mutex_);
    for (auto& attached : sinks_) {
        if (attached->sink == &sink) {
            attached->windowEnd = windowEnd;
            return true;
        }
    }
    return false;
}

void RoomCapture::attach(MediaSink& sink, TimePoint windowEnd) {
    std::unique_lock lock(mutex_);
    // A run winding down (its last sink left, or stop()) ends before a new one starts.
    wake_.wait(lock, [&] { return !(running_ && stopRequested_); });
    auto attached = std::make_unique<Attached>();
    attached->sink = &sink;
    attached->windowEnd = windowEnd;
    attached->attachedAt = now();
    sinks_.push_back(std::move(attached));
    if (!running_) {
        start();
    }
    wake_.notify_all();
}

void RoomCapture::start() {
    if (thread_.joinable()) {
        // A finished run: its thread has set running_ = false and touches nothing more.
        thread_.join();
    }
    running_ = true;
    stopRequested_ = false;
    connected_ = false;
    failed_ = false;
    failureCause_.clear();
    header_.clear();
    headerComplete_ = true;
    lastData_ = now();
    thread_ = std::thread(&RoomCapture::runLoop, this);
}

bool RoomCapture::detach(MediaSink& sink) {
    std::lock_guard lock(mutex_);
    const auto found =
        std::find_if(sinks_.begin(), sinks_.end(), [&](const auto& a) { return a->sink == &sink; });
    if (found == sinks_.end()) {
        return false;
    }
    Attached& a = **found;
    if (failed_ && !connected_ && !a.broken) {
        Gap gap;
        gap.at = std::max(lastData_, a.attachedAt);
        const TimePoint t = now();
        gap.length = duration_cast<milliseconds>(t - gap.at);
        gap.cause = failureCause_;
        if (gap.length.count() > 0) {
            try {
                a.sink->gap(gap);
            } catch (...) {
                // The sink is leaving; its own status tells about its failure.
            }
        }
    }
    sinks_.erase(found);
    if (sinks_.empty() && running_) {
        stopRequested_ = true;
        if (source_ != nullptr) {
            source_->stop();
        }
        wake_.notify_all();
    }
    return true;
}

void RoomCapture::stop() {
    std::thread thread;
    {
        std::lock_guard lock(mutex_);
        stopRequested_ = true;
        if (source_ != nullptr) {
            source_->stop();
        }
        thread = std::move(thread_);
    }
    wake_.notify_all();
    if (thread.joinable()) {
        thread.join();
    }
}

bool RoomCapture::running() const {
    std::lock_guard lock(mutex_);
    return running_;
}

std::size_t RoomCapture::sinkCount() const {
    std::lock_guard lock(mutex_);
    return sinks_.size();
}

int RoomCapture::connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

void RoomCapture::runLoop() {
    std::vector<CaptureEvent> events;
    std::unique_ptr<Source> source;
    std::string setupError;
    try {
        source = factory_();
    } catch (const std::exception& e) {
        setupError = e.what();
    }
    std::unique_lock lock(mutex_);
    if (!source) {
        auto e = event(CaptureEvent::Kind::GaveUp, "giving up: " + setupError);
        e.errorKind = core::ErrorKind::Permanent;
        events.push_back(std::move(e));
    } else {
        source_ = source.get();
        if (stopRequested_) {
            source->stop();
        }
        lock.unlock();

        Output output(*this);
        std::uniform_real_distribution<double> uniform(0.0, 1.0);
        int attempt = 0;
        for (;;) {
            std::string cause = "the stream ended";
            core::ErrorKind kind = core::ErrorKind::Transient;
            std::optional<std::chrono::seconds> retryAfter;
            try {
                source->run(output);
            } catch (const core::FetchError& e) {
                cause = e.what();
                kind = e.kind();
                if (e.retryAfter() >= 0) {
                    retryAfter = std::chrono::seconds(e.retryAfter());
                }
            } catch (const core::SourceError& e) {
                cause = e.what();
                kind = e.kind();
                if (e.retryAfter() >= 0) {
                    retryAfter = std::chrono::seconds(e.retryAfter());
                }
            } catch (const core::Error& e) {
                cause = e.what();
                kind = e.kind();
            } catch (const std::exception& e) {
                cause = e.what();
            }
            lock.lock();
            if (stopRequested_) {
                break;
            }
            if (connected_) {
                // Media flowed since the last failure: start the backoff afresh.
                attempt = 0;
            }
            connected_ = false;
            failed_ = true;
            failureCause_ = cause;
            auto failed = event(CaptureEvent::Kind::Failed, cause);
            failed.errorKind = kind;
            events.push_back(std::move(failed));
            if (sinks_.empty()) {
                break;
            }
            TimePoint deadline = sinks_.front()->windowEnd;
            for (const auto& a : sinks_) {
                deadline = std::max(deadline, a->windowEnd);
            }
            const auto wait =
                options_.retry.next(++attempt, kind, now(), deadline, retryAfter, uniform(random_));
            if (!wait) {
                auto gaveUp = event(CaptureEvent::Kind::GaveUp,
                                    kind == core::ErrorKind::Permanent
                                        ? "giving up: " + cause
                                        : "giving up: the last window closes before another "
                                          "attempt could be made");
                gaveUp.errorKind = kind;
                events.push_back(std::move(gaveUp));
                break;
            }
            auto reconnecting =
                event(CaptureEvent::Kind::Reconnecting, "reconnecting in " + secondsText(*wait));
            reconnecting.wait = *wait;
            events.push_back(std::move(reconnecting));
            lock.unlock();
            emit(events);
            lock.lock();
            wake_.wait_for(lock, *wait, [&] { return stopRequested_; });
            const bool stopping = stopRequested_;
            lock.unlock();
            if (stopping) {
                lock.lock();
                break;
            }
        }
        source_ = nullptr;
        if (stopRequested_) {
            events.push_back(event(CaptureEvent::Kind::Stopped, "capture stopped"));
        }
    }
    connected_ = false;
    lock.unlock();
    source.reset();
    emit(events);
    lock.lock();
    running_ = false;
    wake_.notify_all();
}

void RoomCapture::onConnected(const StreamFormat& format, const Resume& resume) {
    std::vector<CaptureEvent> events;
    {
        std::lock_guard lock(mutex_);
        const TimePoint t = now();
        const bool reconnect = failed_;
        std::optional<Gap> gap;
        if (!failed_ && connected_) {
            events.push_back(event(CaptureEvent::Kind::Notice,
                                   "a new piece starts (the stream's initialization changed)"));
        } else if (!failed_) {
            events.push_back(
                event(CaptureEvent::Kind::Connected, "connected, receiving " + format.extension));
        } else {
            auto e = event(CaptureEvent::Kind::Resumed, "");
            e.sequence = resume.sequence;
            if (resume.sequence && !resume.first) {
                const std::string at = "resumed at segment " + std::to_string(*resume.sequence);
                if (resume.lostFirst && resume.lostLast) {
                    gap = Gap{lastData_, resume.lostLength, failureCause_, resume.lostFirst,
                              resume.lostLast};
                    const auto count = *resume.lostLast - *resume.lostFirst + 1;
                    e.message = at + ", lost " + std::to_string(count) + " segments (" +
                                std::to_string(*resume.lostFirst) + "-" +
                                std::to_string(*resume.lostLast) + ", about " +
                                secondsText(resume.lostLength) + ")";
                } else {
                    e.message = at + ", nothing lost";
                }
            } else {
                const auto length = duration_cast<milliseconds>(t - lastData_);
                gap = Gap{lastData_, length, failureCause_, std::nullopt, std::nullopt};
                e.message = "resumed after " + secondsText(length) + " without data";
            }
            e.gap = gap;
            events.push_back(std::move(e));
        }
        format_ = format;
        header_.clear();
        headerComplete_ = !isMatroska(format);
        ++connections_;
        for (auto& a : sinks_) {
            if (a->broken) {
                continue;
            }
            try {
                if (reconnect && a->begun) {
                    a->sink->reconnected();
                }
                if (gap) {
                    Gap own = *gap;
                    if (own.at < a->attachedAt) {
                        own.at = a->attachedAt;
                        if (!own.firstSequence) {
                            own.length = duration_cast<milliseconds>(t - own.at);
                        }
                    }
                    if (own.length.count() > 0) {
                        a->sink->gap(own);
                    }
                }
                a->sink->beginPiece(format);
                a->active = true;
                a->begun = true;
            } catch (const std::exception& e) {
                a->broken = true;
                events.push_back(
                    event(CaptureEvent::Kind::Notice,
                          std::string("a recording stopped taking data: ") + e.what()));
            }
        }
        failed_ = false;
        connected_ = true;
        lastData_ = t;
    }
    emit(events);
}

void RoomCapture::onWrite(std::string_view bytes, double mediaSeconds, ChunkKind kind) {
    std::vector<CaptureEvent> events;
    {
        const TimePoint t = now();
        std::lock_guard lock(mutex_);
        lastData_ = t;
        if (kind == ChunkKind::Init) {
            header_.assign(bytes);
            headerComplete_ = true;
        } else if (!headerComplete_) {
            const std::size_t cluster = bytes.find(kMatroskaCluster);
            header_.append(bytes.substr(0, cluster));
            if (cluster != std::string_view::npos) {
                headerComplete_ = true;
            } else if (header_.size() > kHeaderLimit) {
                header_.clear();
                headerComplete_ = true;
            }
        }
        for (auto& a : sinks_) {
            if (a->broken) {
                continue;
            }
            try {
                if (a->active) {
                    a->sink->write(bytes, mediaSeconds);
                    continue;
                }
                if (!connected_ || !headerComplete_) {
                    continue;
                }
                const std::size_t offset = joinOffset(format_, bytes, kind);
                if (offset == std::string_view::npos) {
                    continue;
                }
                a->sink->beginPiece(format_);
                a->active = true;
                a->begun = true;
                if (kind != ChunkKind::Init && !header_.empty()) {
                    a->sink->write(header_, 0);
                }
                a->sink->write(bytes.substr(offset), offset == 0 ? mediaSeconds : 0);
            } catch (const std::exception& e) {
                a->broken = true;
                events.push_back(
                    event(CaptureEvent::Kind::Notice,
                          std::string("a recording stopped taking data: ") + e.what()));
            }
        }
    }
    if (!events.empty()) {
        emit(events);
    }
}

void RoomCapture::onLost(const Gap& gap) {
    std::vector<CaptureEvent> events;
    {
        std::lock_guard lock(mutex_);
        auto e = event(CaptureEvent::Kind::Lost, gap.cause);
        e.gap = gap;
        e.sequence = gap.firstSequence;
        events.push_back(std::move(e));
        for (auto& a : sinks_) {
            if (!a->active || a->broken) {
                continue;
            }
            try {
                a->sink->gap(gap);
            } catch (const std::exception& ex) {
                a->broken = true;
                events.push_back(
                    event(CaptureEvent::Kind::Notice,
                          std::string("a recording stopped taking data: ") + ex.what()));
            }
        }
    }
    emit(events);
}

void RoomCapture::onNotice(const std::string& message) {
    std::vector<CaptureEvent> events{event(CaptureEvent::Kind::Notice, message)};
    emit(events);
}

}  // namespace confcap::record
