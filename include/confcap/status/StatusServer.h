// The read-only HTTP status server (--status-port, --status-bind): the status page, the status
// as JSON, the end-of-run summary, and the recordings themselves (finished and in progress, with
// byte ranges) so a talk can be watched in mpv or VLC while it records. Fit for a network: slow
// or idle clients hold no thread, the probe is answered ahead of downloads, and --status-auth
// and --status-tls-cert/-key say who may read it and encrypt it.
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
        /// --status-auth: the htpasswd or token file (StatusAuth.h) whose credentials every path
        /// but /healthz asks for; open to every client when empty.
        std::filesystem::path authFile;
        /// --status-tls-cert and --status-tls-key: PEM files of the certificate (chain) and its
        /// key; HTTPS when given (both or neither).
        std::filesystem::path tlsCertificate;
        std::filesystem::path tlsKey;
        /// A request head must arrive whole within this time (of its first byte, or of the
        /// connection for its first request; a TLS handshake included), else it is dropped.
        std::chrono::milliseconds headTimeout{5000};
        /// How long a kept-alive connection may wait for its next request (1 s while the server
        /// holds over 3/4 of maxConnections).
        std::chrono::milliseconds idleTimeout{10000};
        /// A client that takes no byte of an answer for this long is dropped.
        std::chrono::milliseconds sendTimeout{30000};
        /// Wrong credentials are answered 401 this long after the request arrived.
        std::chrono::milliseconds authDelay{1000};
        /// Open connections at most; 0 takes what the open-file limit allows (two files each, 1024
        /// kept for the rest of the program; at most 4096). When
        /// full, a new connection replaces an idle kept-alive one, else the oldest one that has
        /// not sent a whole request.
        std::size_t maxConnections = 0;
        /// Open connections from one client address at most. A new one past it replaces that
        /// address's oldest idle one or one that has not sent a whole request; it is closed at
        /// once only when all of them are answering.
        std::size_t maxPerAddress = 32;
        /// Recordings and other files being sent at once at most; more are answered 503 with
        /// Retry-After (never /healthz, /api/status or /metrics, which send no file).
        std::size_t maxFileAnswers = 64;
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
    ///   /healthz       "ok", to every client (the probes ask here)
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
    /// With an auth file, every other path asks for credentials (401; wrong ones after
    /// authDelay). /healthz, /api/status and /metrics never wait behind a download: files are
    /// streamed by the one network thread without blocking, pages and checks are made on
    /// worker threads of their own. A request body is never read (the connection closes after
    /// the answer). Raises the soft limit of open files to what the connections need (never
    /// past the hard limit, never lower).
    /// Starts listening at once. Throws core::UsageError naming the address when it cannot,
    /// core::ConfigError naming the file when the auth file or the TLS files cannot be used.
    StatusServer(const StatusBoard& board, const core::Clock& clock, Options options);
    /// Stops listening and aborts open connections.
    ~StatusServer();
    StatusServer(const StatusServer&) = delete;
    StatusServer& operator=(const StatusServer&) = delete;

    /// Reads the auth file and the TLS certificate and key again (on SIGHUP): new connections
    /// and requests use them. Throws core::ConfigError naming the file when one cannot be used,
    /// and then keeps what was in force. Thread-safe.
    void reload();

    /// True when it listens on a loopback address only.
    bool loopbackOnly() const;
    /// The open connections it allows at once.
    std::size_t maxConnections() const;

    /// The port listened on.
    std::uint16_t port() const;
    /// "http://<bind>:<port><path>" ("https://" with TLS); `path` starts with '/'.
    std::string url(std::string_view path) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace confcap::status
