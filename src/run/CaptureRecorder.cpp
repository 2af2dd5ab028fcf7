#include "confcap/run/CaptureRecorder.h"

#include "confcap/core/Time.h"
#include "confcap/run/TapeReplay.h"

namespace confcap::run {

struct CaptureRecorder::Capture {
    std::unique_ptr<sink::RoomTape> tape;  ///< attached with the room's first talk; may be null
    std::unique_ptr<capture::RoomCapture> capture;
    /// Lines the talks' files up where their windows overlap; null where the output folder's
    /// file system cannot share blocks.
    std::shared_ptr<sink::OverlapLedger> overlaps;
    /// Only the tape is attached: the capture goes on until then (CaptureRecorder's mutex_).
    std::optional<std::chrono::system_clock::time_point> bridgeUntil;
    bool tapeFailureTold = false;  ///< (CaptureRecorder's mutex_)
    mutable std::mutex mutex;
    std::vector<std::string> keys;  ///< jobs attached, for marking events

    std::vector<std::string> attachedKeys() const {
        std::lock_guard lock(mutex);
        return keys;
    }
};

CaptureRecorder::CaptureRecorder(Options options, EventHandler onEvent)
    : options_(std::move(options)), onEvent_(std::move(onEvent)) {
    sharedBlockSize_ = sink::sharedBlockSize(options_.outDir);
    if (options_.keepTape.count() > 0 && options_.tapeBridge.count() > 0) {
        bridger_ = std::jthread([this](std::stop_token stop) { closeBridges(stop); });
    }
}

CaptureRecorder::~CaptureRecorder() {
    if (bridger_.joinable()) {
        bridger_.request_stop();
        bridger_.join();
    }
    std::map<std::string, std::shared_ptr<Capture>> captures;
    {
        std::lock_guard lock(mutex_);
        captures.swap(captures_);
    }
    for (auto& [key, capture] : captures) {
        capture->capture->stop();
    }
}

namespace {

sink::TalkMetadata metadataOf(const plan::Job& job) {
    const schedule::Talk& talk = job.talk;
    sink::TalkMetadata m;
    m.id = talk.id;
    m.guid = talk.guid;
    m.title = talk.title;
    m.subtitle = talk.subtitle;
    m.room = talk.room;
    m.track = talk.track;
    m.type = talk.type;
    m.language = talk.language;
    m.start = talk.start;
    m.end = talk.end();
    m.durationSeconds = talk.duration.count();
    for (const auto& person : talk.persons) {
        m.persons.push_back(person.name);
    }
    m.url = talk.url;
    m.doNotRecord = talk.doNotRecord;
    m.abstract = talk.abstract;
    m.conference = job.conference;
    m.date = job.localDate;
    return m;
}

}  // namespace

void CaptureRecorder::start(const plan::Job& job, const std::optional<core::Gap>& waited) {
    const auto key = job.talk.key();
    sink::TalkSinkConfig config;
    config.outDir = options_.outDir;
    config.relativeStem = job.fileStem;
    config.windowStart = std::chrono::system_clock::time_point(job.from.time_since_epoch());
    config.windowEnd = std::chrono::system_clock::time_point(job.until.time_since_epoch());
    config.minBytes = options_.minBytes;
    config.minDuration = options_.minDuration;
    config.streamUrl = job.stream;
    config.talk = metadataOf(job);
    config.container = options_.container;
    config.nfo = options_.nfo;
    auto sink = std::make_unique<sink::TalkSink>(std::move(config), clock());
    if (waited && waited->length.count() > 0) {
        sink->gap(*waited);
    }

    const auto captureKey = job.talk.room + "\n" + job.stream;
    std::shared_ptr<Capture> capture;
    bool expireTapes = false;
    {
        std::lock_guard lock(mutex_);
        auto& slot = captures_[captureKey];
        if (!slot) {
            slot = std::make_shared<Capture>();
            capture::RoomCapture::Options captureOptions;
            captureOptions.retry = options_.retry;
            captureOptions.clock = options_.clock;
            captureOptions.sleeper = options_.sleeper;
            captureOptions.stopWhenFinished = job.ending.atStreamEnd;
            captureOptions.giveUpOnFirstHttpError = job.ending.onFirstHttpError;
            std::weak_ptr<Capture> weak = slot;
            auto handler = [this, weak](const capture::CaptureEvent& event) {
                if (const auto self = weak.lock(); self && onEvent_) {
                    onEvent_(event, self->attachedKeys());
                }
            };
            if (options_.sourceFactory) {
                auto factory = [f = options_.sourceFactory, url = job.stream] { return f(url); };
                slot->capture = std::make_unique<capture::RoomCapture>(
                    job.talk.room, std::move(factory), captureOptions, std::move(handler));
            } else {
                // A talk an earlier run left open goes on after its last segment, when the
                // playlist still lists it; only the room's first connection starts there.
                auto first = std::make_shared<std::vector<core::HlsResumePoint>>(
                    sink->continued() ? sink->resumePoints() : std::vector<core::HlsResumePoint>());
                auto factory = [source = options_.source, url = job.stream, first] {
                    auto options = source;
                    options.resumeAt = std::exchange(*first, {});
                    return source::makeSource(url, options);
                };
                slot->capture = std::make_unique<capture::RoomCapture>(
                    job.talk.room, std::move(factory), captureOptions, std::move(handler));
            }
        }
        capture = slot;
        capture->bridgeUntil.reset();
        if (!capture->overlaps && sharedBlockSize_) {
            capture->overlaps = std::make_shared<sink::OverlapLedger>(*sharedBlockSize_);
        }
        if (capture->overlaps) {
            sink->shareOverlaps(capture->overlaps);
        }
        {
            std::lock_guard keysLock(capture->mutex);
            capture->keys.push_back(key);
        }
        const bool newTape = !capture->tape && options_.keepTape.count() > 0;
        if (newTape) {
            capture->tape = std::make_unique<sink::RoomTape>(
                tapeFolderFor(options_.outDir, job.talk.room), clock(),
                options_.tapeKeepFree ? options_.tapeKeepFree() : 0);
        }
        if (capture->tape) {
            // The talk writes the room's bytes once; the tape, which gets them after it, keeps
            // them by referring to the talk's file.
            sink->shareWrites([tape = capture->tape.get()](
                                  const core::Chunk& chunk, const std::filesystem::path& file,
                                  std::uint64_t offset) { tape->shared(chunk, file, offset); });
        }
        // Attached under the lock finish() decides a capture's end under, so a talk starting
        // as the room's previous one ends never joins a capture that is being closed.
        capture->capture->attach(
            *sink, std::chrono::system_clock::time_point(job.until.time_since_epoch()));
        if (newTape) {
            capture->capture->attach(*capture->tape, {}, capture::RoomCapture::Order::Last);
            tapedRooms_.insert(job.talk.room);
            expireTapes = tapesDue(clock().now());
        }
        recordings_[key] =
            Recording{captureKey, std::move(sink),
                      std::chrono::system_clock::time_point(job.until.time_since_epoch())};
    }
    // Old tapes are read and deleted without the lock: starting and ending talks do not wait.
    if (expireTapes) {
        sink::expireTapes(tapesFolder(options_.outDir), options_.keepTape, clock().now());
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
        it->second.windowEnd = std::chrono::system_clock::time_point(job.until.time_since_epoch());
        capture->second->capture->setWindowEnd(*it->second.sink, it->second.windowEnd);
    }
}

std::optional<sink::FinalizeResult> CaptureRecorder::finish(const std::string& key,
                                                            std::string_view reason,
                                                            bool windowEnded) {
    std::optional<std::chrono::system_clock::time_point> reaching;
    if (windowEnded) {
        std::lock_guard lock(mutex_);
        if (const auto it = recordings_.find(key); it != recordings_.end()) {
            reaching = it->second.windowEnd;
        }
    }
    auto recording = take(key, reaching);
    if (!recording) {
        return std::nullopt;
    }
    publishing_.acquire();
    const struct Release {
        std::counting_semaphore<>& s;
        ~Release() { s.release(); }
    } release{publishing_};
    return recording->sink->finalize(reason);
}

std::optional<sink::Interruption> CaptureRecorder::interrupt(const std::string& key,
                                                             std::string_view reason) {
    auto recording = take(key);
    if (!recording) {
        return std::nullopt;
    }
    const auto part = recording->sink->currentFile();
    auto interruption = recording->sink->interrupt(reason);
    std::lock_guard lock(mutex_);
    suspended_[key] = interruption.result.files.empty() ? part
                                                        : interruption.result.files.front()
                                                              .lexically_relative(options_.outDir)
                                                              .generic_string();
    return interruption;
}

std::optional<CaptureRecorder::Recording> CaptureRecorder::take(
    const std::string& key, std::optional<std::chrono::system_clock::time_point> reaching) {
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
        if (!recording.sink) {
            return std::nullopt;
        }
        const auto c = captures_.find(recording.captureKey);
        if (c != captures_.end()) {
            capture = c->second;
        }
    }
    if (capture) {
        capture->capture->detach(*recording.sink, reaching);
        tellTapeFailure(*capture);
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
                capture->capture->sinkCount() == (capture->tape ? 1u : 0u)) {
                if (capture->tape && options_.tapeBridge.count() > 0 &&
                    capture->tape->error().empty()) {
                    // The tape goes on for a while: the room's next talk may come soon, and
                    // this one may run over.
                    capture->bridgeUntil = clock().now() + options_.tapeBridge;
                    capture->capture->setWindowEnd(*capture->tape, *capture->bridgeUntil);
                    ++bridgesBegun_;
                    bridgeWake_.notify_all();
                } else {
                    captures_.erase(c);
                    closing = true;
                }
            }
        }
        if (closing) {
            close(*capture);
        }
    }
    return recording;
}

