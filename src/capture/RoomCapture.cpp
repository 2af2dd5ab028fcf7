#include "confcap/capture/RoomCapture.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "confcap/core/Format.h"

namespace confcap::capture {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

std::string secondsText(milliseconds d) {
    return core::formatSeconds(static_cast<double>(d.count()) / 1000.0);
}

}  // namespace

RoomCapture::RoomCapture(std::string room, std::string url, source::SourceOptions sourceOptions,
                         Options options, EventHandler onEvent)
    : RoomCapture(
          std::move(room),
          [url = std::move(url), sourceOptions = std::move(sourceOptions)] {
              return source::makeSource(url, sourceOptions);
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

bool RoomCapture::waitFor(std::unique_lock<std::mutex>& lock, milliseconds wait,
                          const std::function<bool()>& done) {
    core::Sleeper& sleeper = options_.sleeper != nullptr ? *options_.sleeper : systemSleeper_;
    return sleeper.waitFor(lock, wake_, wait, done);
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

bool RoomCapture::setWindowEnd(core::MediaSink& sink, TimePoint windowEnd) {
    std::lock_guard lock(mutex_);
    for (auto& attached : sinks_) {
        if (attached->sink == &sink) {
            attached->windowEnd = windowEnd;
            return true;
        }
    }
    return false;
}

void RoomCapture::attach(core::MediaSink& sink, TimePoint windowEnd, Order order) {
    std::unique_lock lock(mutex_);
    // A run winding down (its last sink left, or stop()) ends before a new one starts.
    wake_.wait(lock, [&] { return !(running_ && stopRequested_); });
    auto attached = std::make_shared<AttachedSink>();
    attached->sink = &sink;
    attached->windowEnd = windowEnd;
    attached->attachedAt = now();
    attached->last = order == Order::Last;
    // Those that go last stay at the end, in the order they came.
    const auto at = attached->last ? sinks_.end()
                                   : std::find_if(sinks_.begin(), sinks_.end(),
                                                  [](const auto& a) { return a->last; });
    sinks_.insert(at, std::move(attached));
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
    lastMediaEnd_.reset();
    outage_.reset(now());
    thread_ = std::thread(&RoomCapture::runLoop, this);
}

bool RoomCapture::detach(core::MediaSink& sink, std::optional<TimePoint> reaching) {
    std::unique_lock lock(mutex_);
    auto find = [&] {
        return std::find_if(sinks_.begin(), sinks_.end(),
                            [&](const auto& a) { return a->sink == &sink; });
    };
    if (find() == sinks_.end()) {
        return false;
    }
    if (reaching && connected_ && !(*find())->reached.empty() && !(*find())->reaches(*reaching)) {
        // The segment that holds the window's end is published after it: keep polling for it,
        // at most two segment lengths.
        const auto wait = std::clamp(2 * longestSegment_, milliseconds(1000), milliseconds(30000));
        waitFor(lock, wait, [&] {
            const auto it = find();
            return it == sinks_.end() || !connected_ || stopRequested_ || (*it)->broken ||
                   (*it)->reaches(*reaching);
        });
    }
    // The capture's thread writes to the sinks without the lock: let it finish with this one.
    wake_.wait(lock, [&] { return !delivering_; });
    const auto found = find();
    if (found == sinks_.end()) {
        return false;
    }
    const std::shared_ptr<AttachedSink> leaving = *found;
    const auto gap = connected_ || leaving->broken
                         ? std::nullopt
                         : outage_.gapUntil(now(), leaving->attachedAt, connections_ > 0);
    sinks_.erase(found);
    if (sinks_.empty() && running_) {
        stopRequested_ = true;
        if (source_ != nullptr) {
            source_->stop();
        }
        wake_.notify_all();
    }
    lock.unlock();
    if (gap) {
        try {
            leaving->sink->gap(*gap);
        } catch (...) {
            // The sink is leaving; its own status tells about its failure.
        }
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
    std::unique_ptr<source::Source> source;
    std::string setupError;
    try {
        source = factory_();
    } catch (const std::exception& e) {
        setupError = e.what();
    }
    std::unique_lock lock(mutex_);
    if (!source) {
        auto e = event(CaptureEvent::Kind::GaveUp, "giving up: " + setupError);
        e.errorKind = core::ErrorKind::Unusable;
        e.cause = setupError;
        events.push_back(std::move(e));
    } else {
        source_ = source.get();
        if (stopRequested_) {
            source->stop();
        }
        lock.unlock();
        runConnections(*source, lock, events);
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

struct RoomCapture::RunEnding {
    std::string message;  // empty: the run ended without an error
    std::string cause;
    std::string category = core::gapcause::kOutage;
    core::ErrorKind kind = core::ErrorKind::Transient;
    std::optional<std::chrono::seconds> retryAfter;
    source::RunEnd end = source::RunEnd::Stopped;
};

RoomCapture::RunEnding RoomCapture::runOnce(source::Source& source, source::SourceOutput& output) {
    RunEnding run;
    try {
        run.end = source.run(output);
    } catch (const core::Error& e) {
        run.message = e.what();
        run.kind = e.kind();
        run.retryAfter = e.retryAfter();
        const auto* fetchError = dynamic_cast<const core::FetchError*>(&e);
        if (fetchError != nullptr && fetchError->httpStatus() != 0) {
            run.cause = "HTTP " + std::to_string(fetchError->httpStatus());
        }
    } catch (const std::exception& e) {
        run.message = e.what();
    }
    return run;
}

void RoomCapture::runConnections(source::Source& source, std::unique_lock<std::mutex>& lock,
                                 std::vector<CaptureEvent>& events) {
    Output output(*this);
    int attempt = 0;
    for (;;) {
        RunEnding run = runOnce(source, output);
        lock.lock();
        if (stopRequested_) {
            return;
        }
        if (run.message.empty()) {
            if (run.end == source::RunEnd::Finished && options_.stopWhenFinished) {
                events.push_back(event(CaptureEvent::Kind::Ended,
                                       "the stream is a finished recording: nothing more "
                                       "will come"));
                return;
            }
            // A paused or finished stream may go on (or start again) inside the window.
            run.message = run.end == source::RunEnd::Finished
                              ? "the stream is a finished recording; checking whether it goes on"
                              : "the stream paused (it ended for now); waiting for it to go on";
            run.cause = core::gapcause::kPaused;
            run.category = core::gapcause::kPaused;
        }
        const bool deliveredMedia = connected_;
        if (deliveredMedia) {
            // Media flowed since the last failure: start the backoff afresh.
            attempt = 0;
        }
        failure(run.message, run.cause.empty() ? run.message : run.cause, run.category, run.kind,
                events);
        if (sinks_.empty()) {
            return;
        }
        const auto wait = reconnectWait(run, deliveredMedia, attempt, events);
        if (!wait) {
            return;
        }
        lock.unlock();
        emit(events);
        lock.lock();
        waitFor(lock, *wait, [&] { return stopRequested_; });
        if (stopRequested_) {
            return;
        }
        lock.unlock();
    }
}

std::optional<milliseconds> RoomCapture::reconnectWait(const RunEnding& run, bool deliveredMedia,
                                                       int& attempt,
                                                       std::vector<CaptureEvent>& events) {
    TimePoint deadline = sinks_.front()->windowEnd;
    for (const auto& a : sinks_) {
        deadline = std::max(deadline, a->windowEnd);
    }
    // Inside a window only an unusable stream is given up: every other failure (an HTTP
    // 404 of a stream that is not live yet included) may end by waiting.
    const auto policyKind = run.kind == core::ErrorKind::Unusable ? core::ErrorKind::Unusable
                                                                  : core::ErrorKind::Transient;
    const bool firstHttpError = options_.giveUpOnFirstHttpError && connections_ == 0 &&
                                outage_.attempts() == 1 && run.cause.rfind("HTTP ", 0) == 0;
    // A connection that delivered media is picked up again at once; a failure that
    // follows another one waits by the backoff.
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const auto wait = firstHttpError ? std::nullopt
                      : deliveredMedia
                          ? options_.retry.afterMedia(policyKind, now(), deadline, run.retryAfter)
                          : options_.retry.next(++attempt, policyKind, now(), deadline,
                                                run.retryAfter, uniform(random_));
    if (!wait) {
        const std::string why = policyKind == core::ErrorKind::Unusable || firstHttpError
                                    ? run.message
                                    : "the last window closes before another attempt could be made";
        auto gaveUp = event(CaptureEvent::Kind::GaveUp, "giving up: " + why);
        gaveUp.errorKind = run.kind;
        gaveUp.cause = why;
        events.push_back(std::move(gaveUp));
        return std::nullopt;
    }
    auto reconnecting = event(CaptureEvent::Kind::Reconnecting,
                              wait->count() == 0 ? std::string("reconnecting at once")
                                                 : "reconnecting in " + secondsText(*wait));
    reconnecting.wait = *wait;
    events.push_back(std::move(reconnecting));
    return wait;
}

void RoomCapture::failure(const std::string& message, const std::string& cause,
                          const std::string& category, core::ErrorKind kind,
                          std::vector<CaptureEvent>& events) {
    connected_ = false;
    const Outage::Report report = outage_.fail(now(), message, cause, category);
    auto failed = event(CaptureEvent::Kind::Failed, report.message);
    failed.errorKind = kind;
    failed.cause = cause;
    failed.since = report.since;
    failed.attempts = report.attempts;
    failed.repeat = report.repeat;
    events.push_back(std::move(failed));
}

}  // namespace confcap::capture
