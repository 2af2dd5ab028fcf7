// One room's capture: downloads the room's stream once, on its own thread, and fans every chunk
// out to each attached talk sink, so back-to-back talks share one connection. Reconnects with the
// retry policy until the last attached window ends, and measures every outage as a gap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "confcap/capture/Fanout.h"
#include "confcap/capture/Outage.h"
#include "confcap/core/Clock.h"
#include "confcap/core/Error.h"
#include "confcap/core/Media.h"
#include "confcap/core/RetryPolicy.h"
#include "confcap/core/Sleeper.h"
#include "confcap/source/Source.h"

namespace confcap::capture {

/// Something that happened to a room's capture, for the log and the status display.
struct CaptureEvent {
    enum class Kind {
        Connected,     ///< the first connection delivers media
        Failed,        ///< the connection failed or the stream paused; `message` says why
        Reconnecting,  ///< the next attempt follows in `wait`
        Resumed,       ///< media flows again after a failure; `sequence`, `gap` when lost
        Lost,          ///< media lost while connected (HLS segments rolled out); `gap`
        Notice,        ///< worth a log line: variant chosen, discontinuity, stream ended
        GaveUp,        ///< no more attempts: an unusable stream, or past every attached window
        Ended,         ///< the stream is a finished recording (Options::stopWhenFinished)
        Stopped,       ///< the capture ended (stop(), or the last sink was detached)
    };
    Kind kind = Kind::Notice;
    std::string room;
    std::chrono::system_clock::time_point at;  ///< UTC
    /// One sentence for people, e.g. "resumed at segment 1042, nothing lost".
    std::string message;
    /// Failed/GaveUp: whether retrying could help.
    std::optional<core::ErrorKind> errorKind;
    /// Failed: the failure in a few words ("HTTP 404", "stream paused", else the message).
    /// GaveUp: why no attempt follows, as a sentence.
    std::string cause;
    /// Failed: when the stream stopped delivering (UTC), and the attempts that failed since.
    std::chrono::system_clock::time_point since;
    int attempts = 0;
    /// Failed: the same failure as the one before, within a minute of the last one told in full;
    /// a log shows it only when verbose. A failure that goes on is told again once a minute.
    bool repeat = false;
    /// Reconnecting: the wait before the next attempt.
    std::chrono::milliseconds wait{0};
    /// Resumed (HLS): the media sequence number the stream resumed at.
    std::optional<std::int64_t> sequence;
    /// Resumed/Lost: what was lost, when anything was.
    std::optional<core::Gap> gap;
};

/// Captures one room. Inside the attached windows nothing is final but their end: every failure
/// (HTTP errors such as 404 included) and every pause of the stream is retried with the policy
/// until the latest window ends; only an Unusable error (a URL that cannot be used, unsupported
/// encryption) gives up early. attach(), detach(), stop() and the accessors may be called from any
/// thread; the sinks and the event handler are called on the capture's thread (a sink detached
/// during an outage gets its last gap on the detaching thread), never two calls at once.
class RoomCapture {
public:
    using EventHandler = std::function<void(const CaptureEvent&)>;
    /// Makes a fresh source; called each time the capture (re)starts.
    using SourceFactory = std::function<std::unique_ptr<source::Source>()>;

    struct Options {
        core::RetryPolicy retry;
        /// End the capture (an Ended event) when the source reports a finished recording. Off,
        /// a finished or paused stream is polled with the retry policy until the windows end.
        bool stopWhenFinished = false;
        /// Give up when the very first request answers an HTTP error (a mistyped URL), rather
        /// than trying again until the windows end.
        bool giveUpOnFirstHttpError = false;
        /// Wall clock for gaps and deadlines; the system clock when null. Must outlive the capture.
        const core::Clock* clock = nullptr;
        /// What the waits for a retry and for a window's last segment wait on; real time when
        /// null. Must outlive the capture.
        core::Sleeper* sleeper = nullptr;
    };

    /// A capture of `url`, with its source made by makeSource(url, sourceOptions).
    RoomCapture(std::string room, std::string url, source::SourceOptions sourceOptions,
                Options options, EventHandler onEvent);
    /// A capture whose sources `factory` makes (tests, external recorders).
    RoomCapture(std::string room, SourceFactory factory, Options options, EventHandler onEvent);
    /// stop().
    ~RoomCapture();
    RoomCapture(const RoomCapture&) = delete;
    RoomCapture& operator=(const RoomCapture&) = delete;