void CaptureRecorder::tellTapeFailure(Capture& capture) {
    if (!capture.tape || !onEvent_) {
        return;
    }
    auto why = capture.tape->error();
    {
        std::lock_guard lock(mutex_);
        if (why.empty() || capture.tapeFailureTold) {
            return;
        }
        capture.tapeFailureTold = true;
    }
    capture::CaptureEvent event;
    event.kind = capture::CaptureEvent::Kind::Notice;
    event.room = capture.capture->room();
    event.at = std::chrono::system_clock::now();
    event.message = std::move(why);
    onEvent_(event, capture.attachedKeys());
}

void CaptureRecorder::closeBridges(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
        std::vector<std::shared_ptr<Capture>> ended;
        std::optional<std::chrono::system_clock::time_point> next;
        const auto now = clock().now();
        for (auto it = captures_.begin(); it != captures_.end();) {
            const auto& until = it->second->bridgeUntil;
            if (until && *until <= now) {
                ended.push_back(it->second);
                it = captures_.erase(it);
                continue;
            }
            if (until && (!next || *until < *next)) {
                next = *until;
            }
            ++it;
        }
        if (!ended.empty()) {
            lock.unlock();
            for (const auto& capture : ended) {
                close(*capture);
            }
            lock.lock();
            continue;
        }
        const auto wait = next ? std::chrono::duration_cast<std::chrono::milliseconds>(*next - now)
                               : std::chrono::milliseconds(60'000);
        const auto seen = bridgesBegun_;
        bridgeWake_.wait_for(lock, stop, std::max(wait, std::chrono::milliseconds(10)),
                             [&] { return bridgesBegun_ != seen; });
    }
}

