// Where the schedule's bytes come from (`--schedule SRC`): a file, or an http(s) URL fetched with a
// conditional GET against an on-disk cache of the last good copy, so a refresh is cheap and a
// network outage falls back to the copy already known to be good. The streaming API's document
// (`--streams-api`) is fetched and cached the same way.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "confcap/core/Clock.h"
#include "confcap/fetch/HttpClient.h"

namespace confcap::fetch {

/// The outcome of one ScheduleSource::fetch().
struct FetchedSchedule {
    std::string bytes;
    /// True when the bytes differ from the ones the previous fetch() of this source returned; on
    /// the first fetch, from the cached copy (true when there is none).
    bool changed = false;
    /// One sentence for the log when a failure was papered over with the cached copy, e.g.
    /// "Could not connect to https://x/schedule.xml: connection refused; using the copy cached
    /// at 2024-12-27T10:30:00Z."
    std::optional<std::string> warning;
    /// True when the fetch failed (or its answer was refused) and `bytes` are the cached copy.
    bool fromCache = false;
    /// The file path or URL as given.
    std::string source;
};

/// Fetches one schedule, repeatedly (the refresh loop). Used by one thread at a time.
class ScheduleSource {
public:
    /// Checks that bytes are a schedule (e.g. by parsing them) and throws core::Error when they
    /// are not. Only bytes it accepts are cached, so an HTML error page served with 200 never
    /// replaces a good copy.
    using Validator = std::function<void(std::string_view bytes)>;

    struct Options {
        /// Folder of the cache (`--cache-dir`); defaultCacheDir() when empty.
        std::filesystem::path cacheDir;
        /// Extra trusted CA certificates (PEM) for HTTPS (`--ca-file`).
        std::string caFile;
        std::chrono::milliseconds connectTimeout{10'000};
        std::chrono::milliseconds readTimeout{20'000};
        /// Larger downloads fail (Permanent).
        std::size_t maxBytes = std::size_t{64} << 20;
        /// Stamps cached copies; the system clock when null. Must outlive the source.
        const core::Clock* clock = nullptr;
        /// What the document is, for messages: "schedule", "streaming API document".
        std::string what = "schedule";
    };

    /// `source` is an http:// or https:// URL or a file path. Does no I/O.
    explicit ScheduleSource(std::string source);
    ScheduleSource(std::string source, Options options, Validator validator = {});
    ~ScheduleSource();
    ScheduleSource(const ScheduleSource&) = delete;
    ScheduleSource& operator=(const ScheduleSource&) = delete;

    /// Reads the file, or fetches the URL: sends If-None-Match / If-Modified-Since from the cached
    /// copy, returns the cached bytes on 304, caches new bytes the validator accepts (written
    /// atomically). When the fetch fails or the validator rejects the new bytes and a cached copy
    /// exists, returns that copy with a warning.
    /// Throws core::InputError (a Permanent FetchError naming the path) when a file is missing or
    /// unreadable; the FetchError of the fetch, or the validator's error, when there is no cached
    /// copy.
    FetchedSchedule fetch();

    /// The file path or URL as given.
    const std::string& source() const noexcept { return source_; }
    /// True for an http(s) URL.
    bool isUrl() const noexcept { return isUrl_; }
    /// The cache file for this URL (named by a hash of it); empty for a file source.
    std::filesystem::path cacheFile() const;

    /// $XDG_CACHE_HOME/confcap, else ~/.cache/confcap; empty when neither variable is set.
    static std::filesystem::path defaultCacheDir();

private:
    FetchedSchedule fetchFile();
    FetchedSchedule fetchUrl();
    void remember(FetchedSchedule& result, const std::optional<std::string>& baseline);

    std::string source_;
    bool isUrl_;
    Options options_;
    Validator validator_;
    std::unique_ptr<HttpClient> client_;
    /// What the previous fetch returned, as its size and hash: a refresh compares against it
    /// without keeping a second copy of the bytes.
    std::optional<std::pair<std::size_t, std::size_t>> previous_;
};

}  // namespace confcap::fetch
