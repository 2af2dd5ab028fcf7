// The run's memory across restarts: the final outcome of every job, in
// `<out>/.confcap/journal.json`, so a restarted run knows which talks an earlier run already
// finished instead of counting their passed windows as missed; and the --on-recorded hook of each
// finished talk, so a restarted run runs the ones that never finished.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "confcap/run/Hook.h"
#include "confcap/run/Report.h"
#include "confcap/sink/Interruption.h"

namespace confcap::run {

class Journal {
public:
    struct Entry {
        JobState state = JobState::Recorded;
        std::string file;
        std::string reason;
        /// Interrupted: the part list that continues the published files, and those files as
        /// they were published (see sink::Interruption); empty when the parts stayed.
        std::string continuation;
        std::vector<sink::PublishedFile> published;
    };

    /// Reads the journal at `path` when it exists. A missing or unreadable journal is empty
    /// (it only saves work; nothing is lost without it).
    explicit Journal(std::filesystem::path path);

    /// The recorded final outcome of the job with `key`. Thread-safe.
    std::optional<Entry> find(const std::string& key) const;
    /// Records a final outcome and rewrites the file atomically. Thread-safe. Throws
    /// core::OutputError naming the file when it cannot be written.
    void record(const std::string& key, Entry entry);

    /// Records the state of a talk's hook (by HookRecord::key, replacing an earlier one) and
    /// rewrites the file atomically. Thread-safe. Throws core::OutputError as record() does.
    void recordHook(const HookRecord& hook);
    /// The hooks recorded, in key order. Thread-safe.
    std::vector<HookRecord> hooks() const;

    const std::filesystem::path& path() const noexcept { return path_; }

private:
    // Rewrites the file from the entries; call with mutex_ held.
    void write();

    std::filesystem::path path_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;
    std::map<std::string, HookRecord> hooks_;
};

}  // namespace confcap::run
