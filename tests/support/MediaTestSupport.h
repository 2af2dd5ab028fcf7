// Helpers for the capture tests: the cached test clip, temp folders, ffprobe, and recorders that
// stand in for the capture (SourceOutput) and for talk sinks (MediaSink).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "confcap/core/Error.h"
#include "confcap/core/Media.h"
#include "confcap/demo/MediaFixture.h"
#include "confcap/source/Source.h"
#include "support/MediaProbe.h"
#include "support/RunProcess.h"
#include "support/TempDir.h"

namespace confcap::testing {

/// The test clip, made once per build tree (in <build>/test-media) and shared by the suites.
inline const demo::MediaClip& testClip() {
    static const demo::MediaClip clip = demo::MediaFixture::ensure(
        std::filesystem::path(CONFCAP_BINARY).parent_path() / "test-media");
    return clip;
}

/// An HLS segment: `seconds` of media with the media sequence number `sequence`, ending at
/// `endsAt` on the wall clock. It views `bytes`, which must outlive it.
inline core::Chunk segmentChunk(std::string_view bytes, std::int64_t sequence, double seconds,
                                std::chrono::system_clock::time_point endsAt) {
    core::Chunk chunk;
    chunk.bytes = bytes;
    chunk.kind = core::ChunkKind::SegmentStart;
    chunk.mediaSeconds = seconds;
    chunk.sequence = sequence;
    chunk.endsAt = endsAt;
    return chunk;
}

/// The whole contents of a file ("" when it cannot be read).
inline std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Makes a real test-pattern clip with sound, `seconds` long, with ffmpeg: ".webm" (VP8/Opus),
/// anything else MPEG-TS (MPEG-2/MP2). Throws std::runtime_error with ffmpeg's words on failure.
inline void makeClip(const std::filesystem::path& file, int seconds) {
    std::vector<std::string> args = {"-hide_banner", "-loglevel",
                                     "error",        "-nostdin",
                                     "-f",           "lavfi",
                                     "-i",           "testsrc=size=160x90:rate=25",
                                     "-f",           "lavfi",
                                     "-i",           "sine=frequency=440:sample_rate=48000",
                                     "-t",           std::to_string(seconds)};
    if (file.extension() == ".webm") {
        args.insert(args.end(), {"-c:v", "libvpx", "-deadline", "realtime", "-b:v", "200k", "-c:a",
                                 "libopus", "-f", "webm"});
    } else {
        args.insert(args.end(), {"-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts"});
    }
    args.push_back(file.string());
    const auto result = runProcess("/usr/bin/ffmpeg", args);
    if (result.exitCode != 0) {
        throw std::runtime_error("ffmpeg failed: " + result.err);
    }
}

/// MPEG-TS bytes without their service description packets (PID 0x11) and null packets (PID
/// 0x1FFF), which confcap rewrites to name the talk; bytes that are not whole packets stay. For
/// comparing media packets.
inline std::string withoutServiceTable(const std::string& stream) {
    std::string out;
    std::size_t at = 0;
    while (at < stream.size()) {
        const bool packet = stream[at] == '\x47' && at + 188 <= stream.size() &&
                            (at + 188 == stream.size() || stream[at + 188] == '\x47');
        if (!packet) {
            out += stream[at++];
            continue;
        }
        const auto pid = ((static_cast<unsigned char>(stream[at + 1]) & 0x1F) << 8) |
                         static_cast<unsigned char>(stream[at + 2]);
        if (pid != 0x11 && pid != 0x1FFF) {
            out.append(stream, at, 188);
        }
        at += 188;
    }
    return out;
}

/// Writes a file; for handing recorded bytes to ffprobe.
inline std::filesystem::path writeFile(const std::filesystem::path& file,
                                       const std::string& bytes) {
    FILE* f = std::fopen(file.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return file;
}

/// Records everything a source delivers. Thread-safe.
class RecordingOutput : public source::SourceOutput {
public:
    using Clock = std::chrono::steady_clock;

    /// A further track (an HLS audio rendition) of a piece.
    struct Track {
        core::TrackInfo info;
        core::StreamFormat format;
        std::string bytes;
        int segments = 0;
        std::vector<std::int64_t> sequences;
    };
    struct Piece {
        core::StreamFormat format;
        source::Resume resume;
        Clock::time_point at;
        std::string bytes;
        int inits = 0;     ///< Init chunks written into this piece
        int segments = 0;  ///< SegmentStart chunks
        double mediaSeconds = 0;
        Clock::time_point lastWrite;
        std::map<int, Track> tracks;
        std::vector<std::int64_t> sequences;  ///< of the main track's segments
    };

    void connected(const core::StreamFormat& format, const source::Resume& resume) override {
        std::lock_guard lock(mutex_);
        pieces_.push_back(Piece{format, resume, Clock::now(), {}, 0, 0, 0, Clock::now(), {}});
    }
    void beginTrack(const core::TrackInfo& track, const core::StreamFormat& format) override {
        std::lock_guard lock(mutex_);
        if (!pieces_.empty()) {
            pieces_.back().tracks[track.index].info = track;
            pieces_.back().tracks[track.index].format = format;
        }
    }
    void write(const core::Chunk& chunk) override {
        std::lock_guard lock(mutex_);
        if (pieces_.empty()) {
            writesBeforeConnect_ = true;
            return;
        }
        auto& piece = pieces_.back();
        if (chunk.track != 0) {
            auto& track = piece.tracks[chunk.track];
            track.bytes.append(chunk.bytes);
            track.segments += chunk.kind == core::ChunkKind::SegmentStart ? 1 : 0;
            if (chunk.sequence) {
                track.sequences.push_back(*chunk.sequence);
            }
            return;
        }
        piece.bytes.append(chunk.bytes);
        piece.mediaSeconds += chunk.mediaSeconds;
        piece.inits += chunk.kind == core::ChunkKind::Init ? 1 : 0;
        piece.segments += chunk.kind == core::ChunkKind::SegmentStart ? 1 : 0;
        if (chunk.sequence) {
            piece.sequences.push_back(*chunk.sequence);
        }
        lastWrite_ = Clock::now();
        piece.lastWrite = lastWrite_;
    }
    void lost(const core::Gap& gap) override {
        std::lock_guard lock(mutex_);
        lost_.push_back(gap);
    }
    void notice(const std::string& message) override {
        std::lock_guard lock(mutex_);
        notices_.push_back(message);
    }
    void variantSwitched(const core::VariantSwitch& change) override {
        std::lock_guard lock(mutex_);
        switches_.push_back(change);
    }

    /// Called by the test's retry loop when run() failed: remembers when the data stopped.
    void failed(const std::string& what) {
        std::lock_guard lock(mutex_);
        failures_.push_back(what);
        outageStarts_.push_back(lastWrite_);
    }

    std::vector<Piece> pieces() const {
        std::lock_guard lock(mutex_);
        return pieces_;
    }
    std::string allBytes() const {
        std::lock_guard lock(mutex_);
        std::string all;
        for (const auto& p : pieces_) {
            all += p.bytes;
        }
        return all;
    }
    std::vector<core::Gap> lost() const {
        std::lock_guard lock(mutex_);
        return lost_;
    }
    std::vector<std::string> notices() const {
        std::lock_guard lock(mutex_);
        return notices_;
    }
    std::vector<core::VariantSwitch> switches() const {
        std::lock_guard lock(mutex_);
        return switches_;
    }
    std::vector<std::string> failures() const {
        std::lock_guard lock(mutex_);
        return failures_;
    }
    /// For each failure: the time of the last write before it.
    std::vector<Clock::time_point> outageStarts() const {
        std::lock_guard lock(mutex_);
        return outageStarts_;
    }
    bool wroteBeforeConnect() const {
        std::lock_guard lock(mutex_);
        return writesBeforeConnect_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<Piece> pieces_;
    std::vector<core::Gap> lost_;
    std::vector<std::string> notices_;
    std::vector<core::VariantSwitch> switches_;
    std::vector<std::string> failures_;
    std::vector<Clock::time_point> outageStarts_;
    Clock::time_point lastWrite_ = Clock::now();
    bool writesBeforeConnect_ = false;
};

/// A talk sink that keeps what it gets in memory. Thread-safe accessors.
class RecordingSink : public core::MediaSink {
public:
    struct Piece {
        core::StreamFormat format;
        std::string bytes;
        double mediaSeconds = 0;
        std::map<int, std::string> tracks;  ///< further tracks' bytes
    };

    void beginPiece(const core::StreamFormat& format, bool newTimeline) override {
        std::lock_guard lock(mutex_);
        if (pieces_.empty() || !format.concatSafe || newTimeline ||
            pieces_.back().format.extension != format.extension) {
            pieces_.push_back(Piece{format, {}, 0, {}});
        }
        ++beginPieces_;
    }
    void beginTrack(const core::TrackInfo& track, const core::StreamFormat&) override {
        std::lock_guard lock(mutex_);
        if (pieces_.empty()) {
            writesBeforeBegin_ = true;
            return;
        }
        pieces_.back().tracks[track.index];
    }
    void write(const core::Chunk& chunk) override {
        std::lock_guard lock(mutex_);
        if (pieces_.empty()) {
            writesBeforeBegin_ = true;
            return;
        }
        if (chunk.endsAt) {
            auto& reached = reached_[chunk.track];
            reached = std::max(reached, *chunk.endsAt);
        }
        if (chunk.track != 0) {
            const auto track = pieces_.back().tracks.find(chunk.track);
            if (track == pieces_.back().tracks.end()) {
                writesBeforeBegin_ = true;
                return;
            }
            track->second.append(chunk.bytes);
            return;
        }
        pieces_.back().bytes.append(chunk.bytes);
        pieces_.back().mediaSeconds += chunk.mediaSeconds;
    }
    /// HLS: how far the media of `track` that it got reaches on the wall clock.
    std::optional<std::chrono::system_clock::time_point> reached(int track = 0) const {
        std::lock_guard lock(mutex_);
        const auto it = reached_.find(track);
        return it == reached_.end() ? std::nullopt : std::make_optional(it->second);
    }
    void gap(const core::Gap& gap) override {
        std::lock_guard lock(mutex_);
        gaps_.push_back(gap);
    }
    void reconnected() override {
        std::lock_guard lock(mutex_);
        ++reconnects_;
    }
    void variantSwitched(const core::VariantSwitch& change) override {
        std::lock_guard lock(mutex_);
        switches_.push_back(change);
    }
    std::vector<core::VariantSwitch> switches() const {
        std::lock_guard lock(mutex_);
        return switches_;
    }

    std::vector<Piece> pieces() const {
        std::lock_guard lock(mutex_);
        return pieces_;
    }
    std::string allBytes() const {
        std::lock_guard lock(mutex_);
        std::string all;
        for (const auto& p : pieces_) {
            all += p.bytes;
        }
        return all;
    }
    std::vector<core::Gap> gaps() const {
        std::lock_guard lock(mutex_);
        return gaps_;
    }
    int reconnects() const {
        std::lock_guard lock(mutex_);
        return reconnects_;
    }
    int beginPieces() const {
        std::lock_guard lock(mutex_);
        return beginPieces_;
    }
    bool wroteBeforeBegin() const {
        std::lock_guard lock(mutex_);
        return writesBeforeBegin_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<Piece> pieces_;
    std::vector<core::Gap> gaps_;
    std::vector<core::VariantSwitch> switches_;
    int reconnects_ = 0;
    int beginPieces_ = 0;
    bool writesBeforeBegin_ = false;
    std::map<int, std::chrono::system_clock::time_point> reached_;
};

/// Runs a source on its own thread the way a capture does, without the policy: after a transient
/// failure it waits `pause` and runs it again; a permanent failure or stop() ends it. With
/// `windowRule`, only an Unusable failure ends it, as inside a capture's window.
class SourceDriver {
public:
    SourceDriver(source::Source& source, RecordingOutput& out,
                 std::chrono::milliseconds pause = std::chrono::milliseconds(300),
                 bool windowRule = false)
        : source_(source), out_(out) {
        thread_ = std::thread([this, pause, windowRule] {
            while (!stopping_) {
                try {
                    const auto end = source_.run(out_);
                    if (end != source::RunEnd::Stopped) {
                        ++endings_;
                        std::lock_guard lock(mutex_);
                        ends_.push_back(end);
                    }
                } catch (const core::Error& e) {
                    if (stopping_) {
                        break;
                    }
                    out_.failed(e.what());
                    if (windowRule ? e.kind() == core::ErrorKind::Unusable : !e.transient()) {
                        std::lock_guard lock(mutex_);
                        permanent_ = e.what();
                        break;
                    }
                }
                std::this_thread::sleep_for(pause);
            }
            finished_ = true;
        });
    }
    ~SourceDriver() { stop(); }
    SourceDriver(const SourceDriver&) = delete;
    SourceDriver& operator=(const SourceDriver&) = delete;

    /// Stops the source and waits for the thread; returns how long that took.
    std::chrono::milliseconds stop() {
        const auto start = std::chrono::steady_clock::now();
        stopping_ = true;
        source_.stop();
        if (thread_.joinable()) {
            thread_.join();
        }
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
    }
    /// Waits up to `limit` for the loop to end by itself (permanent failure).
    bool waitFinished(std::chrono::milliseconds limit) const {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (!finished_ && std::chrono::steady_clock::now() < end) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return finished_;
    }
    std::optional<std::string> permanentError() const {
        std::lock_guard lock(mutex_);
        return permanent_;
    }
    /// Times run() returned normally (the stream ended).
    int endings() const { return endings_; }
    /// How those runs ended, in order.
    std::vector<source::RunEnd> ends() const {
        std::lock_guard lock(mutex_);
        return ends_;
    }

private:
    source::Source& source_;
    RecordingOutput& out_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> finished_{false};
    std::atomic<int> endings_{0};
    mutable std::mutex mutex_;
    std::optional<std::string> permanent_;
    std::vector<source::RunEnd> ends_;
};

/// The timed scenarios of a suite, all started together on their own threads when the object is
/// made: each spends seconds waiting on the real clock (live streams, outages), so running them
/// side by side keeps the suite short. Bodies must not use Boost.Test assertions; the test cases
/// check the results.
template <typename Result>
class Scenarios {
public:
    using Body = std::function<Result()>;
    explicit Scenarios(std::vector<std::pair<std::string, Body>> bodies) {
        for (auto& [name, body] : bodies) {
            futures_.emplace(name, std::async(std::launch::async, std::move(body)).share());
        }
    }
    /// Waits for the scenario `name` and returns its result; rethrows what its body threw.
    const Result& get(const std::string& name) const { return futures_.at(name).get(); }

private:
    std::map<std::string, std::shared_future<Result>> futures_;
};

}  // namespace confcap::testing
