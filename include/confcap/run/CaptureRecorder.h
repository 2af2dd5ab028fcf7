// The recording side of a run: one RoomCapture per room stream, shared by every talk in that
// room, and one TalkSink per talk, with the room's tape beside them. The Scheduler tells it when a
// talk starts and ends.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <set>
#include <string>
#include <thread>

#include "confcap/capture/RoomCapture.h"
#include "confcap/core/Clock.h"
#include "confcap/core/RetryPolicy.h"
#include "confcap/core/Sleeper.h"
#include "confcap/plan/Plan.h"
#include "confcap/run/Recorder.h"
#include "confcap/sink/RoomTape.h"
#include "confcap/sink/TalkSink.h"
#include "confcap/source/Source.h"

namespace confcap::run {

class CaptureRecorder final : public Recorder {
public:
    struct Options {
        std::filesystem::path outDir;
        std::uint64_t minBytes = 0;
        std::chrono::seconds minDuration{0};
        /// The finished talk's container (tagged); placed as recorded, untagged, when unset.
        std::optional<sink::Container> container;
        bool nfo = false;  ///< write a .nfo beside each recorded talk
        source::SourceOptions source;
        core::RetryPolicy retry;
        /// Makes a room's source for a stream URL; source::makeSource when empty. The external
        /// recorders plug in here.
        std::function<std::unique_ptr<source::Source>(const std::string& url)> sourceFactory;
        /// Wall clock; the system clock when null. Must outlive the recorder.
        const core::Clock* clock = nullptr;
        /// What the captures' waits wait on; real time when null. Must outlive the recorder.
        core::Sleeper* sleeper = nullptr;
        /// Each room's stream is also written to its tape (sink::RoomTape, in tapeFolderFor)
        /// while the room records, and tapes are deleted this long after their last write
        /// (--keep-tape). No tape when zero.
        std::chrono::seconds keepTape{0};
        /// After a room's last talk ends, its capture and tape go on this long (--tape-bridge):
        /// a break up to that long before the room's next talk, or a talk that runs over, stays
        /// on the tape. Only with a tape.
        std::chrono::seconds tapeBridge{0};
        /// The free space a tape leaves on its disk, in bytes, when it begins (see
        /// sink::RoomTape); none looked at when empty or 0.
        std::function<std::uint64_t()> tapeKeepFree;
    };
    /// Called on a capture's thread for each of its events, with the keys of the jobs attached.
    using EventHandler = std::function<void(const capture::CaptureEvent& event,
                                            const std::vector<std::string>& keys)>;

    CaptureRecorder(Options options, EventHandler onEvent);
    /// Stops every capture; sinks not finished stay as parts for a later recovery.
    ~CaptureRecorder();

    /// Starts recording `job` now: its sink (continuing parts an earlier run left for the same
    /// file, with `waited` as a gap when given) attached to its room's capture, which starts
    /// when it is not running. Throws core::OutputError when the sink cannot be made.
    /// Thread-safe.
    void start(const plan::Job& job, const std::optional<core::Gap>& waited) override;
    /// The job's window moved: its capture keeps reconnecting until the new end. Thread-safe.
    void retarget(const plan::Job& job) override;
    /// Stops feeding the job's sink and finalizes it. When `windowEnded`, an HLS stream is first
    /// followed until the segment holding the window's end arrived (see RoomCapture::detach).
    /// Thread-safe; blocks while merging. Returns nullopt when the job was not started.
    std::optional<sink::FinalizeResult> finish(const std::string& key, std::string_view reason,
                                               bool windowEnded) override;
    /// Stops feeding the job's sink and keeps its parts for the next run (confcap stops inside
    /// the job's window). Returns its counters, or nullopt when the job was not started.
    /// Thread-safe.
    std::optional<sink::Interruption> interrupt(const std::string& key,
                                                std::string_view reason) override;
    /// The job's counters while it records. Thread-safe.
    std::optional<sink::SinkStatus> progress(const std::string& key) const override;
    const std::filesystem::path& outDir() const noexcept override { return options_.outDir; }
    /// The relative path of the file the job writes (its .part while recording; the part it left
    /// when suspended). Thread-safe.
    std::optional<std::string> partFile(const std::string& key) const override;
    /// Read from the tape folders at most every few seconds.
    std::vector<TapeSnapshot> tapes() const override;
    /// Closes every capture that only a tape's bridge keeps going: the run ends, and no talk
    /// comes to join it. Thread-safe.
    void endBridges();

private:
    static constexpr std::ptrdiff_t kPublishingAtOnce = 4;
    struct Capture;
    struct Recording {
        std::string captureKey;
        std::unique_ptr<sink::TalkSink> sink;
        std::chrono::system_clock::time_point windowEnd;
    };
    // Takes the job's recording out and detaches its sink, closing the room's capture when it
    // was the last; nullopt when the job was not started.
    std::optional<Recording> take(
        const std::string& key,
        std::optional<std::chrono::system_clock::time_point> reaching = std::nullopt);

    // Whether the tapes are due for a look for expired pieces (every ten minutes at most);
    // call with mutex_ held.
    bool tapesDue(std::chrono::system_clock::time_point now);
    // Detaches the capture's tape and stops it: the room's capture is over. Without mutex_.
    void close(Capture& capture);
    const core::Clock& clock() const;
    // Logs once that the capture's tape stopped (a full disk), when it did; without mutex_.
    void tellTapeFailure(Capture& capture);
    // Closes the captures whose bridge (tapeBridge) ran out without a talk; on bridger_.
    void closeBridges(std::stop_token stop);

    Options options_;
    EventHandler onEvent_;
    core::SystemClock systemClock_;
    /// The block size of the output folder's file system when its files can share blocks.
    std::optional<std::uint64_t> sharedBlockSize_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Capture>> captures_;  ///< by room + URL
    std::map<std::string, Recording> recordings_;               ///< by job key
    std::map<std::string, std::string> suspended_;              ///< parts left open, by job key
    std::set<std::string> tapedRooms_;  ///< the rooms whose tape was written in this run
    mutable std::mutex tapesMutex_;     ///< guards the two below
    mutable std::vector<TapeSnapshot> tapesRead_;
    mutable std::chrono::steady_clock::time_point tapesReadAt_;
    std::chrono::system_clock::time_point tapesExpired_{};  ///< last look for old tapes
    std::condition_variable_any bridgeWake_;                ///< a bridge began (mutex_)
    std::uint64_t bridgesBegun_ = 0;
    /// Talks published at once. Rooms end together; each publication reads its whole file
    /// (tags, hash), so more at once only share the disk and add each one's buffers.
    std::counting_semaphore<> publishing_{kPublishingAtOnce};
    std::jthread bridger_;  ///< closes ended bridges; declared last, stopped first
};

}  // namespace confcap::run