void CaptureRecorder::endBridges() {
    std::vector<std::shared_ptr<Capture>> ended;
    {
        std::lock_guard lock(mutex_);
        for (auto it = captures_.begin(); it != captures_.end();) {
            if (it->second->bridgeUntil) {
                ended.push_back(it->second);
                it = captures_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const auto& capture : ended) {
        close(*capture);
    }
}

bool CaptureRecorder::tapesDue(std::chrono::system_clock::time_point now) {
    if (now < tapesExpired_ + std::chrono::minutes(10)) {
        return false;
    }
    tapesExpired_ = now;
    return true;
}

void CaptureRecorder::close(Capture& capture) {
    if (capture.tape) {
        capture.capture->detach(*capture.tape);
    }
    capture.capture->stop();
}

const core::Clock& CaptureRecorder::clock() const {
    return options_.clock != nullptr ? *options_.clock : systemClock_;
}

std::optional<sink::SinkStatus> CaptureRecorder::progress(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = recordings_.find(key);
    if (it == recordings_.end()) {
        return std::nullopt;
    }
    return it->second.sink->status();
}

std::optional<std::string> CaptureRecorder::partFile(const std::string& key) const {
    std::lock_guard lock(mutex_);
    std::string file;
    if (const auto it = recordings_.find(key); it != recordings_.end()) {
        file = it->second.sink->currentFile();
    } else if (const auto left = suspended_.find(key); left != suspended_.end()) {
        file = left->second;
    }
    return file.empty() ? std::nullopt : std::optional<std::string>(file);
}

std::vector<TapeSnapshot> CaptureRecorder::tapes() const {
    // The tape folders are read at most this often; the status asks every tick.
    constexpr auto kReadEvery = std::chrono::seconds(5);
    std::set<std::string> rooms;
    std::map<std::string, std::string> writing;  // room -> why its tape stopped
    {
        std::lock_guard lock(mutex_);
        rooms = tapedRooms_;
        for (const auto& [captureKey, capture] : captures_) {
            if (capture->tape) {
                writing[captureKey.substr(0, captureKey.find('\n'))] = capture->tape->error();
            }
        }
    }
    std::lock_guard lock(tapesMutex_);
    const auto now = std::chrono::steady_clock::now();
    if (tapesRead_.size() != rooms.size() || now - tapesReadAt_ >= kReadEvery) {
        tapesRead_.clear();
        for (const auto& room : rooms) {
            const auto holding = sink::tapeIn(tapeFolderFor(options_.outDir, room));
            TapeSnapshot tape;
            tape.room = room;
            tape.bytes = holding.bytes;
            for (const auto& span : holding.spans) {
                tape.spans.emplace_back(span.from, span.until);
            }
            tapesRead_.push_back(std::move(tape));
        }
        tapesReadAt_ = now;
    }
    auto tapes = tapesRead_;
    for (auto& tape : tapes) {
        if (const auto it = writing.find(tape.room); it != writing.end()) {
            tape.error = it->second;
            tape.writing = it->second.empty();
        }
    }
    return tapes;
}

}  // namespace confcap::run
