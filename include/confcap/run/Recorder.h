// What a scheduler has record its jobs: the CaptureRecorder, or a stand-in in tests.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/plan/Plan.h"
#include "confcap/run/Report.h"
#include "confcap/sink/Interruption.h"
#include "confcap/sink/Recording.h"

namespace confcap::run {

/// Records jobs. Every member is thread-safe.
class Recorder {
public:
    virtual ~Recorder() = default;
    /// Starts recording `job` now; `waited`, when set, is the stretch of its window that went
    /// by before it could start (it waited for disk space), written down as its file's first
    /// gap. Throws core::Error when it cannot start.
    virtual void start(const plan::Job& job, const std::optional<core::Gap>& waited) = 0;
    /// The job's window moved; it records until its new end.
    virtual void retarget(const plan::Job& job) = 0;
    /// Stops feeding the job's file and finalizes it (`windowEnded`: its window ended, and a
    /// live stream may still deliver the segment holding that end). Blocks while finalizing.
    /// nullopt when the job was not started.
    virtual std::optional<sink::FinalizeResult> finish(const std::string& key,
                                                       std::string_view reason,
                                                       bool windowEnded) = 0;
    /// Stops feeding the job's file inside its window (confcap stops) and publishes what it has
    /// as interrupted, for the next run to continue (see sink::TalkSink::interrupt); nullopt
    /// when the job was not started. Blocks while publishing.
    virtual std::optional<sink::Interruption> interrupt(const std::string& key,
                                                        std::string_view reason) = 0;
    /// The job's counters while it records.
    virtual std::optional<sink::SinkStatus> progress(const std::string& key) const = 0;
    /// The file the job writes, relative to the output folder, once it has one.
    virtual std::optional<std::string> partFile(const std::string& key) const = 0;
    /// The output folder the files are relative to.
    virtual const std::filesystem::path& outDir() const noexcept = 0;
    /// The tapes of the rooms that recorded in this run; none without tapes.
    virtual std::vector<TapeSnapshot> tapes() const { return {}; }
};

}  // namespace confcap::run
