// The read-only HTTP status server (--status-port, --status-bind): the status page, the status
// as JSON, the end-of-run summary, and the recordings themselves (finished and in progress, with
// byte ranges) so a talk can be watched in mpv or VLC while it records.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

#include "confcap/core/Clock.h"
#include "confcap/run/ScheduleRefresher.h"
#include "confcap/status/StatusBoard.h"

namespace confcap::status {

class StatusServer {
public:
    struct Options {
        /// The address to listen on: an IP address or host name.
        std::string bind = "127.0.0.1";
        /// The TCP port; 0 lets the system choose (see port()).
        std::uint16_t port = 0;
        /// The output folder (--out): served under /recordings/, its bookkeeping folder
        /// `.confcap/` excepted (only `.confcap/summary.json`, as /summary.json).
        std::filesystem::path outputDir;
        int maxThreads = 8;
        /// The schedule refreshes, for /metrics; its schedule metrics are left out when empty.
        std::function<run::ScheduleRefresher::Counts()> scheduleRefreshes;
        /// How often the schedule is re-read (--refresh), for /metrics.
        std::chrono::seconds refreshPeriod{0};
        /// The hooks run for finished talks by result, for /metrics; none when empty.
        std::function<std::map<std::string, std::uint64_t>()> hookResults;
        /// The conference's zone, in which the page shows every time; UTC when null.
        const date::time_zone* zone = nullptr;
    };

    /// Serves, GET and HEAD only:
    ///   /              the HTML status page (StatusPage.h); ?hours=N&room=NAME zoom its timeline
    ///   /api/status    statusJson() of the board; with ?timeline=svg (and the page's zoom) it
    ///                  holds the timeline as the page draws it
    ///   /summary.html  a redirect to /recordings/.confcap/summary.html (the page the run
    ///                  writes at its end, whose links are relative to it), 404 until it exists
    ///   /metrics       metricsText() of the board and the options' counters (Prometheus)
    ///   /summary.json  <out>/.confcap/summary.json, 404 until it exists
    ///   /recordings/P  the file P under the output folder, with single byte ranges (206, 416);
    ///                  of the bookkeeping folder only summary.json, summary.html (as HTML that
    ///                  may run no script) and the thumbnails
    /// A path that leaves the output folder (.., encoded slashes or dots, absolute paths, NUL,
    /// symlinks whose target lies outside) is refused with 403 before anything is opened outside.
    /// When bound to a loopback address, requests naming another host (DNS rebinding) get 403.
    /// Starts listening at once. Throws core::UsageError naming the address when it cannot.
    StatusServer(const StatusBoard& board, const core::Clock& clock, Options options);
    /// Stops listening and aborts open connections.
    ~StatusServer();
    StatusServer(const StatusServer&) = delete;
    StatusServer& operator=(const StatusServer&) = delete;

    /// The port listened on.
    std::uint16_t port() const;
    /// "http://<bind>:<port><path>"; `path` starts with '/'.
    std::string url(std::string_view path) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace confcap::status