    /// Adds `sink` (not already attached) until detach(). Its first call is beginPiece; then it
    /// gets the stream from the next point a player can start at (the next HLS segment, WebM
    /// cluster or MPEG-TS packet, after the piece's init section or header; the next chunk for
    /// other formats). Reconnect attempts go on until the latest `windowEnd` (UTC) of the
    /// attached sinks. Starts the capture when it is not running (after a winding-down run has
    /// ended). The sink must stay valid until detach() returns. With `Order::Last`, the sink
    /// gets each chunk after every sink attached without it (the room's tape, which refers to
    /// what the talks wrote). Must not be called from the event handler.
    enum class Order { AsAttached, Last };
    void attach(core::MediaSink& sink, std::chrono::system_clock::time_point windowEnd,
                Order order = Order::AsAttached);
    /// Moves an attached sink's window end (its talk moved): reconnect attempts now go on until
    /// the new latest end. Returns false when `sink` is not attached.
    bool setWindowEnd(core::MediaSink& sink, std::chrono::system_clock::time_point windowEnd);
    /// Removes `sink`; during an outage it first gets a Gap up to now. With `reaching` (UTC, the
    /// window's end) and an HLS stream that flows, it first waits, at most two segment lengths,
    /// until the sink got a segment of every track that ends at or after `reaching`: the segment
    /// holding a window's end is published after it. After this returns the sink gets no more
    /// calls. When the last sink goes, the capture stops (its connection is closed at once).
    /// Returns false when `sink` was not attached. Must not be called from the event handler.
    bool detach(core::MediaSink& sink,
                std::optional<std::chrono::system_clock::time_point> reaching = std::nullopt);
    /// Ends the capture promptly: shuts its connection down without waiting for a read timeout,
    /// and joins its thread. Idempotent. Must not be called from the event handler.
    void stop();

    const std::string& room() const noexcept { return room_; }
    /// True while the capture thread runs (connected, or waiting to reconnect).
    bool running() const;
    std::size_t sinkCount() const;
    /// Connections that delivered media since the capture started.
    int connections() const;

private:
    /// What a connection delivers, passed to the capture (RoomCaptureDelivery.cpp).
    class Output final : public source::SourceOutput {
    public:
        explicit Output(RoomCapture& capture) : capture_(capture) {}
        void connected(const core::StreamFormat& format, const source::Resume& resume) override {
            capture_.onConnected(format, resume);
        }
        void beginTrack(const core::TrackInfo& track, const core::StreamFormat& format) override {
            capture_.onBeginTrack(track, format);
        }
        void write(const core::Chunk& chunk) override { capture_.onWrite(chunk); }
        void lost(const core::Gap& gap) override { capture_.onLost(gap); }
        void notice(const std::string& message) override { capture_.onNotice(message); }
        void variantSwitched(const core::VariantSwitch& change) override {
            capture_.onVariantSwitched(change);
        }

    private:
        RoomCapture& capture_;
    };

    // Starts the capture thread; call with mutex_ held and running_ false.
    void start();
    void runLoop();
    // How one run of the source ended.
    struct RunEnding;
    static RunEnding runOnce(source::Source& source, source::SourceOutput& output);
    // Runs `source` again and again until it is stopped, ends or is given up; `lock` (on mutex_)
    // is released on entry and held on return.
    void runConnections(source::Source& source, std::unique_lock<std::mutex>& lock,
                        std::vector<CaptureEvent>& events);
    // After a failed run: the wait before the next attempt with its Reconnecting event queued,
    // or nullopt with a GaveUp event queued. Call with mutex_ held and sinks attached.
    std::optional<std::chrono::milliseconds> reconnectWait(const RunEnding& run,
                                                           bool deliveredMedia, int& attempt,
                                                           std::vector<CaptureEvent>& events);
    // Records a failed attempt and queues its Failed event; call with mutex_ held.
    void failure(const std::string& message, const std::string& cause, const std::string& category,
                 core::ErrorKind kind, std::vector<CaptureEvent>& events);
    void emit(std::vector<CaptureEvent>& events);
    // The sinks to deliver to, marking a delivery under way; call with mutex_ held.
    Attachments beginDelivery();
    // Ends a delivery: reports the sinks that broke and emits `events`; call without mutex_.
    void endDelivery(const std::vector<std::string>& failures, std::vector<CaptureEvent>& events);
    CaptureEvent event(CaptureEvent::Kind kind, std::string message) const;
    std::chrono::system_clock::time_point now() const;
    // Waits on wake_ at most `wait` until `done`; call with `lock` (on mutex_) held.
    bool waitFor(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds wait,
                 const std::function<bool()>& done);

    // Called on the capture thread by Output.
    void onConnected(const core::StreamFormat& format, const source::Resume& resume);
    void onBeginTrack(const core::TrackInfo& track, const core::StreamFormat& format);
    void onWrite(const core::Chunk& chunk);
    void onLost(const core::Gap& gap);
    void onNotice(const std::string& message);
    void onVariantSwitched(const core::VariantSwitch& change);

    std::string room_;
    SourceFactory factory_;
    Options options_;
    EventHandler onEvent_;
    core::SystemClock systemClock_;
    core::SystemSleeper systemSleeper_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    Attachments sinks_;
    bool delivering_ = false;  // the capture's thread writes to sinks_ (without the lock)
    std::thread thread_;
    bool running_ = false;
    bool stopRequested_ = false;
    source::Source* source_ = nullptr;  // the running source, for stop()

    // Capture-thread state (guarded by mutex_ where other threads see it).
    Fanout fanout_;
    bool connected_ = false;  // a connection is delivering media
    int connections_ = 0;
    std::chrono::milliseconds longestSegment_{0};  // HLS: the longest segment seen
    std::optional<std::chrono::system_clock::time_point> lastMediaEnd_;  // HLS: of the last one
    Outage outage_;  // since the last connection, or the start
    std::mt19937 random_{std::random_device{}()};
};

}  // namespace confcap::capture
