// A pre-flight check of a stream URL (`plan --check-streams`, and at the start of `record`):
// one request, and for HLS the playlist it leads to, saying in a few words whether the stream is
// live now. It informs; a stream that is not live now may well be live at its first talk.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace confcap::source {

/// What a check found.
struct StreamCheck {
    enum class State {
        Live,     ///< media is there now
        NotLive,  ///< the server is there but the stream is not (HTTP 404/410, a finished playlist)
        Failed,   ///< the server could not be reached or used (refused, TLS, other HTTP errors)
    };
    State state = State::Failed;
    /// A few words: "live (HLS, 3 variants, 1920x1080)", "live (progressive mp3)", "not live
    /// yet (HTTP 404)", "TLS: certificate not trusted", "unreachable (connection refused)".
    std::string summary;
    /// The BANDWIDTH (bit/s) a master playlist announces for the variant a recording follows
    /// (see StreamCheckOptions::variant); 0 when unknown (a media playlist, a progressive
    /// stream, a check that failed before the master playlist was read).
    std::int64_t bandwidth = 0;
};

struct StreamCheckOptions {
    /// Extra trusted CA certificates (PEM) for HTTPS (`--ca-file`).
    std::string caFile;
    /// Limit for connecting and for each wait for data.
    std::chrono::milliseconds timeout{10'000};
    /// `--variant`: the HLS variant a recording follows (see chooseVariant); one it does not
    /// match falls back to the highest bandwidth.
    std::string variant;
};

/// Checks `url` once: a master playlist is followed to its chosen variant's media playlist, a
/// progressive stream is read for its first bytes. Never throws; safe to call from any thread.
StreamCheck checkStream(const std::string& url, const StreamCheckOptions& options);

/// "live", "not live", "failed".
const char* toString(StreamCheck::State state) noexcept;

}  // namespace confcap::source
